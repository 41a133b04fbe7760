/*
 * The console: a line discipline over the UART. Typed characters are
 * echoed and collected into a line, which readers receive only once it is
 * complete (Enter or Ctrl-D), so Backspace and Ctrl-U can still edit it.
 * Ctrl-P prints a process listing through a hook that kmain sets at boot
 * (the console sits below the process layer).
 *
 * Nothing typed or pasted is dropped: while the input buffer is full the
 * UART keeps further characters (its emulation then stops reading the
 * terminal) until a reader makes room. Control keys wait their turn too,
 * so Ctrl-P does nothing while the buffer is full and nobody reads.
 *
 * Nothing read is lost either: a reader hands its line to a deliver
 * function (the copy to the user, which may fault and sleep, so it runs
 * without the lock) and only the bytes it delivered leave the buffer. A
 * read into a bad buffer leaves the line for the next read, as pipes and
 * files do.
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
 * Readers take turns (delivering): only the delivering reader moves read,
 * and input never touches [read, committed), so the line it copies out
 * without the lock stays put.
 */
static struct {
  struct spinlock lock;
  char buf[INPUT_BUF];
  uint read, committed, edit;
  int input_paused; /* the UART holds input back until a reader makes room */
  int delivering;   /* a reader is copying a line out; others wait for their turn */
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

/* Wait, holding cons.lock, until a complete line is waiting and no other
 * reader is delivering. Returns 0, or -EINTR if killed while waiting. */
static int wait_for_line(void) {
  while (cons.delivering || cons.read == cons.committed) {
    if (sleep_should_abort())
      return -EINTR;
    sleep_interruptible(&cons.read, &cons.lock);
  }
  return 0;
}

/* Copy the next at most n bytes of the waiting line into line, without
 * taking them: up to and including its newline, not its Ctrl-D. Called
 * with cons.lock held. */
static int peek_line(char *line, int n) {
  int len = 0;
  while (len < n && cons.read + len != cons.committed) {
    char c = cons.buf[(cons.read + len) % INPUT_BUF];
    if (c == CTRL('D'))
      break;
    line[len++] = c;
    if (c == '\n')
      break;
  }
  return len;
}

/* Called with cons.lock held after read moved: if input was held back in
 * the UART for lack of room, take it again. */
static void resume_input_if_room(void) {
  if (cons.input_paused && cons.edit - cons.read < INPUT_BUF) {
    cons.input_paused = 0;
    uart_rx_resume();
  }
}

/* Read up to n bytes, at most one line, by handing them to deliver, which
 * copies them to the reader and returns how many it could take. Only those
 * leave the buffer. Returns that count, 0 at end of file (Ctrl-D at the
 * start of a line), -EFAULT if deliver took nothing, -EINTR if killed. */
int console_read(int (*deliver)(void *to, const char *src, int n), void *to, int n) {
  char line[INPUT_BUF];
  if (n <= 0)
    return 0;
  acquire(&cons.lock);
  int err = wait_for_line();
  if (err < 0) {
    release(&cons.lock);
    return err;
  }
  int len = peek_line(line, MIN(n, INPUT_BUF));
  if (len == 0) { /* Ctrl-D at the start of a line: end of file, once */
    cons.read++;
    resume_input_if_room();
    release(&cons.lock);
    return 0;
  }
  cons.delivering = 1;
  release(&cons.lock);

  int got = deliver(to, line, len); /* may fault and sleep: no lock held */

  acquire(&cons.lock);
  cons.read += got;
  cons.delivering = 0;
  wakeup(&cons.read); /* the next reader's turn */
  resume_input_if_room();
  release(&cons.lock);
  return got > 0 ? got : -EFAULT;
}
