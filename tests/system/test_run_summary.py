"""`bulkhead run`'s terminal output without an emulator (a real run takes minutes): the demo's
per-phase summary from the Linux cell's bhctl snapshots (tools/pylib/bulkhead_tools/
run_summary.py) and the console filter that keeps the bulk off the terminal (run_console.py).
The snapshots below are in bhctl's own formats (guests/linux/bhctl/format_*.c).
"""

import json

import pytest

from bulkhead_tools import run_summary
from bulkhead_tools.run_console import RunConsole

REASONS = ["hypercall", "psci", "stage2-fault", "gicd", "gicr", "sysreg", "irq", "wfx", "other"]


def stats_table(rows):
    """`bhctl stats`: rows of (cpu, cell, {reason: count})."""
    lines = ["cpu cell                    total" + "".join(f" {r:>10}" for r in REASONS)]
    for cpu, cell, counts in rows:
        lines.append(f"{cpu:<3} {cell:<16} {sum(counts.values()):12}" +
                     "".join(f" {counts.get(r, 0):10}" for r in REASONS))
    return lines


def latency_block(per_cpu):
    """`bhctl latency --histogram`: per_cpu = [(logical cpu, {bucket µs: count}, overflows,
    max_us, missed)]; zero buckets left out as the parser allows."""
    lines = ["# latmon: cell 1, running, 2 CPU(s), clock 62500000 Hz", "# Histogram"]
    for b in sorted({b for _, h, *_ in per_cpu for b in h}):
        lines.append(f"{b:06d} " + "\t".join(f"{h.get(b, 0):06d}" for _, h, *_ in per_cpu))
    lines.append("# Total:" + "".join(f" {sum(h.values()):09d}" for _, h, *_ in per_cpu))
    lines.append("# Min Latencies:" + " 00002" * len(per_cpu))
    lines.append("# Avg Latencies:" + " 00100" * len(per_cpu))
    lines.append("# Max Latencies:" + "".join(f" {m:05d}" for *_, m, _ in per_cpu))
    lines.append("# Histogram Overflows:" + "".join(f" {o:05d}" for _, _, o, *_ in per_cpu))
    for i, (cpu, h, o, m, _) in enumerate(per_cpu):
        lines.append(f"T:{i:2d} ({cpu:5d}) P:99 I:1000 C:{sum(h.values()) + o:7d} Min:      2 "
                     f"Act:    7 Avg:  100 Max:{m:8d}")
    missed = [x for *_, x in per_cpu]
    lines.append(f"missed periods: {sum(missed)} (" +
                 ", ".join(f"T:{i:2d} {x}" for i, x in enumerate(missed)) + ")")
    return lines


def snapshot(when, stats_rows, latency):
    return ([f"linux-cell: demo: bhctl {when} begin"] + stats_table(stats_rows) +
            latency_block(latency) + [f"linux-cell: demo: bhctl {when} end"])


LINUX = {"irq": 500, "sysreg": 80}
# Cumulative counters at the three snapshots: the realtime CPUs' boot hypercalls happen before
# the first one; cpu 3 is entered twice during stress (what the summary must count exactly).
START = snapshot("start", [(0, "linux", LINUX), (2, "rt", {"hypercall": 7, "psci": 1}),
                           (3, "rt", {"hypercall": 1})],
                 [(2, {3: 10, 50: 5}, 0, 60, 1), (3, {4: 15}, 0, 40, 0)])
IDLE = snapshot("idle", [(0, "linux", {"irq": 900, "sysreg": 90}),
                         (2, "rt", {"hypercall": 7, "psci": 1}), (3, "rt", {"hypercall": 1})],
                [(2, {3: 110, 50: 905}, 0, 60, 1), (3, {4: 1015}, 0, 40, 0)])
