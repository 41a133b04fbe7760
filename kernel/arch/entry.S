# Kernel entry points. OpenSBI jumps to the lowest loaded address in S-mode
# with a0 = hart id and a1 = device-tree address, so _start must come first
# (the linker script puts .text.entry at 0x80200000).

#include "kernel/param.h"
#include "kernel/arch/boot.h"

.section .text.entry
.globl _start
_start:
        # The first hart to get here boots the kernel. OpenSBI 1.1 sometimes
        # sends a hart that we started with HSM here (with a1 = device tree)
        # instead of to secondary_entry; such a late hart joins as a
        # secondary. The flag lives in .data so zeroing .bss cannot reset it.
        la t0, boot_hart_claimed
        li t1, 1
        amoswap.w.aq t1, t1, (t0)
        bnez t1, late_hart

        # Zero .bss: C code assumes its globals start at zero.
        la t0, __bss_start
        la t1, __bss_end
1:      bgeu t0, t1, 2f
        sd zero, 0(t0)
        addi t0, t0, 8
        j 1b
2:      la sp, boot_stacks + BOOT_STACK_SIZE
        mv fp, zero
        call kmain              # kmain(hartid, dtb) never returns
3:      wfi
        j 3b

# A late hart (see _start): find the struct cpu whose hartid is a0, then
# continue as secondary_entry would. A hart we never started parks.
late_hart:
        la t0, cpus
        la t1, ncpu
        lw t1, 0(t1)
        la t2, cpu_struct_size
        ld t2, 0(t2)
1:      beqz t1, park
        lw t3, CPU_HARTID_OFFSET(t0)
        beq t3, a0, 2f
        add t0, t0, t2
        addi t1, t1, -1
        j 1b
2:      ld t3, 0(t0)            # boot_sp is 0 until the boot hart starts this hart
        beqz t3, park
        mv a1, t0
        j secondary_entry
park:   wfi
        j park

# A hart started by SBI HSM: a0 = hart id, a1 = its struct cpu, whose first
# field is the physical address of a stack to start on (paging is off).
.globl secondary_entry
secondary_entry:
        ld sp, 0(a1)
        mv fp, zero
        call secondary_main     # secondary_main(hartid, cpu) never returns
4:      wfi
        j 4b

# run_on_stack(top, fn): switch sp to top and call fn(); fn never returns.
.section .text
.globl run_on_stack
run_on_stack:
        mv sp, a0
        mv fp, zero
        jalr a1
5:      wfi
        j 5b

.section .data
.balign 4
boot_hart_claimed:
        .word 0

.section .bootstack, "aw", @nobits
.balign 16
.globl boot_stacks
boot_stacks:                    # hart i (boot hart = 0) uses slot i
        .space BOOT_STACK_SIZE * NCPU
