/* The kinds of heap growth sys_sbrk(n, kind) offers (xv6's names and values). */
#ifndef RIVET_VM_H
#define RIVET_VM_H

#define SBRK_EAGER 1 /* promise the memory now, or fail (what sbrk() asks) */
#define SBRK_LAZY 2  /* promise nothing: a page is found when first touched (sbrklazy()) */

#endif
