// xv6api TOKEN: the xv6 user API, as a program written for xv6-riscv sees
// it. It includes every xv6 header a user program may include, calls every
// name xv6's user/user.h declares, and is built like a program from xv6:
// it is not in the Makefile's RIVET_UPROGS, so it gets xv6's user CFLAGS
// (XV6_UCFLAGS). It also checks the promises xv6's tests rely on: the
// SYS_ numbers are the kernel's, the layout constants are true, sbrk()
// fails when memory cannot back it, sysinfo's freemem counts promised
// memory, and loading program text or running a child leaves freemem
// where it was. Prints "xv6api: FAIL <check>: <detail>" for each failed
// check and "xv6api: PASS TOKEN" when all pass.
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "user/user.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/syscall.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "kernel/sysinfo.h"
#include "kernel/vm.h"

#define LAZY_BYTES (1 << 30)  // sbrklazy: far more than RAM
#define NOT_BYTES 0x7ffff000  // sbrk: more than the heap's address space
#define MAX_EXACT_BYTES (1 << 30) // sbrk takes an int: test exact limits below this
#define ECHO_STATUS_OK 0

int failures;

void
fail(char *check, char *detail, uint64 want, uint64 got)
{
  // %d and %p with uint64 arguments, as xv6 programs write them: this only
  // compiles because xv6's flags do not check format strings.
  printf("xv6api: FAIL %s: %s: want %d (%p), got %d (%p)\n", check, detail, want, want, got, got);
  failures++;
}

void
expect(char *check, char *detail, uint64 want, uint64 got)
{
  if(want != got)
    fail(check, detail, want, got);
}

uint64
freemem(void)
{
  struct sysinfo info;
  if(sysinfo(&info) < 0){
    fail("sysinfo", "sysinfo() failed", 0, -1);
    return 0;
  }
  return info.freemem;
}

// A raw system call by number, as xv6's usys.S makes it.
uint64
raw_syscall(uint64 num)
{
  register uint64 a0 asm("a0");
  register uint64 a7 asm("a7") = num;
  asm volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
  return a0;
}

// Code that fills several pages of text, so that calling it loads text
// pages the program has not touched yet.
__attribute__((noinline, aligned(PGSIZE))) int
far_text(int x)
{
  asm volatile(".rept (4 * 4096 - 64) / 4\n .4byte 0x13\n .endr"); // 4 pages of 4-byte nops
  return x + 1;
}

void
headers(void)
{
  expect("riscv.h", "PGSIZE", 4096, PGSIZE);
  expect("riscv.h", "PGROUNDUP(1)", PGSIZE, PGROUNDUP(1));
  expect("riscv.h", "PGROUNDDOWN(PGSIZE+1)", PGSIZE, PGROUNDDOWN(PGSIZE + 1));
  expect("riscv.h", "PTE2PA(PA2PTE(KERNBASE))", KERNBASE, PTE2PA(PA2PTE(KERNBASE)));
  expect("riscv.h", "PX(2, KERNBASE)", 2, PX(2, KERNBASE));
  expect("riscv.h", "MAXVA", 1L << 38, MAXVA);
  uint64 sp = r_sp();
  if(sp < USER_STACK_BOTTOM || sp >= USER_TOP)
    fail("memlayout.h", "r_sp() within [USER_STACK_BOTTOM, USER_TOP)", USER_TOP, sp);
  if(r_fp() < sp || r_fp() >= USER_TOP)
    fail("riscv.h", "r_fp() between sp and USER_TOP", sp, r_fp());
  if((uint64)far_text < USER_TEXT_START || (uint64)far_text >= KERNBASE)
    fail("memlayout.h", "text between USER_TEXT_START and KERNBASE", USER_TEXT_START,
         (uint64)far_text);
  expect("param.h", "USERSTACK pages", USER_STACK_SIZE / PGSIZE, USERSTACK);
  expect("fs.h", "DIRSIZ", 14, DIRSIZ);
  expect("fs.h", "MAXFILE", NDIRECT + NINDIRECT + NINDIRECT * NINDIRECT, MAXFILE);
  expect("vm.h", "SBRK_EAGER != SBRK_LAZY", 1, SBRK_EAGER != SBRK_LAZY);
  expect("user.h", "SBRK_ERROR", (uint64)-1, (uint64)SBRK_ERROR);
}

void
syscall_numbers(void)
{
  // xv6's numbers for xv6's calls, and the kernel agrees with them.
  int xv6[] = { SYS_fork, SYS_exit, SYS_wait, SYS_pipe, SYS_read, SYS_kill, SYS_exec,
                SYS_fstat, SYS_chdir, SYS_dup, SYS_getpid, SYS_sbrk, SYS_pause, SYS_uptime,
                SYS_open, SYS_write, SYS_mknod, SYS_unlink, SYS_link, SYS_mkdir, SYS_close };
  for(int i = 0; i < sizeof(xv6) / sizeof(xv6[0]); i++)
    expect("syscall.h", "xv6's number", i + 1, xv6[i]);
  expect("syscall.h", "raw SYS_getpid", getpid(), raw_syscall(SYS_getpid));
  expect("syscall.h", "raw SYS_uptime is about uptime()", 1,
         raw_syscall(SYS_uptime) - uptime() <= 1);
}

