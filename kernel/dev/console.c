/*
 * The console: a line discipline over the UART. Typed characters are
 * echoed and collected into a line, which readers receive only once it is
 * complete (Enter or Ctrl-D), so Backspace and Ctrl-U can still edit it.
 * Ctrl-P prints a process listing through a hook set by the process layer.
 *
 * Nothing typed or pasted is dropped: while the input buffer is full the
 * UART keeps further characters (its emulation then stops reading the
 * terminal) until a reader makes room. Control keys wait their turn too,
 * so Ctrl-P does nothing while the buffer is full and nobody reads.
 */
#include "kernel/dev/dev.h"
#include "kernel/errno.h"
#include "kernel/lib/lib.h"
#include "kernel/sync/sync.h"

#define CTRL(c) ((c) - '@')
#define BACKSPACE 0x100 /* not a real character: erase one on the screen */
#define DELETE 0x7f
#define INPUT_BUF 256

/*
 * The input ring, guarded by lock. Indexes only grow (mod INPUT_BUF):
 *   [read, committed)  complete lines waiting for readers
 *   [committed, edit)  the line being typed
 * A full ring is always committed, so a reader can always empty it.
 */
static struct {
  struct spinlock lock;
  char buf[INPUT_BUF];
  uint read, committed, edit;
  int input_paused; /* the UART holds input back until a reader makes room */
} cons;

static void (*dump_hook)(void);

void console_init(void) { spinlock_init(&cons.lock, "console"); }
void console_set_dump_hook(void (*dump)(void)) { dump_hook = dump; }

static void echo(int c) {
  if (c == BACKSPACE) {
    printf_write("\b \b", 3);
  } else {
    char ch = c;
    printf_write(&ch, 1);
  }
}

int console_write(const char *src, int n) {
  printf_write(src, n);
  return n;
}

/* Called from the UART interrupt before it takes a character out of the
 * UART. Without room, input is paused here and resumed by console_read,
 * both under lock, so a reader cannot make room in between unnoticed. */
int console_can_take(void) {
  acquire(&cons.lock);
  int room = cons.edit - cons.read < INPUT_BUF;
  if (!room && !cons.input_paused) {
    cons.input_paused = 1;
    uart_rx_pause();
  }
  release(&cons.lock);
  return room;
}

/* Called from the UART interrupt for each received character, once
 * console_can_take() has said there is room. */
void console_input(int c) {
  acquire(&cons.lock);
  switch (c) {
  case CTRL('P'):
    if (dump_hook)
      dump_hook();
    break;
  case CTRL('U'):
    while (cons.edit != cons.committed && cons.buf[(cons.edit - 1) % INPUT_BUF] != '\n') {
      cons.edit--;
      echo(BACKSPACE);
    }
    break;
  case '\b':
  case DELETE:
    if (cons.edit != cons.committed) {
      cons.edit--;
      echo(BACKSPACE);
    }
    break;
  default:
    if (c == 0 || cons.edit - cons.read >= INPUT_BUF)
      break;
    c = (c == '\r') ? '\n' : c;
    if (c != CTRL('D'))
      echo(c);
    cons.buf[cons.edit++ % INPUT_BUF] = c;
    if (c == '\n' || c == CTRL('D') || cons.edit - cons.read == INPUT_BUF) {
      cons.committed = cons.edit;
      wakeup(&cons.read);
    }
  }
  release(&cons.lock);
}

/* Read up to n bytes, at most one line. 0 means end of file (Ctrl-D at the
 * start of a line). A killed reader gets -EINTR. */
int console_read(char *dst, int n) {
  int got = 0;
  acquire(&cons.lock);
  while (got < n) {
    while (cons.read == cons.committed) {
      if (sleep_should_abort()) {
        release(&cons.lock);
        return -EINTR;
      }
      sleep_interruptible(&cons.read, &cons.lock);
    }
    int c = cons.buf[cons.read++ % INPUT_BUF];
    if (c == CTRL('D')) {
      if (got > 0)
        cons.read--; /* keep it: the next read returns 0 */
      break;
    }
    dst[got++] = c;
    if (c == '\n')
      break;
  }
  if (cons.input_paused && cons.edit - cons.read < INPUT_BUF) { /* we made room */
    cons.input_paused = 0;
    uart_rx_resume();
  }
  release(&cons.lock);
  return got;
}
