"""The phases of `bulkhead measure` and running them.

A phase is one boot (decided so: a phase's counters then need no subtraction, a crash or a stuck
load cannot leak into the next phase, and the hypervisor's power-off statistics cover exactly one
load). Under the hypervisor each of alone/idle/stress/attack boots the system once, Linux running
the `measure` scenario of guests/linux/init with that load; the realtime cell measures itself.
The baselines boot Debian's PREEMPT_RT kernel bare with the same initramfs and scenario, cyclictest
on the CPUs the realtime cells have in the system (isolated with isolcpus), the load on the others:
several wall-clock runs per phase, and two icount runs with the load idle (path lengths; the two
must be identical).
"""

import collections
import dataclasses
import datetime
import pathlib
import re
import time

from .. import paths, payload, systems
from . import intcount, parse, sysdesc
from .model import (COUNTS, ICOUNT, PREEMPT_RT, REALTIME_BARE, REALTIME_CELL, WALL_CLOCK,
                    Histogram, Phase, Report, Run, Series)

# What the realtime side runs: latmon's settings (rtcell/apps/latmon.h), which cyclictest copies.
PRIORITY = 99
INTERVAL_US = 1000
WALL_BUCKETS = 1000      # 1 µs buckets up to 1 ms: cyclictest -h 1000, latmon's channel
ICOUNT_BUCKETS = 100000  # 1 ns buckets up to 100 µs: cyclictest -N -h 100000

PHASES = collections.OrderedDict([
    ("alone", "the realtime cell alone (the system without its non-realtime cells)"),
    ("idle", "Linux booted and idle"),
    ("stress", "Linux under stress: a CPU hog per Linux CPU, memory/cache thrashing (tmpfs), "
               "I/O, hackbench IPIs, 100 µs timers, UART interrupt affinity flips "
               "(trapped GIC distributor writes)"),
    ("attack", "Linux attacking: /dev/mem reads and writes at the realtime cell's memory, the "
               "hypervisor's and the GIC distributor; CPU hotplug loops (PSCI CPU_OFF/CPU_ON)"),
])
BASELINE_PHASES = ("idle", "stress")   # PREEMPT_RT bare: there is no cell to be alone or attacked


@dataclasses.dataclass
class Settings:
    quick: bool
    duration_s: int          # load time of a hypervisor phase
    loops: int               # cyclictest periods per wall-clock run
    wall_runs: int
    icount_loops: int
    icount_runs: int = 2
    cross_check: str = "idle"    # phase that also writes QEMU's -d int log ("" = none)

    @classmethod
    def for_mode(cls, quick):
        if quick:
            return cls(True, duration_s=8, loops=2000, wall_runs=3, icount_loops=1000)
        return cls(False, duration_s=30, loops=20000, wall_runs=5, icount_loops=5000)


class Progress:
    """One line per step: `measure: [3/14] ...` then its result; time so far."""

    def __init__(self, total, echo=print):
        self.total = total
        self.done = 0
        self.t0 = time.monotonic()
        self.echo = echo

    def start(self, what):
        self.done += 1
        self.step_t0 = time.monotonic()
        self.echo(f"measure: [{self.done}/{self.total}] {what} ...", flush=True)

    def result(self, text):
        now = time.monotonic()
        self.echo(f"measure:        {text} ({now - self.step_t0:.0f} s; "
                  f"{now - self.t0:.0f} s so far)", flush=True)


