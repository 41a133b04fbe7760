/*
 * The console: a line discipline over the UART. Typed characters are
 * echoed and collected into a line, which readers receive only once it is
 * complete (Enter or Ctrl-D), so Backspace and Ctrl-U can still edit it.
 * Ctrl-P prints a process listing through a hook set by the process layer.
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
 */
static struct {
  struct spinlock lock;
  char buf[INPUT_BUF];
  uint read, committed, edit;
} cons;

static void (*dump_hook)(void);

void console_init(void) { spinlock_init(&cons.lock, "console"); }
void console_set_dump_hook(void (*dump)(void)) { dump_hook = dump; }

static void echo(int c) {
  if (c == BACKSPACE) {
    console_write_raw("\b \b", 3);
  } else {
    char ch = c;
    console_write_raw(&ch, 1);
  }
}

int console_write(const char *src, int n) {
  console_write_raw(src, n);
  return n;
}

/* Called from the UART interrupt for each received character. */
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
  release(&cons.lock);
  return got;
}
