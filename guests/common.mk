# Shared build settings for every guest image. Included by each guests/*/Makefile.
# Images are built into guests/build/ and copied to guests/images/, which is committed
# so that `npm install` needs no cross compiler. CI rebuilds and compares (tools/check-images.sh).

GUESTS   := $(dir $(abspath $(lastword $(MAKEFILE_LIST))))
BUILD    := $(GUESTS)build
IMAGES   := $(GUESTS)images

CROSS    ?= riscv64-unknown-elf-
CC       := $(CROSS)gcc
OBJCOPY  := $(CROSS)objcopy

ARCHFLAGS := -march=rv32ima_zicsr_zifencei -mabi=ilp32 -mcmodel=medany
CFLAGS   := $(ARCHFLAGS) -O2 -ffreestanding -fno-builtin -fno-pic -fno-common \
            -nostdlib -Wall -Wextra -Werror -std=c11 -I$(GUESTS)lib/include \
            -ffile-prefix-map=$(GUESTS)=
ASFLAGS  := $(ARCHFLAGS) -I$(GUESTS)lib/include -I$(GUESTS)conformance
LDFLAGS  := $(ARCHFLAGS) -nostdlib -nostartfiles -static -Wl,--build-id=none \
            -Wl,--no-warn-rwx-segments
# libgcc (64-bit division, etc.) from the rv32im/ilp32 multilib: gcc does not match
# "rv32ima_zicsr_zifencei" to any multilib and would pick the default rv64 libgcc.
LIBGCC   := $(shell $(CC) -march=rv32im -mabi=ilp32 -print-libgcc-file-name 2>/dev/null)

# Linker scripts: M-mode images (QEMU -bios none) load at 0x80000000;
# S-mode images load at 0x80400000, where OpenSBI (QEMU's default firmware) and
# tsxen's SBI firmware both jump.
LINK_M   := $(GUESTS)lib/link-m.ld
LINK_S   := $(GUESTS)lib/link-s.ld