def measure(system, platform, settings, out_dir, echo=print):
    """Runs every phase; returns the Report (written by report.write)."""
    started = datetime.datetime.now().isoformat(timespec="seconds")
    t0 = time.monotonic()
    text = pathlib.Path(system).read_text()
    rt_cpus = sysdesc.realtime_cpus(text)
    if not rt_cpus:
        raise ValueError(f"{system}: no realtime cell to measure")
    linux = payload.ensure_linux_payload()
    rt_kernel = payload.ensure_rt_kernel()
    logs = pathlib.Path(out_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    hv_phases = list(PHASES) if sysdesc.has_linux(text) else ["alone"]
    steps = (len(hv_phases) + len(BASELINE_PHASES) * settings.wall_runs + settings.icount_runs)
    progress = Progress(steps, echo)
    report = Report(platform.name, platform.describe(), str(system), settings.quick, [],
                    started)
    phases = {}
    for name in hv_phases:
        phases[name] = Phase(name, PHASES[name], platform=platform.name)
        progress.start(f"{name}: booting {pathlib.Path(system).name} under the hypervisor")
        _hypervisor_phase(phases[name], text, linux, platform, settings, logs, rt_cpus)
        progress.result(_entries_line(phases[name]))
    for name in BASELINE_PHASES:
        phase = phases.setdefault(name, Phase(name, PHASES[name], platform=platform.name))
        series = Series(PREEMPT_RT, WALL_CLOCK, name, platform.name)
        for i in range(settings.wall_runs):
            progress.start(f"{name}: {rt_kernel['kernel_version']} bare, cyclictest on CPUs "
                           f"{_cpu_list(rt_cpus)}, wall-clock run {i + 1}/{settings.wall_runs}")
            run = _bare_run(series, rt_kernel, platform, name, rt_cpus, settings.loops, False,
                            logs / f"preempt-rt-wall-{name}-{i + 1}.log")
            progress.result(_run_line(run, WALL_BUCKETS))
        phase.series.append(series)
    series = Series(PREEMPT_RT, ICOUNT, "idle", platform.name)
    for i in range(settings.icount_runs):
        progress.start(f"idle: {rt_kernel['kernel_version']} bare under -icount, "
                       f"run {i + 1}/{settings.icount_runs}")
        run = _bare_run(series, rt_kernel, platform, "idle", rt_cpus, settings.icount_loops, True,
                        logs / f"preempt-rt-icount-idle-{i + 1}.log")
        progress.result(_run_line(run, ICOUNT_BUCKETS, unit="instructions"))
    phases["idle"].series.append(series)
    report.determinism["preempt-rt icount idle"] = series.identical_runs()
    for phase in phases.values():
        _add_pending(phase, platform)
    report.phases = [phases[n] for n in PHASES if n in phases]
    report.seconds = time.monotonic() - t0
    return report


# --- under the hypervisor ------------------------------------------------------------------------

def _hypervisor_phase(phase, text, linux, platform, settings, logs, rt_cpus):
    info = sysdesc.cells(text)
    if phase.name == "alone":
        dts_text = sysdesc.realtime_only(text)
    else:
        foreign = [a for c in info.values() if c["realtime"] for a in c["host_phys"]]
        hv = sysdesc.hypervisor_memory(text)
        foreign += [hv + 0x200000] if hv is not None else []  # the hypervisor's image
        dts_text = sysdesc.with_bootargs(text, " ".join([
            "bulkhead.scenario=measure", f"bulkhead.load={phase.name}",
            f"bulkhead.duration={settings.duration_s}",
            "bulkhead.foreign=" + ",".join(f"{a:#x}" for a in foreign)]))
    dts = logs / f"hv-{phase.name}.dts"
    dts.write_text(dts_text)
    image = systems.build_system_image(dts, logs / f"hv-{phase.name}.img",
                                       image_dirs=[paths.build_dir("arm64"),
                                                   systems.test_cell_dir()],
                                       image_files=[linux["image"], linux["initramfs"]])
    log = logs / f"hv-{phase.name}.log"
    int_log = logs / f"hv-{phase.name}.int.log" if settings.cross_check == phase.name else None
    result = platform.run_hypervisor(image, log, timeout_s=180 + 4 * settings.duration_s,
                                     int_log=int_log)
    phase.log = str(log)
    out = result.output
    if result.timed_out or "BULKHEAD: PASS" not in out:
        phase.load_summary = f"FAILED: {result.describe()}"
    m = re.search(r"^linux-cell: measure: load stopped: (.*)$", out, re.M)
    if m:
        phase.load_summary = (phase.load_summary + "; " if phase.load_summary else "") + m.group(1)
    stats = parse.hv_stats(out)
    windows = parse.window_entries(out)
    el2 = intcount.entries_to_el2(int_log) if int_log and int_log.exists() else None
    for cpu, entries in sorted(stats.items()):
        if el2 is not None:
            entries.qemu_el2 = el2.get(cpu, 0)
        if cpu in rt_cpus:
            entries.window = windows.get(cpu, (None, None))[1]
            phase.realtime_entries.append(entries)
        else:
            phase.other_entries.append(entries)
    if int_log and int_log.exists():
        int_log.unlink()  # hundreds of MB; the counts are in the report
    series = _latmon_series(phase, out, info, platform)
    if series:
        phase.series.append(series)


def _latmon_series(phase, out, info, platform):
    """The realtime cell's latency in this phase, from latmon (rtcell/apps/latmon.c):
    1. Linux phases: `bhctl latency --histogram` before and after the load (guests/linux/init,
       scenario measure); the difference is exactly the samples taken during the load.
    2. Otherwise a cyclictest-format histogram block latmon printed on its own console.
    Nothing (the ticker stand-in, or latmon not there yet): None, and the report says pending."""
    threads = {}
    before = parse.between(out, "linux-cell: measure: bhctl before begin",
                           "linux-cell: measure: bhctl before end")
    after = parse.between(out, "linux-cell: measure: bhctl after begin",
                          "linux-cell: measure: bhctl after end")
    missed = None
    if before is not None and after is not None:
        h0 = parse.cyclictest_histograms(before, WALL_BUCKETS)
        h1 = parse.cyclictest_histograms(after, WALL_BUCKETS)
        threads = {t: h1[t].minus(h0[t]) if t in h0 else h1[t] for t in h1}
        m0, m1 = parse.missed_periods(before), parse.missed_periods(after)
        if m1:
            missed = m1[0] - (m0[0] if m0 else 0)
        source = "latmon's telemetry channel read by `bhctl latency --histogram` around the load"
    if not any(h.samples for h in threads.values()):
        for cell, c in info.items():
            if not c["realtime"]:
                continue
            own = "\n".join(line[len(cell) + 3:] for line in out.splitlines()
                            if line.startswith(f"[{cell}] "))
            threads = parse.cyclictest_histograms(own, WALL_BUCKETS)
            summaries = parse.latmon_summaries(out)
            if summaries:
                missed = sum(s["missed"] for s in summaries.values())
            source = f"latmon's histogram on the console of cell {cell}"
            if threads:
                break
    if not any(h.samples for h in threads.values()):
        return None
    series = Series(REALTIME_CELL, WALL_CLOCK, phase.name, platform.name, setup=source)
    series.runs.append(Run(threads, missed, phase.log))
    return series


def _add_pending(phase, platform):
    """Series that have no figures yet say so instead of showing numbers."""
    wanted = [(REALTIME_CELL, WALL_CLOCK), (REALTIME_CELL, ICOUNT), (REALTIME_BARE, WALL_CLOCK),
              (REALTIME_BARE, ICOUNT)]
    if phase.name == "idle":
        wanted.append((PREEMPT_RT, ICOUNT))
    for subject, instrument in wanted:
        if instrument == ICOUNT and phase.name != "idle":
            continue  # icount under load measures QEMU, not the system (notes/measuring.md)
        if subject == REALTIME_BARE and phase.name in ("alone", "attack"):
            continue
        if not phase.series_for(subject, instrument):
            why = ("pending latmon (rtcell/apps/latmon.c) as the realtime cell"
                   if subject == REALTIME_CELL else
                   "pending latmon on the bare realtime kernel (rtcell arm64 port without the "
                   "hypervisor)")
            phase.series.append(Series(subject, instrument, phase.name, platform.name,
                                       pending=why))


# --- bare baselines ------------------------------------------------------------------------------

def _bare_run(series, kernel, platform, load, rt_cpus, loops, icount, log):
    cpus = _cpu_list(rt_cpus)
    append = " ".join([f"isolcpus={cpus}", "bulkhead.scenario=measure", f"bulkhead.load={load}",
                       f"bulkhead.rtcpus={cpus}", f"bulkhead.loops={loops}",
                       f"bulkhead.prio={PRIORITY}", f"bulkhead.units={'ns' if icount else 'us'}"])
    # Stress slows the guest clock's progress per host second a lot: generous, scaled limits.
    timeout_s = 120 + loops * INTERVAL_US / 1e6 * (20 if load != "idle" else 6)
    result = platform.run_bare_linux(kernel["image"], kernel["initramfs"], append, log,
                                     timeout_s, icount=icount)
    series.setup = (f"{kernel['package']}: `{' '.join(platform.bare_linux_command('Image', 'initramfs', append, icount))}`"
                    f"; cyclictest -m -p {PRIORITY} -i {INTERVAL_US} -l {loops} -a {cpus} "
                    f"{'-N -h ' + str(ICOUNT_BUCKETS) if icount else '-h ' + str(WALL_BUCKETS)}")
    block = parse.between(result.output, "linux-cell: measure: cyclictest -",
                          "linux-cell: measure: cyclictest end rc=0")
    if result.timed_out or block is None:
        raise RuntimeError(f"the PREEMPT_RT {load} run gave no cyclictest histogram:\n"
                           f"{result.describe()}")
    threads = parse.cyclictest_histograms(block, ICOUNT_BUCKETS if icount else WALL_BUCKETS,
                                          unit_ns=1 if icount else 1000)
    # cyclictest counts no missed periods (it re-arms from the expected time and reports the
    # lateness): None, not 0.
    run = Run(threads, None, str(log), result.seconds)
    series.runs.append(run)
    return run


def _cpu_list(cpus):
    return ",".join(str(c) for c in cpus)


def _entries_line(phase):
    parts = []
    for e in phase.realtime_entries:
        window = "?" if e.window is None else e.window
        check = "" if e.qemu_el2 is None else f", QEMU -d int {e.qemu_el2}"
        parts.append(f"cpu {e.cpu} ({e.cell}): window {window}, involuntary {e.involuntary}, "
                     f"total {e.total}{check}")
    linux = sum(e.total for e in phase.other_entries)
    return "; ".join(parts or ["no realtime CPU statistics"]) + \
        f"; other CPUs {linux} entries" + (f" [{phase.load_summary}]" if phase.load_summary
                                           else "")


def _run_line(run, buckets, unit="µs"):
    s = run.stats()
    div = 1 if unit == "instructions" else 1000

    def f(v):
        return f">={s.limit_ns // div}" if v is None else f"{v // div}"
    return (f"{s.samples} samples: min {f(s.min_ns)} p50 {f(s.p50_ns)} p99 {f(s.p99_ns)} "
            f"max {f(s.max_ns)} {unit}")
