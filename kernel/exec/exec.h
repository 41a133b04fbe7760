/*
 * exec: replace the calling process's program. The ELF file is checked,
 * its segments become lazily loaded regions, the arguments go on a fresh
 * stack. On any error the caller is left exactly as it was.
 */
#ifndef RIVET_EXEC_H
#define RIVET_EXEC_H

#include "kernel/types.h"

/* argv_va: user address of a NULL-terminated array of user string
 * pointers in the caller's address space (0 for no arguments; then argv[0]
 * is the path). Returns argc (the new a0) or -errno. */
int exec(const char *path, uint64 argv_va);

/* The same for the kernel's first exec, with arguments in kernel memory. */
int exec_kernel_args(const char *path, const char *const *argv);

#endif
