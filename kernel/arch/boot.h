/* Boot constants shared by entry.S and C (no C declarations here). */
#ifndef RIVET_BOOT_H
#define RIVET_BOOT_H

#define BOOT_STACK_SIZE 16384 /* each hart's stack until its kernel stack is mapped */
#define CPU_HARTID_OFFSET 8   /* offsetof(struct cpu, hartid), checked in main.c */

#endif
