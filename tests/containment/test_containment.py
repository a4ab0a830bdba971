"""The attack catalogue (docs/containment.md): one boot of
tests/containment/systems/containment.dts in which the hostile cell runs
every case, a seeded hypercall fuzzing run and a hypercall flood, beside a
realtime cell and a plain one. Every case must be contained: the attacker
got the documented answer, the realtime CPU took no hypervisor entry while
it ran, the hypervisor answered after it, and the victims' end of run is
what it is without an attacker.
"""

import pathlib
import sys

import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "tools" / "pylib"))

from bulkhead_tools import containment, paths  # noqa: E402

# The suite's fuzzing run: seeded, so every run makes the same calls.
FUZZ_SEED = 20261206
FUZZ_CALLS = 100_000


@pytest.fixture(scope="module")
def run():
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail("build/arm64 is not built")
    result = containment.boot(paths.build_root() / "test-logs" / "containment", FUZZ_SEED,
                              FUZZ_CALLS)
    assert not result.timed_out, result.describe()
    rows, fuzz, checks = containment.judge(result.output)
    return {r.id: r for r in rows}, fuzz, checks


@pytest.fixture(scope="module")
def direct_run():
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail("build/arm64 is not built")
    result = containment.boot_direct(paths.build_root() / "test-logs" / "containment-direct")
    assert not result.timed_out, result.describe()
    rows, checks = containment.judge_direct(result.output)
    return {r.id: r for r in rows}, checks


def test_the_catalogue_has_at_least_40_cases_each_naming_its_invariant():
    every = containment.CASES + containment.DIRECT_CASES
    ids = [c.id for c in every]
    assert len(ids) >= 40 and len(set(ids)) == len(ids)
    for c in every:
        assert c.invariant in {f"I{n}" for n in range(1, 8)}, c.id
    assert {c.cls for c in containment.CASES} == {"memory", "gic", "cpu", "sysreg", "hypercall",
                                                   "flood"}


@pytest.mark.parametrize("case_id", [c.id for c in containment.CASES])
def test_case_is_contained(run, case_id):
    rows, _, _ = run
    row = rows[case_id]
    assert row.verdict == "contained", f"{row.attacker} / {row.victims}"


@pytest.mark.parametrize("case_id", [c.id for c in containment.DIRECT_CASES])
def test_direct_attacker_case_is_contained(direct_run, case_id):
    rows, _ = direct_run
    row = rows[case_id]
    assert row.verdict == "contained", f"{row.attacker} / {row.victims}"


def test_direct_attackers_victims_and_hypervisor_are_intact_at_the_end(direct_run):
    rows, checks = direct_run
    assert sorted(rows) == sorted(c.id for c in containment.DIRECT_CASES)
    failed = [f"{name} ({detail})" for name, ok, detail in checks if not ok]
    assert not failed


def test_a_storm_beyond_its_bound_is_reported_as_a_breach():
    """The direct storms' numbers, not just their wording, decide the verdict."""
    storm = ("[hostile] hostile: case direct_sgi15_storm_at_virtual_cpu: 10000 SGI 15 writes; "
             "victim cpu 2: +{} entries over 40 of its timer periods [rt_entries=0]\n")

    def verdict(entries):
        rows, _ = containment.judge_direct(storm.format(entries))
        return {r.id: r for r in rows}["direct_sgi15_storm_at_virtual_cpu"].attacker

    assert "documented" not in verdict(40)
    assert "documented" in verdict(41)


def test_no_case_ran_that_the_host_does_not_know(run):
    rows, _, _ = run
    assert sorted(rows) == sorted(c.id for c in containment.CASES)


def test_victims_and_hypervisor_are_intact_at_the_end(run):
    _, _, checks = run
    failed = [f"{name} ({detail})" for name, ok, detail in checks if not ok]
    assert not failed


def test_seeded_hypercall_fuzzing_from_a_cell_is_contained(run):
    _, fuzz, _ = run
    assert fuzz is not None, "no fuzz summary"
    assert fuzz["seed"] == FUZZ_SEED and fuzz["calls"] == FUZZ_CALLS
    assert sum(fuzz["results"].values()) + fuzz["faults"] == FUZZ_CALLS
    assert fuzz["faults"] == 0 and fuzz["results"]["unexpected"] == 0, fuzz["first_bad"]
    assert fuzz["rt_entries"] == 0
    # The calls reached the handlers, not only the unknown-number path.
    for answer in ("ok", "-1", "-2", "-7", "-14", "-38"):
        assert fuzz["results"][answer] > 0, answer


# A run's end as it is when every victim check holds (the format of the real lines).
VICTIMS_INTACT = """\
[hello] hello: done, exit 0
[ticker] ticker: interrupts=100000 window_entries=0 cpu=0 mpidr=0x3 logical=3 \
max_late_ticks=1 sgi15=0 doorbells=0 spurious=0 unexpected=0
[hostile] hostile: hypercall flood until the other cells stopped: 5000 calls
hv: cell "hostile" stopped (exit code 0)
BULKHEAD: PASS
"""


def verdict_of(case_line, end=VICTIMS_INTACT):
    rows, _, _ = containment.judge(case_line + end)
    return {r.id: r.verdict for r in rows}["mem_foreign_ram_read"]


def test_a_successful_attack_is_reported_as_a_breach():
    """The judge itself: an attack that worked must never read as contained."""
    good = ("[hostile] hostile: case mem_foreign_ram_read: fault (data abort, ESR 0x96000010, "
            "FAR 0x60000000) [rt_entries=0]\n")
    assert verdict_of(good) == "contained"
    assert verdict_of(good.replace("fault (data abort, ESR 0x96000010, FAR 0x60000000)",
                                   "read 0x1234, no fault")) == "BREACH"
    assert verdict_of(good.replace("rt_entries=0", "rt_entries=3")) == "BREACH"
    assert verdict_of(good.replace("rt_entries=0", "rt_entries=unknown")) == "BREACH"
    assert verdict_of(good, VICTIMS_INTACT.replace("window_entries=0", "window_entries=1")) \
        == "BREACH"
    assert verdict_of(good, VICTIMS_INTACT.replace("sgi15=0", "sgi15=7")) == "BREACH"
    assert verdict_of(good, VICTIMS_INTACT.replace("BULKHEAD: PASS", "BULKHEAD: FAIL")) \
        == "BREACH"
    assert verdict_of(good, VICTIMS_INTACT.replace(
        "[hello]", "[hostile] toctou: x\x1bx\n[hello]", 1)) == "BREACH"
    assert verdict_of("") == "NOT RUN"
