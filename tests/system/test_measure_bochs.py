"""`bulkhead measure --platform bochs-x86` without an emulator: Bochs' own log read as the witness
of VM exits and timer interrupts, the phases' system descriptions, and the report of a Bochs
measurement (ticks and emulated µs, the positive control beside the exit-free phases, Bochs' exit
count beside the hypervisor's, the spread of runs that differ). The Bochs runs themselves are in
tests/system/test_x86_rtcell.py and `bulkhead measure --platform bochs-x86`.
"""

from bulkhead_tools import bochs, paths
from bulkhead_tools.measure import bochs_runner, model, parse, report, sysdesc

BOCHS_LOG = """\
00000001000i[      ] reading configuration
00268677025d[CPU1  ] VMEXIT reason = 10 (CPUID) qualification=0x0
00268677100d[CPU1  ] interrupt(): vector = 40, TYPE = 0, EXT = 1
00268677200d[CPU0  ] VMEXIT reason = 18 (VMCALL) qualification=0x0
00268677300d[CPU1  ] VMEXIT reason = 18 (VMCALL) qualification=0x0
00268677400d[CPU1  ] interrupt(): vector = 40, TYPE = 0, EXT = 1
00268677500d[CPU0  ] interrupt(): vector = 40, TYPE = 0, EXT = 1
00268677600d[CPU1  ] interrupt(): vector = 41, TYPE = 0, EXT = 1
00268677700d[CPU1  ] interrupt(): vector = 40, TYPE = 0, EXT = 1
00268677800d[CPU1  ] interrupt(): vector = 0e, TYPE = 3, EXT = 1
00268677900d[CPU1  ] VMEXIT reason = 18 (VMCALL) qualification=0x0
00268678000d[CPU1  ] interrupt(): vector = 40, TYPE = 0, EXT = 1
"""


def test_bochs_log_gives_exit_free_stretches_and_exit_reasons_per_cpu(tmp_path):
    log = tmp_path / "bochs.log"
    log.write_text(BOCHS_LOG)
    # CPU 1: one timer interrupt between its first two exits, two (vector 0x40, external)
    # between the second and the third; the interrupt after its last exit is not in a stretch.
    assert bochs.exit_free_stretches(log, 1, 0x40) == [2, 1]
    assert bochs.exit_free_stretches(log, 0, 0x40) == []
    assert bochs.vm_exit_reasons(log, 1) == {10: 1, 18: 2}
    assert bochs.vm_exits_per_cpu(log) == {0: 1, 1: 3}


def test_phases_give_the_neighbour_its_load_and_the_realtime_cell_the_measured_build():
    text = (paths.REPO / "tests" / "system" / "systems" / "x86-rtcell.dts").read_text()
    settings = bochs_runner.Settings.for_mode(True)
    images = {phase: sysdesc.realtime_images(
        bochs_runner._phase_system(text, "rt", phase, settings, None))
        for phase in settings.phases()}
    assert all(i == {"rt": ("rtcell-x86-latmon.bin", 0x8000000)} for i in images.values())
    assert set(sysdesc.cells(bochs_runner._phase_system(text, "rt", "alone", settings,
                                                        None))) == {"rt"}
    for phase, neighbour in (("idle", "hello.bin"), ("stress", "busy.bin"),
                             ("control", "busy.bin")):
        system = bochs_runner._phase_system(text, "rt", phase, settings, None)
        assert f'image = "{neighbour}"' in system, phase
    assert bochs_runner.PHASES["control"][1] == "bulkhead-irqexit.elf"


def test_phases_beside_linux_give_linux_the_load_and_the_realtime_cell_latmon_until_stop():
    text = sysdesc.with_entry(bochs_runner.LINUX_SYSTEM.read_text(), 0x1000abc)
    settings = bochs_runner.Settings.for_mode(True, linux=True)
    assert list(settings.phases()) == ["alone", "idle", "stress", "attack", "control"]
    for phase, (_, hypervisor, load) in settings.phases().items():
        system = bochs_runner._phase_system(text, "rt", phase, settings, load)
        images = sysdesc.realtime_images(system)
        if phase == "alone":
            assert set(sysdesc.cells(system)) == {"rt"}
            assert images == {"rt": ("rtcell-x86-latmon.bin", 0x8000000)}
            continue
        assert images == {"rt": ("rtcell-x86-latmon-stop.bin", 0x8000000)}, phase
        args = sysdesc.bootargs(system, "linux").split()
        # init takes the last value of each argument: the phase's, not the demo's.
        last = {a.split("=")[0]: a.split("=", 1)[1] for a in args if "=" in a}
        assert last["bulkhead.scenario"] == "measure", phase
        assert last["bulkhead.load"] == ("stress" if phase == "control" else phase)
        assert last["bulkhead.duration"] == str(settings.duration_s)
        assert last["bulkhead.foreign"] == "0x8000000,0x300000"
        assert last["bulkhead.timer_us"] == "1000"   # 100 µs timers livelock Linux in Bochs
        assert "entry = <0x0 0x1000abc>;" in system
        assert hypervisor == ("bulkhead-irqexit.elf" if phase == "control" else "bulkhead.elf")


