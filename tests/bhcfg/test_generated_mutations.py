"""Every one-defect mutation of a generated system that bhcfg accepts still
isolates (configuration issue). The oracle (tools/pylib/bulkhead_tools/
sysgen_check.py) is written from the invariants, independently of the
validator; `./bulkhead fuzz --generated N` tries more seeds.
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


@pytest.mark.parametrize("seed", GENERATED_SEEDS)
def test_every_accepted_mutation_still_isolates(tmp_path, bhcfg, qemu_platform, seed):
    mutation_seeds = range(seed * 1000, seed * 1000 + MUTATIONS_PER_SYSTEM)
    problems = sysgen_check.mutation_problems(seed, mutation_seeds, tmp_path, bhcfg,
                                              qemu_platform)
    assert not problems, "\n".join(problems)
