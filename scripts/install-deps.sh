#!/bin/sh
# Install what building, running and testing Rivet needs.
# Debian/Ubuntu: installs with apt-get (as root, or through sudo).
# Elsewhere: prints the Debian package names and exits 1.
set -eu

PACKAGES="gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-misc opensbi gdb-multiarch python3"
# Optional: a headless browser for the timeline picture test (which skips
# without it). Not every release packages it, so its failure is not fatal.
OPTIONAL_PACKAGES="chromium"

is_debian_like() {
    if [ -r /etc/os-release ]; then
        # shellcheck disable=SC1091
        ids=$(. /etc/os-release; echo "${ID:-} ${ID_LIKE:-}")
        case " $ids " in
            *" debian "*|*" ubuntu "*) return 0 ;;
        esac
    fi
    command -v apt-get >/dev/null 2>&1
}

if ! is_debian_like || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps.sh: not a Debian/Ubuntu system (no apt-get)." >&2
    echo "Install these packages (Debian names) with your package manager:" >&2
    for p in $PACKAGES; do echo "  $p" >&2; done
    exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1; then
    SUDO="sudo"
else
    echo "install-deps.sh: need root or sudo to run apt-get" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get update
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $PACKAGES
# shellcheck disable=SC2086
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y $OPTIONAL_PACKAGES ||
    echo "install-deps.sh: optional $OPTIONAL_PACKAGES not installed (the browser test will be skipped)" >&2
