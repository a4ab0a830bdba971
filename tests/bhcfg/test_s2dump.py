"""tests/s2dump: the example systems' stage-2 tables, built on the host by the
hypervisor's own stage2.c/pgtable.c from bhcfg's binary config and walked
descriptor by descriptor, are exactly what the descriptions say (docs/design.md,
I2), and a config the hypervisor would refuse at boot is refused."""

import struct
import subprocess
import zlib

import pytest

from bhcfg_support import CONFIG

from bulkhead_tools import sysgen_check  # noqa: E402 (bhcfg_support makes it importable)

EXAMPLES = ("linux-rt", "rt-only", "two-rt")
# bulkhead/config.h: the regions table's offset field, a region's host_phys, the CRC.
REGIONS_OFFSET_AT, REGION_HOST_AT, CRC_AT = 132, 8, 12


@pytest.fixture(scope="session")
def s2dump():
    path = sysgen_check.s2dump_path()
    if not path.exists():
        pytest.fail(f"{path} is not built: run ./bulkhead build --arch arm64")
    return path


def config_of(bhcfg, platform, name, tmp_path):
    out = tmp_path / f"{name}.bin"
    subprocess.run([str(bhcfg), "check", str(CONFIG / "qemu-arm64" / f"{name}.dts"),
                    "--platform", str(platform), "--config-out", str(out)],
                   check=True, capture_output=True, timeout=30)
    return out


def walk(s2dump, config, *args):
    return subprocess.run([str(s2dump), str(config), *(args or sysgen_check.S2_ARGS)],
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("name", EXAMPLES)
def test_example_tables_match_the_description(tmp_path, bhcfg, qemu_platform, s2dump, name):
    config = config_of(bhcfg, qemu_platform, name, tmp_path)
    assert sysgen_check.config_problems(config, bhcfg, s2dump) == []


def test_linux_rt_tables_are_these(tmp_path, bhcfg, qemu_platform, s2dump):
    result = walk(s2dump, config_of(bhcfg, qemu_platform, "linux-rt", tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for expected in (
            "cell linux: ipa 0x50000000 -> pa 0x50000000 size 0x20000000 perms rwx normal",
            "cell linux: ipa 0x9000000 -> pa 0x9000000 size 0x1000 perms rw- device",
            # the channel: read-only for Linux, read-write for rt
            "cell linux: ipa 0x74000000 -> pa 0x74000000 size 0x100000 perms r-- normal",
            "cell rt: ipa 0x74000000 -> pa 0x74000000 size 0x100000 perms rw- normal",
            # rt's CPUs 2 and 3: their redistributors' SGI frames, nobody else's
            "cell rt: ipa 0x80f0000 -> pa 0x80f0000 size 0x10000 perms rw- device",
            "cell rt: ipa 0x8110000 -> pa 0x8110000 size 0x10000 perms rw- device"):
        assert expected in lines
    status = next(line for line in lines if line.startswith("status page: "))
    status_pa = status.split()[3]
    assert (f"cell linux: ipa 0x75000000 -> pa {status_pa} size 0x1000 perms r-- normal"
            in lines)
    # Linux's RAM, UART, channel and status page; rt's RAM, channel and two SGI frames.
    assert len([line for line in lines if "-> pa" in line]) == 8


def test_a_config_the_validator_refuses_is_not_built(tmp_path, bhcfg, qemu_platform, s2dump):
    config = config_of(bhcfg, qemu_platform, "linux-rt", tmp_path)
    blob = bytearray(config.read_bytes())
    blob[200] ^= 1  # the CRC no longer matches
    config.write_bytes(blob)
    result = walk(s2dump, config)
    assert result.returncode == 1 and result.stdout.startswith("refused: ")


def test_a_host_range_beyond_the_cpus_parange_is_refused_not_truncated(
        tmp_path, bhcfg, qemu_platform, s2dump):
    """2^44 + 0x50000000 passes the validator (below 2^48); a 44-bit stage 2
    must refuse it, and a 48-bit one must map it there, not at 0x50000000."""
    config = config_of(bhcfg, qemu_platform, "linux-rt", tmp_path)
    blob = bytearray(config.read_bytes())
    region0 = struct.unpack_from("<I", blob, REGIONS_OFFSET_AT)[0]
    struct.pack_into("<Q", blob, region0 + REGION_HOST_AT, (1 << 44) + 0x50000000)
    struct.pack_into("<I", blob, CRC_AT, 0)
    struct.pack_into("<I", blob, CRC_AT, zlib.crc32(blob))
    config.write_bytes(blob)
    refused = walk(s2dump, config)
    assert refused.returncode == 1, refused.stdout
    assert 'refused: cell "linux": mapping region [0x50000000, +0x20000000)' in refused.stdout
    wide = walk(s2dump, config, "--pa-bits", "48")
    assert wide.returncode == 0, wide.stdout + wide.stderr
    assert ("cell linux: ipa 0x50000000 -> pa 0x100050000000 size 0x20000000 perms rwx normal"
            in wide.stdout.splitlines())
    dump = subprocess.run([str(bhcfg), "dump", str(config)], capture_output=True, text=True,
                          timeout=30).stdout
    assert any("beyond the 44-bit stage-2 output" in b
               for b in sysgen_check.stage2_breaches(dump, wide.stdout))
