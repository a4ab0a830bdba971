"""What the payload reads of an extracted Debian kernel package: the arm64 Image in boot/ and
the key=value pairs of a module's .modinfo (its dependencies)."""

import gzip
import pathlib

from . import elf
from .common import PayloadError


def image(root: pathlib.Path):
    """(kernel version, uncompressed arm64 Image) of the one boot/vmlinuz-* under `root`."""
    images = sorted((root / "boot").glob("vmlinuz-*"))
    if len(images) != 1:
        raise PayloadError(f"expected one boot/vmlinuz-* in the kernel package, found {images}")
    version = images[0].name[len("vmlinuz-"):]
    data = images[0].read_bytes()
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
