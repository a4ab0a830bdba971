"""Turning a system description (.dts) into a system image with bhcfg.

Used by the front end and the system tests; bhcfg and the platform DTB come
from the platform's build folder (arm64 for qemu-arm64, x86_64 for bochs-x86).
"""

import pathlib
import subprocess

from . import paths


# The build folder that compiles each platform's description.
PLATFORM_ARCH = {"qemu-arm64": "arm64", "bochs-x86": "x86_64", "bochs-x86-4cpu": "x86_64"}


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
