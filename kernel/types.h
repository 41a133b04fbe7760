/* Basic integer types shared by the kernel and user programs (xv6-compatible names). */
#ifndef RIVET_TYPES_H
#define RIVET_TYPES_H

typedef unsigned int uint;
typedef unsigned short ushort;
typedef unsigned char uchar;

typedef unsigned char uint8;
typedef unsigned short uint16;
typedef unsigned int uint32;
typedef unsigned long uint64;
typedef long int64;


#ifndef NULL
#define NULL ((void *)0)
#endif

#endif
