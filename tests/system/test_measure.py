"""`bulkhead measure` (tools/pylib/bulkhead_tools/measure/): a shortened run of every phase of the
default system (Linux + the realtime cell running latmon), the bare realtime kernel and the
PREEMPT_RT baselines; its outputs hold real figures for every realtime row, zero hypervisor entries
on the realtime CPUs in every phase, icount path lengths that repeat between runs and are the same
in the cell as bare, and the realtime kernel's longest critical sections (interrupt entry and the
console included). The parser tests need no emulator.
"""

import json
import re

import pytest

from bulkhead_tools import paths
from bulkhead_tools.measure import model, parse, platforms, report, runner, sysdesc

SYSTEM = paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts"
# Short enough for the whole module to stay near three minutes of emulation: the alone phase and
# the bare wall-clock run use the 1,000-period build.
SETTINGS = runner.Settings(quick=True, duration_s=5, loops=500, wall_runs=1, icount_loops=300,
                           icount_runs=2, cross_check="idle",
                           rtcell_run_image="rtcell/rtcell-short.bin", linux_cost=False)
RT_CPUS = (2, 3)
PATHS = (model.THREAD_PATH, model.HANDLER_PATH)


@pytest.fixture(scope="module")
def measured():
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail(f"{paths.build_dir('arm64')} is not built: run ./bulkhead build --arch arm64")
    # The logs of every boot stay beside the other tests' (the report's logs/ folder).
    out = paths.build_root() / "test-logs" / "test_measure"
    result = runner.measure(SYSTEM, platforms.get("qemu-arm64"), SETTINGS, out,
                            echo=lambda *a, **k: None)
    return result, report.write(result, out), out


def phase(result, name):
    return next(p for p in result.phases if p.name == name)


def test_measure_writes_report_json_histograms_and_plot_for_every_phase(measured):
    result, files, out = measured
    md = files["report"].read_text()
    for name in runner.PHASES:
        assert re.search(rf"^\| {name} \|", md, re.M), f"phase {name} missing from the summary"
    assert "Platform: **qemu-arm64**" in md and "indicative" in md
    data = json.loads(files["json"].read_text())
    assert data["format"] == "bulkhead-measure/1"
    assert [p["name"] for p in data["phases"]] == list(runner.PHASES)
    measured_series = {(s["subject"], s["instrument"], s["phase"], s["path"])
                       for p in data["phases"] for s in p["series"] if s["runs"]}
    wanted = {(model.REALTIME_CELL, "wall-clock", name, "thread") for name in runner.PHASES}
    wanted |= {(model.REALTIME_BARE, "wall-clock", "alone", "thread"),
               (model.PREEMPT_RT, "wall-clock", "idle", "thread"),
               (model.PREEMPT_RT, "wall-clock", "stress", "thread"),
               (model.PREEMPT_RT, "icount", "idle", "thread")}
    wanted |= {(subject, "icount", "idle", path)
               for subject in (model.REALTIME_CELL, model.REALTIME_BARE) for path in PATHS}
    assert measured_series == wanted
    for s in (s for p in data["phases"] for s in p["series"]):
        assert s["runs"] and not s["pending"], f"{s['subject']} {s['instrument']} {s['phase']}: " \
            f"no figures ({s['pending']})"
    for s in (s for p in data["phases"] for s in p["series"] if s["subject"] == model.PREEMPT_RT):
        icount = s["instrument"] == "icount"
        loops = len(s["runs"]) * len(RT_CPUS) * (SETTINGS.icount_loops if icount else
                                                 SETTINGS.loops)
        # cyclictest stops every thread once one has done its loops: on the wall clock a
        # late thread may be any number of periods short (how many depends on the host's
        # load), so only icount's exact count is a fact to assert.
        if icount:
            assert s["median"]["samples"] == loops
        else:
            assert 0 < s["median"]["samples"] <= loops
    hist = (out / "histogram-preempt-rt-wall-clock-stress.txt").read_text()
    assert 0 < parse.cyclictest_histograms(hist, runner.WALL_BUCKETS)[
        "T:0"].samples <= SETTINGS.loops
    handler = (out / "histogram-realtime-bare-icount-handler-idle.txt").read_text()
    assert parse.cyclictest_histograms(handler, runner.ICOUNT_BUCKETS, unit_ns=1)["T:1"].samples
    svg = files["plot"].read_text()
    assert svg.startswith("<svg") and svg.count("<polyline") == len(wanted)


