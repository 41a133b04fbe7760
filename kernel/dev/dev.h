/*
 * dev: the machine's devices. The device tree tells where they are and
 * which interrupts they raise; the one board fact hard-coded is QEMU
 * virt's PLIC numbering of a hart's S-mode context (plic.c). Drivers here never touch
 * processes or files: they block with sync's sleep/wakeup and move bytes
 * through kernel buffers (a reader's bytes go to a deliver function that
 * its caller passes in, so the copy to the user stays in the file layer).
 */
#ifndef RIVET_DEV_H
#define RIVET_DEV_H

#include "kernel/types.h"
#include "kernel/param.h"

#define MAX_VIRTIO 8
#define PLIC_MAX_IRQS 64 /* interrupt sources Rivet can route (QEMU virt has 96; its devices use < 64) */
#define BOOTARGS_MAX 8192 /* longest kernel command line kept; osrun hex-encodes commands */

/* What the device tree says about the machine (dtb.c). */
struct machine {
  uint64 ram_base, ram_size;
  int nharts;
  int hartids[NCPU];
  uint64 timebase_hz;
  uint64 uart_base, uart_size;
  int uart_irq;
  uint64 plic_base, plic_size;
  uint64 test_base, test_size; /* the power-off "finisher"; 0 if absent */
  int nvirtio;
  uint64 virtio_base[MAX_VIRTIO], virtio_size[MAX_VIRTIO];
  int virtio_irq[MAX_VIRTIO];
  char bootargs[BOOTARGS_MAX];
};
/* Parse the flattened device tree at dtb; panics naming a missing node. */
void dtb_parse(uint64 dtb, struct machine *m);

/* 16550 UART (uart.c). */
void uart_init(uint64 base_va);
void uart_putc(int c);   /* waits until the transmitter has room */
void uart_intr(void);    /* receive interrupt: feeds console_input while it has room */
void uart_rx_pause(void);  /* keep received characters in the UART, no interrupt */
void uart_rx_resume(void); /* interrupt again for received characters */

/* Console line discipline (console.c): backspace, Ctrl-U, Ctrl-D, Ctrl-P. */
void console_init(void);
int console_can_take(void);                     /* room for one more? if not, pauses the UART */
void console_input(int c);                      /* a typed character */
/* Blocks for a line and hands at most n bytes of it to deliver (see console.c). */
int console_read(int (*deliver)(void *to, const char *src, int n), void *to, int n);
int console_write(const char *src, int n);
void console_set_dump_hook(void (*dump)(void)); /* what Ctrl-P prints */

/* PLIC interrupt controller (plic.c). */
void plic_init(uint64 base_va);
int plic_enable_irq(int irq);                   /* route irq to every hart; -1 if out of range */
void plic_init_hart(int hartid);                /* this hart takes external interrupts */
int plic_claim(int hartid);
void plic_complete(int hartid, int irq);

/* Power off through the virt test device (power.c). */
void power_init(uint64 test_base_va);
#define POWER_STATUS_MASK 0xff /* QEMU keeps only the low 8 bits of the exit status */
void power_off(int status) __attribute__((noreturn)); /* QEMU exits with status & POWER_STATUS_MASK */

#endif
