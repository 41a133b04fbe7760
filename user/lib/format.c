/* The kernel's printf formatter, compiled into the user library too, so
 * that printf accepts the same formats in both (kernel/lib/format.h). */
#include "kernel/lib/format.c"