def test_realtime_rows_hold_latmon_figures_in_every_phase(measured):
    result, _, _ = measured
    for p in result.phases:
        cell = p.series_for(model.REALTIME_CELL, model.WALL_CLOCK)
        assert cell.runs, f"{p.name}: {cell.pending}"
        run = cell.runs[0]
        assert sorted(run.threads) == ["T:0", "T:1"], "one latmon thread per realtime CPU"
        # How many periods are measured rather than missed is the host's timing: only
        # that each thread measured some is a fact (the exact count is checked below).
        assert all(h.samples > 0 for h in run.threads.values()), f"{p.name}: no samples"
        assert run.missed_periods is not None
        assert "FAILED" not in p.load_summary, p.load_summary
    alone = phase(result, "alone").series_for(model.REALTIME_CELL, model.WALL_CLOCK)
    # rtcell-short: 1,000 periods per CPU, each measured or missed.
    assert alone.runs[0].stats().samples + alone.runs[0].missed_periods == 2000
    bare = phase(result, "alone").series_for(model.REALTIME_BARE, model.WALL_CLOCK)
    assert bare.runs[0].stats().samples + bare.runs[0].missed_periods == 2000


def test_realtime_cpu_sees_no_hypervisor_entry_in_any_phase(measured):
    result, _, _ = measured
    for p in result.phases:
        assert sorted(e.cpu for e in p.realtime_entries) == list(RT_CPUS), p.name
        for e in p.realtime_entries:
            assert e.cell == "rt"
            assert e.window == 0, f"{p.name}: entries inside latmon's window on cpu {e.cpu}"
            assert e.involuntary == 0, f"{p.name}: {e.reasons}"
            if p.name == SETTINGS.cross_check:
                assert e.qemu_el2 == e.total, "QEMU's -d int count differs from the hypervisor's"
        if p.name in ("stress", "attack"):
            # The load's own counters say it ran; how much it did in its wall-clock window
            # depends on the host, so no threshold.
            assert "nothing ran" not in p.load_summary, p.load_summary
            assert sum(e.total for e in p.other_entries) > 0, "the load did not happen"


def test_icount_path_lengths_repeat_and_the_cell_equals_bare(measured):
    result, _, _ = measured
    idle = phase(result, "idle")
    for key, d in result.determinism.items():
        assert d["runs"] == 2 and d["repeats"], f"{key}: {d}"
    rt = idle.series_for(model.PREEMPT_RT, model.ICOUNT).runs[0].stats()
    # Timer to cyclictest in user space on PREEMPT_RT: thousands of instructions, whole ticks.
    assert 2000 < rt.p50_ns < 50000 and rt.p50_ns % 16 == 0
    figures = {}
    for subject in (model.REALTIME_CELL, model.REALTIME_BARE):
        for path in PATHS:
            stats = idle.series_for(subject, model.ICOUNT, path).runs[0].stats()
            assert stats.samples == 20000 and stats.p50_ns % 16 == 0
            figures[subject, path] = (stats.min_ns, stats.p50_ns, stats.p99_ns)
    for path in PATHS:
        assert figures[model.REALTIME_CELL, path] == figures[model.REALTIME_BARE, path], \
            f"{path}: the hypervisor lengthens the realtime cell's path"
    handler = figures[model.REALTIME_CELL, model.HANDLER_PATH][1]
    thread = figures[model.REALTIME_CELL, model.THREAD_PATH][1]
    assert 0 < handler < thread < rt.p50_ns


def test_attack_phase_reaches_the_gic_distributor_and_never_foreign_memory(measured):
    # Linux's own count of the /dev/mem accesses that completed, out of those it tried: GICD
    # writes must reach the hypervisor (trapped and filtered, so they complete), accesses to the
    # realtime cell's memory and the hypervisor's must all fault.
    result, _, _ = measured
    summary = phase(result, "attack").load_summary
    gicd = re.search(r"devmem_gicd=(\d+)/(\d+)", summary)
    foreign = re.search(r"devmem_foreign=(\d+)/(\d+)", summary)
    assert gicd and foreign, summary
    assert int(gicd.group(2)) > 0 and int(gicd.group(1)) == int(gicd.group(2)), summary
    assert int(foreign.group(2)) > 0 and int(foreign.group(1)) == 0, summary