COM2 = """\
linux-cell: init started
linux-cell: uptime at init: 28.79 s
linux-cell: measure: load=stress rtcpus=none duration=2s loops=1000 prio=99 units=us
linux-cell: measure: load stopped: cpu.0=12 mem.0=3 io.0=5 io_on=tmpfs load=1.00 0.25 0.08
"""


def test_linux_summary_says_init_and_the_load_or_failed():
    assert bochs_runner.linux_summary(COM2) == (
        "init at 28.79 s of Linux's clock; cpu.0=12 mem.0=3 io.0=5 io_on=tmpfs "
        "load=1.00 0.25 0.08")
    assert bochs_runner.linux_summary(COM2.splitlines()[0]).startswith(
        "FAILED: Linux did not reach init")
    without_init = "\n".join(line for line in COM2.splitlines() if "uptime" not in line)
    assert bochs_runner.linux_summary(without_init).startswith("FAILED: Linux did not reach init")
    assert "FAILED: Linux did not reach the load's end" in bochs_runner.linux_summary(
        "\n".join(COM2.splitlines()[:3]))


def test_linux_summary_fails_the_load_when_the_oom_killer_fired():
    lines = COM2.splitlines()
    kill = ("[   36.717992] Out of memory: Killed process 128 (cyclictest) total-vm:68192kB, "
            "anon-rss:188kB, file-rss:4kB, shmem-rss:1680kB, UID:0 pgtables:44kB")
    summary = bochs_runner.linux_summary("\n".join(lines[:-1] + [kill, kill.replace(
        "128 (cyclictest)", "124 (dd)"), lines[-1]]))
    assert summary.startswith("FAILED: the load did not fit Linux's memory: the OOM killer fired "
                              "2 times (first: Killed process 128 (cyclictest))")
    bare = "[ 5.1] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),task=dd,pid=124,uid=0"
    assert "fired 1 times (first: [ 5.1] oom-kill:" in bochs_runner.linux_summary(
        COM2 + bare + "\n")
    assert bochs_runner.oom_kills(COM2) == []

def test_linux_summary_fails_the_load_when_a_process_died_of_a_fault():
    # Issue #15's console: init's shell reporting children that died of SIGSEGV.
    lines = COM2.splitlines()
    summary = bochs_runner.linux_summary("\n".join(
        lines[:-1] + ["Segmentation fault", "Segmentation fault", lines[-1]]))
    assert summary == "FAILED: 2 processes died of a fault (first: Segmentation fault) (com2.log)"
    assert bochs_runner.fault_deaths(COM2 + "Illegal instruction\n") == ["Illegal instruction"]
    assert bochs_runner.fault_deaths(COM2) == []


def test_linux_notes_give_the_witnessed_stretch_and_linux_entries_per_second(tmp_path):
    log = tmp_path / "bochs.log"
    log.write_text(BOCHS_LOG)
    phase = model.Phase("stress", "stress", platform="bochs-x86")
    phase.other_entries.append(model.CpuEntries(0, "linux", 3000, {"sysreg": 1000,
                                                                   "other": 2000}))
    phase.other_entries[0].run = 1
    # From CPU 1's first exit (tick 268,677,025) 150,000,000 ticks at 50 M ticks per second: 3 s.
    notes = bochs_runner.linux_notes(phase, 1, 418_677_025, log, [1])
    assert notes[0] == ("stress run 1: Bochs' log, cpu 1: longest stretch without a VM exit "
                        "holds 2 timer interrupts (vector 0x40); 1 other stretches")
    assert notes[1] == ("stress run 1: cpu 0 (linux): 3,000 entries in the cells' 3.0 s of "
                        "Bochs' time (ticks 268,677,025 to 418,677,025): 1,000/s (sysreg 333, "
                        "other 667)")
    assert bochs.first_exit_tick(log, 0) == 268677200
    assert bochs.first_exit_tick(log, 2) is None


def test_end_tick_is_the_tick_of_bochs_quit(tmp_path):
    log = tmp_path / "bochs.log"
    log.write_text(BOCHS_LOG + "04540588245i[SIM   ] quit_sim called with exit code 1\n")
    assert bochs.end_tick(log) == 4540588245
    log.write_text(BOCHS_LOG)
    assert bochs.end_tick(log) is None


