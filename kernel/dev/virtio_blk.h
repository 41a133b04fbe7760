/*
 * virtio_blk: driver for one virtio block device on the virtio-mmio
 * transport, modern interface (mmio version 2, virtio 1.x).
 *
 * Requests are blocking: the caller sleeps until the device's completion
 * interrupt (a finished write may still sit in the device's write cache:
 * see virtio_blk_flush), so other processes run (and may queue their own requests)
 * while the disk works. Buffers must live in RAM that is mapped at its
 * physical address (the kernel image or kalloc'd pages), because the
 * device reads and writes them by physical address. Kernel stacks are
 * NOT such memory.
 */
#ifndef RIVET_VIRTIO_BLK_H
#define RIVET_VIRTIO_BLK_H

#include "kernel/types.h"

#define VIRTIO_BLK_SECTOR_SIZE 512 /* the unit of request addresses and disk capacity */

/* Called at boot for each virtio-mmio slot whose registers are mapped at
 * base_va. Takes the first block device found: 0 on success, -ENODEV if
 * the slot holds something else (or a disk was already taken). */
int virtio_blk_probe(uint64 base_va, int irq);

/* 1 once a disk has been probed successfully. */
int virtio_blk_present(void);

/* The disk's size in sectors (0 if there is no disk). */
uint64 virtio_blk_capacity(void);

/* Read (write=0) or write (write=1) nbytes, a multiple of the sector size,
 * starting at sector. Sleeps until done; 0 on success, -EIO on failure. */
int virtio_blk_rw(uint64 sector, void *buf, uint32 nbytes, int write);

/* One buffer of a multi-buffer request. */
struct blk_segment {
  void *buf;
  uint32 nbytes; /* a multiple of the sector size */
};
#define VIRTIO_BLK_MAX_SEGMENTS 126 /* buffers one request may have */

/* Like virtio_blk_rw, for nsegs buffers moved back to back to or from
 * consecutive sectors starting at sector: one request, one interrupt. */
int virtio_blk_rw_segments(uint64 sector, const struct blk_segment *segs, int nsegs, int write);

/* Make every write that has finished durable: the device may keep
 * finished writes in a volatile cache (QEMU's is the host's page cache,
 * which survives QEMU being killed but not the host losing power). 0, or
 * -EIO. Returns at once if the device has no write cache. */
int virtio_blk_flush(void);

/* The completion interrupt; the trap layer calls it for the disk's PLIC irq
 * (kmain registers it with trap_register_irq). */
void virtio_blk_intr(void);


#endif
