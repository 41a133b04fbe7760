#!/bin/sh
# Install what building, running and testing Rivet needs (RISC-V cross
# compiler, QEMU with qemu-system-riscv64, a RISC-V gdb, Python 3) with the
# system's own package manager:
#   Debian, Ubuntu (also under WSL)  apt-get   (as root, or through sudo)
#   Fedora                           dnf       (as root, or through sudo)
#   Arch                             pacman    (as root, or through sudo)
#   macOS                            Homebrew  (brew, as yourself)
#
#   usage: scripts/install-deps.sh [--dry-run]
#
# --dry-run prints each command it would run, one per line after
# "would run: ", and runs nothing. Elsewhere it says what to install and
# exits 1. The machine is recognised from `uname -s`, /etc/os-release and
# /proc/version (WSL); RIVET_UNAME, RIVET_OS_RELEASE, RIVET_PROC_VERSION
# and RIVET_UID (for `id -u`) stand in for them (the tests fake each
# system this way).
set -eu

DEBIAN_PACKAGES="gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc opensbi gdb-multiarch python3"
FEDORA_PACKAGES="gcc-riscv64-linux-gnu binutils-riscv64-linux-gnu qemu-system-riscv gdb python3"
ARCH_PACKAGES="riscv64-elf-gcc riscv64-elf-binutils riscv64-elf-gdb qemu-system-riscv qemu-system-riscv-firmware python"
BREW_PACKAGES="riscv64-elf-gcc riscv64-elf-gdb qemu python3"

usage() {
    echo "usage: scripts/install-deps.sh [--dry-run]" >&2
    exit 2
}

DRY_RUN=0
case "${1:-}" in
    "") ;;
    --dry-run) DRY_RUN=1 ;;
    *) usage ;;
esac
[ $# -le 1 ] || usage

UNAME=${RIVET_UNAME:-$(uname -s)}
OS_RELEASE=${RIVET_OS_RELEASE:-/etc/os-release}
PROC_VERSION=${RIVET_PROC_VERSION:-/proc/version}
USER_ID=${RIVET_UID:-$(id -u)}

# The distribution: "debian", "fedora", "arch", "macos" or "unknown".
system() {
    if [ "$UNAME" = Darwin ]; then
        echo macos
        return
    fi
    ids=""
    if [ -r "$OS_RELEASE" ]; then
        # shellcheck disable=SC1090
        ids=$(. "$OS_RELEASE"; echo "${ID:-} ${ID_LIKE:-}")
    fi
    case " $ids " in
        *" debian "*|*" ubuntu "*) echo debian ;;
        *" fedora "*) echo fedora ;;
        *" arch "*) echo arch ;;
        *) echo unknown ;;
    esac
}

is_wsl() {
    [ -r "$PROC_VERSION" ] && grep -qi microsoft "$PROC_VERSION"
}

# Run (or, with --dry-run, print) one command.
run() {
    if [ "$DRY_RUN" = 1 ]; then
        echo "would run: $*"
    else
        "$@"
    fi
}

# "sudo" unless we are root (and nothing for Homebrew, which refuses root).
as_root() {
    if [ "$USER_ID" -eq 0 ]; then
        echo ""
    elif [ "$DRY_RUN" = 1 ] || command -v sudo >/dev/null 2>&1; then
        echo "sudo"
    else
        echo "install-deps.sh: need root or sudo to install packages" >&2
        exit 1
    fi
}

SYSTEM=$(system)
case "$SYSTEM" in
    debian)
        if is_wsl; then echo "install-deps.sh: Debian/Ubuntu under WSL" >&2; fi
        SUDO=$(as_root)
        # shellcheck disable=SC2086
        run $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
        # shellcheck disable=SC2086
        run $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $DEBIAN_PACKAGES
        # Optional: a headless browser for the timeline picture test (which
        # skips without it); not every release packages it.
        run $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium ||
            echo "install-deps.sh: optional chromium not installed (the browser test will be skipped)" >&2
        ;;
    fedora)
        SUDO=$(as_root)
        # shellcheck disable=SC2086
        run $SUDO dnf install -y $FEDORA_PACKAGES
        ;;
    arch)
        SUDO=$(as_root)
        # shellcheck disable=SC2086
        run $SUDO pacman -S --needed --noconfirm $ARCH_PACKAGES
        ;;
    macos)
        if [ "$DRY_RUN" = 0 ] && ! command -v brew >/dev/null 2>&1; then
            echo "install-deps.sh: install Homebrew first (https://brew.sh), then run this again" >&2
            exit 1
        fi
        # shellcheck disable=SC2086
        run brew install $BREW_PACKAGES
        ;;
    *)
        echo "install-deps.sh: unknown system (not Debian/Ubuntu, Fedora, Arch or macOS)." >&2
        echo "Install a riscv64-*-elf (or riscv64-linux-gnu) GCC and binutils, QEMU 7.2 or newer" >&2
        echo "with qemu-system-riscv64, a gdb for RISC-V and Python 3. Debian's names:" >&2
        for p in $DEBIAN_PACKAGES; do echo "  $p" >&2; done
        exit 1
        ;;
esac
