"""The hypervisor refuses at boot what bhcfg refuses, with the same reason.

bhcfg would not write these images, so each test builds a good one
(tests/system/systems/three-cells.dts), then patches the binary config inside
it the way a hand-made or tampered image would, recomputing the config CRC,
the item's CRC and the image header's CRC (abi/include/bulkhead/sysimage.h,
config.h). The boot must end with the validator's message, `BULKHEAD: FAIL`
and no cell started; bhcfg, given the same mistake in the description, must
print the same message.
"""

import re
import subprocess

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64
from sysimage_patch import (BH_CELL_REALTIME, BH_MEM_EXEC, BH_MEM_READ, CELL_ENTRY, CELL_FLAGS,
                            CELL_IMAGE_AT, REGION_FLAGS, REGION_GUEST, REGION_SIZE, patch_image)

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
RUN_TIMEOUT_S = 60


def build(log_dir, text=None):
    dts = SYSTEMS / "three-cells.dts"
    if text is not None:
        dts = log_dir / "three-cells-mutated.dts"
        dts.write_text(text)
    return systems.build_system_image(dts, log_dir / "three-cells.img",
                                      image_dirs=[systems.test_cell_dir()])


def bhcfg_check(log_dir, text):
    dts = log_dir / "mutated.dts"
    dts.write_text(text)
    return subprocess.run([str(systems.bhcfg_path()), "check", str(dts), "--platform",
                           str(systems.platform_dtb("qemu-arm64"))],
                          capture_output=True, text=True, timeout=30)


def boot_patched(log_dir, image_path, patch):
    bad = patch_image(image_path, patch, log_dir / "patched.img")
    return run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=RUN_TIMEOUT_S,
                     initrd=bad)


def assert_refused(result, reason):
    out = result.output
    assert not result.timed_out, result.describe()
    assert result.returncode == 1, result.describe()
    assert f"refusing to start any cell: system image rejected: {reason}" in out, out
    assert not re.search(r"^\[\S+\] ", out, re.M), "a cell printed: it was started"
    assert "BULKHEAD: FAIL" in out and "BULKHEAD: PASS" not in out


def test_sealed_but_unpatched_image_still_boots(arm64_build, log_dir):
    # The patching helper itself changes nothing but what the test asks.
    result = boot_patched(log_dir, build(log_dir), lambda image: None)
    assert result.returncode == 0, result.describe()
    assert result.output.rstrip().endswith("BULKHEAD: PASS")


def test_realtime_ram_over_its_redistributor_frames_is_refused_at_boot(arm64_build, log_dir):
    # QEMU virt's redistributor region, from the same DTB bhcfg checks against.
    reason = ('cell "ticker": region 0 at guest [0x8000000, +0x1000000) overlaps the GIC '
              "redistributor frames [0x80a0000, +0xf60000), which the hypervisor maps into a "
              "realtime cell itself")

    def move_ticker(image):
        cell = image.cell("ticker")
        assert image.u32(cell + CELL_FLAGS) & BH_CELL_REALTIME
        region = image.first_region(cell)
        delta = image.u64(region + REGION_GUEST) - 0x8000000
        image.put64(region + REGION_GUEST, 0x8000000)
        image.put64(cell + CELL_ENTRY, image.u64(cell + CELL_ENTRY) - delta)
        image.put64(cell + CELL_IMAGE_AT, image.u64(cell + CELL_IMAGE_AT) - delta)

    assert_refused(boot_patched(log_dir, build(log_dir), move_ticker), reason)

    # The same mistake in the description: bhcfg gives the same reason.
    text = (SYSTEMS / "three-cells.dts").read_text()
    text = text.replace("load-address = <0x0 0x60000000>;", "load-address = <0x0 0x8000000>;")
    text = text.replace("host-phys = <0x0 0x60000000>;",
                        "host-phys = <0x0 0x60000000>;\n\t\t\t\t\tguest-phys = <0x0 0x8000000>;")
    check = bhcfg_check(log_dir, text)
    assert check.returncode == 1 and reason in check.stderr, check.stderr


def test_cell_whose_only_ram_is_read_only_is_refused_at_boot(arm64_build, log_dir):
    reason = ('cell "hello": image load address 0x50000000 is not inside one of its own '
              "writable memory regions")

    def read_only(image):
        region = image.first_region(image.cell("hello"))
        image.put32(region + REGION_FLAGS, BH_MEM_READ | BH_MEM_EXEC)

    assert_refused(boot_patched(log_dir, build(log_dir), read_only), reason)

    text = (SYSTEMS / "three-cells.dts").read_text().replace(
        'flags = "read", "write", "exec";', 'flags = "read", "exec";', 1)
    check = bhcfg_check(log_dir, text)
    assert check.returncode == 1 and reason in check.stderr, check.stderr


def test_image_under_the_boot_info_page_is_refused_at_boot(arm64_build, log_dir):
    # The image moved up to end with its region: its last bytes are where the
    # hypervisor would write the native boot info (the region's last page).
    size = (systems.test_cell_dir() / "hello.bin").stat().st_size
    at = (0x51000000 - size) & ~7
    reason = (f'cell "hello": image at guest [{at:#x}, +{size:#x}) overlaps its native boot '
              "info page at guest [0x50fff000, +0x1000)")

    def move_image(image):
        cell = image.cell("hello")
        region = image.first_region(cell)
        assert image.u64(region + REGION_GUEST) + image.u64(region + REGION_SIZE) == 0x51000000
        image.put64(cell + CELL_ENTRY, at)
        image.put64(cell + CELL_IMAGE_AT, at)

    assert_refused(boot_patched(log_dir, build(log_dir), move_image), reason)

    # bhcfg build says the same of the same description.
    text = (SYSTEMS / "three-cells.dts").read_text().replace(
        "load-address = <0x0 0x50000000>;", f"load-address = <0x0 {at:#x}>;", 1)
    dts = log_dir / "moved.dts"
    dts.write_text(text)
    run = subprocess.run([str(systems.bhcfg_path()), "build", str(dts), "--platform",
                          str(systems.platform_dtb("qemu-arm64")), "-o", str(log_dir / "x.img"),
                          "--image-dir", str(systems.test_cell_dir())],
                         capture_output=True, text=True, timeout=30)
    assert run.returncode == 1 and reason in run.stderr, run.stderr
