#!/bin/sh
# Builds a GRUB rescue ISO that boots the hypervisor ELF through multiboot2
# with console on COM1, optionally with a system image as its module2.
# Usage: mkiso.sh ELF OUTPUT.iso STAGING_DIR [--module SYSTEM.img] [CMDLINE...]
# The staging directory is recreated each time so stale files never ship.
set -eu
elf=$1
out=$2
stage=$3
shift 3
module=
if [ "${1:-}" = "--module" ]; then
	module=$2
	shift 2
fi
rm -rf "$stage"
mkdir -p "$stage/boot/grub"
cp "$elf" "$stage/boot/bulkhead.elf"
module_line=
if [ -n "$module" ]; then
	cp "$module" "$stage/boot/system.img"
	module_line="module2 /boot/system.img"
fi
cat > "$stage/boot/grub/grub.cfg" <<CFG
serial --unit=0 --speed=115200
terminal_input serial
terminal_output serial console
set timeout=0
multiboot2 /boot/bulkhead.elf $*
$module_line
boot
CFG
grub-mkrescue -o "$out" "$stage" >"$stage.log" 2>&1 || { cat "$stage.log" >&2; exit 1; }