// Every name xv6's user/user.h declares, used once.
void
library(void)
{
  char buf[32], *p;
  struct stat st;
  int fds[2];

  expect("ulib", "strlen", 5, strlen("hello"));
  strcpy(buf, "hello");
  expect("ulib", "strcmp", 0, strcmp(buf, "hello"));
  expect("ulib", "strchr", 1, strchr(buf, 'e') == buf + 1);
  memset(buf, 'x', 3);
  expect("ulib", "memset/memcmp", 0, memcmp(buf, "xxxlo", 5));
  memmove(buf + 1, buf, 4);
  memcpy(buf, "ab", 2);
  expect("ulib", "memmove/memcpy", 0, memcmp(buf, "abxxl", 5));
  expect("ulib", "atoi", 123, atoi("123"));
  p = malloc(100);
  expect("umalloc", "malloc", 1, p != 0);
  free(p);

  expect("syscalls", "pipe", 0, pipe(fds));
  int dupped = dup(fds[1]);
  expect("syscalls", "write to dup", 6, write(dupped, "line\n\n", 6));
  close(dupped);
  close(fds[1]);
  int saved = dup(0);
  close(0);
  expect("syscalls", "dup of a pipe onto fd 0", 0, dup(fds[0]));
  gets(buf, sizeof(buf));
  expect("ulib", "gets", 0, strcmp(buf, "line\n"));
  close(0);
  dup(saved);
  close(saved);
  close(fds[0]);

  expect("syscalls", "mkdir", 0, mkdir("xv6api.d"));
  expect("syscalls", "chdir", 0, chdir("xv6api.d"));
  int fd = open("f", O_CREATE | O_RDWR);
  expect("syscalls", "open O_CREATE", 1, fd >= 0);
  expect("syscalls", "write", 3, write(fd, "abc", 3));
  expect("syscalls", "fstat", 0, fstat(fd, &st));
  expect("syscalls", "fstat size", 3, st.size);
  close(fd);
  expect("syscalls", "link", 0, link("f", "g"));
  expect("ulib", "stat nlink", 2, stat("g", &st) == 0 ? st.nlink : 0);
  expect("syscalls", "unlink", 0, unlink("f"));
  fd = open("g", O_RDONLY);
  expect("syscalls", "read", 3, read(fd, buf, sizeof(buf)));
  close(fd);
  unlink("g");
  expect("syscalls", "mknod", 0, mknod("console2", 1, 0));
  unlink("console2");
  expect("syscalls", "chdir ..", 0, chdir(".."));
  expect("syscalls", "unlink dir", 0, unlink("xv6api.d"));

  int t0 = uptime();
  expect("syscalls", "pause", 0, pause(1));
  expect("ulib", "sleep", 0, sleep(1));
  expect("syscalls", "uptime advances", 1, uptime() >= t0 + 2);

  fd = open("README", O_RDONLY);
  expect("image", "README on the disk image", 1, fd >= 0);
  expect("image", "README has text", 1, read(fd, buf, sizeof(buf)) == sizeof(buf));
  close(fd);

  int pid = fork();
  if(pid == 0){
    for(;;)
      pause(100);
  }
  expect("syscalls", "kill", 0, kill(pid));
  int status = 0;
  expect("syscalls", "wait", pid, wait(&status));
  expect("syscalls", "status of a killed child", (uint64)-1, status);
  fprintf(2, "%s", "");
}

