/*
 * Driver for a virtio block device on the virtio-mmio transport, using the
 * modern (version 2) register layout of the virtio 1.x specification.
 *
 * The driver and the device share three structures in RAM, together called
 * a split virtqueue:
 *   - the descriptor table: each entry points at one buffer;
 *   - the available ring: heads of descriptor chains the driver hands over;
 *   - the used ring: heads of chains the device has finished with.
 * A disk request is a chain of descriptors: a header (what to do and
 * where), one per data buffer (the buffers are transferred back to back,
 * to or from consecutive sectors), and one status byte the device fills in.
 *
 * Many processes may have requests in flight at once. Each waits, asleep,
 * on its own request slot until the interrupt handler sees that request in
 * the used ring and marks it done.
 */
#include "kernel/types.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/lib/failpoint.h"
#include "kernel/sync/sync.h"
#include "kernel/mm/mm.h"
#include "kernel/dev/virtio_blk.h"

/* virtio-mmio registers: byte offsets from the device's base address. */
#define REG_MAGIC 0x000
#define REG_VERSION 0x004
#define REG_DEVICE_ID 0x008
#define REG_DEVICE_FEATURES 0x010
#define REG_DEVICE_FEATURES_SEL 0x014
#define REG_DRIVER_FEATURES 0x020
#define REG_DRIVER_FEATURES_SEL 0x024
#define REG_QUEUE_SEL 0x030
#define REG_QUEUE_NUM_MAX 0x034
#define REG_QUEUE_NUM 0x038
#define REG_QUEUE_READY 0x044
#define REG_QUEUE_NOTIFY 0x050
#define REG_INTERRUPT_STATUS 0x060
#define REG_INTERRUPT_ACK 0x064
#define REG_STATUS 0x070
#define REG_QUEUE_DESC_LOW 0x080
#define REG_QUEUE_DESC_HIGH 0x084
#define REG_QUEUE_DRIVER_LOW 0x090 /* the available ring */
#define REG_QUEUE_DRIVER_HIGH 0x094
#define REG_QUEUE_DEVICE_LOW 0x0a0 /* the used ring */
#define REG_QUEUE_DEVICE_HIGH 0x0a4
#define REG_CONFIG_GENERATION 0x0fc
#define REG_CONFIG 0x100           /* device-specific configuration space */

/* The block device's configuration starts with its capacity: a 64-bit
 * count of sectors, which we read as two 32-bit halves. */
#define CONFIG_CAPACITY_LOW (REG_CONFIG + 0)
#define CONFIG_CAPACITY_HIGH (REG_CONFIG + 4)

#define VIRTIO_MAGIC 0x74726976 /* "virt" read as a little-endian word */
#define MMIO_VERSION_MODERN 2
#define DEVICE_ID_BLOCK 2

/* Device status bits: the driver sets them one by one during setup. */
#define STATUS_ACKNOWLEDGE 1 /* we noticed the device */
#define STATUS_DRIVER 2      /* we know how to drive it */
#define STATUS_DRIVER_OK 4   /* we are ready: the device may start */
#define STATUS_FEATURES_OK 8 /* we have finished negotiating features */
#define STATUS_FAILED 128    /* we gave up on the device */

/* Feature bits come in 32-bit words chosen by a selector register. We need
 * VERSION_1 (bit 32): "this driver is modern". We take FLUSH (bit 9) when
 * the device offers it: the device then has a volatile write cache (QEMU:
 * the host's page cache) and finishes a write as soon as it is cached,
 * and a flush request makes every finished write durable. A driver that
 * refuses FLUSH gets a write-through device instead, which QEMU implements
 * by syncing the image file to the host's disk after every single write:
 * correct, but it made each request cost milliseconds. */
#define FEATURE_WORD_BITS 32
#define FEATURE_FLUSH 9
#define FEATURE_VERSION_1 32

/* Our virtqueue. Queue sizes are powers of two, which lets ring indexes
 * (free-running 16-bit counters) be reduced with % QUEUE_SIZE. */
#define QUEUE_SIZE 128
#define QUEUE_INDEX 0 /* a block device has a single request queue */

#define DESC_F_NEXT 1  /* the chain continues in the 'next' field */
#define DESC_F_WRITE 2 /* the device writes this buffer (else it reads it) */

struct virtq_desc {
  uint64 addr; /* physical address of the buffer */
  uint32 len;
  uint16 flags;
  uint16 next;
};

struct virtq_avail {
  uint16 flags;
  uint16 idx; /* where the driver will put the next entry */
  uint16 ring[QUEUE_SIZE];
  uint16 used_event;
};

