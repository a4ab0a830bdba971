"""`bulkhead measure` (tools/pylib/bulkhead_tools/measure/): a shortened run over every phase of
tests/system/systems/linux-ticker.dts (the ticker test cell stands in for latmon) plus the
PREEMPT_RT baseline, its outputs, zero entries on the realtime CPU in every phase, and the icount
path length repeating exactly. The parser tests need no emulator.
"""

import json
import re

import pytest

from bulkhead_tools import paths
from bulkhead_tools.measure import model, parse, platforms, report, runner, sysdesc

SYSTEM = paths.REPO / "tests" / "system" / "systems" / "linux-ticker.dts"
# Short enough for the whole module to stay near two minutes of emulation.
SETTINGS = runner.Settings(quick=True, duration_s=5, loops=500, wall_runs=1, icount_loops=300,
                           icount_runs=2, cross_check="idle")


@pytest.fixture(scope="module")
def measured():
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail(f"{paths.build_dir('arm64')} is not built: run ./bulkhead build --arch arm64")
    # The logs of every boot stay beside the other tests' (the report's logs/ folder).
    out = paths.build_root() / "test-logs" / "test_measure"
    result = runner.measure(SYSTEM, platforms.get("qemu-arm64"), SETTINGS, out,
                            echo=lambda *a, **k: None)
    return result, report.write(result, out), out


def test_measure_writes_report_json_histograms_and_plot_for_every_phase(measured):
    result, files, out = measured
    md = files["report"].read_text()
    for phase in runner.PHASES:
        assert re.search(rf"^\| {phase} \|", md, re.M), f"phase {phase} missing from the summary"
    assert "Platform: **qemu-arm64**" in md and "indicative" in md
    assert "pending latmon" in md, "the realtime cell's latency must say pending, not invent"
    data = json.loads(files["json"].read_text())
    assert data["format"] == "bulkhead-measure/1"
    assert [p["name"] for p in data["phases"]] == list(runner.PHASES)
    rt = [s for p in data["phases"] for s in p["series"] if s["subject"] == model.PREEMPT_RT]
    assert {(s["instrument"], s["phase"]) for s in rt} == {
        ("wall-clock", "idle"), ("wall-clock", "stress"), ("icount", "idle")}
    for s in rt:
        assert s["median"]["samples"] == len(s["runs"]) * (
            SETTINGS.icount_loops if s["instrument"] == "icount" else SETTINGS.loops)
    hist = (out / "histogram-preempt-rt-wall-clock-stress.txt").read_text()
    assert parse.cyclictest_histograms(hist, runner.WALL_BUCKETS)["T:0"].samples == SETTINGS.loops
    svg = files["plot"].read_text()
    assert svg.startswith("<svg") and svg.count("<polyline") == 3


def test_realtime_cpu_sees_no_hypervisor_entry_in_any_phase(measured):
    result, _, _ = measured
    for phase in result.phases:
        assert phase.realtime_entries, f"{phase.name}: no statistics for the realtime CPU"
        for e in phase.realtime_entries:
            assert e.cell == "ticker" and e.cpu == 3
            assert e.window == 0, f"{phase.name}: entries inside the ticker's window"
            assert e.involuntary == 0, f"{phase.name}: {e.reasons}"
            if phase.name == SETTINGS.cross_check:
                assert e.qemu_el2 == e.total, "QEMU's -d int count differs from the hypervisor's"
        if phase.name in ("stress", "attack"):
            assert sum(e.total for e in phase.other_entries) > 5000, "the load did not happen"


def test_preempt_rt_icount_path_length_repeats_exactly(measured):
    result, _, _ = measured
    idle = next(p for p in result.phases if p.name == "idle")
    series = idle.series_for(model.PREEMPT_RT, model.ICOUNT)
    assert len(series.runs) == 2 and series.identical_runs()
    stats = series.runs[0].stats()
    # Timer to cyclictest in user space on PREEMPT_RT: thousands of instructions, whole ticks.
    assert 2000 < stats.p50_ns < 50000 and stats.p50_ns % 16 == 0


CYCLICTEST_OUT = """\
WARN: distance is ignored and set to 0, if histogram enabled
# /dev/cpu_dma_latency set to 0us
# Histogram
000003 000001\t000000
000005 000002\t000003
[   12.345678] a kernel message in the middle
000009 000000\t000001
# Total: 000000003 000000004
# Min Latencies: 00003 00005
# Avg Latencies: 00004 00006
# Max Latencies: 00005 00012
# Histogram Overflows: 00000 00001
# Histogram Overflow at cycle number:
# Thread 0:
# Thread 1: 00007
"""


def test_cyclictest_histogram_parses_into_per_thread_figures():
    threads = parse.cyclictest_histograms(CYCLICTEST_OUT, 10)
    t0, t1 = threads["T:0"], threads["T:1"]
    assert t0.counts == {3: 1, 5: 2} and t0.samples == 3 and t0.max_ns == 5000
    s = t1.stats()
    assert s.samples == 5 and s.min_ns == 5000 and s.p50_ns == 5000
    assert s.max_ns == 12000 and s.p99_ns is None, "the top percentile is an overflow"
    both = t0.add(t1)
    assert both.samples == 8 and both.min_ns == 3000


def test_latmon_channel_difference_counts_only_new_samples():
    before = model.Histogram(1000, 1000, {3: 5, 4: 1})
    after = model.Histogram(1000, 1000, {3: 7, 4: 1, 9: 2}, overflows=1)
    delta = after.minus(before)
    assert delta.counts == {3: 2, 9: 2} and delta.overflows == 1


def test_hv_stats_and_window_lines_parse():
    text = ("hv: stats cpu 0 cell linux: total=2993 psci=8 gicd=331 irq=2654\n"
            "hv: stats cpu 3 cell ticker: total=8 hypercall=8\n"
            "[ticker] ticker: interrupts=100000 window_entries=0 cpu=0 mpidr=0x3 logical=3 x\n"
            "[rt] latmon: cpu=1 logical=2 window_entries=4 hypercall=0 irq=4\n")
    stats = parse.hv_stats(text)
    assert stats[0].reasons == {"psci": 8, "gicd": 331, "irq": 2654}
    assert stats[3].involuntary == 0 and stats[0].involuntary == 2985
    assert parse.window_entries(text) == {3: ("ticker", 0), 2: ("rt", 4)}


def test_realtime_only_system_keeps_the_realtime_cells_alone():
    text = (paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts").read_text()
    alone = sysdesc.realtime_only(text)
    cells = sysdesc.cells(alone)
    assert list(cells) == ["rt"] and cells["rt"]["cpus"] == [2, 3]
    assert "channels" not in alone and "bootargs" not in alone
    assert sysdesc.realtime_cpus(text) == [2, 3]