def latmon_run(ticks, missed=0):
    """A Run of latmon's thread-ns block with one sample per value in `ticks` (20 ns each)."""
    h = model.Histogram(1, 100000, {}, 0)
    for t in ticks:
        h.counts[t * 20] = h.counts.get(t * 20, 0) + 1
    h.min_ns, h.max_ns = min(ticks) * 20, max(ticks) * 20
    return model.Run({"T:0": h}, missed, "serial.log")


def bochs_report():
    r = model.Report("bochs-x86", "Bochs", "x86-rtcell.dts", True, [], "now")
    for name, ticks, window in (("stress", [845, 860, 860, 1080], 0),
                                ("control", [1050, 1060, 1060, 1530], 2890)):
        phase = model.Phase(name, name, platform="bochs-x86", expects_entries=name == "control")
        for path, scale in ((model.THREAD_PATH, 1), (model.HANDLER_PATH, 0)):
            series = model.Series(model.REALTIME_CELL, model.BOCHS, name, "bochs-x86", path=path)
            series.runs = [latmon_run([t if scale else 140 + t // 100 for t in ticks])
                           for _ in range(2)]
            phase.series.append(series)
        entries = model.CpuEntries(1, "rt", 86 + window, {"hypercall": 80, "irq": window,
                                                           "sysreg": 6}, window=window)
        entries.bochs_exits = entries.total
        phase.realtime_entries.append(entries)
        r.phases.append(phase)
        r.determinism[f"cell {name}"] = bochs_runner.determinism(phase.series[0], 20)
    return r


def test_bochs_report_gives_ticks_and_emulated_us_with_the_control_beside():
    r = bochs_report()
    md = report.markdown(r, {})
    assert "## 2. Latency in Bochs' time" in md and "## 3." not in md
    entries, latency = [line for line in md.splitlines() if line.startswith("| control |")][:2]
    assert "cpu 1: 2890" in entries                            # the exact tables lead
    assert "1,060 (21.20) / 1,530 (30.60)" in latency          # p50 / p99: ticks (µs)
    assert md.index("## Summary: the exact instruments") < md.index("1,060 (21.20)")
    assert "## Summary: wall clock" not in md                  # nothing was timed by the host
    paths_row = next(line for line in md.splitlines()
                     if line.startswith("| stress | realtime cell under Bulkhead | "))
    assert "| 845 (16.90) | 860 (17.20) |" in paths_row        # timer -> thread min, p50
    assert "Bochs' VM-exit log" in md and "2976 (equal)" in md
    assert "- Determinism, cell control: 2 runs; min/p50/p99/p99.9 identical" in md
    assert "Bochs' time (exact, other CPUs busy or not): ticks" in report.svg(r)


def test_bochs_determinism_states_the_spread_of_runs_that_differ():
    series = model.Series(model.REALTIME_CELL, model.BOCHS, "idle", "bochs-x86")
    series.runs = [latmon_run([845, 860, 1080]), latmon_run([845, 865, 1105])]
    d = bochs_runner.determinism(series, 20)
    assert not d["identical_figures"] and d["spread_ticks"] == {
        "min": 0, "p50": 5, "p99": 25, "p999": 25, "max": 25}
    r = model.Report("bochs-x86", "", "", True, [], "")
    r.phases = [model.Phase("idle", "", series=[series])]
    r.determinism["cell idle"] = d
    assert "spread between runs in ticks: min 0, p50 5, p99 25" in report.markdown(r, {})


def test_bochs_determinism_of_a_single_run_is_not_called_a_failure_to_repeat():
    # --linux --quick boots each configuration once: there is nothing to compare.
    series = model.Series(model.REALTIME_CELL, model.BOCHS, "idle", "bochs-x86")
    series.runs = [latmon_run([845, 860, 1080])]
    r = model.Report("bochs-x86", "", "", True, [], "")
    r.phases = [model.Phase("idle", "", series=[series])]
    r.determinism["cell idle"] = bochs_runner.determinism(series, 20)
    md = report.markdown(r, {})
    assert "- Determinism, cell idle: one run, nothing to compare" in md
    assert "not identical" not in md


def test_window_and_stats_lines_of_the_x86_hypervisor_parse():
    out = ("hv: stats cpu 1 cell rt: total=3251 hypercall=355 irq=2890 sysreg=6\n"
           "[rt] latmon: cpu=0 logical=1 window_entries=2890 hypercall=0 irq=2890\n")
    assert parse.hv_stats(out)[1].involuntary == 2896
    assert parse.window_entries(out) == {1: ("rt", 2890)}
