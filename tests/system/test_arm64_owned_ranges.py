"""The hypervisor refuses a config that maps what it owns on this machine.

bhcfg refuses a device or region over the interrupt controller, but only with
the platform DTB it is given; the hypervisor used to trust a binary config
with a valid CRC on that point. Each test builds a good image, moves one
device or region of it onto a range the hypervisor owns (QEMU virt's GIC
distributor, a redistributor frame, the ITS, the hypervisor's image, the
system image) and reseals the CRCs, as a hand-made image would. The boot must
end with the refusal naming the cell, the device or region and the owned
range, `BULKHEAD: FAIL`, and no cell started (docs/design.md, I2 and I3).
"""

import re

import pytest

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64
from sysimage_patch import (DEVICE_BASE, DEVICE_SIZE, HV_MEMORY, LOADER_AREA, REGION_HOST,
                            patch_image)

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
RUN_TIMEOUT_S = 60
REFUSAL = "refusing to start any cell: system image rejected: "

# QEMU virt with the options every run uses (the platform DTB bhcfg checks against).
GICD = (0x8000000, 0x10000)
ITS = (0x8080000, 0x20000)
GICR = (0x80a0000, 0xf60000)
GICR_FRAMES_OF_CPU1 = (GICR[0] + 0x20000, 0x20000)  # RD_base + SGI_base of the second CPU
HV_IMAGE_BASE = 0x40200000
SYSIMAGE_BASE = 0x48000000  # where QEMU puts -initrd (the config's loader area)


def build(log_dir, name):
    return systems.build_system_image(SYSTEMS / name, log_dir / name.replace(".dts", ".img"),
                                      image_dirs=[systems.test_cell_dir()])


def boot(log_dir, image):
    return run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=RUN_TIMEOUT_S,
                     initrd=image)


def boot_with_uart_at(log_dir, base, size):
    """uart-owner.dts with cell "hello"'s device "uart" moved to [base, +size)."""
    def move(image):
        device = image.first_device(image.cell("hello"))
        image.put64(device + DEVICE_BASE, base)
        image.put64(device + DEVICE_SIZE, size)

    return boot(log_dir, patch_image(build(log_dir, "uart-owner.dts"), move,
                                     log_dir / "patched.img"))


def assert_refused(result, pattern):
    out = result.output
    assert not result.timed_out, result.describe()
    assert result.returncode == 1, result.describe()
    assert re.search(re.escape(REFUSAL) + pattern, out), out
    assert not re.search(r"^\[\S+\] ", out, re.M), "a cell printed: it was started"
    assert "BULKHEAD: FAIL" in out and "BULKHEAD: PASS" not in out


def owned(what, base, size):
    return re.escape(f"overlaps {what} [{base:#x}, +{size:#x}), which the hypervisor owns")


def test_unpatched_uart_owner_still_boots(arm64_build, log_dir):
    # A device the platform offers for assignment is not one the hypervisor owns.
    result = boot(log_dir, patch_image(build(log_dir, "uart-owner.dts"), lambda image: None,
                                       log_dir / "patched.img"))
    assert result.returncode == 0, result.describe()
    assert result.output.rstrip().endswith("BULKHEAD: PASS")


@pytest.mark.parametrize("where, what, owned_range", [
    (GICD, "the GIC distributor", GICD),
    (ITS, "the GIC ITS", ITS),
    (GICR_FRAMES_OF_CPU1, "the GIC redistributor region", GICR),
], ids=["gicd", "its", "gicr-frame"])
def test_device_over_the_interrupt_controller_is_refused_at_boot(arm64_build, log_dir, where,
                                                                  what, owned_range):
    result = boot_with_uart_at(log_dir, *where)
    assert_refused(result, re.escape(f'cell "hello": device "uart" [{where[0]:#x}, '
                                     f"+{where[1]:#x}) ") + owned(what, *owned_range))


def test_ram_region_over_the_redistributors_is_refused_at_boot(arm64_build, log_dir):
    def move(image):
        image.put64(image.region(0) + REGION_HOST, GICR[0])

    image = patch_image(build(log_dir, "three-cells.dts"), move, log_dir / "patched.img")
    assert_refused(boot(log_dir, image),
                   re.escape(f'cell "hello": region 0 host [{GICR[0]:#x}, +0x1000000) ')
                   + owned("the GIC redistributor region", *GICR))


def test_region_over_the_running_hypervisor_image_is_refused_at_boot(arm64_build, log_dir):
    # The declared hypervisor memory moved away: only the image's real place is left.
    def move(image):
        image.put64(HV_MEMORY, 0x7e000000)
        image.put64(image.region(0) + REGION_HOST, 0x40000000)

    image = patch_image(build(log_dir, "three-cells.dts"), move, log_dir / "patched.img")
    assert_refused(boot(log_dir, image),
                   re.escape('cell "hello": region 0 host [0x40000000, +0x1000000) overlaps '
                             f"the hypervisor image [{HV_IMAGE_BASE:#x}, +")
                   + r"0x[0-9a-f]+\), which the hypervisor owns")


def test_region_over_the_system_image_is_refused_at_boot(arm64_build, log_dir):
    # No loader area declared: only the initrd range of the boot DTB is left.
    def move(image):
        image.put64(LOADER_AREA + 8, 0)
        image.put64(image.region(0) + REGION_HOST, SYSIMAGE_BASE)

    image = patch_image(build(log_dir, "three-cells.dts"), move, log_dir / "patched.img")
    assert_refused(boot(log_dir, image),
                   re.escape(f'cell "hello": region 0 host [{SYSIMAGE_BASE:#x}, +0x1000000) '
                             "overlaps the system image the boot loader handed over "
                             f"[{SYSIMAGE_BASE:#x}, +")
                   + r"0x[0-9a-f]+\), which the hypervisor owns")