struct virtq_used_elem {
  uint32 id;  /* head descriptor of the finished chain */
  uint32 len; /* bytes the device wrote */
};

struct virtq_used {
  uint16 flags;
  uint16 idx; /* where the device will put the next entry */
  struct virtq_used_elem ring[QUEUE_SIZE];
  uint16 avail_event;
};

/* The request header the device reads first. */
#define REQ_TYPE_READ 0  /* device to memory */
#define REQ_TYPE_WRITE 1 /* memory to device */
#define REQ_TYPE_FLUSH 4 /* make finished writes durable; no data */
struct blk_req_header {
  uint32 type;
  uint32 reserved;
  uint64 sector;
};

#define REQ_STATUS_OK 0
#define REQ_STATUS_PENDING 0xff /* not a device value: "not written yet" */

#define DESCS_AROUND_DATA 2 /* every request also has a header and a status */
#define MAX_DESCS_PER_REQUEST (VIRTIO_BLK_MAX_SEGMENTS + DESCS_AROUND_DATA)
_Static_assert(MAX_DESCS_PER_REQUEST <= QUEUE_SIZE, "a request must fit in the ring");

/* One request in flight, stored at the index of its head descriptor. The
 * header and status are read and written by the device, so they must be in
 * identity-mapped RAM: this table is in the kernel image, which is. */
struct request {
  struct blk_req_header header;
  volatile uint8 status;
  int done; /* set by the interrupt handler when the device is finished */
};

static struct {
  struct spinlock lock; /* guards the rings, free list and requests below */
  uint64 base;          /* register base (virtual address); 0 = no disk */
  uint64 capacity;      /* sectors; fixed after probe */
  int write_cache;      /* FLUSH negotiated: writes need a flush to be durable */

  struct virtq_desc *desc;
  struct virtq_avail *avail;
  volatile struct virtq_used *used;

  char desc_free[QUEUE_SIZE]; /* 1 if that descriptor is unused */
  int nfree;                  /* count of 1s in desc_free; sleepers wait on it */
  uint16 used_seen;           /* used-ring entries we have already handled */
  struct request requests[QUEUE_SIZE];
} disk;

static uint32 reg_read(int offset) {
  return *(volatile uint32 *)(disk.base + offset);
}

static void reg_write(int offset, uint32 value) {
  *(volatile uint32 *)(disk.base + offset) = value;
}

static void set_status_bit(uint32 bit) {
  reg_write(REG_STATUS, reg_read(REG_STATUS) | bit);
}

static int device_offers(int feature) {
  reg_write(REG_DEVICE_FEATURES_SEL, feature / FEATURE_WORD_BITS);
  return (reg_read(REG_DEVICE_FEATURES) >> (feature % FEATURE_WORD_BITS)) & 1;
}

/* Accept VERSION_1, and FLUSH if offered. 0 if the device agrees, -ENODEV
 * if not. Both features live in different 32-bit words. */
static int negotiate_features(void) {
  if (!device_offers(FEATURE_VERSION_1))
    return -ENODEV;
  disk.write_cache = device_offers(FEATURE_FLUSH);

  _Static_assert(FEATURE_FLUSH < FEATURE_WORD_BITS && FEATURE_VERSION_1 >= FEATURE_WORD_BITS,
                 "the two features are set word by word below");
  reg_write(REG_DRIVER_FEATURES_SEL, FEATURE_FLUSH / FEATURE_WORD_BITS);
  reg_write(REG_DRIVER_FEATURES, disk.write_cache ? 1U << FEATURE_FLUSH : 0);
  reg_write(REG_DRIVER_FEATURES_SEL, FEATURE_VERSION_1 / FEATURE_WORD_BITS);
  reg_write(REG_DRIVER_FEATURES, 1U << (FEATURE_VERSION_1 % FEATURE_WORD_BITS));

  set_status_bit(STATUS_FEATURES_OK);
  // The device clears FEATURES_OK again if it cannot work with our choice.
  if ((reg_read(REG_STATUS) & STATUS_FEATURES_OK) == 0)
    return -ENODEV;
  return 0;
}

static void write_address(int low_reg, int high_reg, void *p) {
  uint64 pa = (uint64)p; // RAM is mapped at its physical address
  reg_write(low_reg, (uint32)pa);
  reg_write(high_reg, (uint32)(pa >> 32));
}

