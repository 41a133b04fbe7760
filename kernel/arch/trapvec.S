# The one trap vector for traps from user mode and from the kernel.
#
# Invariant: sscratch holds the current process's trapframe address while
# the hart runs in user mode, and 0 while it runs in the kernel. Swapping it
# with sp tells the two cases apart without touching any other register.
# The kernel is mapped in every address space, so no page-table switch.

#include "kernel/arch/context.h"

.section .text
.globl trap_entry
.balign 4
trap_entry:
        csrrw sp, sscratch, sp
        beqz sp, from_kernel

        # From user mode: sp = trapframe, sscratch = user sp.
        sd x1, TF_REG(1)(sp)
        sd x3, TF_REG(3)(sp)
        sd x4, TF_REG(4)(sp)
        sd x5, TF_REG(5)(sp)
        sd x6, TF_REG(6)(sp)
        sd x7, TF_REG(7)(sp)
        sd x8, TF_REG(8)(sp)
        sd x9, TF_REG(9)(sp)
        sd x10, TF_REG(10)(sp)
        sd x11, TF_REG(11)(sp)
        sd x12, TF_REG(12)(sp)
        sd x13, TF_REG(13)(sp)
        sd x14, TF_REG(14)(sp)
        sd x15, TF_REG(15)(sp)
        sd x16, TF_REG(16)(sp)
        sd x17, TF_REG(17)(sp)
        sd x18, TF_REG(18)(sp)
        sd x19, TF_REG(19)(sp)
        sd x20, TF_REG(20)(sp)
        sd x21, TF_REG(21)(sp)
        sd x22, TF_REG(22)(sp)
        sd x23, TF_REG(23)(sp)
        sd x24, TF_REG(24)(sp)
        sd x25, TF_REG(25)(sp)
        sd x26, TF_REG(26)(sp)
        sd x27, TF_REG(27)(sp)
        sd x28, TF_REG(28)(sp)
        sd x29, TF_REG(29)(sp)
        sd x30, TF_REG(30)(sp)
        sd x31, TF_REG(31)(sp)
        csrr t0, sscratch
        sd t0, TF_REG(2)(sp)
        csrw sscratch, zero
        csrr t0, sepc
        sd t0, TF_EPC(sp)

        mv a0, sp
        ld tp, TF_KERNEL_TP(a0)
        ld sp, TF_KERNEL_SP(a0)
        mv fp, zero
        call user_trap          # user_trap(tf) ends in user_return
        j .

# user_return(tf): resume user mode with the registers in *tf.
# Interrupts must be off: from here until sret, sscratch holds tf.
.globl user_return
user_return:
        ld t0, TF_EPC(a0)
        csrw sepc, t0
        csrw sscratch, a0
        ld x1, TF_REG(1)(a0)
        ld x2, TF_REG(2)(a0)
        ld x3, TF_REG(3)(a0)
        ld x4, TF_REG(4)(a0)
        ld x5, TF_REG(5)(a0)
        ld x6, TF_REG(6)(a0)
        ld x7, TF_REG(7)(a0)
        ld x8, TF_REG(8)(a0)
        ld x9, TF_REG(9)(a0)
        ld x11, TF_REG(11)(a0)
        ld x12, TF_REG(12)(a0)
        ld x13, TF_REG(13)(a0)
        ld x14, TF_REG(14)(a0)
        ld x15, TF_REG(15)(a0)
        ld x16, TF_REG(16)(a0)
        ld x17, TF_REG(17)(a0)
        ld x18, TF_REG(18)(a0)
        ld x19, TF_REG(19)(a0)
        ld x20, TF_REG(20)(a0)
        ld x21, TF_REG(21)(a0)
        ld x22, TF_REG(22)(a0)
        ld x23, TF_REG(23)(a0)
        ld x24, TF_REG(24)(a0)
        ld x25, TF_REG(25)(a0)
        ld x26, TF_REG(26)(a0)
        ld x27, TF_REG(27)(a0)
        ld x28, TF_REG(28)(a0)
        ld x29, TF_REG(29)(a0)
        ld x30, TF_REG(30)(a0)
        ld x31, TF_REG(31)(a0)
        ld x10, TF_REG(10)(a0)
        sret

# From the kernel: restore sp (sscratch becomes 0 again) and save the
# caller-saved registers; kernel_trap, a C function, preserves the rest.
#define KFRAME (18 * 8)
from_kernel:
        csrrw sp, sscratch, sp
        addi sp, sp, -KFRAME
        sd ra, 0(sp)
        sd t0, 8(sp)
        sd t1, 16(sp)
        sd t2, 24(sp)
        sd a0, 32(sp)
        sd a1, 40(sp)
        sd a2, 48(sp)
        sd a3, 56(sp)
        sd a4, 64(sp)
        sd a5, 72(sp)
        sd a6, 80(sp)
        sd a7, 88(sp)
        sd t3, 96(sp)
        sd t4, 104(sp)
        sd t5, 112(sp)
        sd t6, 120(sp)
        sd fp, 128(sp)
        csrr t0, sepc
        sd t0, 136(sp)
        # Make the trapped pc look like a caller so backtraces cross the trap.
        addi fp, sp, KFRAME
        call kernel_trap
        ld ra, 0(sp)
        ld t0, 8(sp)
        ld t1, 16(sp)
        ld t2, 24(sp)
        ld a0, 32(sp)
        ld a1, 40(sp)
        ld a2, 48(sp)
        ld a3, 56(sp)
        ld a4, 64(sp)
        ld a5, 72(sp)
        ld a6, 80(sp)
        ld a7, 88(sp)
        ld t3, 96(sp)
        ld t4, 104(sp)
        ld t5, 112(sp)
        ld t6, 120(sp)
        ld fp, 128(sp)
        addi sp, sp, KFRAME
        sret
