"""Every generated system, and every one-defect mutation of it that bhcfg
accepts, still isolates (configuration issue). The oracles (tools/pylib/
bulkhead_tools/sysgen_check.py) are written from the invariants, independently
of the validator: one reads bhcfg's dump, the other the stage-2 tables the
hypervisor's builder makes from the config (tests/s2dump), walked on the host.
`./bulkhead fuzz --generated N` tries more seeds.
"""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools" / "pylib"))
from bulkhead_tools import sysgen_check  # noqa: E402

GENERATED_SEEDS = range(1, 16)
MUTATIONS_PER_SYSTEM = 8


def test_the_oracle_sees_a_device_on_the_interrupt_controller():
    dump = 'cell 0 "x": bulkhead, cpus 0 (boot)\n  device "gicd": mmio 0x8000000 +0x10000, irqs\n'
    assert sysgen_check.isolation_breaches(dump)


def test_the_oracle_sees_a_region_on_hypervisor_memory():
    dump = ("hypervisor memory: [0x40000000, +0x2000000)\ncell 0 \"x\": bulkhead, cpus 0 (boot)\n"
            "  region 0: guest 0x0 host 0x40001000 size 0x1000 read,write\n")
    assert sysgen_check.isolation_breaches(dump)


# A linux-rt-like dump: cell x (virtual) with RAM, a channel and the status page;
# cell y (realtime, CPU 2) with RAM and the same channel.
DUMP = """hypervisor memory: [0x40000000, +0x2000000)
loader area: [0x48000000, +0x8000000)
cell 0 "x": bulkhead, cpus 0 (boot)
  region 0: guest 0x50000000 host 0x50000000 size 0x200000 read,write,exec
  region 1: guest 0x75000000 host 0x0 size 0x1000 read,hv-status (the hypervisor status page)
  region 2: guest 0x74000000 host 0x74000000 size 0x1000 read,comm channel "c"
cell 1 "y": bulkhead, realtime, cpus 2 (boot)
  region 0: guest 0x70000000 host 0x70000000 size 0x100000 read,write,exec
  region 1: guest 0x74000000 host 0x74000000 size 0x1000 read,write,comm channel "c"
"""
WALKED = """status page: pa 0x41fff000 size 0x1000 (placeholder for the hypervisor's own page)
cell x: ipa 0x50000000 -> pa 0x50000000 size 0x200000 perms rwx normal
cell x: ipa 0x74000000 -> pa 0x74000000 size 0x1000 perms r-- normal
cell x: ipa 0x75000000 -> pa 0x41fff000 size 0x1000 perms r-- normal
cell y: ipa 0x80f0000 -> pa 0x80f0000 size 0x10000 perms rw- device
cell y: ipa 0x70000000 -> pa 0x70000000 size 0x100000 perms rwx normal
cell y: ipa 0x74000000 -> pa 0x74000000 size 0x1000 perms rw- normal
"""


def test_the_stage2_oracle_accepts_tables_that_match_the_description():
    assert sysgen_check.stage2_breaches(DUMP, WALKED) == []


@pytest.mark.parametrize("stray, expected", [
    # one page of y's RAM in x's tables, where x has none of its own
    ("cell x: ipa 0x60000000 -> pa 0x70010000 size 0x1000 perms rw- normal",
     "reaches cell y's memory"),
    # the hypervisor's memory (not the status page)
    ("cell y: ipa 0x71000000 -> pa 0x40200000 size 0x1000 perms r-- normal",
     "reaches the hypervisor memory"),
    # x's RAM mapped at a second guest address: its own memory, but not described
    ("cell x: ipa 0x60000000 -> pa 0x50000000 size 0x1000 perms rw- normal",
     "mapped, not described"),
    # another CPU's redistributor frame for the realtime cell
    ("cell y: ipa 0x80d0000 -> pa 0x80d0000 size 0x10000 perms rw- device",
     "reaches the GIC redistributors"),
])
def test_the_stage2_oracle_sees_a_stray_mapping(stray, expected):
    breaches = sysgen_check.stage2_breaches(DUMP, WALKED + stray + "\n")
    assert any(expected in b for b in breaches), breaches


def test_the_stage2_oracle_sees_a_missing_mapping_and_wrong_rights():
    walked = WALKED.replace("cell y: ipa 0x74000000 -> pa 0x74000000 size 0x1000 perms rw- normal\n", "")
    walked = walked.replace("0x75000000 -> pa 0x41fff000 size 0x1000 perms r-- normal",
                            "0x75000000 -> pa 0x41fff000 size 0x1000 perms rw- normal")
    breaches = sysgen_check.stage2_breaches(DUMP, walked)
    assert any("described, not mapped as such: cell y: ipa 0x74000000" in b for b in breaches)
    assert any("the status page must be read-only" in b for b in breaches)


def test_the_stage2_oracle_sees_a_truncated_output_address():
    # What a descriptor keeping too few output bits would do to x's RAM.
    walked = WALKED.replace("ipa 0x50000000 -> pa 0x50000000", "ipa 0x50000000 -> pa 0x10000000")
    breaches = sysgen_check.stage2_breaches(DUMP, walked)
    assert any("none of the cell's own host ranges" in b for b in breaches), breaches


@pytest.mark.parametrize("seed", GENERATED_SEEDS)
def test_every_accepted_mutation_still_isolates(tmp_path, bhcfg, qemu_platform, seed):
    mutation_seeds = range(seed * 1000, seed * 1000 + MUTATIONS_PER_SYSTEM)
    problems = sysgen_check.mutation_problems(seed, mutation_seeds, tmp_path, bhcfg,
                                              qemu_platform)
    assert not problems, "\n".join(problems)