/* Allocate the three rings and tell the device where they are. */
static int setup_queue(void) {
  reg_write(REG_QUEUE_SEL, QUEUE_INDEX);
  if (reg_read(REG_QUEUE_READY) != 0 || reg_read(REG_QUEUE_NUM_MAX) < QUEUE_SIZE)
    return -ENODEV;

  // One zeroed page each: far more than needed, but pages meet every
  // alignment rule of the rings.
  disk.desc = kalloc();
  disk.avail = kalloc();
  disk.used = kalloc();
  if (!disk.desc || !disk.avail || !disk.used) {
    if (disk.desc)
      kfree(disk.desc);
    if (disk.avail)
      kfree(disk.avail);
    if (disk.used)
      kfree((void *)disk.used);
    return -ENOMEM;
  }

  reg_write(REG_QUEUE_NUM, QUEUE_SIZE);
  write_address(REG_QUEUE_DESC_LOW, REG_QUEUE_DESC_HIGH, disk.desc);
  write_address(REG_QUEUE_DRIVER_LOW, REG_QUEUE_DRIVER_HIGH, disk.avail);
  write_address(REG_QUEUE_DEVICE_LOW, REG_QUEUE_DEVICE_HIGH, (void *)disk.used);
  reg_write(REG_QUEUE_READY, 1);

  for (int i = 0; i < QUEUE_SIZE; i++)
    disk.desc_free[i] = 1;
  disk.nfree = QUEUE_SIZE;
  return 0;
}

/* The capacity field may change under us; the generation counter tells us
 * whether both halves were read from the same version of the config. */
static uint64 read_capacity(void) {
  uint32 generation, low, high;
  do {
    generation = reg_read(REG_CONFIG_GENERATION);
    low = reg_read(CONFIG_CAPACITY_LOW);
    high = reg_read(CONFIG_CAPACITY_HIGH);
  } while (generation != reg_read(REG_CONFIG_GENERATION));
  return ((uint64)high << 32) | low;
}

/* The initialization sequence of the virtio spec: reset, acknowledge,
 * negotiate features, set up the queue, then declare the driver ready. */
static int init_device(void) {
  reg_write(REG_STATUS, 0); // reset
  set_status_bit(STATUS_ACKNOWLEDGE);
  set_status_bit(STATUS_DRIVER);

  int err = negotiate_features();
  if (err == 0)
    err = setup_queue();
  if (err) {
    set_status_bit(STATUS_FAILED);
    return err;
  }
  disk.capacity = read_capacity();
  set_status_bit(STATUS_DRIVER_OK);
  return 0;
}

int virtio_blk_probe(uint64 base_va, int irq) {
  uint32 magic = *(volatile uint32 *)(base_va + REG_MAGIC);
  uint32 version = *(volatile uint32 *)(base_va + REG_VERSION);
  uint32 id = *(volatile uint32 *)(base_va + REG_DEVICE_ID);

  if (disk.base != 0 || magic != VIRTIO_MAGIC || id != DEVICE_ID_BLOCK)
    return -ENODEV;
  if (version != MMIO_VERSION_MODERN) {
    printf("virtio_blk: legacy virtio-mmio version %u is not supported\n", version);
    return -ENODEV;
  }

  spinlock_init(&disk.lock, "virtio_blk");
  disk.base = base_va;
  int err = init_device();
  if (err) {
    printf("virtio_blk: device setup failed (%d)\n", err);
    disk.base = 0;
    return err;
  }
  printf("virtio_blk: %lu KiB disk, irq %d\n",
         disk.capacity * VIRTIO_BLK_SECTOR_SIZE / 1024, irq);
  return 0;
}

int virtio_blk_present(void) { return disk.base != 0; }

uint64 virtio_blk_capacity(void) { return disk.capacity; }


/* Take n free descriptors, sleeping until that many exist. disk.lock held. */
static void alloc_descs(int *idx, int n) {
  while (disk.nfree < n)
    sleep(&disk.nfree, &disk.lock);
  int found = 0;
  for (int i = 0; i < QUEUE_SIZE && found < n; i++) {
    if (disk.desc_free[i]) {
      disk.desc_free[i] = 0;
      idx[found++] = i;
    }
  }
  disk.nfree -= n;
}

static void free_descs(int *idx, int n) {
  for (int i = 0; i < n; i++)
    disk.desc_free[idx[i]] = 1;
  disk.nfree += n;
  wakeup(&disk.nfree);
}

static void fill_desc(int i, void *addr, uint32 len, uint16 flags, int next) {
  disk.desc[i].addr = (uint64)addr;
  disk.desc[i].len = len;
  disk.desc[i].flags = flags;
  disk.desc[i].next = next;
}

