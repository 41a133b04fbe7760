# Rivet: build, run, debug, test.   `make help` lists the targets.

K := kernel
U := user

.DEFAULT_GOAL := all   # `make`: the kernel and fs.img

CPUS ?= 3
MEM ?= 128M
FSSIZE ?= 81920          # file-system image size in 1 KiB blocks (usertests' writebig needs > 64 MiB)
ICOUNT ?=
OPENSBI ?= $(firstword $(wildcard /usr/lib/riscv64-linux-gnu/opensbi/generic/fw_dynamic.bin) default)

# --- tools: found (or installed) by scripts/check-deps.sh -------------------
NEED_QEMU := $(filter qemu qemu-gdb test stress grade labcheck run bench timeline docs-timeline,$(MAKECMDGOALS))
ifeq ($(filter clean help handout gradescope,$(MAKECMDGOALS)),)
  TOOLPREFIX := $(shell scripts/check-deps.sh $(if $(NEED_QEMU),--qemu))
  ifeq ($(TOOLPREFIX),)
    $(error rivet: missing build dependencies (see the line above))
  endif
endif

CC := $(TOOLPREFIX)gcc
LD := $(TOOLPREFIX)ld
OBJDUMP := $(TOOLPREFIX)objdump
QEMU := qemu-system-riscv64
PYTHON := python3

CFLAGS := -Wall -Werror -O2 -fno-omit-frame-pointer -ggdb -gdwarf-2
CFLAGS += -mcmodel=medany -mno-relax
CFLAGS += -ffreestanding -fno-common -nostdlib -fno-stack-protector -fno-pie -no-pie
CFLAGS += -fno-builtin-printf -fno-builtin-fprintf -fno-builtin-malloc -fno-builtin-free
CFLAGS += -fno-builtin-memset -fno-builtin-memcpy -fno-builtin-memmove -fno-builtin-strlen
CFLAGS += -MD -I.
LDFLAGS := -z max-page-size=4096

# The kernel never uses floating point, so the FP registers always hold the
# user's values (saved lazily, kernel/arch/fpu.S); user programs may use it.
KARCHFLAGS := -march=rv64imac_zicsr_zifencei -mabi=lp64
$(K)/%.o: ARCHFLAGS := $(KARCHFLAGS)
$(U)/%.o: ARCHFLAGS := -march=rv64gc_zicsr_zifencei -mabi=lp64d
LIBGCC = $(shell $(CC) -print-libgcc-file-name)

