/*
 * The 16550 UART: output by polling the transmit-holding-register-empty
 * bit (QEMU drains it at once), input by interrupt. While the console has
 * no room, received characters stay in the UART with its receive
 * interrupt off; QEMU then stops reading the terminal, so nothing is lost.
 */
#include "kernel/dev/dev.h"

/* Register offsets and bits (16550 data sheet). */
#define RHR 0 /* receive holding register (read) */
#define THR 0 /* transmit holding register (write) */
#define IER 1 /* interrupt enable */
#define DLL 0 /* divisor latch, low byte (while LCR_BAUD_LATCH is set) */
#define DLM 1 /* divisor latch, high byte (the same) */
#define IER_RX_ENABLE (1 << 0)
#define FCR 2 /* FIFO control */
#define FCR_FIFO_ENABLE (1 << 0)
#define FCR_FIFO_CLEAR (3 << 1)
#define LCR 3 /* line control */
#define LCR_EIGHT_BITS 3
#define LCR_BAUD_LATCH (1 << 7)
#define LSR 5 /* line status */
#define LSR_RX_READY (1 << 0)
#define LSR_TX_IDLE (1 << 5)
#define BAUD_DIVISOR_38400 3

static volatile uchar *uart; /* set once at boot */

static uchar reg_read(int r) { return uart[r]; }
static void reg_write(int r, uchar v) { uart[r] = v; }

void uart_init(uint64 base_va) {
  uart = (volatile uchar *)base_va;
  reg_write(IER, 0);
  reg_write(LCR, LCR_BAUD_LATCH);
  reg_write(DLL, BAUD_DIVISOR_38400);
  reg_write(DLM, 0);
  reg_write(LCR, LCR_EIGHT_BITS);
  reg_write(FCR, FCR_FIFO_ENABLE | FCR_FIFO_CLEAR);
  reg_write(IER, IER_RX_ENABLE);
}

void uart_putc(int c) {
  while ((reg_read(LSR) & LSR_TX_IDLE) == 0)
    ;
  reg_write(THR, c);
}

/* Take characters only while the console has room for them: reading RHR
 * removes a character from the UART for good. */
void uart_intr(void) {
  while ((reg_read(LSR) & LSR_RX_READY) && console_can_take())
    console_input(reg_read(RHR));
}

void uart_rx_pause(void) { reg_write(IER, 0); }

/* If characters wait, the UART interrupts again at once. */
void uart_rx_resume(void) { reg_write(IER, IER_RX_ENABLE); }