STRESS = snapshot("stress", [(0, "linux", {"irq": 9000, "sysreg": 900}),
                             (2, "rt", {"hypercall": 7, "psci": 1}),
                             (3, "rt", {"hypercall": 1, "gicd": 2})],
                  [(2, {3: 110, 50: 905, 700: 400}, 200, 49264, 300),
                   (3, {4: 1015, 100: 1000}, 0, 40, 5)])
OUTPUT = "\n".join(["linux-cell: scenario=demo duration=20s", "linux-cell: demo: phase 1",
                    *START, "[   21.0] a kernel line", *IDLE, *STRESS,
                    "BULKHEAD: PASS"]) + "\n"


def figures(output=OUTPUT):
    return {p.name: p for p in run_summary.phase_figures(output, [2, 3], seconds=20)}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])  # the serial log has CRLF line ends
def test_each_phase_counts_only_its_own_realtime_cpu_entries(newline):
    phases = figures(OUTPUT.replace("\n", newline))
    assert list(phases) == ["idle", "stress"]
    idle, stress = phases["idle"], phases["stress"]
    assert {cpu: e.total for cpu, e in idle.entries.items()} == {2: 0, 3: 0}
    assert {cpu: e.total for cpu, e in stress.entries.items()} == {2: 0, 3: 2}
    assert stress.entries[3].reasons == {"gicd": 2}
    assert 0 not in idle.entries, "Linux's CPUs are not realtime CPUs"


def test_each_phase_has_only_the_wake_ups_and_missed_periods_of_its_own_time():
    phases = figures()
    idle, stress = phases["idle"], phases["stress"]
    assert {k: h.samples for k, h in idle.latency.items()} == {"cpu 2": 1000, "cpu 3": 1000}
    assert idle.missed == 0 and idle.max_ns is None
    assert {k: h.samples for k, h in stress.latency.items()} == {"cpu 2": 600, "cpu 3": 1000}
    assert stress.latency["cpu 2"].overflows == 200
    assert stress.missed == 304
    # latmon's maximum grew during stress: the phase's maximum is exactly the new one.
    assert stress.max_ns == 49_264_000


def test_summary_labels_exact_figures_and_host_dependent_ones(tmp_path):
    phases = run_summary.phase_figures(OUTPUT, [2, 3], seconds=20)
    text = run_summary.format_summary(phases, None, "rt", [2, 3], "build/measure/report.json")
    lines = text.splitlines()
    assert len(lines) <= 20, "the summary must fit on a screen"
    idle = lines.index("  idle (Linux idle, 20 s):")
    assert [part.strip() for part in lines[idle + 1].split(":", 1)] == [
        "realtime-CPU hypervisor entries (exact)", "0  [cpu 2: 0, cpu 3: 0]"]
    assert "run `bulkhead measure`" in lines[idle + 2]
    assert "(emulator, host-dependent)" in lines[idle + 3] and "p50 4 µs, p99 50 µs, max 50 µs" in lines[idle + 3]
    assert lines[idle + 4].endswith("0 of 2,000 periods")
    stress = lines.index("  stress (Linux under CPU, memory and I/O stress, 20 s):")
    assert lines[stress + 1].endswith("2  [cpu 2: 0, cpu 3: 2 (gicd=2)]")
    assert "p99 ≥1,000 µs, max 49.3 ms (1,600 wake-ups)" in lines[stress + 3]
    assert "missed periods (emulator, host-dependent)" in lines[stress + 4]
    assert lines[stress + 4].endswith("304 of 1,904 periods")
    assert "it measures the host, not Bulkhead" in " ".join(text.split())


def test_summary_under_bochs_labels_latency_as_bochs_time():
    """`bulkhead run --platform bochs-x86`: latmon's clock is Bochs' emulated TSC, so its
    figures are deterministic, and the summary must not call them the host's."""
    text = run_summary.format_summary(run_summary.phase_figures(OUTPUT, [2, 3], seconds=5),
                                      None, "rt", [2, 3], "build/measure/report.json",
                                      "bochs-x86")
    assert "wall-clock latency (Bochs' time, deterministic):" in text
    assert "missed periods (Bochs' time, deterministic):" in text
    assert "host-dependent" not in text and "measures the host" not in text
    assert "one tick per instruction" in " ".join(text.split())
    assert "n/a: a QEMU -icount figure" in text