// LAB syscall: xv6api-memory
// sbrk promises memory, sbrklazy does not, and sysinfo counts promises.
void
memory(void)
{
  uint64 free0 = freemem();
  char *old = sbrk(PGSIZE);
  expect("sbrk", "sbrk(PGSIZE)", 1, old != SBRK_ERROR);
  expect("sbrk", "freemem after sbrk(PGSIZE), untouched", free0 - PGSIZE, freemem());
  old[0] = 1;
  expect("sbrk", "freemem after touching it", free0 - PGSIZE, freemem());
  expect("sbrk", "sbrk(-PGSIZE)", (uint64)old + PGSIZE, (uint64)sbrk(-PGSIZE));
  expect("sbrk", "freemem after giving it back", free0, freemem());

  expect("sbrk", "sbrk beyond the address space fails", (uint64)SBRK_ERROR,
         (uint64)sbrk(NOT_BYTES));
  // Exactly freemem can be promised, and not a page more.
  if(free0 < MAX_EXACT_BYTES){
    expect("sbrk", "sbrk(freemem + PGSIZE) fails", (uint64)SBRK_ERROR,
           (uint64)sbrk(free0 + PGSIZE));
    expect("sbrk", "freemem after a refused sbrk", free0, freemem());
    expect("sbrk", "sbrk(freemem) succeeds", 1, sbrk(free0) != SBRK_ERROR);
    expect("sbrk", "freemem after sbrk(freemem)", 0, freemem());
    sbrk(-free0);
    expect("sbrk", "freemem after giving it all back", free0, freemem());
  }

  char *lazy = sbrklazy(LAZY_BYTES);
  expect("sbrklazy", "sbrklazy(1 GiB) succeeds", 1, lazy != SBRK_ERROR);
  expect("sbrklazy", "freemem after sbrklazy", free0, freemem());
  // A page past the break's page; its page table exists already, so only
  // the page itself is new.
  *(char *)(PGROUNDUP((uint64)lazy) + PGSIZE) = 1;
  expect("sbrklazy", "freemem after touching one lazy page", free0 - PGSIZE, freemem());
  sbrk(-LAZY_BYTES);
  expect("sbrklazy", "freemem after shrinking back", free0, freemem());

  expect("sys_sbrk", "sys_sbrk(0, SBRK_EAGER)", (uint64)sbrk(0), (uint64)sys_sbrk(0, SBRK_EAGER));
  expect("sys_sbrk", "unknown kind", (uint64)SBRK_ERROR, (uint64)sys_sbrk(PGSIZE, 0));
}
// END LAB syscall

// How much free memory a fork takes: what the child sees missing.
uint64
fork_cost(void)
{
  int fds[2];
  uint64 before = freemem(), in_child = 0;
  pipe(fds);
  if(fork() == 0){
    in_child = freemem();
    write(fds[1], &in_child, sizeof(in_child));
    exit(0);
  }
  read(fds[0], &in_child, sizeof(in_child));
  wait(0);
  close(fds[0]);
  close(fds[1]);
  return before - in_child;
}

// The balance xv6's usertests checks: free memory before and after.
void
balance(void)
{
  uint64 cost0 = fork_cost();
  uint64 free0 = freemem();
  expect("text", "far_text", 8, far_text(7)); // loads text pages not touched before
  expect("text", "freemem after loading text pages", free0, freemem());
  expect("fork", "fork's cost with 4 more text pages loaded (text is shared, not copied)",
         cost0, fork_cost());

  char *argv[] = { "echo", 0 };
  int pid = fork();
  if(pid == 0){
    close(1);
    open("xv6api.out", O_CREATE | O_WRONLY);
    exec("echo", argv);
    exit(1);
  }
  int status = -1;
  wait(&status);
  unlink("xv6api.out");
  expect("fork", "child ran echo", ECHO_STATUS_OK, status);
  expect("fork", "freemem after fork, exec and exit", free0, freemem());
}

// LAB syscall: xv6api-reclaim
// Run "prog README README" with its output thrown away; its exit status.
int
run_quietly(char *prog)
{
  char *argv[] = { prog, "README", "README", 0 };
  int pid = fork();
  if(pid == 0){
    close(1);
    open("xv6api.out", O_CREATE | O_WRONLY);
    exec(prog, argv);
    exit(1);
  }
  int status = -1;
  wait(&status);
  unlink("xv6api.out");
  return status;
}

// Pages of programs that ran and exited stay cached, yet count as free:
// every promised page can still be had, by reclaiming them.
void
reclaim(void)
{
  char *progs[] = { "cat", "wc", "grep", "ls", "echo" };
  for(int i = 0; i < sizeof(progs) / sizeof(progs[0]); i++)
    expect("reclaim", progs[i], 0, run_quietly(progs[i]));
  uint64 free0 = freemem();
  uint64 grow = free0 - 16 * PGSIZE; // room for the page tables of the growth
  char *p = sbrk(grow);
  expect("reclaim", "sbrk(almost all free memory)", 1, p != SBRK_ERROR);
  if(p == SBRK_ERROR)
    return;
  for(uint64 off = 0; off < grow; off += PGSIZE)
    p[off] = 1; // a kill here means a promise was broken
  if(freemem() > 16 * PGSIZE) // less: page tables took some
    fail("reclaim", "freemem with the heap touched, at most", 16 * PGSIZE, freemem());
  sbrk(-grow);
  expect("reclaim", "freemem after giving it back", free0, freemem());
  expect("reclaim", "a program runs again after its cache was reclaimed", 0, run_quietly("wc"));
}
// END LAB syscall

int
main(int argc, char *argv[])
{
  if(argc != 2){
    fprintf(2, "usage: xv6api TOKEN\n");
    exit(2);
  }
  headers();
  syscall_numbers();
  library();
  // LAB syscall: xv6api-memory-call
  memory();
  // END LAB syscall
  balance();
  // LAB syscall: xv6api-reclaim-call
  reclaim();
  // END LAB syscall
  if(failures == 0)
    printf("xv6api: PASS %s\n", argv[1]);
  exit(failures == 0 ? 0 : 1);
}
