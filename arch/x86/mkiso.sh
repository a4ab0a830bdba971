#!/bin/sh
# Builds a GRUB rescue ISO that boots the hypervisor ELF through multiboot2
# with console on COM1. Usage: mkiso.sh ELF OUTPUT.iso STAGING_DIR [CMDLINE...]
# The staging directory is recreated each time so stale files never ship.
set -eu
elf=$1
out=$2
stage=$3
shift 3
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/bulkhead.elf"
cat > "$stage/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial console
set timeout=0
multiboot2 /boot/bulkhead.elf $*
boot
CFG
grub-mkrescue -o "$out" "$stage" >"$stage.log" 2>&1 || { cat "$stage.log" >&2; exit 1; }
