"""The phases of `bulkhead measure` and running them.

A phase is one boot or several (decided so: a boot's counters then need no subtraction, a crash or
a stuck load cannot leak into the next phase, and the hypervisor's power-off statistics cover
exactly one load). Under the hypervisor each of alone/idle/stress/attack boots the system, Linux
running the `measure` scenario of guests/linux/init with that load; the realtime cell measures
itself (latmon, rtcell/apps/latmon.c). "alone" boots the system without its non-realtime cells and
a build of the realtime cell that stops after a fixed number of periods.
Baselines:
- the same realtime kernel bare (no hypervisor, as many CPUs as its cell, same build): wall-clock
  runs, and two icount runs of the path-length build (latmon alone) beside two icount runs of that
  build as the cell (the system's realtime cells alone, the other CPUs idle in the hypervisor);
- Debian's PREEMPT_RT kernel bare with the same initramfs and scenario, cyclictest on the CPUs the
  realtime cells have in the system (isolated with isolcpus), the load on the others: several
  wall-clock runs per phase, and two icount runs with the load idle.
Every icount series must repeat its figures exactly (report.determinism). icount series sit in
phase "idle" (nothing else runs), the bare realtime kernel's wall-clock series in phase "alone".
Last, with a Linux cell, Linux's own cost in the cell against bare (linuxcost.py).
"""

import collections
import dataclasses
import datetime
import pathlib
import re
import time

from .. import paths, payload, systems
from . import intcount, linuxcost, parse, sysdesc
from .model import (HANDLER_PATH, ICOUNT, PATH_NAMES, PREEMPT_RT, REALTIME_BARE, REALTIME_CELL,
                    THREAD_PATH, WALL_CLOCK, Phase, Report, Run, Series)

# What the realtime side runs: latmon's settings (rtcell/apps/latmon.h), which cyclictest copies.
PRIORITY = 99
INTERVAL_US = 1000
WALL_BUCKETS = 1000      # 1 µs buckets up to 1 ms: cyclictest -h 1000, latmon's channel
ICOUNT_BUCKETS = 100000  # 1 ns buckets up to 100 µs: cyclictest -N -h 100000
LATMON_BUCKETS = {"us": WALL_BUCKETS, "ns": ICOUNT_BUCKETS}
# The default realtime cell (latmon until the mailbox says STOP) and its builds that end by
# themselves (rtcell/meson.build); other realtime cells are measured under the hypervisor only.
RTCELL_IMAGE = "rtcell/rtcell.bin"
SCRATCH_DISK_BYTES = 64 << 20
LINUX_COST_STEPS = 2 * linuxcost.RUNS  # linuxcost.measure: Linux in the cell, then bare

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
    wall_runs: int           # wall-clock runs of each bare baseline
    icount_loops: int
    icount_runs: int = 2
    hv_runs: int = 1         # boots per hypervisor phase
    cross_check: str = "idle"    # phase that also writes QEMU's -d int log ("" = none)
    rtcell_run_image: str = "rtcell/rtcell-test.bin"     # latmon + pistress, 10,000 periods
    rtcell_paths_image: str = "rtcell/rtcell-paths.bin"  # latmon alone, 10,000 periods
    linux_cost: bool = True  # with a Linux cell: linuxcost.measure (2 x RUNS icount boots)

    @classmethod
    def for_mode(cls, quick):
        if quick:
            return cls(True, duration_s=8, loops=2000, wall_runs=3, icount_loops=1000, hv_runs=3)
        return cls(False, duration_s=30, loops=20000, wall_runs=5, icount_loops=5000, hv_runs=5)


def print_flushed(text):
    print(text, flush=True)