def test_realtime_kernel_runs_report_their_longest_critical_sections(measured):
    result, files, _ = measured
    runs = {(s.phase, s.subject, s.instrument) for s in result.critical_sections}
    assert runs >= {("alone", model.REALTIME_BARE, model.WALL_CLOCK),
                    ("idle", model.REALTIME_BARE, model.ICOUNT),
                    ("idle", model.REALTIME_CELL, model.ICOUNT),
                    ("alone", model.REALTIME_CELL, model.WALL_CLOCK)}
    for key in runs:
        sites = [s for s in result.critical_sections if (s.phase, s.subject, s.instrument) == key]
        entry = [s for s in sites if s.function in model.INTERRUPT_ENTRY_SITES]
        # Under icount every period's timer interrupt is one interrupt-entry span (on a loaded
        # host's wall clock a late thread can find its next period already due: fewer).
        assert entry and entry[0].count > 0 and entry[0].max_ticks > 0, key
        if key[2] == model.ICOUNT:
            assert entry[0].count >= 1000, key
        assert any(s.function in model.CONSOLE_SITES and s.count for s in sites), key
    md = files["report"].read_text()
    section = md[md.index("## 4. Critical sections"):md.index("## Ratios")]
    assert "`rt_arm64_irq:" in section and "instructions (" in section
    assert "## 4. Critical sections" in report.summary_text(md)


def test_bare_kernels_are_timed_on_every_cpu_model_and_the_realtime_kernel_ignores_it(measured):
    result, files, _ = measured
    platform = platforms.get("qemu-arm64")
    models = result.cpu_models
    assert [m["cpu_model"] for m in models] == [platform.cpu_model, *platform.other_cpu_models]
    idle = phase(result, "idle")
    default = models[0]
    for path, key in ((model.THREAD_PATH, "realtime_bare_thread_p50"),
                      (model.HANDLER_PATH, "realtime_bare_handler_p50")):
        assert default[key] == idle.series_for(model.REALTIME_BARE, model.ICOUNT,
                                               path).median_stats()["p50_ns"]
    for m in models[1:]:
        # Bulkhead's realtime kernel uses no optional CPU feature: the same path on every model.
        assert m["realtime_bare_thread_p50"] == default["realtime_bare_thread_p50"], m
        assert m["realtime_bare_handler_p50"] == default["realtime_bare_handler_p50"], m
        assert 2000 < m["preempt_rt_thread_p50"] < 50000, m
    md = files["report"].read_text()
    assert "### The emulated CPU model" in md
    assert all(f"| {m['cpu_model']} | {m['runs']} |" in md for m in models)
    assert json.loads(files["json"].read_text())["cpu_models"] == models


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


LATMON_REPORT = """\
latmon: counter 62500000 Hz, fine bucket 16 ns
latmon: histogram thread-us begin
# Histogram
000001 000003 000002
# Total: 00003 00002
# Min Latencies: 00001 00001
# Avg Latencies: 00001 00001
# Max Latencies: 00001 00001
# Histogram Overflows: 00000 00000
latmon: histogram thread-us end
latmon: histogram handler-ns begin
# Histogram
000144 000003 000001
000192 000000 000001
# Total: 00003 00002
# Min Latencies: 00144 00144
# Avg Latencies: 00144 00168
# Max Latencies: 00144 00192
# Histogram Overflows: 00000 00000
latmon: histogram handler-ns end
latmon: missed=7
"""