def test_summary_takes_the_wake_up_path_from_the_last_measurement(tmp_path):
    report = tmp_path / "report.json"
    series = [{"subject": subject, "instrument": "icount", "path": path,
               "median": {"p50_ns": p50}}
              for subject, path, p50 in (("realtime-cell", "thread", 1024),
                                         ("realtime-bare", "thread", 1024),
                                         ("realtime-cell", "handler", 144),
                                         ("realtime-bare", "handler", 144),
                                         ("preempt-rt", "thread", 4832))]
    report.write_text(json.dumps({"started": "2026-12-06T10:00:00", "system": "linux-rt.dts",
                                  "phases": [{"name": "idle", "series": series}]}))
    paths = run_summary.icount_paths(report)
    assert paths["thread"] == (1024, 1024) and paths["handler"] == (144, 144)
    text = run_summary.format_summary(run_summary.phase_figures(OUTPUT, [2, 3]), paths, "rt",
                                      [2, 3], str(report))
    assert ("timer → thread running 1,024, = bare; timer → interrupt handler 144, = bare "
            "instructions") in text
    assert "started 2026-12-06T10:00:00" in " ".join(text.split())
    assert run_summary.icount_paths(tmp_path / "missing.json") is None


def test_phase_histograms_go_to_files_in_cyclictest_form(tmp_path):
    files = run_summary.write_histograms(run_summary.phase_figures(OUTPUT, [2, 3]), tmp_path,
                                         "qemu-arm64")
    assert sorted(files) == ["idle", "stress"]
    text = files["stress"].read_text()
    assert "# Histogram Overflows: 00200 00000" in text
    assert "000700 000400\t000000" in text


def test_console_shows_linux_and_boot_progress_but_not_the_bulk():
    shown = []
    console = RunConsole(write=shown.append)
    serial = "\n".join(["Bulkhead hypervisor starting", "cpu 0: online, MPIDR 0x0, EL2",
                        "ram 0: [0x40000000, +0x40000000)", "hv: all 4 CPUs online"]) + "\n"
    console(serial.encode(), "main")
    # Linux's console arrives in pieces; a line shows once it is whole.
    console(OUTPUT[:30].encode(), "main")
    console(OUTPUT[30:].encode(), "main")
    side = "\n".join(['hv: cell 1 "rt": 2 CPU(s) from cpu 2', "[rt] rtcell: 2 CPUs online",
                      "[rt] T: 0 (    2) P:99 I:1000 C:  29637 Min:      2 Act:  139",
                      "[rt] latmon: cpu=0 logical=2 window_entries=0 stage2-fault=0",
                      "[rt] latmon: histogram thread-us begin", "[rt] 000001 000000 000002",
                      "[rt] latmon: histogram thread-us end",
                      "[rt] csection: kind=irq-off site=rt_sleep_until:87 max_ticks=10971308",
                      "[rt] rtcell: done, missed=4",
                      "hv: stats cpu 2 cell rt: total=1", 'hv: cell "rt" stopped (exit code 0)'])
    console(side.encode(), "side")
    console.flush()
    lines = "".join(shown).splitlines()
    assert lines == ["Bulkhead hypervisor starting", "hv: all 4 CPUs online",
                     "linux-cell: scenario=demo duration=20s", "linux-cell: demo: phase 1",
                     "[   21.0] a kernel line", "BULKHEAD: PASS",
                     'hv: cell 1 "rt": 2 CPU(s) from cpu 2', "[rt] rtcell: 2 CPUs online",
                     "[rt] rtcell: done, missed=4", 'hv: cell "rt" stopped (exit code 0)']