class Progress:
    """One line per step: `measure: [3/14] ...` then its result; time so far. With `display`
    (progress.py), the lines go above its progress line, which shows the step and the time."""

    def __init__(self, total, echo=None, display=None):
        self.total = total
        self.done = 0
        self.t0 = time.monotonic()
        self.echo = echo or print_flushed
        self.display = display
        if display:
            display.phase("phases and baselines", runs=total)

    def _say(self, text):
        if self.display:
            self.display.say(text)
        else:
            self.echo(text)  # one argument: print_flushed, or a display's say()

    def start(self, what):
        self.done += 1
        self.step_t0 = time.monotonic()
        if self.display:
            self.display.step(self.done, what)
        self._say(f"measure: [{self.done}/{self.total}] {what} ...")

    def result(self, text):
        now = time.monotonic()
        self._say(f"measure:        {text} ({now - self.step_t0:.0f} s; "
                  f"{now - self.t0:.0f} s so far)")


def measure(system, platform, settings, out_dir, echo=None, display=None):
    """Runs every phase; returns the Report (written by report.write). `display`: a
    progress.Progress for the steps (else plain lines through `echo`)."""
    started = datetime.datetime.now().isoformat(timespec="seconds")
    t0 = time.monotonic()
    text = pathlib.Path(system).read_text()
    rt_cpus = sysdesc.realtime_cpus(text)
    if not rt_cpus:
        raise ValueError(f"{system}: no realtime cell to measure")
    rtcell = _rtcell_cell(text)
    linux = payload.ensure_linux_payload()
    rt_kernel = payload.ensure_rt_kernel()
    hv_phases = list(PHASES) if sysdesc.has_linux(text) else ["alone"]
    linux_cost = _linux_cost_wanted(text, settings, platform)
    steps = (len(hv_phases) * settings.hv_runs + len(BASELINE_PHASES) * settings.wall_runs +
             settings.icount_runs + (LINUX_COST_STEPS if linux_cost else 0))
    if rtcell:
        steps += (settings.wall_runs + 2 * settings.icount_runs +
                  2 * len(platform.other_cpu_models))
    progress = Progress(steps, echo, display)
    report = Report(platform.name, platform.describe(), str(system), settings.quick, [],
                    started)
    if not rtcell:
        report.notes.append("the realtime cell is not Bulkhead's rtcell (`rtcell/rtcell.bin`): "
                            "no bare or icount runs of it")
    ctx = _context(text, linux, platform, settings, out_dir, rt_cpus, rtcell)
    phases = {}
    for name in hv_phases:
        phases[name] = Phase(name, PHASES[name], platform=platform.name)
        for run in range(1, settings.hv_runs + 1):
            progress.start(f"{name}: booting {pathlib.Path(system).name} under the hypervisor"
                           + (f", run {run}/{settings.hv_runs}" if settings.hv_runs > 1 else ""))
            _hypervisor_phase(phases[name], ctx, run, report)
            progress.result(_entries_line(phases[name], run))
    if "idle" not in phases:
        phases["idle"] = Phase("idle", PHASES["idle"], platform=platform.name)
    if rtcell:
        _rtcell_baselines(phases, ctx, progress, report)
    _preempt_rt_baselines(phases, ctx, rt_kernel, progress, report)
    if rtcell:
        _cpu_model_check(phases["idle"], ctx, rt_kernel, progress, report)
    if linux_cost:
        report.linux_cost = linuxcost.measure(ctx, progress)
    for phase in phases.values():
        _add_pending(phase, platform)
    report.phases = [phases[n] for n in PHASES if n in phases]
    report.seconds = time.monotonic() - t0
    return report


def _linux_cost_wanted(text, settings, platform):
    """Linux's cost needs a Linux cell and a platform that boots its kernel bare under icount."""
    return (settings.linux_cost and sysdesc.has_linux(text) and
            getattr(platform, "measures_linux_cost", False))


def measure_linux_cost(system, platform, settings, out_dir, echo=None):
    """`bulkhead measure --linux-cost`: only Linux's cost section (linuxcost.py)."""
    started = datetime.datetime.now().isoformat(timespec="seconds")
    t0 = time.monotonic()
    text = pathlib.Path(system).read_text()
    if not _linux_cost_wanted(text, settings, platform):
        raise ValueError(f"{system} on {platform.name}: no Linux cell, or the platform cannot "
                         "boot Linux bare under icount")
    ctx = _context(text, payload.ensure_linux_payload(), platform, settings, out_dir,
                   sysdesc.realtime_cpus(text), None)
    report = Report(platform.name, platform.describe(), str(system), settings.quick, [],
                    started)
    report.notes.append("`--linux-cost`: only Linux's cost was measured")
    report.linux_cost = linuxcost.measure(ctx, Progress(LINUX_COST_STEPS, echo))
    report.seconds = time.monotonic() - t0
    return report


