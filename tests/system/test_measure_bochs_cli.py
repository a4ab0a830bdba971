"""`./bulkhead measure --platform bochs-x86 --quick` as a user runs it (the command line, its
progress display, the report): ten Bochs boots, about two minutes. The exit-free phases show zero
entries in latmon's window and identical latency alone, beside an idle and beside a busy
neighbour; the positive control shows its interference; the realtime kernel's paths stay within
the goals of docs/measuring.md (timer -> handler <= 100, timer -> thread <= 600 Bochs ticks, one
instruction each), figures of Bochs' time, which the host cannot move."""

import json
import subprocess

import pytest

from bulkhead_tools import paths

TICK_NS = 20


@pytest.fixture(scope="module")
def report():
    out = paths.build_root() / "test-logs" / "test_measure_bochs_cli"
    run = subprocess.run([str(paths.REPO / "bulkhead"), "measure", "--platform", "bochs-x86",
                          "--quick", "--output", str(out)], capture_output=True, text=True,
                         timeout=1200)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert "measure: done in " in run.stdout
    return json.loads((out / "report.json").read_text())


def medians(report, phase, subject, path):
    p = next(p for p in report["phases"] if p["name"] == phase)
    return next(s for s in p["series"] if s["subject"] == subject and s["path"] == path)["median"]


def test_exit_free_phases_have_no_entry_in_the_window_and_the_control_has_one_per_period(report):
    for p in report["phases"]:
        windows = [e["window"] for e in p["realtime_entries"]]
        assert windows, p["name"]
        if p["name"] == "control":
            assert all(w == 1000 for w in windows), windows
        else:
            assert windows == [0] * len(windows), (p["name"], windows)
        assert all(e["total"] == e["bochs_exits"] for e in p["realtime_entries"]), p["name"]


def test_latency_is_the_same_alone_idle_and_busy_and_the_control_is_later(report):
    for path in ("thread", "handler"):
        alone = medians(report, "alone", "realtime-cell", path)
        for phase in ("idle", "stress"):
            m = medians(report, phase, "realtime-cell", path)
            assert (m["min_ns"], m["p50_ns"], m["p99_ns"]) == \
                (alone["min_ns"], alone["p50_ns"], alone["p99_ns"]), (phase, path)
            assert m["missed_periods"] == 0
        control = medians(report, "control", "realtime-cell", path)
        assert control["p50_ns"] > alone["p50_ns"] + 5 * TICK_NS, path


def test_realtime_paths_meet_their_goals_in_the_cell_and_bare(report):
    for subject in ("realtime-cell", "realtime-bare"):
        handler = medians(report, "alone", subject, "handler")["p50_ns"] // TICK_NS
        thread = medians(report, "alone", subject, "thread")["p50_ns"] // TICK_NS
        assert 0 < handler <= 100 and handler < thread <= 600, (subject, handler, thread)
