"""Containment: a hostile cell attacks memory, the GIC, other CPUs, PSCI and
the hypercall interface while two victim cells run beside it. Every attempt
must be answered inside the attacker (a fault or an error) or ignored, the
hypervisor must stay up, and the victims must see exactly what they see
when no attacker runs (tests/system/systems/victims.dts).
"""

import re

import pytest

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64
from bulkhead_tools.sysgen_check import hostile_attempts

SYSTEMS = paths.REPO / "tests" / "system" / "systems"

DATA_ABORT_READ = r"fault \(data abort, ESR 0x96000010, FAR 0x{addr}\)"
DATA_ABORT_WRITE = r"fault \(data abort, ESR 0x96000050, FAR 0x{addr}\)"

# attempt -> regular expression its result must match
EXPECTED = {
    "read hello memory 0x50000000": DATA_ABORT_READ.format(addr="50000000"),
    "write hello memory 0x50000000": DATA_ABORT_WRITE.format(addr="50000000"),
    "read ticker memory 0x60000000": DATA_ABORT_READ.format(addr="60000000"),
    "write ticker memory 0x60000000": DATA_ABORT_WRITE.format(addr="60000000"),
    "read hypervisor memory 0x40200000": DATA_ABORT_READ.format(addr="40200000"),
    "write hypervisor memory 0x40200000": DATA_ABORT_WRITE.format(addr="40200000"),
    "gicd isenabler enable foreign spi 33": r"write ignored \(read back 0x0\)",
    "gicd ipriorityr foreign spi 33": r"write ignored \(read back 0x0\)",
    "gicd irouter foreign spi 33": r"write ignored \(before 0x0, wrote 0x\w+, read back 0x0\)",
    "gicd irouter own spi 79 aff3 set":
        r"write ignored \(before 0x0, wrote 0x100000000, read back 0x0\)",
    "gicd irouter own spi 79 irm (1 of n)":
        r"write ignored \(before 0x0, wrote 0x80000000, read back 0x0\)",
    "gicd irouter own spi 79 reserved bit 40":
        r"write ignored \(before 0x0, wrote 0x10000000000, read back 0x0\)",
    "gicd irouter own spi 79 own cpu 1 (control)":
        r"write took effect \(before 0x0, wrote 0x1, read back 0x1\)",
    "asgi1r sgi 15 broadcast to all but self": r"executed, no fault",
    "sgi0r sgi 15 broadcast to all but self": r"executed, no fault",
    "gicd ctlr disable distributor": r"write ignored \(before (0x\w+), read back \1\)",
    "psci cpu_on foreign mpidr 0x2": r"returned -3",
    "psci affinity_info foreign mpidr 0x2": r"returned -2",
    "psci cpu_on nonexistent mpidr 0xff00ffffff": r"returned -2",
    "psci cpu_on own running boot cpu": r"returned -4",
    "psci cpu_on own cpu 1 mpidr 0x1 (control)": r"returned 0, it ran",
    "psci cpu_on own cpu 1 entry 0x40200000 (hypervisor)":
        r"returned 0, cpu 1 faulted in this cell \(instruction abort\)",
    "console write ipa 0": r"returned -14 \(bad address\)",
    "console write foreign ipa 0x60000000": r"returned -14 \(bad address\)",
    "console write hypervisor ipa 0x40200000": r"returned -14 \(bad address\)",
    "console write len 0x10000000": r"returned -7 \(too large\)",
    "console write len 257 (max + 1)": r"returned -7 \(too large\)",
    "console write crossing own region end 0x71000000": r"returned -14 \(bad address\)",
    "console write ipa wraps 0xfffffffffffffff0 len 32": r"returned -14 \(bad address\)",
    "cpu stats cpu 1000": r"returned -2 \(no such object\)",
    "cpu stats cpu 0x100000000": r"returned -2 \(no such object\)",
    "cpu stats buffer in foreign memory 0x60000000": r"returned -14 \(bad address\)",
    "cpu stats buffer in hypervisor memory 0x40200000": r"returned -14 \(bad address\)",
    "cpu stats size 8 (too small)": r"returned -22 \(invalid argument\)",
    "cell info buffer in foreign memory 0x60000000": r"returned -14 \(bad address\)",
    "cell info unknown cell 1000": r"returned -2 \(no such object\)",
    "doorbell unknown channel 99": r"returned -2 \(no such object\)",
    "unknown hypercall 0xc6000100": r"returned -38 \(not implemented\)",
    "unknown smc 0xc2000000 (sip service)": r"returned -1",
    "gicr propbaser write own rd 0x80a0070": r"write ignored \(before 0x0, .*read back 0x0\)",
    "gicr pendbaser write own rd 0x80a0078": r"write ignored \(before 0x0, .*read back 0x0\)",
    "read foreign redistributor isenabler0 0x80f0100": DATA_ABORT_READ.format(addr="80f0100"),
    "foreign redistributor icenabler0 timer 0x80f0180": DATA_ABORT_WRITE.format(addr="80f0180"),
}


