"""The hypervisor's own gate on addresses beyond what its page tables hold.

bhcfg refuses these descriptions, so each test builds a valid image and then
edits the binary config inside it, resealing every CRC, as someone bypassing
bhcfg would. Before the address-space rules, a host address of
2^48 + X passed the boot-time validator and stage 2 kept bits 47:12 of it,
mapping X (docs/design.md, I2).
"""

import re

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64
from sysimage_patch import REGION_HOST, patch_image

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
RUN_TIMEOUT_S = 60


def boot_three_cells_with_region0_at(host_phys, log_dir):
    image = systems.build_system_image(SYSTEMS / "three-cells.dts", log_dir / "three-cells.img",
                                       image_dirs=[systems.test_cell_dir()])
    bad = patch_image(image, lambda si: si.put64(si.region(0) + REGION_HOST, host_phys),
                      log_dir / "patched.img")
    return run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=RUN_TIMEOUT_S,
                     initrd=bad)


def assert_no_cell_started(result):
    assert not result.timed_out
    assert result.returncode == 1, result.output
    assert not re.search(r"^\[\S+\] ", result.output, re.M), "a cell printed: it was started"
    assert "BULKHEAD: FAIL" in result.output


def test_host_address_beyond_48_bits_is_refused_by_the_boot_validator(arm64_build, log_dir):
    # 2^48 + the cell's own 0x50000000: truncated, the cell would simply run.
    result = boot_three_cells_with_region0_at((1 << 48) | 0x50000000, log_dir)
    assert_no_cell_started(result)
    assert ("refusing to start any cell: system image rejected: cell \"hello\": region 0 host "
            "[0x1000050000000, +0x") in result.output, result.output
    assert "lies beyond the 48-bit physical address space" in result.output


def test_host_address_beyond_the_cpus_pa_range_is_refused_by_stage2(arm64_build, log_dir):
    # Within the validator's 48 bits, beyond the cortex-a72's 44-bit PARange:
    # the stage-2 builder refuses it before any cell runs.
    result = boot_three_cells_with_region0_at((1 << 44) | 0x50000000, log_dir)
    assert_no_cell_started(result)
    assert re.search(r'refusing to start: cell "hello": mapping region \[0x50000000, \+0x[0-9a-f]+\)'
                     r": out of range", result.output), result.output
