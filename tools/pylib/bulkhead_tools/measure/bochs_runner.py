"""The phases of `bulkhead measure --platform bochs-x86`: the x86 realtime cell's latency in Bochs'
time (docs/measuring.md, "Bochs as an instrument of latency under load").

In the Bochs we run, a running CPU executes one instruction per tick whatever its neighbour does,
and the realtime kernel's TSC counts those ticks: latmon's figures are deterministic and depend on
nothing but the inputs. Every configuration therefore runs twice and the report says whether the
figures repeat. The configurations, latmon (1 ms period) as the system's realtime cell:
- alone: the system without its other cells (their CPUs halted in the hypervisor);
- idle: beside a neighbour that prints and exits (`hello`), its CPU then idle;
- stress: beside the busy test cell (guests/tests/x86/busy.c) loading its CPU until latmon ends;
- control: the stress system under the hypervisor whose every external interrupt exits and is
  injected (bulkhead-irqexit.elf): the positive control, which must show exits and latency;
- the same realtime kernel bare (no hypervisor, as many CPUs as its cell), in phase alone.
Every boot under the hypervisor also writes Bochs' own log of VM exits, the witness of the
hypervisor's counters.
"""

import dataclasses
import datetime
import pathlib
import time

from .. import paths, systems
from ..bochs import keep_witness_lines, vm_exits_per_cpu
from . import parse, sysdesc
from .model import BOCHS, HANDLER_PATH, REALTIME_BARE, REALTIME_CELL, THREAD_PATH, Phase, Report, \
    Run, Series
from .runner import Progress

BUCKETS = {"us": 1000, "ns": 100000}   # latmon's blocks: 1 µs and 1 ns buckets up to 100 µs
HYPERVISOR = "bulkhead.elf"
CONTROL_HYPERVISOR = "bulkhead-irqexit.elf"   # -DBH_X86_INTERRUPT_EXITING=1 (arch/x86)
# The neighbour each phase gives the system's non-realtime cells. Linux on x86 (a later issue)
# replaces these test cells: _neighbour() is the one place that then boots the system's own Linux
# cell with the load of the phase, as runner.py does on arm64.
NEIGHBOUR = {"idle": "hello.bin", "stress": "busy.bin", "control": "busy.bin"}
PHASES = {
    "alone": ("the realtime cell alone (the other CPUs halted in the hypervisor)", HYPERVISOR),
    "idle": ("beside `hello`, which prints and exits: the other CPU idle", HYPERVISOR),
    "stress": ("beside `busy` (guests/tests/x86/busy.c): 64 KiB memory sweeps, multiplies and a "
               "CELL_INFO hypercall per sweep (an exit on its CPU) until latmon has ended",
               HYPERVISOR),
    "control": ("positive control: the stress system under bulkhead-irqexit.elf (external-"
                "interrupt exiting, every timer interrupt acknowledged by the hypervisor and "
                "injected at the cell's interrupt window)", CONTROL_HYPERVISOR),
}


@dataclasses.dataclass
class Settings:
    quick: bool
    image: str          # the realtime kernel build (rtcell/meson.build): latmon alone
    periods: int
    runs: int = 2       # per configuration: the determinism check
    timeout_s: int = 300

    @classmethod
    def for_mode(cls, quick):
        if quick:
            return cls(True, "rtcell-x86-latmon", 1000)
        return cls(False, "rtcell-x86-latmon-long", 10000, timeout_s=900)


