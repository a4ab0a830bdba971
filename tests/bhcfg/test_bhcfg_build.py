"""bhcfg build/dump: round trips, the generated Linux device tree, and bad
binary input (truncated, corrupted, wrong version, wrong arch)."""

import re
import struct
import subprocess
import zlib

import pytest

from bhcfg_support import CONFIG
from bulkhead_tools.measure import sysdesc  # (bhcfg_support makes it importable)

ARM64_EXAMPLES = ["linux-rt", "rt-only", "two-rt"]


@pytest.mark.parametrize("name", ARM64_EXAMPLES)
def test_arm64_example_checks_clean(tool, qemu_platform, name):
    result = tool.run("check", CONFIG / "qemu-arm64" / f"{name}.dts", "--platform", qemu_platform)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout


def test_x86_example_checks_clean(tool, x86_platform):
    result = tool.run("check", CONFIG / "bochs-x86" / "rt-test.dts", "--platform", x86_platform)
    assert result.returncode == 0, result.stderr


# The virtio-mmio page whose transports Linux's DTB must keep, as `bulkhead measure` adds it.
VIRTIO_DEVICE = ("virtio", ("reg = <0x0 0xa003000 0x0 0x1000>;", "interrupts = <79>;",
                            'dma = "unconfined";'))


def build_linux_rt(tool, qemu_platform, images, extra_device=None):
    out = tool.tmp / "linux-rt.img"
    dtbs = tool.tmp / "dtbs"
    dtbs.mkdir(exist_ok=True)
    dts = CONFIG / "qemu-arm64" / "linux-rt.dts"
    if extra_device:
        text = sysdesc.with_linux_device(dts.read_text(), *extra_device)
        dts = tool.tmp / "linux-rt-device.dts"
        dts.write_text(text)
    result = tool.run("build", dts, "--platform",
                      qemu_platform, "-I", images, "-o", out, "--config-out",
                      tool.tmp / "linux-rt.bin", "--dtb-dir", dtbs)
    assert result.returncode == 0, result.stderr
    return out


def test_build_then_dump_round_trips(tool, qemu_platform, images):
    image = build_linux_rt(tool, qemu_platform, images)
    dump = tool.run("dump", image)
    assert dump.returncode == 0, dump.stderr
    text = dump.stdout
    for expected in [
        r'item 0: config cell -1 "config"',
        r'item 1: image +cell 0 "linux/Image" offset 0x\w+000 size 0x100000',
        r'item 2: dtb +cell 0 "linux/dtb"',
        r'item 3: initrd cell 0 "linux/initramfs.cpio.gz" offset 0x\w+000 size 0x493e0',
        r'item 4: image +cell 1 "rt/rtcell.bin" offset 0x\w+000 size 0x1388',
        r'hypervisor memory: \[0x40000000, \+0x2000000\)',
        r'loader area: \[0x48000000, \+0x8000000\)',
        r'console: pl011 at 0x9000000, \+0x1000, irq 33',
        r'cell 0 "linux": linux-arm64, stops-system, cpus 0 \(boot\) 1',
        r'  region 0: guest 0x50000000 host 0x50000000 size 0x20000000 read,write,exec',
        r'  device "uart": mmio 0x9000000 \+0x1000, irqs 33',
        r'  region 1: guest 0x75000000 host 0x0 size 0x1000 read,hv-status '
        r'\(the hypervisor status page\)',
        r'cell 1 "rt": bulkhead, realtime, cpus 2 \(boot\) 3',
        r'  region 1: guest 0x74000000 host 0x74000000 size 0x100000 read,write,comm '
        r'channel "telemetry"',
        r'channel 0 "telemetry": host 0x74000000 size 0x100000 doorbell -1',
    ]:
        assert re.search(expected, text, re.M), f"{expected!r} not in:\n{text}"
    config = tool.run("dump", tool.tmp / "linux-rt.bin")
    assert config.returncode == 0 and config.stdout in text


def test_x86_build_round_trips(tool, x86_platform, images):
    out = tool.tmp / "rt-test.img"
    result = tool.run("build", CONFIG / "bochs-x86" / "rt-test.dts", "--platform",
                      x86_platform, "-I", images, "-o", out)
    assert result.returncode == 0, result.stderr
    dump = tool.run("dump", out)
    assert "arch x86_64" in dump.stdout and "console: 8250 ports at 0x3f8" in dump.stdout


