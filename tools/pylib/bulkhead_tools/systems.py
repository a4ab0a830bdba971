"""Turning a system description (.dts) into a system image with bhcfg.

Used by the front end and the system tests; bhcfg and the platform DTB come
from the arm64 build folder.
"""

import pathlib
import subprocess

from . import paths


def bhcfg_path() -> pathlib.Path:
    return paths.build_dir("arm64") / "tools" / "bhcfg" / "bhcfg"


def platform_dtb(platform="qemu-arm64") -> pathlib.Path:
    return paths.build_dir("arm64") / "config" / platform / "platform.dtb"


def test_cell_dir() -> pathlib.Path:
    return paths.build_dir("arm64") / "guests" / "tests"


def build_system_image(dts, output, image_dirs=(), image_files=(), platform="qemu-arm64"):
    """Runs `bhcfg build`; raises RuntimeError with bhcfg's message on refusal."""
    cmd = [str(bhcfg_path()), "build", str(dts), "--platform", str(platform_dtb(platform)),
           "-o", str(output)]
    for d in image_dirs:
        cmd += ["--image-dir", str(d)]
    for f in image_files:
        cmd += ["--image-file", str(f)]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        raise RuntimeError(f"bhcfg refused {dts}:\n{run.stderr}{run.stdout}")
    return pathlib.Path(output)