# --- kernel: every .c and .S under kernel/ ---------------------------------
KSRCS := $(wildcard $(K)/*.c $(K)/*/*.c $(K)/*/*.S)
KOBJS := $(patsubst %.S,%.o,$(KSRCS:.c=.o))

# V=1 shows the full commands.
Q := $(if $(V),,@)

$(K)/kernel: $(KOBJS) $(K)/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T $(K)/kernel.ld -o $@ $(KOBJS)
	$(Q)$(OBJDUMP) -S $@ > $(K)/kernel.asm

%.o: %.c
	@echo "  CC      $<"
	$(Q)$(CC) $(ARCHFLAGS) $(CFLAGS) -c -o $@ $<
%.o: %.S
	@echo "  AS      $<"
	$(Q)$(CC) $(ARCHFLAGS) $(CFLAGS) -D__ASSEMBLER__ -c -o $@ $<

# --- the debug kernel: build/debug/kernel/kernel ------------------------------
# The same sources compiled with -DDEBUG into a tree of their own, so the two
# kernels never share an object: the lock checker (kernel/sync/lockcheck.c)
# and page poisoning (kernel/mm/kalloc.c) are in it, and in the normal kernel
# not one instruction of them is. `make DEBUG=1 ...` uses it for qemu, run,
# test and bench; the user programs and fs.img are the same for both.
DEBUG_DIR := build/debug
DKOBJS := $(addprefix $(DEBUG_DIR)/,$(KOBJS))
DEBUG_KERNEL := $(DEBUG_DIR)/$(K)/kernel

$(DEBUG_KERNEL): $(DKOBJS) $(K)/kernel.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T $(K)/kernel.ld -o $@ $(DKOBJS)
	$(Q)$(OBJDUMP) -S $@ > $(DEBUG_DIR)/$(K)/kernel.asm

$(DEBUG_DIR)/%.o: %.c
	@echo "  CC      $< (debug)"
	@mkdir -p $(@D)
	$(Q)$(CC) $(KARCHFLAGS) $(CFLAGS) -DDEBUG -c -o $@ $<
$(DEBUG_DIR)/%.o: %.S
	@echo "  AS      $< (debug)"
	@mkdir -p $(@D)
	$(Q)$(CC) $(KARCHFLAGS) $(CFLAGS) -DDEBUG -D__ASSEMBLER__ -c -o $@ $<

# The kernel that qemu, run, test and bench boot.
KERNEL := $(if $(filter 1,$(DEBUG)),$(DEBUG_KERNEL),$(K)/kernel)

# --- user programs: user/NAME.c -> user/_NAME -------------------------------
# The xv6 way works: add $U/_foo to UPROGS. By default every user/*.c is a program.
UPROGS ?= $(patsubst $(U)/%.c,$(U)/_%,$(wildcard $(U)/*.c))
ULIB := $(patsubst %.S,%.o,$(patsubst %.c,%.o,$(wildcard $(U)/lib/*.c $(U)/lib/*.S)))

# Rivet's own programs build with CFLAGS (strict: -O2, format strings
# checked). Every other user/*.c (a program from xv6 or a lab, or yours)
# builds as xv6 builds user code: XV6_UCFLAGS are xv6's user flags, plus
# -Wno-format because xv6's older user.h had no format attribute on printf.
# A new Rivet program is added to this list.
RIVET_UPROGS := bench bench_big bench_fault bench_tiny cat crashwork echo exectest exectest_big \
  failctl false faultwork fptest fstest grep init kill ln ls mkdir pause poweroff printftest \
  proctest ps resume rm schedtest sh sleep spin suspend syscalltest trace true usertests wc xt_args \
  xt_fds xt_ret7 xt_wait
RIVET_UPROGS += alarmtest lazytest procrun staterectest sync top elffuzz sysfuzz soak
XV6_UCFLAGS := -Wall -Werror -Wno-format -O -fno-omit-frame-pointer -ggdb -gdwarf-2 -MD
XV6_UCFLAGS += -mcmodel=medany -mno-relax -ffreestanding -fno-common -nostdlib -Wno-main
XV6_UCFLAGS += -fno-builtin-strncpy -fno-builtin-strncmp -fno-builtin-strlen -fno-builtin-memset
XV6_UCFLAGS += -fno-builtin-memmove -fno-builtin-memcmp -fno-builtin-log -fno-builtin-bzero
XV6_UCFLAGS += -fno-builtin-strchr -fno-builtin-exit -fno-builtin-malloc -fno-builtin-putc
XV6_UCFLAGS += -fno-builtin-free -fno-builtin-memcpy -fno-builtin-printf -fno-builtin-fprintf
XV6_UCFLAGS += -fno-builtin-vprintf -I. -fno-stack-protector -fno-pie -no-pie
# Rivet's sources begin with a comment, xv6's with an #include: a file that
# replaced one of Rivet's (xv6's usertests.c copied over Rivet's) is not
# Rivet's, and builds with xv6's flags like every other foreign program.
FOREIGN_UPROGS := $(shell awk 'FNR == 1 && !/^\/[*\/]/ { sub(/^$(U)\//, "", FILENAME); sub(/\.c$$/, "", FILENAME); print FILENAME }' $(wildcard $(patsubst %,$(U)/%.c,$(RIVET_UPROGS))))
XV6_UOBJS := $(filter-out $(patsubst %,$(U)/%.o,$(filter-out $(FOREIGN_UPROGS),$(RIVET_UPROGS))),$(patsubst %.c,%.o,$(wildcard $(U)/*.c)))
$(XV6_UOBJS): CFLAGS := $(XV6_UCFLAGS)

$(U)/_%: $(U)/%.o $(ULIB) $(U)/user.ld
	@echo "  LD      $@"
	$(Q)$(LD) $(LDFLAGS) -T $(U)/user.ld -o $@ $< $(ULIB) $(LIBGCC)

# Keep the objects of user programs (make would delete them as intermediates).
.SECONDARY: $(patsubst %.c,%.o,$(wildcard $(U)/*.c)) $(ULIB)

# --- file system image -------------------------------------------------------
MKFS_SRCS := mkfs/image.c mkfs/image.h kernel/fs.h kernel/types.h kernel/param.h kernel/stat.h
mkfs/mkfs: mkfs/mkfs.c $(MKFS_SRCS)
	@echo "  HOSTCC  $@"
	$(Q)gcc -Wall -Werror -O2 -I. -o $@ mkfs/mkfs.c mkfs/image.c
mkfs/fsck: mkfs/fsck.c $(MKFS_SRCS)
	@echo "  HOSTCC  $@"
	$(Q)gcc -Wall -Werror -O2 -I. -o $@ mkfs/fsck.c mkfs/image.c

# The image holds README.md, README (the same text, under the name xv6
# programs and lab graders open), the programs in UPROGS and the data files
# in FSFILES (make FSFILES='notes.txt data/words'; each is named after its
# last path component). fs.img depends on .fs-contents, rewritten only when
# that list or FSSIZE changes, so changing UPROGS or FSFILES rebuilds it.
FSFILES ?=
FS_CONTENTS := $(strip $(FSSIZE)) README.md $(U)/README $(sort $(UPROGS)) $(FSFILES)
ifneq ($(shell cat .fs-contents 2>/dev/null),$(FS_CONTENTS))
  $(shell echo '$(FS_CONTENTS)' > .fs-contents)
endif

$(U)/README: README.md
	$(Q)cp README.md $@

fs.img: mkfs/mkfs mkfs/fsck .fs-contents README.md $(U)/README $(sort $(UPROGS)) $(FSFILES)
	@echo "  MKFS    $@"
	$(Q)mkfs/mkfs $@ $(FS_CONTENTS)

# --- running -----------------------------------------------------------------
QEMUOPTS = -machine virt -bios $(OPENSBI) -kernel $(KERNEL) -m $(MEM) -smp $(CPUS)
QEMUOPTS += -global virtio-mmio.force-legacy=false
QEMUOPTS += -drive file=fs.img,if=none,format=raw,id=x0 -device virtio-blk-device,drive=x0,bus=virtio-mmio-bus.0
QEMUOPTS += $(if $(ICOUNT),-icount shift=0$(comma)sleep=off)
KBOOTARGS = $(strip $(if $(ICOUNT),icount) $(BOOTARGS))
QEMUOPTS += $(if $(KBOOTARGS),-append "$(KBOOTARGS)")
comma := ,
# gdb: GDBPORT=N sets the port; otherwise scripts/gdbport picks the first
# free one from a per-user base, so sessions on one machine never collide.
GDB_BASE_PORT := $(shell expr `id -u` % 5000 + 25000)
GDBPORT ?=

all: $(KERNEL) fs.img

# The console goes through scripts/symbolize, which names the functions and
# lines of a panic's backtrace.
qemu: $(KERNEL) fs.img
	@echo "*** Rivet: type Ctrl-A then X to quit QEMU"
	$(QEMU) $(QEMUOPTS) -nographic | scripts/symbolize

# The chosen port goes into .gdbinit, which gdb reads from this directory.
qemu-gdb: $(KERNEL) fs.img
	@port=$(or $(GDBPORT),$$(scripts/gdbport $(GDB_BASE_PORT))) && \
	sed "s/:1234/:$$port/" < scripts/gdbinit.tmpl > .gdbinit && \
	echo "*** QEMU waits for gdb on port $$port. In another window, in this directory:" && \
	echo "***   gdb-multiarch -x .gdbinit" && \
	echo "*** (plain gdb-multiarch loads .gdbinit itself once ~/.config/gdb/gdbinit has" && \
	echo "***   add-auto-load-safe-path $(CURDIR)/.gdbinit )" && \
	$(QEMU) $(QEMUOPTS) -nographic -S -gdb tcp::$$port

# CMD goes to osrun as one word, so the whole line (pipes, ;, >) runs in Rivet.
run: $(KERNEL) fs.img
	RIVET_KERNEL=$(KERNEL) scripts/osrun --cpus $(CPUS) --mem $(MEM) $(if $(ICOUNT),--icount) -- '$(subst ','\'',$(CMD))'

test: all
	CPUS=$(CPUS) RIVET_KERNEL=$(KERNEL) $(PYTHON) tests/run.py $(T)

# Long tests (group stress), left out of `make test`.
# The long forms: fault injection at every rate (tests/ group stress), then
# the fuzzers and the soak (scripts/stress); fails if either failed.
stress: all
	CPUS=$(CPUS) $(PYTHON) tests/run.py group:stress; status=$$?; \
	CPUS=$(CPUS) scripts/stress --no-build && exit $$status

# The crash tests' long form: 50 random kills and every write:N crash point.
crashtest: all
	RIVET_CRASH_TRIALS=50 RIVET_CRASH_POINTS=long CPUS=$(CPUS) $(PYTHON) tests/run.py 'group:crash'

# grade.py builds first itself: a build that fails scores 0 (with the compiler's
# messages in results.json) instead of grading what an earlier build left.
# LAB=name grades that lab (scripts/labkit grade: a pristine handout in a scratch
# directory, only the lab's files taken from SUBMISSION, default this tree).
# In a handout, .lab names its lab and plain `make grade` grades it.
LAB ?= $(shell cat .lab 2>/dev/null)
grade:
ifneq ($(strip $(LAB)),)
	$(PYTHON) scripts/labkit grade '$(LAB)' $(if $(SUBMISSION),--submission '$(SUBMISSION)')
else
	$(PYTHON) tests/grade.py $(RUBRIC)
endif

# --- labs (labs/README.md) -----------------------------------------------------
# A lab's student handout, cut from this tree: make handout LAB=util DEST=../util
handout:
	@test -n "$(LAB)" -a -n "$(DEST)" || { echo "usage: make handout LAB=name DEST=dir"; exit 2; }
	$(PYTHON) scripts/labkit cut '$(LAB)' '$(DEST)'

# Every lab end to end (or LAB=name): handout builds, boots, scores less than
# full marks failing only its lab's tests; the reference gets full marks.
labcheck:
	$(PYTHON) scripts/labkit labcheck $(LAB)

# The lab's Gradescope autograder: DEST (default autograder-LAB.zip).
gradescope:
	@test -n "$(LAB)" || { echo "usage: make gradescope LAB=name [DEST=file.zip]"; exit 2; }
	$(PYTHON) scripts/labkit gradescope '$(LAB)' $(DEST)

bench: all
	RIVET_KERNEL=$(KERNEL) scripts/bench --no-build --cpus $(CPUS) --mem $(MEM)

# A picture of the processes' states while CMD runs (scripts/timeline).
# Writes TIMELINE (default timeline.svg), its .html page and its .rec record.
TIMELINE_CMD = $(or $(CMD),procrun -l 3:100$(comma)3:50)
TIMELINE ?= timeline.svg
timeline: all
	RIVET_KERNEL=$(KERNEL) scripts/timeline --run '$(TIMELINE_CMD)' --cpus $(CPUS) $(if $(ICOUNT),--icount) -o $(TIMELINE)

# The timeline in docs/processes.md: one hart, deterministic guest time.
DOCS_TIMELINE_CMD = procrun -l 3:100,3:50 -c
docs-timeline: all
	scripts/timeline --run '$(DOCS_TIMELINE_CMD)' --cpus 1 --icount --title 'procrun -l 3:100,3:50 on one hart' \
	  -o docs/timeline.svg --html /dev/null --record /dev/null

clean:
	rm -f $(K)/kernel $(K)/kernel.asm fs.img .fs-contents $(U)/README mkfs/mkfs mkfs/fsck .gdbinit
	find $(K) $(U) -name '*.o' -o -name '*.d' | xargs rm -f
	rm -f $(U)/_*
	rm -rf tests/logs results.json bench.json build timeline.svg timeline.html timeline.rec autograder-*.zip

help:
	@echo "make            build the kernel and the disk image (fs.img)"
	@echo "make qemu       boot Rivet with a shell on this terminal (Ctrl-A X quits)"
	@echo "make qemu-gdb   boot stopped, waiting for gdb-multiarch (GDBPORT=N to choose the port)"
	@echo "make test       run the whole test suite (T=name runs one test)"
	@echo "make stress     the long tests (minutes): fault injection, 10^6 fuzzed calls, 10^4 bad executables, soak"
	@echo "make crashtest  the crash tests' long form (50 random kills, every write crash point)"
	@echo "make grade      build, run the grading rubric; writes results.json (LAB=name: grade a lab)"
	@echo "make handout LAB=name DEST=dir   cut a lab's student handout (labs/README.md)"
	@echo "make grade LAB=name [SUBMISSION=dir]   grade a lab's submission in a pristine handout"
	@echo "make labcheck   every lab: handout builds, boots, scores less; reference full marks"
	@echo "make gradescope LAB=name [DEST=zip]   the lab's Gradescope autograder zip"
	@echo "make bench      run the benchmarks in deterministic guest time; writes bench.json"
	@echo "make run CMD='...'  run one command line in a fresh Rivet"
	@echo "make timeline CMD='...'  picture of the process states while CMD runs: timeline.svg"
	@echo "make docs-timeline  regenerate docs/timeline.svg"
	@echo "make clean      remove everything built"
	@echo "variables: CPUS=$(CPUS) MEM=$(MEM) FSSIZE=$(strip $(FSSIZE)) ICOUNT=1 BOOTARGS='...' OPENSBI=..."
	@echo "           UPROGS='\$$U/_prog ...' FSFILES='files for the image' GDBPORT=N"
	@echo "           DEBUG=1: use the debug kernel $(DEBUG_KERNEL) (lock checker, page poisoning)"

.PHONY: all qemu qemu-gdb run test stress crashtest grade handout labcheck gradescope bench timeline docs-timeline clean help

-include $(K)/*.d $(K)/*/*.d $(U)/*.d $(U)/lib/*.d
-include $(DEBUG_DIR)/$(K)/*.d $(DEBUG_DIR)/$(K)/*/*.d