def decompile(dtc, path):
    result = subprocess.run([dtc, "-I", "dtb", "-O", "dts", path], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_linux_dtb_has_only_the_cells_resources(tool, qemu_platform, images, dtc):
    build_linux_rt(tool, qemu_platform, images, extra_device=VIRTIO_DEVICE)
    dts = decompile(dtc, tool.tmp / "dtbs" / "linux.dtb")
    assert re.findall(r"\bcpu@(\w+) \{", dts) == ["0", "1"]
    assert "cpu-map" not in dts
    assert re.findall(r"memory@(\w+) \{", dts) == ["50000000"]
    assert "reg = <0x00 0x50000000 0x00 0x20000000>;" in dts
    # Own devices kept (the UART and the virtio-mmio page: transports 24-31), everything else
    # of the platform gone.
    assert "pl011@9000000" in dts
    assert sorted(re.findall(r"virtio_mmio@(\w+) \{", dts)) == [
        f"a003{offset:03x}" for offset in range(0, 0x1000, 0x200)]
    for foreign in ("pl031@", "pl061@", "fw-cfg@", "pcie@", "flash@", "its@", "gpio-keys",
                    "kaslr-seed"):
        assert foreign not in dts, foreign
    # Not the platform's seed: a zero-filled placeholder the hypervisor fills at load.
    assert re.findall(r"rng-seed = <([^>]*)>;", dts) == [" ".join(["0x00"] * 8)], dts
    assert re.search(r'psci \{[^}]*method = "smc";', dts, re.S)
    assert "intc@8000000" in dts and "timer {" in dts
    assert 'bootargs = "console=ttyAMA0' in dts
    assert "linux,initrd-start = <0x00 0x5c200000>;" in dts
    assert "linux,initrd-end = <0x00 0x5c2493e0>;" in dts
    assert re.search(r'channel@74000000 \{[^}]*read-only;[^}]*label = "telemetry";', dts, re.S)
    # The hypervisor status page: a bulkhead node for bhctl, never RAM for Linux.
    node = re.search(r"hv-status@75000000 \{([^}]*)\}", dts)
    assert node, dts
    for prop in ('compatible = "bulkhead,hv-status";', "reg = <0x00 0x75000000 0x00 0x1000>;",
                 "read-only;"):
        assert prop in node.group(1), node.group(1)
    # Nothing of the hypervisor, loader area or realtime cell.
    for address in ("40000000", "48000000", "70000000"):
        assert f"@{address}" not in dts


def fix_crc(blob, crc_offset, covered):
    data = bytearray(blob)
    struct.pack_into("<I", data, crc_offset, 0)
    struct.pack_into("<I", data, crc_offset, zlib.crc32(bytes(data[:covered])))
    return bytes(data)


@pytest.fixture
def config_blob(tool, qemu_platform):
    out = tool.tmp / "config.bin"
    result = tool.run("check", CONFIG / "qemu-arm64" / "linux-rt.dts", "--platform",
                      qemu_platform, "--config-out", out)
    assert result.returncode == 0, result.stderr
    return out.read_bytes()


def dump_bytes(tool, data, name="bad.bin"):
    path = tool.tmp / name
    path.write_bytes(data)
    return tool.run("dump", path)


def test_dump_refuses_truncated_config(tool, config_blob):
    for size in (0, 3, 100, len(config_blob) - 8):
        result = dump_bytes(tool, config_blob[:size])
        assert result.returncode == 1 and "invalid binary config" in result.stderr
        assert re.search(r"shorter than its \d+-byte header|but \d+ bytes are available|"
                         r"magic is", result.stderr), result.stderr


def test_dump_refuses_corrupted_config(tool, config_blob):
    data = bytearray(config_blob)
    data[300] ^= 0x40
    result = dump_bytes(tool, bytes(data))
    assert result.returncode == 1
    assert re.search(r"config CRC is 0x\w{8}, but its contents give 0x\w{8}: corrupted",
                     result.stderr)


def test_dump_refuses_wrong_version(tool, config_blob):
    data = bytearray(config_blob)
    struct.pack_into("<I", data, 4, 99)
    data = fix_crc(data, 12, len(data))
    result = dump_bytes(tool, data)
    assert result.returncode == 1
    assert "config ABI version is 99, this build understands version 1" in result.stderr


def test_dump_refuses_unknown_arch(tool, config_blob):
    data = bytearray(config_blob)
    struct.pack_into("<I", data, 16, 7)
    result = dump_bytes(tool, fix_crc(data, 12, len(data)))
    assert result.returncode == 1
    assert "config architecture 7 is unknown" in result.stderr


def test_dump_refuses_damaged_system_images(tool, qemu_platform, images):
    image = build_linux_rt(tool, qemu_platform, images).read_bytes()
    # Truncated.
    result = dump_bytes(tool, image[:len(image) // 2], "half.img")
    assert result.returncode == 1 and "bytes are available" in result.stderr
    # A flipped bit inside the rt image item: that item's CRC names it.
    data = bytearray(image)
    data[-4096 - 100] ^= 1
    result = dump_bytes(tool, bytes(data), "flip.img")
    assert result.returncode == 1
    assert re.search(r'item 4 "rt/rtcell.bin": CRC is 0x\w+, but its 5000 bytes give',
                     result.stderr), result.stderr
    # Wrong version, header CRC made consistent again.
    data = bytearray(image)
    struct.pack_into("<I", data, 4, 2)
    count = struct.unpack_from("<I", data, 16)[0]
    data = fix_crc(data, 12, 32 + 56 * count)
    result = dump_bytes(tool, bytes(data), "v2.img")
    assert result.returncode == 1
    assert "system image version is 2, this build understands version 1" in result.stderr


def test_dump_refuses_garbage(tool):
    result = dump_bytes(tool, b"\x7fELF" + bytes(400))
    assert result.returncode == 1 and "config magic is 0x464c457f" in result.stderr