def test_latmon_report_blocks_parse_separately():
    blocks, missed = parse.latmon_report(LATMON_REPORT, runner.LATMON_BUCKETS)
    assert missed == 7 and sorted(blocks) == ["handler-ns", "thread-us"]
    thread = blocks["thread-us"]["T:0"]
    assert thread.counts == {1: 3} and thread.bucket_ns == 1000
    h = blocks["handler-ns"]["T:1"]
    assert h.counts == {144: 1, 192: 1} and h.bucket_ns == 1 and h.max_ns == 192
    prefixed = "\n".join(f"[rt] {line}" for line in LATMON_REPORT.splitlines())
    assert parse.latmon_report(parse.cell_console(prefixed, "rt"), runner.LATMON_BUCKETS) == \
        (blocks, missed)


CSECTION_REPORT = """\
csection: counter 62500000 Hz, 3 sites
csection: kind=irq-off site=rt_arm64_irq:132 max_ticks=50 count=40006 total_ticks=2000133
csection: kind=preempt-off site=pi_chain_walk:134 max_ticks=13 count=7340 total_ticks=88082
csection: kind=irq-off site=rtcell_console_queue:164 max_ticks=37 count=4 total_ticks=136
"""


def test_critical_section_table_parses_with_entry_and_console_in_the_report():
    prefixed = "\n".join(f"[rt] {line}" for line in CSECTION_REPORT.splitlines())
    assert parse.csection_table(parse.cell_console(prefixed, "rt")) == \
        parse.csection_table(CSECTION_REPORT)
    hz, rows = parse.csection_table(CSECTION_REPORT)
    assert hz == 62500000 and [r["site"] for r in rows] == \
        ["rt_arm64_irq:132", "pi_chain_walk:134", "rtcell_console_queue:164"]
    assert parse.csection_table("no table here") is None
    r = model.Report("qemu-arm64", "", "", True, [], "")
    r.critical_sections = parse.critical_sections(CSECTION_REPORT, "idle", model.REALTIME_BARE,
                                                  model.ICOUNT, "x.log")
    assert r.critical_sections[0].max_ns == 800     # 50 ticks of 16 ns: 800 instructions
    row = next(line for line in report.markdown(r, {}).splitlines()
               if line.startswith("| idle | same realtime kernel, bare | icount |"))
    # longest interrupts-off, longest preemption-off, interrupt entry, console
    assert row.split(" | ")[4:8] == [
        "800 instructions (50 ticks) `rt_arm64_irq:132`",
        "208 instructions (13 ticks) `pi_chain_walk:134`",
        "800 instructions (50 ticks) `rt_arm64_irq:132`",
        "592 instructions (37 ticks) `rtcell_console_queue:164` |"]


def test_icount_determinism_asks_for_repeated_figures_not_identical_maxima():
    def run(counts):
        return model.Run({"T:0": model.Histogram(1, 100000, counts)})
    series = model.Series(model.REALTIME_BARE, model.ICOUNT, "idle", "qemu-arm64",
                          runs=[run({144: 1999}), run({144: 1999})])
    assert series.identical_runs() and series.identical_figures()
    series.runs[1] = run({144: 1998, 192: 1})      # one sample three ticks later: max differs
    assert not series.identical_runs() and series.identical_figures()
    assert series.differing_samples() == 1
    series.runs[1] = run({160: 1999})
    assert not series.identical_figures()
    assert not series.repeats()


def test_icount_determinism_allows_a_rare_moved_sample_even_where_it_moves_a_figure():
    # 600 samples: p99.9 is the second-largest, so one sample moved by QEMU's round-robin
    # moves it (seen in CI); the runs still repeat. Four moved samples do not.
    def run(counts):
        return model.Run({"T:0": model.Histogram(1, 100000, counts)})
    series = model.Series(model.PREEMPT_RT, model.ICOUNT, "idle", "qemu-arm64",
                          runs=[run({4832: 598, 5664: 1, 5824: 1}),
                                run({4832: 598, 5664: 2})])
    assert not series.identical_figures() and series.differing_samples() == 1
    assert series.moved_sample_limit() == 3 and series.repeats()
    series.runs[1] = run({4832: 594, 4848: 4, 5664: 1, 5824: 1})
    assert series.differing_samples() == 4 and not series.repeats()
    big = model.Series(model.REALTIME_BARE, model.ICOUNT, "idle", "qemu-arm64",
                       runs=[run({512: 20000}), run({512: 19980, 528: 20})])
    assert big.moved_sample_limit() == 20 and big.repeats()


