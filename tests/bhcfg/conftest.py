"""Fixtures for bhcfg's tests: the built bhcfg, QEMU's platform DTB, the
example systems, and helpers to run bhcfg and mutate a system description."""

import os
import pathlib
import shutil
import subprocess

import pytest

from bhcfg_support import CONFIG, REPO  # noqa: F401 (CONFIG: used by fixtures below)


def build_root() -> pathlib.Path:
    return pathlib.Path(os.environ.get("BULKHEAD_BUILD_DIR", REPO / "build"))


# Every case runs against the shipped build and one with ASan and UBSan, which
# turns a memory error or undefined behaviour on a bad input into a failure.
@pytest.fixture(scope="session", params=["bhcfg", "bhcfg-sanitized"])
def bhcfg(request) -> pathlib.Path:
    path = build_root() / "arm64" / "tools" / "bhcfg" / request.param
    if not path.exists():
        pytest.fail(f"{path} is not built: run ./bulkhead build --arch arm64")
    return path


@pytest.fixture(scope="session")
def qemu_platform(tmp_path_factory) -> pathlib.Path:
    built = build_root() / "arm64" / "config" / "qemu-arm64" / "platform.dtb"
    if built.exists():
        return built
    out = tmp_path_factory.mktemp("platform") / "qemu-arm64.dtb"
    subprocess.run(["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
                    "-cpu", "cortex-a72", "-smp", "4", "-m", "1G", "-nographic", "-nic", "none",
                    "-machine", f"dumpdtb={out}"], check=True, capture_output=True, timeout=30)
    return out


@pytest.fixture(scope="session")
def x86_platform() -> pathlib.Path:
    return CONFIG / "bochs-x86" / "platform.dts"


@pytest.fixture
def images(tmp_path) -> pathlib.Path:
    """Placeholder payloads with the names the examples use (tests only)."""
    root = tmp_path / "images"
    for name, size in (("linux/Image", 1 << 20), ("linux/initramfs.cpio.gz", 300_000),
                       ("rtcell/rtcell.bin", 5000), ("guests/hello.bin", 4096)):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(size))
    return root


class Bhcfg:
    def __init__(self, exe, tmp_path):
        self.exe = exe
        self.tmp = tmp_path

    def run(self, *args):
        return subprocess.run([str(self.exe), *map(str, args)], capture_output=True,
                              text=True, timeout=30)

    def write(self, text, name="system.dts"):
        path = self.tmp / name
        path.write_text(text)
        return path


@pytest.fixture
def tool(bhcfg, tmp_path):
    return Bhcfg(bhcfg, tmp_path)


@pytest.fixture(scope="session")
def dtc():
    path = shutil.which("dtc")
    if not path:
        pytest.fail("dtc is missing: apt-get install device-tree-compiler")
    return path
