/*
 * Rivet's address-space layout, for user programs (xv6's names where the
 * idea exists in Rivet). The kernel's own view is kernel/mm/mm.h, which
 * these values match; docs/memory.md has the picture.
 *
 * Not here, because Rivet has no such thing: TRAMPOLINE and TRAPFRAME (a
 * trap does not switch page tables), PHYSTOP (RAM size comes from the
 * device tree at boot), and device addresses (user programs cannot reach
 * devices).
 */
#ifndef RIVET_MEMLAYOUT_H
#define RIVET_MEMLAYOUT_H

/* User space is [0, KERNBASE); the kernel maps all RAM from KERNBASE up
 * (supervisor-only), so user loads and stores there fault. */
#define KERNBASE 0x80000000L
#define USER_TOP KERNBASE

/* The stack region: 8 MiB below USER_TOP, filled lazily, with an unmapped
 * 64 KiB guard gap under it. The heap stops at USER_HEAP_LIMIT. */
#define USER_STACK_SIZE (8L << 20)
#define USER_STACK_BOTTOM (USER_TOP - USER_STACK_SIZE)
#define USER_GUARD_GAP (64L << 10)
#define USER_HEAP_LIMIT (USER_STACK_BOTTOM - USER_GUARD_GAP)

/* The first program page; page 0 stays unmapped so null pointers fault. */
#define USER_TEXT_START 0x1000L

#endif
