/*
 * Calls into the SBI firmware (OpenSBI), per the RISC-V SBI specification:
 * extension id in a7, function id in a6, arguments in a0.., error in a0.
 */
#include "kernel/arch/arch.h"

#define SBI_EXT_LEGACY_PUTCHAR 0x01 /* legacy extensions have no function ids */
#define SBI_EXT_IPI 0x735049
#define SBI_IPI_SEND 0
#define SBI_EXT_HSM 0x48534D
#define SBI_HSM_HART_START 0
#define SBI_EXT_SRST 0x53525354
#define SBI_SRST_RESET 0
#define SBI_SRST_SHUTDOWN 0 /* reset type */
#define SBI_SRST_REASON_NONE 0
#define SBI_SRST_REASON_FAILURE 1

struct sbiret {
  long error;
  long value;
};

static struct sbiret sbi_call(long ext, long fid, uint64 a0, uint64 a1, uint64 a2) {
  register uint64 r_a0 asm("a0") = a0;
  register uint64 r_a1 asm("a1") = a1;
  register uint64 r_a2 asm("a2") = a2;
  register uint64 r_a6 asm("a6") = fid;
  register uint64 r_a7 asm("a7") = ext;
  asm volatile("ecall" : "+r"(r_a0), "+r"(r_a1) : "r"(r_a2), "r"(r_a6), "r"(r_a7) : "memory");
  struct sbiret ret = {(long)r_a0, (long)r_a1};
  return ret;
}

void sbi_console_putchar(int c) { sbi_call(SBI_EXT_LEGACY_PUTCHAR, 0, c, 0, 0); }

int sbi_hart_start(uint64 hartid, uint64 start_pa, uint64 opaque) {
  return sbi_call(SBI_EXT_HSM, SBI_HSM_HART_START, hartid, start_pa, opaque).error;
}

void sbi_send_ipi(uint64 hartid) {
  /* hart_mask = bit 0, hart_mask_base = hartid: exactly that hart. */
  sbi_call(SBI_EXT_IPI, SBI_IPI_SEND, 1, hartid, 0);
}

void sbi_shutdown(int failed) {
  sbi_call(SBI_EXT_SRST, SBI_SRST_RESET, SBI_SRST_SHUTDOWN,
           failed ? SBI_SRST_REASON_FAILURE : SBI_SRST_REASON_NONE, 0);
}
