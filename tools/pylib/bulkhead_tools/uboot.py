"""The board-style boot: Debian's U-Boot for QEMU virt as firmware, finding a boot script on a
disk and starting the hypervisor with booti, as a board's U-Boot does from its SD card
(docs/arm64-install.md).

The disk is what a user writes to a board's boot medium: one FAT partition (MBR) holding
boot.scr (from config/u-boot/boot.cmd), bulkhead-hv.bin and system.img. U-Boot's distro boot
finds boot.scr on it; nothing is typed and nothing reaches U-Boot through QEMU's fw_cfg.
"""

import pathlib
import struct
import subprocess

from . import paths

UBOOT_QEMU_ARM64 = pathlib.Path("/usr/lib/u-boot/qemu_arm64/u-boot.bin")  # Debian's u-boot-qemu
BOOT_CMD = paths.REPO / "config" / "u-boot" / "boot.cmd"

SECTOR = 512
PARTITION_START = 2048  # sectors: 1 MiB, as partitioning tools align it
MIB = 1 << 20


def make_boot_script(out_dir, source=BOOT_CMD) -> pathlib.Path:
    """boot.cmd -> boot.scr (a U-Boot script image, mkimage from u-boot-tools)."""
    script = pathlib.Path(out_dir) / "boot.scr"
    subprocess.run(["mkimage", "-A", "arm64", "-O", "linux", "-T", "script", "-C", "none",
                    "-n", "Bulkhead boot script", "-d", str(source), str(script)],
                   check=True, capture_output=True)
    return script


def _mbr(partition_sectors):
    """A DOS partition table with one bootable FAT partition (type 0x0c) from 1 MiB on."""
    entry = struct.pack("<B3sB3sII", 0x80, b"\xfe\xff\xff", 0x0c, b"\xfe\xff\xff",
                        PARTITION_START, partition_sectors)
    return bytes(446) + entry + bytes(48) + b"\x55\xaa"


def make_boot_disk(files, out) -> pathlib.Path:
    """A raw disk image: MBR, then a FAT file system (mtools) holding `files`
    ({name on the disk: host path}). Sized to fit them with room to spare."""
    out = pathlib.Path(out)
    payload = sum(pathlib.Path(p).stat().st_size for p in files.values())
    fs_mib = max(64, (payload * 5 // 4) // MIB + 16)
    fs = out.with_suffix(".fat")
    fs.unlink(missing_ok=True)
    sectors = fs_mib * MIB // SECTOR
    subprocess.run(["mformat", "-i", str(fs), "-C", "-T", str(sectors), "-h", "16", "-s", "32",
                    "-v", "BULKHEAD", "::"], check=True, capture_output=True)
    for name, path in files.items():
        subprocess.run(["mcopy", "-i", str(fs), str(path), f"::/{name}"], check=True,
                       capture_output=True)
    with open(out, "wb") as disk:
        disk.write(_mbr(sectors))
        disk.write(bytes(PARTITION_START * SECTOR - SECTOR))
        disk.write(fs.read_bytes())
    fs.unlink()
    return out


def make_bulkhead_disk(hv_image, system_image, out_dir) -> pathlib.Path:
    """The boot medium of a Bulkhead board: boot.scr, the hypervisor, the system image."""
    out_dir = pathlib.Path(out_dir)
    return make_boot_disk({"boot.scr": make_boot_script(out_dir),
                           "bulkhead-hv.bin": hv_image,
                           "system.img": system_image}, out_dir / "boot-disk.img")