def _context(text, linux, platform, settings, out_dir, rt_cpus, rtcell):
    logs = pathlib.Path(out_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    # The disk Linux's I/O load reads (virtio-blk), under the hypervisor and bare alike.
    disk = logs / "scratch-disk.img"
    with open(disk, "wb") as f:
        f.truncate(SCRATCH_DISK_BYTES)
    return _Context(text, linux, platform, settings, logs, rt_cpus, rtcell, disk)


@dataclasses.dataclass
class _Context:
    text: str                # the system description
    linux: dict              # payload.ensure_linux_payload()
    platform: object
    settings: Settings
    logs: pathlib.Path
    rt_cpus: list
    rtcell: str | None       # the realtime cell running RTCELL_IMAGE, if any
    disk: pathlib.Path       # scratch disk for Linux's virtio-blk


def _rtcell_cell(text):
    """The one realtime cell that runs the default rtcell image, or None."""
    images = sysdesc.realtime_images(text)
    if len(images) != 1:
        return None
    [(name, (image, _))] = images.items()
    return name if image == RTCELL_IMAGE else None


def _rtcell_placement(ctx):
    """(load address, CPU count) of the realtime cell that runs the default rtcell image."""
    _, load = sysdesc.realtime_images(ctx.text)[ctx.rtcell]
    return load, len(sysdesc.cells(ctx.text)[ctx.rtcell]["cpus"])


def _bare_rtcell_icount_run(ctx, log, cpu_model=None, report=None):
    """One icount run of the path-length build bare: (thread run, handler run). With `report`,
    the run's critical-section table goes into it too."""
    load, cpus = _rtcell_placement(ctx)
    result = ctx.platform.run_bare_rtcell(
        paths.build_dir("arm64") / ctx.settings.rtcell_paths_image, load, cpus, log,
        timeout_s=180, icount=True, cpu_model=cpu_model)
    if report is not None:
        report.critical_sections += parse.critical_sections(result.output, "idle", REALTIME_BARE,
                                                            ICOUNT, log)
    return (_latmon_run(result, result.output, "thread-ns", log),
            _latmon_run(result, result.output, "handler-ns", log))


def _rtcell_baselines(phases, ctx, progress, report):
    settings, platform = ctx.settings, ctx.platform
    load, cpus = _rtcell_placement(ctx)
    build = paths.build_dir("arm64")
    series = Series(REALTIME_BARE, WALL_CLOCK, "alone", platform.name)
    for i in range(settings.wall_runs):
        progress.start(f"alone: realtime kernel bare ({settings.rtcell_run_image}, {cpus} CPUs), "
                       f"wall-clock run {i + 1}/{settings.wall_runs}")
        log = ctx.logs / f"rtcell-bare-wall-{i + 1}.log"
        cmd = platform.bare_rtcell_command(settings.rtcell_run_image, load, cpus)
        series.setup = f"`{' '.join(cmd)}`"
        result = platform.run_bare_rtcell(build / settings.rtcell_run_image, load, cpus, log,
                                          timeout_s=180)
        run = _latmon_run(result, result.output, "thread-us", log)
        report.critical_sections += parse.critical_sections(result.output, "alone",
                                                            REALTIME_BARE, WALL_CLOCK, log)
        series.runs.append(run)
        progress.result(_run_line(run, WALL_BUCKETS))
    phases["alone"].series.append(series)

    cell_paths_system = sysdesc.with_image(sysdesc.realtime_only(ctx.text), ctx.rtcell,
                                           settings.rtcell_paths_image)
    dts = ctx.logs / "hv-icount.dts"
    dts.write_text(cell_paths_system)
    system_image = systems.build_system_image(dts, ctx.logs / "hv-icount.img",
                                              image_dirs=[build])
    for subject in (REALTIME_CELL, REALTIME_BARE):
        thread = Series(subject, ICOUNT, "idle", platform.name, path=THREAD_PATH)
        handler = Series(subject, ICOUNT, "idle", platform.name, path=HANDLER_PATH)
        for i in range(settings.icount_runs):
            where = "as the cell" if subject == REALTIME_CELL else "bare"
            progress.start(f"idle: realtime kernel {where} under -icount "
                           f"({settings.rtcell_paths_image}), run {i + 1}/{settings.icount_runs}")
            if subject == REALTIME_CELL:
                log = ctx.logs / f"rtcell-cell-icount-{i + 1}.log"
                result = platform.run_hypervisor(system_image, log, timeout_s=180, icount=True)
                console = parse.cell_console(result.output, ctx.rtcell)
                setup = (f"the system's realtime cell alone (other CPUs idle in the hypervisor) "
                         f"booting {settings.rtcell_paths_image} under -icount: {dts.name}")
                runs = (_latmon_run(result, console, "thread-ns", log),
                        _latmon_run(result, console, "handler-ns", log))
                report.critical_sections += parse.critical_sections(console, "idle",
                                                                    REALTIME_CELL, ICOUNT, log)
            else:
                runs = _bare_rtcell_icount_run(ctx, ctx.logs / f"rtcell-bare-icount-{i + 1}.log",
                                               report=report)
                setup = "`" + " ".join(platform.bare_rtcell_command(
                    settings.rtcell_paths_image, load, cpus, icount=True)) + "`"
            thread.runs.append(runs[0])
            handler.runs.append(runs[1])
            thread.setup = handler.setup = setup
            progress.result(_run_line(thread.runs[-1], ICOUNT_BUCKETS, unit="instructions") +
                            "; handler " + _run_line(handler.runs[-1], ICOUNT_BUCKETS,
                                                     unit="instructions"))
        phases["idle"].series += [thread, handler]
        report.determinism[f"{subject} icount idle, {PATH_NAMES[THREAD_PATH]}"] = \
            _determinism(thread)
        report.determinism[f"{subject} icount idle, {PATH_NAMES[HANDLER_PATH]}"] = \
            _determinism(handler)


def _latmon_run(result, console, block, log):
    """One run's histograms of latmon block `block`; raises when the run did not report it."""
    blocks, missed = parse.latmon_report(console, LATMON_BUCKETS)
    if result.timed_out or block not in blocks or not any(h.samples for h in
                                                          blocks[block].values()):
        raise RuntimeError(f"the realtime kernel's run gave no latmon {block} histogram:\n"
                           f"{result.describe()}")
    return Run(blocks[block], missed, str(log), result.seconds)


def _preempt_rt_baselines(phases, ctx, rt_kernel, progress, report):
    settings, platform, rt_cpus = ctx.settings, ctx.platform, ctx.rt_cpus
    for name in BASELINE_PHASES:
        phase = phases.setdefault(name, Phase(name, PHASES[name], platform=platform.name))
        series = Series(PREEMPT_RT, WALL_CLOCK, name, platform.name)
        for i in range(settings.wall_runs):
            progress.start(f"{name}: {rt_kernel['kernel_version']} bare, cyclictest on CPUs "
                           f"{_cpu_list(rt_cpus)}, wall-clock run {i + 1}/{settings.wall_runs}")
            run = _bare_run(series, rt_kernel, platform, name, rt_cpus, settings.loops, False,
                            ctx.logs / f"preempt-rt-wall-{name}-{i + 1}.log", ctx.disk)
            progress.result(_run_line(run, WALL_BUCKETS))
        phase.series.append(series)
    series = Series(PREEMPT_RT, ICOUNT, "idle", platform.name)
    for i in range(settings.icount_runs):
        progress.start(f"idle: {rt_kernel['kernel_version']} bare under -icount, "
                       f"run {i + 1}/{settings.icount_runs}")
        # No disk: its start-up I/O completes at host-dependent times, and icount runs no load.
        run = _bare_run(series, rt_kernel, platform, "idle", rt_cpus, settings.icount_loops, True,
                        ctx.logs / f"preempt-rt-icount-idle-{i + 1}.log", None)
        progress.result(_run_line(run, ICOUNT_BUCKETS, unit="instructions"))
    phases["idle"].series.append(series)
    report.determinism[f"preempt-rt icount idle, {PATH_NAMES[THREAD_PATH]}"] = \
        _determinism(series)


def _cpu_model_check(idle, ctx, rt_kernel, progress, report):
    """The bare kernels' icount path lengths again on the platform's other CPU models, one run
    each (determinism is shown on the main model): the realtime kernel uses no optional CPU
    feature, Debian's kernel does, so the comparison with PREEMPT_RT depends on the model."""
    settings, platform = ctx.settings, ctx.platform

    def p50(subject, path):
        series = idle.series_for(subject, ICOUNT, path)
        return series.median_stats()["p50_ns"] if series and series.runs else None

    report.cpu_models.append(_cpu_model_row(platform.cpu_model, settings.icount_runs,
                                            p50(REALTIME_BARE, HANDLER_PATH),
                                            p50(REALTIME_BARE, THREAD_PATH),
                                            p50(PREEMPT_RT, THREAD_PATH)))
    for model in platform.other_cpu_models:
        progress.start(f"idle: realtime kernel bare under -icount on -cpu {model}")
        thread, handler = _bare_rtcell_icount_run(
            ctx, ctx.logs / f"rtcell-bare-icount-cpu-{model}.log", model)
        progress.result(_run_line(thread, ICOUNT_BUCKETS, unit="instructions"))
        progress.start(f"idle: {rt_kernel['kernel_version']} bare under -icount on -cpu {model}")
        rt_series = Series(PREEMPT_RT, ICOUNT, "idle", platform.name)
        rt = _bare_run(rt_series, rt_kernel, platform, "idle", ctx.rt_cpus, settings.icount_loops,
                       True, ctx.logs / f"preempt-rt-icount-idle-cpu-{model}.log", None, model)
        progress.result(_run_line(rt, ICOUNT_BUCKETS, unit="instructions"))
        report.cpu_models.append(_cpu_model_row(model, 1, handler.stats().p50_ns,
                                                thread.stats().p50_ns, rt.stats().p50_ns))


def _cpu_model_row(model, runs, handler_p50, thread_p50, preempt_rt_p50):
    return {"cpu_model": model, "runs": runs, "realtime_bare_handler_p50": handler_p50,
            "realtime_bare_thread_p50": thread_p50, "preempt_rt_thread_p50": preempt_rt_p50}


def _determinism(series):
    return {"runs": len(series.runs), "repeats": series.repeats(),
            "identical_figures": series.identical_figures(),
            "figures": list(series.REPEATED_FIGURES),
            "identical_histograms": series.identical_runs(),
            "differing_samples": series.differing_samples(),
            "moved_sample_limit": series.moved_sample_limit(),
            "samples_per_run": series.runs[0].stats().samples if series.runs else 0}


# --- under the hypervisor ------------------------------------------------------------------------

def _hypervisor_phase(phase, ctx, run, report):
    text, settings, logs = ctx.text, ctx.settings, ctx.logs
    info = sysdesc.cells(text)
    if phase.name == "alone":
        dts_text = sysdesc.realtime_only(text)
        if ctx.rtcell:   # the build that stops by itself: nobody is there to say STOP
            dts_text = sysdesc.with_image(dts_text, ctx.rtcell, settings.rtcell_run_image)
    else:
        foreign = sysdesc.foreign_addresses(text)
        dts_text = sysdesc.with_bootargs(text, " ".join([
            "bulkhead.scenario=measure", f"bulkhead.load={phase.name}",
            f"bulkhead.duration={settings.duration_s}",
            "bulkhead.foreign=" + ",".join(f"{a:#x}" for a in foreign)]
            # The attack's GICD writes through /dev/mem: Debian's kernel maps ranges a driver
            # claims only with iomem=relaxed; without it they never reach the hypervisor.
            + (["iomem=relaxed"] if phase.name == "attack" else [])))
        # The I/O load's scratch disk: the default system gives Linux no DMA-capable device.
        dts_text = sysdesc.with_linux_device(dts_text, *ctx.platform.disk_device)
    tag = phase.name if settings.hv_runs == 1 else f"{phase.name}-{run}"
    dts = logs / f"hv-{tag}.dts"
    dts.write_text(dts_text)
    image = systems.build_system_image(dts, logs / f"hv-{tag}.img",
                                       image_dirs=[paths.build_dir("arm64"),
                                                   systems.test_cell_dir()],
                                       image_files=[ctx.linux["image"], ctx.linux["initramfs"]])
    log = logs / f"hv-{tag}.log"
    int_log = (logs / f"hv-{tag}.int.log"
               if settings.cross_check == phase.name and run == 1 else None)
    result = ctx.platform.run_hypervisor(image, log, timeout_s=180 + 4 * settings.duration_s,
                                         int_log=int_log,
                                         disk=None if phase.name == "alone" else ctx.disk)
    phase.log = str(log) if run == 1 else phase.log
    out = result.output
    summary = ""
    # A cell's non-zero exit (latmon's: periods were missed) is a figure, not a failed boot.
    if result.timed_out or "hv: every cell has stopped; powering off" not in out:
        summary = "FAILED: " + result.describe().replace("\n", " ")
    m = re.search(r"^linux-cell: measure: load stopped: (.*)$", out, re.M)
    if m:
        summary = (summary + "; " if summary else "") + m.group(1)
    if phase.name == "alone" and not summary:
        summary = "no load: the realtime cells alone"
    phase.load_by_run[run] = summary
    runs = sorted(phase.load_by_run)
    phase.load_summary = (summary if runs == [1] else
                          "; ".join(f"run {r}: {phase.load_by_run[r]}" for r in runs))
    stats = parse.hv_stats(out)
    windows = parse.window_entries(out)
    el2 = intcount.entries_to_el2(int_log) if int_log and int_log.exists() else None
    for cpu, entries in sorted(stats.items()):
        entries.run = run
        if el2 is not None:
            entries.qemu_el2 = el2.get(cpu, 0)
        if cpu in ctx.rt_cpus:
            entries.window = windows.get(cpu, (None, None))[1]
            phase.realtime_entries.append(entries)
        else:
            phase.other_entries.append(entries)
    if int_log and int_log.exists():
        int_log.unlink()  # hundreds of MB; the counts are in the report
    if ctx.rtcell:
        report.critical_sections += parse.critical_sections(
            parse.cell_console(out, ctx.rtcell), phase.name, REALTIME_CELL, WALL_CLOCK, log)
    found = _latmon_run_of_phase(out, info, log)
    if found:
        run_figures, source = found
        series = phase.series_for(REALTIME_CELL, WALL_CLOCK)
        if series is None:
            series = Series(REALTIME_CELL, WALL_CLOCK, phase.name, ctx.platform.name,
                            setup=source)
            phase.series.append(series)
        series.runs.append(run_figures)


def _latmon_run_of_phase(out, info, log):
    """The realtime cell's latency in one boot, from latmon (rtcell/apps/latmon.c):
    1. Linux phases: `bhctl latency --histogram` before and after the load (guests/linux/init,
       scenario measure); the difference is exactly the samples taken during the load.
    2. Otherwise latmon's closing report on the cell's own console (thread-us block).
    (Run, source) or None (a realtime cell that is not latmon: the report says pending)."""
    before = parse.between(out, "linux-cell: measure: bhctl before begin",
                           "linux-cell: measure: bhctl before end")
    after = parse.between(out, "linux-cell: measure: bhctl after begin",
                          "linux-cell: measure: bhctl after end")
    if before is not None and after is not None:
        h0 = parse.cyclictest_histograms(before, WALL_BUCKETS)
        h1 = parse.cyclictest_histograms(after, WALL_BUCKETS)
        threads = {t: h1[t].minus(h0[t]) if t in h0 else h1[t] for t in h1}
        m0, m1 = parse.missed_periods(before), parse.missed_periods(after)
        missed = m1[0] - (m0[0] if m0 else 0) if m1 else None
        if any(h.samples for h in threads.values()):
            return (Run(threads, missed, str(log)), "latmon's telemetry channel read by "
                    "`bhctl latency --histogram` before and after the load")
    for cell, c in info.items():
        if not c["realtime"]:
            continue
        blocks, missed = parse.latmon_report(parse.cell_console(out, cell), LATMON_BUCKETS)
        threads = blocks.get("thread-us", {})
        if any(h.samples for h in threads.values()):
            return (Run(threads, missed, str(log)),
                    f"latmon's closing report on the console of cell {cell}")
    return None


def _add_pending(phase, platform):
    """Series that have no figures say why instead of showing numbers (a realtime cell that is
    not latmon, or a run that printed nothing)."""
    wanted = {"alone": [(REALTIME_CELL, WALL_CLOCK), (REALTIME_BARE, WALL_CLOCK)],
              "idle": [(REALTIME_CELL, WALL_CLOCK), (REALTIME_CELL, ICOUNT),
                       (REALTIME_BARE, ICOUNT), (PREEMPT_RT, ICOUNT)],
              }.get(phase.name, [(REALTIME_CELL, WALL_CLOCK)])
    # icount under load measures QEMU, not the system (docs/measuring.md): idle only.
    for subject, instrument in wanted:
        if not phase.series_for(subject, instrument):
            why = ("no latmon figures (the realtime cell is not rtcell's latmon)"
                   if subject != PREEMPT_RT else "no figures")
            phase.series.append(Series(subject, instrument, phase.name, platform.name,
                                       pending=why))


# --- bare baselines ------------------------------------------------------------------------------

def _bare_run(series, kernel, platform, load, rt_cpus, loops, icount, log, disk,
              cpu_model=None):
    cpus = _cpu_list(rt_cpus)
    append = " ".join([f"isolcpus={cpus}", "bulkhead.scenario=measure", f"bulkhead.load={load}",
                       f"bulkhead.rtcpus={cpus}", f"bulkhead.loops={loops}",
                       f"bulkhead.prio={PRIORITY}", f"bulkhead.units={'ns' if icount else 'us'}"])
    # Stress slows the guest clock's progress per host second a lot: generous, scaled limits.
    timeout_s = 120 + loops * INTERVAL_US / 1e6 * (20 if load != "idle" else 6)
    result = platform.run_bare_linux(kernel["image"], kernel["initramfs"], append, log,
                                     timeout_s, icount=icount, disk=disk, cpu_model=cpu_model)
    command = platform.bare_linux_command("Image", "initramfs", append, icount,
                                          disk.name if disk else None, cpu_model)
    series.setup = (f"{kernel['package']}: `{' '.join(command)}`"
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


def _entries_line(phase, run):
    parts = []
    for e in (e for e in phase.realtime_entries if e.run == run):
        window = "?" if e.window is None else e.window
        check = "" if e.qemu_el2 is None else f", QEMU -d int {e.qemu_el2}"
        parts.append(f"cpu {e.cpu} ({e.cell}): window {window}, involuntary {e.involuntary}, "
                     f"total {e.total}{check}")
    linux = sum(e.total for e in phase.other_entries if e.run == run)
    return "; ".join(parts or ["no realtime CPU statistics"]) + \
        f"; other CPUs {linux} entries" + (f" [{phase.load_by_run[run]}]"
                                           if phase.load_by_run.get(run) else "")


def _run_line(run, buckets, unit="µs"):
    s = run.stats()
    div = 1 if unit == "instructions" else 1000

    def f(v):
        return f">={s.limit_ns // div}" if v is None else f"{v // div}"
    return (f"{s.samples} samples: min {f(s.min_ns)} p50 {f(s.p50_ns)} p99 {f(s.p99_ns)} "
            f"max {f(s.max_ns)} {unit}")
