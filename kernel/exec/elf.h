/* The parts of the ELF-64 format that exec reads (System V ABI, RISC-V psABI). */
#ifndef RIVET_ELF_H
#define RIVET_ELF_H

#include "kernel/types.h"

#define ELF_MAGIC 0x464C457FU /* "\x7fELF" read as a little-endian word */
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define ET_EXEC 2
#define EM_RISCV 243

struct elf_header {
  uint32 magic;
  uchar elf_class, data, version, osabi, abiversion, pad[7];
  uint16 type, machine;
  uint32 version2;
  uint64 entry, phoff, shoff;
  uint32 flags;
  uint16 ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

#define PT_LOAD 1
#define PF_X 1
#define PF_W 2
#define PF_R 4

struct program_header {
  uint32 type, flags;
  uint64 offset, vaddr, paddr, filesz, memsz, align;
};

#endif
