#!/bin/sh
# Find what the build needs; print the cross-toolchain prefix on stdout.
# Messages go to stderr. When something is missing, say so in one line and
# run scripts/install-deps.sh, unless NO_INSTALL=1 (then fail, naming the fix).
#   usage: scripts/check-deps.sh [--qemu]   (--qemu: QEMU is needed too)
set -u
here=$(dirname "$0")
PREFIXES="riscv64-unknown-elf- riscv64-linux-gnu- riscv64-elf- riscv64-none-elf-"
QEMU=qemu-system-riscv64
MIN_QEMU_MAJOR=7
MIN_QEMU_MINOR=2

find_prefix() {
    if [ -n "${TOOLPREFIX:-}" ]; then
        command -v "${TOOLPREFIX}gcc" >/dev/null 2>&1 && echo "$TOOLPREFIX"
        return
    fi
    for p in $PREFIXES; do
        if command -v "${p}gcc" >/dev/null 2>&1; then echo "$p"; return; fi
    done
}

missing() {
    what=$1
    if [ "${NO_INSTALL:-0}" = 1 ]; then
        echo "rivet: $what not found; install it with: scripts/install-deps.sh" >&2
        exit 1
    fi
    echo "rivet: $what not found; running scripts/install-deps.sh" >&2
    "$here/install-deps.sh" >&2 || { echo "rivet: scripts/install-deps.sh failed" >&2; exit 1; }
}

prefix=$(find_prefix)
if [ -z "$prefix" ]; then
    missing "RISC-V cross compiler (riscv64-unknown-elf-gcc)"
    prefix=$(find_prefix)
    [ -n "$prefix" ] || { echo "rivet: still no RISC-V cross compiler after installing" >&2; exit 1; }
fi

if [ "${1:-}" = "--qemu" ]; then
    if ! command -v $QEMU >/dev/null 2>&1 || ! command -v python3 >/dev/null 2>&1; then
        missing "$QEMU or python3"
    fi
    version=$($QEMU --version | sed -n 's/.*version \([0-9]*\)\.\([0-9]*\).*/\1 \2/p')
    set -- $version
    if [ "${1:-0}" -lt $MIN_QEMU_MAJOR ] || { [ "$1" -eq $MIN_QEMU_MAJOR ] && [ "${2:-0}" -lt $MIN_QEMU_MINOR ]; }; then
        echo "rivet: QEMU ${1:-?}.${2:-?} is too old; Rivet needs QEMU $MIN_QEMU_MAJOR.$MIN_QEMU_MINOR or newer" >&2
        exit 1
    fi
fi
echo "$prefix"