def measure(system, platform, settings, out_dir, echo=None):
    """Runs every configuration `settings.runs` times; returns the Report."""
    started = datetime.datetime.now().isoformat(timespec="seconds")
    t0 = time.monotonic()
    text = pathlib.Path(system).read_text()
    images = sysdesc.realtime_images(text)
    if len(images) != 1:
        raise ValueError(f"{system}: bochs-x86 measures a system with exactly one realtime cell, "
                         f"not {len(images)}")
    [rtcell] = images
    cpus = len(sysdesc.cells(text)[rtcell]["cpus"])
    logs = pathlib.Path(out_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    progress = Progress((len(PHASES) + 1) * settings.runs, echo)
    report = Report(platform.name, platform.describe(), str(system), settings.quick, [], started)
    report.notes.append(f"the realtime cell `{rtcell}` runs {settings.image} (latmon alone, "
                        f"{settings.periods:,} periods of 1 ms) in every configuration")
    phases = []
    for name, (description, hypervisor) in PHASES.items():
        phase = Phase(name, description, platform=platform.name,
                      expects_entries=hypervisor == CONTROL_HYPERVISOR)
        dts = logs / f"hv-{name}.dts"
        dts.write_text(_phase_system(text, rtcell, name, settings.image))
        for run in range(1, settings.runs + 1):
            progress.start(f"{name}: {dts.name} under {hypervisor}, run {run}/{settings.runs}")
            _hypervisor_run(phase, dts, hypervisor, rtcell, run, logs / f"hv-{name}-{run}",
                            platform, settings, report)
            progress.result(_line(phase, run, platform))
        phases.append(phase)
    alone = phases[0]
    for run in range(1, settings.runs + 1):
        progress.start(f"alone: realtime kernel bare ({settings.image}.iso, {cpus} CPUs), "
                       f"run {run}/{settings.runs}")
        _bare_run(alone, cpus, logs / f"bare-{run}", platform, settings, report)
        progress.result(_run_line(alone.series_for(REALTIME_BARE, BOCHS), platform))
    for phase in phases:
        for series in phase.series:
            report.determinism[f"{series.subject} {phase.name}, {series.path}"] = \
                determinism(series, platform.ns_per_tick)
    report.phases = phases
    report.seconds = time.monotonic() - t0
    return report


def _neighbour(phase, text, cell):
    """The image the non-realtime cell `cell` boots in `phase`."""
    if sysdesc.has_linux(text):
        raise ValueError(f"cell {cell} is a Linux cell: Linux on x86 is not measured yet "
                         "(bochs_runner.NEIGHBOUR is the hook)")
    return NEIGHBOUR[phase]


def _phase_system(text, rtcell, phase, image):
    """The system description booted in `phase`: the realtime cell runs `image`."""
    if phase == "alone":
        text = sysdesc.realtime_only(text)
    else:
        for cell, info in sysdesc.cells(text).items():
            if not info["realtime"]:
                text = sysdesc.with_image(text, cell, _neighbour(phase, text, cell))
    return sysdesc.with_image(text, rtcell, f"{image}.bin")


def _hypervisor_run(phase, dts, hypervisor, rtcell, run, work, platform, settings, report):
    work.mkdir(parents=True, exist_ok=True)
    x86_build = paths.build_dir("x86_64")
    image = systems.build_system_image(dts, work / "system.img",
                                       image_dirs=[systems.test_cell_dir("x86_64"),
                                                   x86_build / "rtcell"],
                                       platform=platform.name)
    result = platform.run_hypervisor(platform.iso(hypervisor, image, work), work,
                                     settings.timeout_s)
    out = result.output.replace("\r\n", "\n")
    if result.timed_out or "hv: every cell has stopped; powering off" not in out:
        raise RuntimeError(f"phase {phase.name}: the boot did not end by itself:\n"
                           f"{result.describe()}")
    console = parse.cell_console(out, rtcell)
    _add_runs(phase, REALTIME_CELL, console, result, work / "serial.log", platform,
              f"{dts.name} under {hypervisor} in Bochs")
    keep_witness_lines(work / "bochs.log")   # the debug log of a busy CPU is huge
    exits = vm_exits_per_cpu(work / "bochs.log")
    windows = parse.window_entries(out)
    rt_cpus = sysdesc.realtime_cpus(dts.read_text())
    for cpu, entries in sorted(parse.hv_stats(out).items()):
        entries.run = run
        entries.voluntary = entries.X86_VOLUNTARY
        entries.bochs_exits = exits.get(cpu, 0)
        if cpu in rt_cpus:
            entries.window = windows.get(cpu, (None, None))[1]
            phase.realtime_entries.append(entries)
        else:
            phase.other_entries.append(entries)
    phase.load_by_run[run] = _neighbour_summary(out)
    phase.load_summary = phase.load_by_run[1]
    phase.log = phase.log or str(work / "serial.log")
    report.critical_sections += parse.critical_sections(console, phase.name, REALTIME_CELL, BOCHS,
                                                        work / "serial.log")


def _bare_run(phase, cpus, work, platform, settings, report):
    result = platform.run_bare_rtcell(settings.image, cpus, work, settings.timeout_s)
    out = result.output.replace("\r\n", "\n")
    _add_runs(phase, REALTIME_BARE, out, result, work / "serial.log", platform,
              f"{settings.image}.iso (GRUB, multiboot2) bare in Bochs on {cpus} CPU(s)")
    report.critical_sections += parse.critical_sections(out, phase.name, REALTIME_BARE, BOCHS,
                                                        work / "serial.log")


def _add_runs(phase, subject, console, result, log, platform, setup):
    """latmon's timer -> thread and timer -> handler histograms (ns) of one run into `phase`."""
    blocks, missed = parse.latmon_report(console, BUCKETS)
    for block, path in (("thread-ns", THREAD_PATH), ("handler-ns", HANDLER_PATH)):
        if result.timed_out or block not in blocks:
            raise RuntimeError(f"phase {phase.name}: no latmon {block} histogram from "
                               f"{subject}:\n{result.describe()}")
        series = phase.series_for(subject, BOCHS, path)
        if series is None:
            series = Series(subject, BOCHS, phase.name, platform.name, setup=setup, path=path)
            phase.series.append(series)
        series.runs.append(Run(blocks[block], missed, str(log), result.seconds))


def _neighbour_summary(out):
    """What the non-realtime cells said at their end (busy's closing line, or hello's exit)."""
    lines = [line for line in out.splitlines()
             if "] busy: done" in line or
             (line.startswith('hv: cell "') and "stopped" in line and '"rt"' not in line)]
    return "; ".join(lines) or "no other cell"


def determinism(series, ns_per_tick):
    """Whether the runs of `series` repeat: identical figures and histograms, else the spread
    (largest difference between runs) of each figure in ticks."""
    stats = [run.stats() for run in series.runs]
    spread = {}
    for name in ("min_ns", "p50_ns", "p99_ns", "p999_ns", "max_ns"):
        values = [getattr(s, name) for s in stats]
        if None not in values:
            spread[name[:-3]] = (max(values) - min(values)) // ns_per_tick
    return {"runs": len(series.runs), "identical_figures": series.identical_figures(),
            "figures": list(series.REPEATED_FIGURES),
            "identical_histograms": series.identical_runs(),
            "differing_samples": series.differing_samples(),
            "samples_per_run": stats[0].samples if stats else 0,
            "spread_ticks": spread,
            "identical_missed": len({r.missed_periods for r in series.runs}) == 1}


def _line(phase, run, platform):
    cell = phase.series_for(REALTIME_CELL, BOCHS)
    parts = [_run_line(cell, platform)]
    for e in phase.realtime_entries:
        if e.run == run:
            parts.append(f"cpu {e.cpu} ({e.cell}): window {e.window}, total {e.total}, Bochs' log "
                         f"{e.bochs_exits}")
    return "; ".join(parts) + f" [{phase.load_by_run[run]}]"


def _run_line(series, platform):
    s = series.runs[-1].stats()
    tick = platform.ns_per_tick
    return (f"{s.samples} samples, {series.runs[-1].missed_periods} missed, timer -> thread "
            f"min {s.min_ns // tick} p50 {s.p50_ns // tick} p99 {s.p99_ns // tick} max "
            f"{s.max_ns // tick} ticks")
