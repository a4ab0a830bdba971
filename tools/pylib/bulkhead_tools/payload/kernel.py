"""What the payload reads of an extracted Debian kernel package: the kernel in boot/ (arm64
Image, x86 bzImage) and the key=value pairs of a module's .modinfo (its dependencies)."""

import gzip
import pathlib

from . import elf
from .common import PayloadError


def image(root: pathlib.Path, debian: str = "arm64"):
    """(kernel version, kernel image) of the one boot/vmlinuz-* under `root`: an uncompressed
    arm64 Image, or an x86 bzImage as the package has it (it decompresses itself)."""
    images = sorted((root / "boot").glob("vmlinuz-*"))
    if len(images) != 1:
        raise PayloadError(f"expected one boot/vmlinuz-* in the kernel package, found {images}")
    version = images[0].name[len("vmlinuz-"):]
    data = images[0].read_bytes()
    if debian == "amd64":
        # Linux's x86 boot protocol: the setup header's magic "HdrS" at 0x202.
        if data[0x202:0x206] != b"HdrS":
            raise PayloadError(f"{images[0].name} is not an x86 bzImage (no HdrS magic)")
        return version, data
    if data[:2] == b"\x1f\x8b":  # other Debian releases ship it gzipped; QEMU and we want Image
        data = gzip.decompress(data)
    if data[0x38:0x3C] != b"ARM\x64":
        raise PayloadError(f"{images[0].name} is not an arm64 Image (no ARM\\x64 magic)")
    return version, data


def modinfo(path: pathlib.Path) -> dict:
    data = path.read_bytes()
    raw = elf.section_bytes(data, elf.sections(data, str(path)), ".modinfo")
    info = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.decode(errors="replace").partition("=")
        if sep:
            info.setdefault(key, value)
    return info
