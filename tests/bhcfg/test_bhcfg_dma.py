"""The DMA trust model in bhcfg (docs/design.md, DMA): no IOMMU is programmed, so a device that
can master DMA reaches every cell's memory and the hypervisor's. bhcfg refuses such a device
unless the description says `dma = "unconfined"`, and then warns; the default system gives Linux
none."""

import re
import subprocess

import pytest

from bhcfg_support import example, mutate
from bulkhead_tools.measure import sysdesc  # (bhcfg_support makes it importable)

BASE = "qemu-arm64/linux-rt.dts"
VIRTIO = ("reg = <0x0 0xa003000 0x0 0x1000>;", "interrupts = <79>;")
UART_DEVICE = "\t\t\t\tuart {\n\t\t\t\t\treg = <0x0 0x9000000 0x0 0x1000>;"


def with_virtio(*extra):
    return sysdesc.with_linux_device(example(BASE), "virtio", VIRTIO + extra)


def test_default_system_gives_no_cell_a_dma_master(tool, qemu_platform):
    result = tool.run("check", tool.write(example(BASE)), "--platform", qemu_platform)
    assert result.returncode == 0, result.stderr
    assert "DMA" not in result.stderr, result.stderr


def test_virtio_without_consent_is_refused_naming_the_platform_node(tool, qemu_platform):
    system = tool.write(with_virtio())
    result = tool.run("check", system, "--platform", qemu_platform)
    assert result.returncode == 1, result.stderr
    assert re.search(r"/cells/linux/devices/virtio: reg: platform device /virtio_mmio@a003\w+ "
                     r"can master DMA, and no IOMMU confines it: .* dma = \"unconfined\"",
                     result.stderr), result.stderr


def test_virtio_with_consent_is_built_with_a_warning_naming_the_trusted_cell(tool,
                                                                            qemu_platform):
    result = tool.run("check", tool.write(with_virtio('dma = "unconfined";')), "--platform",
                      qemu_platform)
    assert result.returncode == 0, result.stderr
    assert re.search(r"warning: /cells/linux/devices/virtio: dma: platform device "
                     r"/virtio_mmio@a003\w+ masters DMA unconfined: cell \"linux\" is trusted "
                     r"with every cell's memory and the hypervisor's", result.stderr), \
        result.stderr


@pytest.mark.parametrize("value", ['"confined"', '"yes"', "<1>", '"unconfined", "x"'])
def test_dma_has_one_value(tool, qemu_platform, value):
    result = tool.run("check", tool.write(with_virtio(f"dma = {value};")), "--platform",
                      qemu_platform)
    assert result.returncode == 1, result.stderr
    assert "/cells/linux/devices/virtio: dma: " in result.stderr, result.stderr


def test_consent_on_a_device_that_is_no_dma_master_changes_nothing(tool, qemu_platform):
    text = mutate(example(BASE), (UART_DEVICE, UART_DEVICE + '\n\t\t\t\t\tdma = "unconfined";'))
    result = tool.run("check", tool.write(text), "--platform", qemu_platform)
    assert result.returncode == 0, result.stderr
    assert "DMA" not in result.stderr, result.stderr


def test_a_dma_master_as_a_device_memory_region_is_refused(tool, qemu_platform):
    # A region flagged "device" maps MMIO like a device but cannot say dma = "unconfined".
    region = ("\t\t\t\tvirtio-page {\n\t\t\t\t\thost-phys = <0x0 0xa003000>;\n"
              "\t\t\t\t\tguest-phys = <0x0 0xa003000>;\n\t\t\t\t\tsize = <0x0 0x1000>;\n"
              '\t\t\t\t\tflags = "read", "write", "device";\n\t\t\t\t};\n')
    text = mutate(example(BASE), ("\t\t\t\thv-status {", region + "\t\t\t\thv-status {"))
    result = tool.run("check", tool.write(text), "--platform", qemu_platform)
    assert result.returncode == 1, result.stderr
    assert re.search(r"/cells/linux/memory/virtio-page: host-phys: platform device "
                     r"/virtio_mmio@a003\w+ can master DMA: give it as a device", result.stderr), \
        result.stderr


@pytest.mark.parametrize("marker", ["bulkhead,dma-master;", "#dma-cells = <1>;",
                                    "dma-controller;", "iommus = <1 2>;"])
def test_platform_marks_other_dma_masters(tool, qemu_platform, dtc, marker):
    # A board's own bus master, described in its platform DTB: the PL061 GPIO's node here.
    platform_dts = tool.tmp / "platform-dma.dts"
    decompiled = decompile(dtc, qemu_platform)
    platform_dts.write_text(re.sub(r"(pl061@9030000 \{)", rf"\1\n\t\t{marker}", decompiled,
                                   count=1))
    platform = tool.tmp / "platform-dma.dtb"
    compile_dts(dtc, platform_dts, platform)
    text = mutate(example(BASE), (UART_DEVICE, "\t\t\t\tgpio {\n\t\t\t\t\treg = <0x0 0x9030000 "
                                               "0x0 0x1000>;\n\t\t\t\t};\n" + UART_DEVICE))
    result = tool.run("check", tool.write(text), "--platform", platform)
    assert result.returncode == 1, result.stderr
    assert "platform device /pl061@9030000 can master DMA" in result.stderr, result.stderr


def decompile(dtc, dtb):
    out = subprocess.run([dtc, "-q", "-I", "dtb", "-O", "dts", str(dtb)], capture_output=True,
                         text=True, check=True)
    return out.stdout


def compile_dts(dtc, dts, dtb):
    subprocess.run([dtc, "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(dts)], check=True)
