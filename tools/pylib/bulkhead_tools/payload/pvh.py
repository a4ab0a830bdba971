"""Debian's x86-64 kernel for Linux's PVH entry: the vmlinux inside the bzImage, decompressed on
the host and laid out flat as its program headers place it in physical memory, with the entry
point its XEN_ELFNOTE_PHYS32_ENTRY note names.

Why: in Bochs the bzImage's own XZ decompression is two thirds of a boot (docs/measuring.md,
"Linux in Bochs"). The PVH entry is 32-bit protected mode with paging off and %ebx holding an
hvm_start_info (Xen's docs/misc/pvh.pandoc; arch/x86/platform/pvh/ in Linux), which bhcfg writes
for a linux-x86 cell whose image is not a bzImage (tools/bhcfg/emit_x86_boot.c)."""

import lzma
import struct

from .common import PayloadError

XZ_MAGIC = b"\xfd7zXZ\x00"
PT_LOAD = 1
PT_NOTE = 4
XEN_ELFNOTE_PHYS32_ENTRY = 18


def vmlinux_of(bzimage: bytes) -> bytes:
    """The ELF the bzImage's XZ stream holds."""
    at = bzimage.find(XZ_MAGIC)
    if at < 0:
        raise PayloadError("bzImage: no XZ-compressed kernel found in it")
    try:
        elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(bzimage[at:])
    except lzma.LZMAError as e:
        raise PayloadError(f"bzImage: its XZ stream does not decompress: {e}") from e
    if elf[:4] != b"\x7fELF" or elf[4] != 2 or elf[5] != 1:
        raise PayloadError("bzImage: its payload is not a 64-bit little-endian ELF")
    return elf


def _program_headers(elf: bytes):
    phoff, = struct.unpack_from("<Q", elf, 0x20)
    phentsize, phnum = struct.unpack_from("<HH", elf, 0x36)
    for i in range(phnum):
        yield struct.unpack_from("<IIQQQQQQ", elf, phoff + i * phentsize)


def pvh_entry(elf: bytes) -> int:
    """The physical 32-bit entry of XEN_ELFNOTE_PHYS32_ENTRY."""
    for p_type, _flags, offset, _vaddr, _paddr, filesz, _memsz, _align in _program_headers(elf):
        if p_type != PT_NOTE:
            continue
        at, end = offset, offset + filesz
        while at + 12 <= end:
            namesz, descsz, n_type = struct.unpack_from("<III", elf, at)
            name = elf[at + 12:at + 12 + namesz].rstrip(b"\0")
            desc = at + 12 + (namesz + 3) // 4 * 4
            if name == b"Xen" and n_type == XEN_ELFNOTE_PHYS32_ENTRY:
                return struct.unpack_from("<I" if descsz == 4 else "<Q", elf, desc)[0]
            at = desc + (descsz + 3) // 4 * 4
    raise PayloadError("vmlinux: no XEN_ELFNOTE_PHYS32_ENTRY note (a kernel without CONFIG_PVH)")


def flat_image(elf: bytes):
    """(image, load address): every PT_LOAD at its physical address, zero-filled to its memory
    size (the bss included, so that nothing the kernel expects zero holds old data)."""
    loads = [(paddr, offset, filesz, memsz) for p_type, _f, offset, _v, paddr, filesz, memsz, _a
             in _program_headers(elf) if p_type == PT_LOAD and memsz]
    if not loads:
        raise PayloadError("vmlinux: no loadable segment")
    base = min(p for p, *_ in loads)
    image = bytearray(max(p + m for p, _o, _f, m in loads) - base)
    for paddr, offset, filesz, _memsz in loads:
        image[paddr - base:paddr - base + filesz] = elf[offset:offset + filesz]
    return bytes(image), base