def run_system(name, log_dir):
    image = systems.build_system_image(SYSTEMS / f"{name}.dts", log_dir / f"{name}.img",
                                       image_dirs=[systems.test_cell_dir()])
    result = run_arm64(paths.arm64_hv_image(), log_dir / f"{name}.log", timeout_s=90,
                       initrd=image)
    assert not result.timed_out, result.describe()
    return result


def victim_view(output):
    """What the victims printed and what the hypervisor counted on their CPUs."""
    # Cell ids shift by one without the attacker (cell 0); nothing else may differ.
    hello = [re.sub(r"cell: id \d+ ", "cell: id N ", l) for l in output.splitlines()
             if l.startswith("[hello] ")]
    ticker = [re.sub(r"max_late_ticks=\d+ ", "", l) for l in output.splitlines()
              if l.startswith("[ticker] ")]
    stats = re.findall(r"^hv: stats cpu [23] cell \S+: .*$", output, re.M)
    return hello, ticker, stats


@pytest.fixture(scope="module")
def runs():
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail("build/arm64 is not built")
    log_dir = paths.build_root() / "test-logs" / "hostile"
    log_dir.mkdir(parents=True, exist_ok=True)
    return run_system("hostile", log_dir), run_system("victims", log_dir)


def test_every_hostile_attempt_is_contained(runs):
    hostile, _ = runs
    found = hostile_attempts(hostile.output)
    for attempt, pattern in EXPECTED.items():
        assert attempt in found, f"attempt missing: {attempt}"
        assert re.fullmatch(pattern, found[attempt]), f"{attempt}: {found[attempt]}"
    assert "[hostile] hostile: done" in hostile.output


def test_hypervisor_survives_the_attacks_and_powers_off_normally(runs):
    hostile, _ = runs
    assert hostile.returncode == 0, hostile.describe()
    assert 'hv: cell "hostile" stopped (exit code 0)' in hostile.output
    assert hostile.output.rstrip().endswith("BULKHEAD: PASS")
    assert "unexpected exception" not in hostile.output


def test_victims_see_exactly_what_they_see_without_the_attacker(runs):
    hostile, alone = runs
    assert victim_view(hostile.output) == victim_view(alone.output)
    ticker = "\n".join(victim_view(hostile.output)[1])
    assert "interrupts=10000 window_entries=0" in ticker
    assert "sgi15=0" in ticker, "a foreign SGI reached the direct cell"


def test_attacker_was_busy_for_the_victims_whole_run(runs):
    hostile, _ = runs
    m = re.search(r"hostile: hypercall flood until the other cells stopped: (\d+) calls",
                  hostile.output)
    assert m and int(m.group(1)) > 1000, "the attacker was not busy during the victims' run"
    order = hostile.output.index
    assert order('[ticker] ticker: done') < order('hypercall flood until the other cells stopped')