def test_system_description_edits_swap_the_realtime_image():
    text = (paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts").read_text()
    assert sysdesc.realtime_images(text) == {"rt": ("rtcell/rtcell.bin", 0x70000000)}
    swapped = sysdesc.with_image(text, "rt", "rtcell/rtcell-paths.bin")
    assert sysdesc.realtime_images(swapped)["rt"][0] == "rtcell/rtcell-paths.bin"
    assert 'image = "linux/Image"' in swapped, "other cells keep their image"
    assert runner._rtcell_cell(text) == "rt"


def test_realtime_only_system_keeps_the_realtime_cells_alone():
    text = (paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts").read_text()
    alone = sysdesc.realtime_only(text)
    cells = sysdesc.cells(alone)
    assert list(cells) == ["rt"] and cells["rt"]["cpus"] == [2, 3]
    assert "channels" not in alone and "bootargs" not in alone
    assert sysdesc.realtime_cpus(text) == [2, 3]


def test_the_scratch_disk_device_is_added_to_linux_only_and_once():
    text = (paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts").read_text()
    name, properties = platforms.QemuArm64.disk_device
    with_disk = sysdesc.with_linux_device(text, name, properties)
    blank_linux = with_disk[with_disk.index("linux {"):with_disk.index("\t\trt {")]
    assert "virtio {" in blank_linux and 'dma = "unconfined";' in blank_linux
    assert with_disk.count("virtio {") == 1, "the realtime cell gets no device"
    assert sysdesc.with_linux_device(with_disk, name, properties) == with_disk, \
        "a cell that has the device keeps its own"
    assert sysdesc.cells(with_disk) == sysdesc.cells(text)
    # A cell without a devices node gets one.
    bare = with_disk.replace(with_disk[with_disk.index("\t\t\tdevices {"):
                                       with_disk.index("\t\t};\n\n\t\trt {")], "")
    assert "uart {" not in bare
    again = sysdesc.with_linux_device(bare, name, properties)
    assert "devices {" in again and "virtio {" in again


def test_report_leads_with_the_exact_instruments_and_says_what_the_wall_clock_measures():
    def run(bucket_ns, counts):
        return model.Run({"T:0": model.Histogram(bucket_ns, 100000, dict(counts))})
    idle = model.Phase("idle", "Linux idle")
    idle.realtime_entries = [model.CpuEntries(2, "rt", 8, {"hypercall": 7, "psci": 1}, window=0)]
    for subject, path, p50 in ((model.REALTIME_CELL, model.THREAD_PATH, 1024),
                               (model.REALTIME_BARE, model.THREAD_PATH, 1024),
                               (model.REALTIME_CELL, model.HANDLER_PATH, 144),
                               (model.PREEMPT_RT, model.THREAD_PATH, 4832)):
        idle.series.append(model.Series(subject, model.ICOUNT, "idle", "qemu-arm64",
                                        runs=[run(1, {p50: 10})], path=path))
    idle.series.append(model.Series(model.REALTIME_CELL, model.WALL_CLOCK, "idle", "qemu-arm64",
                                    runs=[run(1000, {104: 10})]))
    r = model.Report("qemu-arm64", "", "linux-rt.dts", True, [idle], "")
    md = report.markdown(r, {})
    tables = [line for line in md.splitlines() if line.startswith("| ") and "---" not in line]
    assert tables[0].startswith("| phase | realtime-CPU entries in the measured window |")
    assert tables[1] == "| idle | cpu 2: 0 | cpu 2: 0 |"
    assert "| timer → thread running | 1,024 | 1,024 | 4,832 |" in tables
    assert "| timer → interrupt handler | 144 | " in md
    wall = [line for line in md.splitlines() if line.startswith("## ") and "all" in line.lower()
            and "clock" in line.lower()]
    assert wall and all("the host's scheduling of the emulator" in line for line in wall)
    assert md.index("## Summary: the exact instruments") < md.index("## Summary: wall clock")
    assert "the host's scheduling of the emulator" in report.summary_text(md)
    svg = report.svg(r)
    assert svg.index("icount (exact") < svg.index("wall clock, µs: on an emulator, the host's "
                                                  "scheduling")
