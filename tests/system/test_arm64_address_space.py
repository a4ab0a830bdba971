"""The hypervisor's own gate on addresses beyond what its page tables hold.

bhcfg refuses these descriptions, so each test builds a valid image and then
edits the binary config inside it, resealing every CRC, as someone bypassing
bhcfg would. Before the address-space rules, a host address of
2^48 + X passed the boot-time validator and stage 2 kept bits 47:12 of it,
mapping X (docs/design.md, I2).
"""

import re
import struct
import zlib

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
RUN_TIMEOUT_S = 60

# bulkhead/sysimage.h and bulkhead/config.h offsets.
SI_ITEM_COUNT, SI_TABLE_OFFSET, SI_ITEM_SIZE, SI_CRC = 16, 20, 24, 12
ITEM_KIND, ITEM_OFFSET, ITEM_SIZE, ITEM_CRC = 0, 40, 44, 48
ITEM_CONFIG = 1
CFG_CRC, CFG_REGIONS = 12, 128
REGION_HOST_PHYS = 8


def u32(data, at):
    return struct.unpack_from("<I", data, at)[0]


def set_region_host(image_path, region, host_phys):
    """Rewrites one region's host_phys in the image's config and reseals it."""
    data = bytearray(image_path.read_bytes())
    table, count, item_size = (u32(data, SI_TABLE_OFFSET), u32(data, SI_ITEM_COUNT),
                               u32(data, SI_ITEM_SIZE))
    for k in range(count):
        item = table + k * item_size
        if u32(data, item + ITEM_KIND) == ITEM_CONFIG:
            break
    else:
        raise AssertionError("no CONFIG item")
    cfg, cfg_size = u32(data, item + ITEM_OFFSET), u32(data, item + ITEM_SIZE)
    regions, region_size = (cfg + u32(data, cfg + CFG_REGIONS + 4),
                            u32(data, cfg + CFG_REGIONS + 8))
    struct.pack_into("<Q", data, regions + region * region_size + REGION_HOST_PHYS, host_phys)
    struct.pack_into("<I", data, cfg + CFG_CRC, 0)
    struct.pack_into("<I", data, cfg + CFG_CRC, zlib.crc32(data[cfg:cfg + cfg_size]))
    struct.pack_into("<I", data, item + ITEM_CRC, zlib.crc32(data[cfg:cfg + cfg_size]))
    struct.pack_into("<I", data, SI_CRC, 0)
    head_end = table + count * item_size
    struct.pack_into("<I", data, SI_CRC, zlib.crc32(data[:head_end]))
    image_path.write_bytes(data)


def boot_three_cells_with_region0_at(host_phys, log_dir):
    image = systems.build_system_image(SYSTEMS / "three-cells.dts", log_dir / "three-cells.img",
                                       image_dirs=[systems.test_cell_dir()])
    set_region_host(image, 0, host_phys)
    return run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=RUN_TIMEOUT_S,
                     initrd=image)


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
