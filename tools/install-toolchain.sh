#!/bin/sh
# Installs what building and cross-checking the guests needs, from Debian/Ubuntu packages:
#   riscv64-unknown-elf-gcc   (package gcc-riscv64-unknown-elf; builds rv32 images too)
#   qemu-system-riscv32       (package qemu-system-misc; only with --qemu)
# Only what is missing is installed; prints nothing when everything is already there.
# Runs apt-get directly as root, through sudo otherwise.
set -eu

usage() { echo "usage: $0 [--qemu]"; }

with_qemu=0
for arg in "$@"; do
	case "$arg" in
	--qemu) with_qemu=1 ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done

have() { command -v "$1" >/dev/null 2>&1; }

pkgs=
have riscv64-unknown-elf-gcc || pkgs="gcc-riscv64-unknown-elf"
if [ "$with_qemu" = 1 ] && ! have qemu-system-riscv32; then
	pkgs="$pkgs qemu-system-misc"
fi
[ -n "$pkgs" ] || exit 0

if ! have apt-get; then
	echo "$0: need apt-get to install:$pkgs (install them by other means)" >&2
	exit 1
fi
if [ "$(id -u)" = 0 ]; then
	sudo=
elif have sudo; then
	sudo=sudo
else
	echo "$0: not root and no sudo; cannot install:$pkgs" >&2
	exit 1
fi

echo "install-toolchain: installing $pkgs"
# env inside sudo: sudo may drop DEBIAN_FRONTEND from the environment.
$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
# shellcheck disable=SC2086  # $pkgs is a word list
$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $pkgs >/dev/null
