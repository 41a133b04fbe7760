/*
 * bench_big: a big program for benchmark execbig. It holds 160 KiB of
 * non-zero initialized data (really in the file, unlike bss) and 64 KiB of
 * code that never runs, reads one byte of the data and exits with status
 * 43 if that byte is right (1 if not), which bench checks.
 *
 * With lazy exec, only the pages it touches should cost anything: the
 * first text page, the one data page read, and the stack.
 */
#include "kernel/types.h"
#include "user/user.h"

#define DATA_BYTES (160 * 1024)
#define DATA_FILL 0xa5            /* never 0: the data stays in .data */
#define BIG_STATUS 43

/* Global and written by nobody: the compiler must still read memory
 * (volatile access below), so the byte comes from the loaded page. */
uchar big_data[DATA_BYTES] __attribute__((aligned(4096))) = {
  [0 ... DATA_BYTES - 1] = DATA_FILL,
};

/* 64 KiB of code never run: 16384 nops of 4 bytes each (norvc: not the
 * 2-byte compressed form), in pages of their own. */
asm(".pushsection .text.bench_big_code, \"ax\", @progbits\n"
    ".option push\n"
    ".option norvc\n"
    ".balign 4096\n"
    ".globl big_code\n"
    "big_code:\n"
    ".rept 16384\n"
    "addi x0, x0, 0\n"
    ".endr\n"
    "ret\n"
    ".option pop\n"
    ".popsection\n");

int
main(void)
{
  volatile uchar *byte = &big_data[DATA_BYTES / 2 + 123];
  exit(*byte == DATA_FILL ? BIG_STATUS : 1);
}
