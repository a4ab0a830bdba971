"""Turning a system description (.dts) into a system image with bhcfg.

Used by the front end and the system tests; bhcfg and the platform DTB come
from the platform's build folder (arm64 for qemu-arm64, x86_64 for bochs-x86).
"""

import pathlib
import subprocess

from . import paths


# The build folder that compiles each platform's description.
PLATFORM_ARCH = {"qemu-arm64": "arm64", "bochs-x86": "x86_64"}


def bhcfg_path(arch="arm64") -> pathlib.Path:
    return paths.build_dir(arch) / "tools" / "bhcfg" / "bhcfg"


def platform_dtb(platform="qemu-arm64") -> pathlib.Path:
    return paths.build_dir(PLATFORM_ARCH[platform]) / "config" / platform / "platform.dtb"


def test_cell_dir(arch="arm64") -> pathlib.Path:
    return paths.build_dir(arch) / "guests" / "tests"


def build_system_image(dts, output, image_dirs=(), image_files=(), platform="qemu-arm64"):
    """Runs `bhcfg build`; raises RuntimeError with bhcfg's message on refusal."""
    cmd = [str(bhcfg_path(PLATFORM_ARCH[platform])), "build", str(dts), "--platform",
           str(platform_dtb(platform)), "-o", str(output)]
    for d in image_dirs:
        cmd += ["--image-dir", str(d)]
    for f in image_files:
        cmd += ["--image-file", str(f)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"bhcfg refused {dts}:\n{run.stderr}{run.stdout}")
    return pathlib.Path(output)


def x86_system_iso(x86_build, dts, work, image_dirs=()):
    """`dts` (bochs-x86, with the x86 test cells and images from `image_dirs`) -> a GRUB
    ISO in `work` that boots the x86_64 build's hypervisor with the system image as its
    multiboot2 module."""
    name = pathlib.Path(dts).stem
    image = build_system_image(dts, pathlib.Path(work) / f"{name}.img",
                               image_dirs=[test_cell_dir("x86_64"), *image_dirs],
                               platform="bochs-x86")
    iso = pathlib.Path(work) / f"{name}.iso"
    subprocess.run([str(paths.REPO / "arch" / "x86" / "mkiso.sh"),
                    str(pathlib.Path(x86_build) / "arch" / "x86" / "bulkhead.elf"), str(iso),
                    str(pathlib.Path(work) / "iso-stage"), "--module", str(image)], check=True)
    return iso
