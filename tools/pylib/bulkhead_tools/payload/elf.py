"""ELF: just enough of ELF64 little-endian to read a section (a kernel module's .modinfo) and a
dynamic program's loader (.interp) and needed libraries (DT_NEEDED)."""

import pathlib
import struct

from .common import PayloadError


def sections(data: bytes, what: str) -> dict:
    """Section name -> (file offset, size, file offset of the section its sh_link names)."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise PayloadError(f"{what}: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab_off = headers[shstrndx][4]
    found = {}
    for name_off, _type, _flags, _addr, offset, size, link, *_ in headers:
        end = data.index(b"\0", strtab_off + name_off)
        name = data[strtab_off + name_off:end].decode()
        found[name] = (offset, size, headers[link][4] if link < shnum else 0)
    return found


def section_bytes(data: bytes, found: dict, name: str) -> bytes:
    if name not in found:
        return b""
    offset, size, _ = found[name]
    return data[offset:offset + size]


def interp_and_needed(path: pathlib.Path):
    """(the loader a program names or None, the sonames it needs directly)."""
    data = path.read_bytes()
    found = sections(data, str(path))
    interp = section_bytes(data, found, ".interp").rstrip(b"\0").decode() or None
    needed = []
    if ".dynamic" in found:
        offset, size, strtab = found[".dynamic"]
        for pos in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", data, pos)
            if tag == 0:  # DT_NULL
                break
            if tag == 1:  # DT_NEEDED
                needed.append(data[strtab + value:data.index(b"\0", strtab + value)].decode())
    return interp, needed