/* Hand the chain starting at head to the device. disk.lock held. */
static void submit(int head) {
  disk.avail->ring[disk.avail->idx % QUEUE_SIZE] = head;
  // The device must see the descriptors and ring entry before the new idx,
  // and the new idx before it is told to look.
  __sync_synchronize();
  disk.avail->idx++;
  __sync_synchronize();
  reg_write(REG_QUEUE_NOTIFY, QUEUE_INDEX);
}

static int request_ok(uint64 sector, const struct blk_segment *segs, int nsegs) {
  if (nsegs < 1 || nsegs > VIRTIO_BLK_MAX_SEGMENTS)
    return 0;
  uint64 nbytes = 0;
  for (int i = 0; i < nsegs; i++) {
    if (segs[i].nbytes == 0 || segs[i].nbytes % VIRTIO_BLK_SECTOR_SIZE != 0)
      return 0;
    // The device uses physical addresses; only identity-mapped RAM has them.
    if ((uint64)segs[i].buf >= KSTACK_BASE)
      panic("virtio_blk: buffer %p is not identity-mapped RAM", segs[i].buf);
    nbytes += segs[i].nbytes;
  }
  uint64 nsectors = nbytes / VIRTIO_BLK_SECTOR_SIZE;
  return sector < disk.capacity && nsectors <= disk.capacity - sector;
}

/* Send one request (a header, nsegs data buffers, a status byte) and
 * sleep until the device has finished it: 0 or -EIO. */
static int do_request(uint32 type, uint64 sector, const struct blk_segment *segs, int nsegs) {
  acquire(&disk.lock);
  int ndescs = nsegs + DESCS_AROUND_DATA;
  int descs[MAX_DESCS_PER_REQUEST];
  alloc_descs(descs, ndescs);

  struct request *r = &disk.requests[descs[0]];
  r->header.type = type;
  r->header.reserved = 0;
  r->header.sector = sector;
  r->status = REQ_STATUS_PENDING;
  r->done = 0;

  fill_desc(descs[0], &r->header, sizeof(r->header), DESC_F_NEXT, descs[1]);
  uint16 data_flags = DESC_F_NEXT | (type == REQ_TYPE_READ ? DESC_F_WRITE : 0);
  for (int i = 0; i < nsegs; i++)
    fill_desc(descs[1 + i], segs[i].buf, segs[i].nbytes, data_flags, descs[2 + i]);
  fill_desc(descs[ndescs - 1], (void *)&r->status, sizeof(r->status), DESC_F_WRITE, 0);
  io_started();
  submit(descs[0]);

  while (!r->done)
    sleep(r, &disk.lock);

  int result = r->status == REQ_STATUS_OK ? 0 : -EIO;
  free_descs(descs, ndescs);
  release(&disk.lock);
  return result;
}

int virtio_blk_rw_segments(uint64 sector, const struct blk_segment *segs, int nsegs, int write) {
  // Fault injection: the request fails without reaching the device, so an
  // injected write error really leaves the disk unchanged.
  if (fail_should(FAIL_DISK))
    return -EIO;
  if (!virtio_blk_present() || !request_ok(sector, segs, nsegs))
    return -EIO;
  return do_request(write ? REQ_TYPE_WRITE : REQ_TYPE_READ, sector, segs, nsegs);
}

int virtio_blk_flush(void) {
  if (!virtio_blk_present())
    return -EIO;
  if (!disk.write_cache)
    return 0; // every finished write is durable already
  return do_request(REQ_TYPE_FLUSH, 0, 0, 0);
}

int virtio_blk_rw(uint64 sector, void *buf, uint32 nbytes, int write) {
  struct blk_segment seg = {buf, nbytes};
  return virtio_blk_rw_segments(sector, &seg, 1, write);
}

void virtio_blk_intr(void) {
  if (!virtio_blk_present())
    return;
  acquire(&disk.lock);

  // Acknowledge before draining the ring: a completion that lands while we
  // drain then raises a fresh interrupt instead of being missed.
  reg_write(REG_INTERRUPT_ACK, reg_read(REG_INTERRUPT_STATUS));

  while (disk.used_seen != disk.used->idx) {
    // Read the ring entry (and the request status) only after seeing idx.
    __sync_synchronize();
    uint32 head = disk.used->ring[disk.used_seen % QUEUE_SIZE].id;
    if (head < QUEUE_SIZE) {
      disk.requests[head].done = 1;
      io_finished();
      wakeup(&disk.requests[head]);
    } else {
      printf("virtio_blk: device returned bad descriptor %u\n", head);
    }
    disk.used_seen++;
  }
  release(&disk.lock);
}
