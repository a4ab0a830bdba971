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

With `--linux` (Settings.linux) the neighbour is the system's Linux cell (default
config/bochs-x86/linux-rt.dts: Debian's amd64 kernel through its PVH entry) running
guests/linux/init's `measure` scenario with the phase's load for `duration_s` of Bochs' time, and
the realtime cell runs latmon until the hypervisor's STOP (Linux's power-off stops the system):
latmon's window, its histogram and the hypervisor's window count span Linux's whole boot and load.
The phases: alone, idle, stress, attack, and control (stress under bulkhead-irqexit.elf). Bochs
logs only the realtime CPU (a Linux CPU's debug lines run to gigabytes over its boot); Linux's
entries come from the hypervisor's counters, per second of Bochs' time.
"""

import dataclasses
import datetime
import pathlib
import re
import time

from .. import paths, payload, systems
from ..bochs import (IPS, end_tick, exit_free_stretches, first_exit_tick, keep_witness_lines,
                     vm_exits_per_cpu)
from . import parse, sysdesc
from .model import BOCHS, HANDLER_PATH, REALTIME_BARE, REALTIME_CELL, THREAD_PATH, Phase, Report, \
    Run, Series
from .runner import Progress

BUCKETS = {"us": 1000, "ns": 100000}   # latmon's blocks: 1 µs and 1 ns buckets up to 100 µs
HYPERVISOR = "bulkhead.elf"
CONTROL_HYPERVISOR = "bulkhead-irqexit.elf"   # -DBH_X86_INTERRUPT_EXITING=1 (arch/x86)
# The test cell each phase gives the system's non-realtime cells (without --linux).
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


# --linux: the phases beside the Linux cell; (description, hypervisor, Linux's load).
LINUX_PHASES = {
    "alone": PHASES["alone"] + (None,),
    "idle": ("beside the Linux cell, booted and idle (guests/linux/init, scenario measure)",
             HYPERVISOR, "idle"),
    "stress": ("beside the Linux cell under stress: a CPU hog, memory thrashing (tmpfs), I/O on "
               "tmpfs files, hackbench, 1 ms SCHED_FIFO timers (guests/linux/init, load stress)",
               HYPERVISOR, "stress"),
    "attack": ("beside the Linux cell attacking: /dev/mem reads and writes at the realtime cell's "
               "memory and the hypervisor's (not in Linux's EPT: #GP to Linux)", HYPERVISOR,
               "attack"),
    "control": ("positive control: the stress phase under bulkhead-irqexit.elf (every external "
                "interrupt exits and is injected)", CONTROL_HYPERVISOR, "stress"),
}
LINUX_SYSTEM = paths.REPO / "config" / "bochs-x86" / "linux-rt.dts"
LINUX_RTCELL_IMAGE = "rtcell-x86-latmon-stop"   # latmon alone until the mailbox STOP
# The stress load's SCHED_FIFO timers (arm64: 100 µs). At Bochs' 50 M instructions per emulated
# second a 100 µs timer's wake-ups take Linux's whole CPU and the phase never ends.
STRESS_TIMER_US = 1000
TIMER_VECTOR = 0x40   # the realtime kernel's LAPIC timer (rtcell/arch/x86)


@dataclasses.dataclass
class Settings:
    quick: bool
    image: str          # the realtime kernel build (rtcell/meson.build): latmon alone
    periods: int
    runs: int = 2       # per configuration: the determinism check
    timeout_s: int = 300
    linux: bool = False     # the Linux cell as the neighbour (LINUX_PHASES)
    duration_s: int = 0     # Linux's load per phase, seconds of Bochs' time

    @classmethod
    def for_mode(cls, quick, linux=False):
        if linux:   # a Linux boot is ~3.5 G ticks (2-3 minutes of host time): one run each
            return cls(quick, "rtcell-x86-latmon", 1000, runs=1, timeout_s=900, linux=True,
                       duration_s=2 if quick else 10)
        if quick:
            return cls(True, "rtcell-x86-latmon", 1000)
        return cls(False, "rtcell-x86-latmon-long", 10000, timeout_s=900)

    def phases(self):
        return LINUX_PHASES if self.linux else {n: v + (None,) for n, v in PHASES.items()}


def measure(system, platform, settings, out_dir, echo=None):
    """Runs every configuration `settings.runs` times; returns the Report."""
    started = datetime.datetime.now().isoformat(timespec="seconds")
    t0 = time.monotonic()
    text = pathlib.Path(system).read_text()
    if settings.linux != sysdesc.has_linux(text):
        raise ValueError(f"{system}: {'--linux needs' if settings.linux else 'without --linux'} "
                         "a system with a Linux cell" + ("" if settings.linux else
                                                          " is measured with --linux"))
    linux = payload.ensure_linux_payload(arch="x86_64") if settings.linux else None
    if linux:
        text = sysdesc.with_entry(text, linux["pvh_entry"])
    images = sysdesc.realtime_images(text)
    if len(images) != 1:
        raise ValueError(f"{system}: bochs-x86 measures a system with exactly one realtime cell, "
                         f"not {len(images)}")
    [rtcell] = images
    cpus = len(sysdesc.cells(text)[rtcell]["cpus"])
    logs = pathlib.Path(out_dir) / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    progress = Progress((len(settings.phases()) + 1) * settings.runs, echo)
    report = Report(platform.name, platform.describe(), str(system), settings.quick, [], started)
    report.notes.append(f"the realtime cell `{rtcell}` runs {settings.image} (latmon alone, "
                        f"{settings.periods:,} periods of 1 ms) in "
                        + ("phase alone and bare" if linux else "every configuration"))
    if linux:
        report.notes.append(
            f"beside Linux the realtime cell runs {LINUX_RTCELL_IMAGE} (latmon alone, 1 ms, "
            f"until the hypervisor's STOP): its figures cover Linux's whole boot and "
            f"{settings.duration_s} s (Bochs' time) of load; Linux: {linux['kernel_version']} "
            f"through its PVH entry; one run per configuration (Bochs' time is deterministic)")
    phases = []
    for name, (description, hypervisor, load) in settings.phases().items():
        phase = Phase(name, description, platform=platform.name,
                      expects_entries=hypervisor == CONTROL_HYPERVISOR)
        dts = logs / f"hv-{name}.dts"
        dts.write_text(_phase_system(text, rtcell, name, settings, load))
        for run in range(1, settings.runs + 1):
            progress.start(f"{name}: {dts.name} under {hypervisor}, run {run}/{settings.runs}")
            _hypervisor_run(phase, dts, hypervisor, rtcell, run, logs / f"hv-{name}-{run}",
                            platform, settings, report, linux if load else None)
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


def _phase_system(text, rtcell, phase, settings, load):
    """The system description booted in `phase`: the realtime cell runs settings.image, or
    beside a Linux cell running `load` the build that runs until STOP."""
    if phase == "alone":
        return sysdesc.with_image(sysdesc.realtime_only(text), rtcell, f"{settings.image}.bin")
    if load:
        return sysdesc.with_image(_linux_load(text, load, settings.duration_s), rtcell,
                                  f"{LINUX_RTCELL_IMAGE}.bin")
    for cell, info in sysdesc.cells(text).items():
        if not info["realtime"]:
            text = sysdesc.with_image(text, cell, NEIGHBOUR[phase])
    return sysdesc.with_image(text, rtcell, f"{settings.image}.bin")


def _linux_load(text, load, duration_s):
    """The Linux cell's command line for one phase: guests/linux/init's `measure` scenario (its
    arguments follow the system's own, so they win). The attack aims at the host-physical
    addresses of the realtime cell's memory and the hypervisor's image, as on arm64: the first
    is outside Linux's EPT (#GP to Linux), the second inside Linux's own guest-physical RAM
    (Debian's STRICT_DEVMEM refuses it)."""
    foreign = sysdesc.foreign_addresses(text)
    return sysdesc.with_bootargs(text, " ".join([
        "bulkhead.scenario=measure", f"bulkhead.load={load}", f"bulkhead.duration={duration_s}",
        f"bulkhead.timer_us={STRESS_TIMER_US}",
        "bulkhead.foreign=" + ",".join(f"{a:#x}" for a in foreign)]))


def _hypervisor_run(phase, dts, hypervisor, rtcell, run, work, platform, settings, report,
                    linux=None):
    """One boot of `dts`; `linux`: the payload of the system's Linux cell, if it boots."""
    work.mkdir(parents=True, exist_ok=True)
    x86_build = paths.build_dir("x86_64")
    image = systems.build_system_image(dts, work / "system.img",
                                       image_dirs=[systems.test_cell_dir("x86_64"),
                                                   x86_build / "rtcell"]
                                       + ([linux["dir"]] if linux else []),
                                       platform=platform.name)
    rt_cpus = sysdesc.realtime_cpus(dts.read_text())
    result = platform.run_hypervisor(platform.iso(hypervisor, image, work), work,
                                     settings.timeout_s,
                                     logged_cpus=set(rt_cpus) if linux else True,
                                     com2=bool(linux))
    out = result.output.replace("\r\n", "\n")
    if result.timed_out or "hv: every cell has stopped; powering off" not in out:
        com2 = work / "com2.log"
        text = com2.read_text(errors="replace") if linux and com2.exists() else ""
        oom, crashed = oom_kills(text), fault_deaths(text)
        raise RuntimeError(f"phase {phase.name}: the boot did not end by itself"
                           + (f" (Linux's OOM killer fired {len(oom)} times, first: {oom[0]})"
                              if oom else "")
                           + (f" ({len(crashed)} processes died of a fault, first: "
                              f"{crashed[0]})" if crashed else "") + f":\n{result.describe()}")
    console = parse.cell_console(out, rtcell)
    _add_runs(phase, REALTIME_CELL, console, result, work / "serial.log", platform,
              f"{dts.name} under {hypervisor} in Bochs")
    ended = end_tick(work / "bochs.log")
    keep_witness_lines(work / "bochs.log")   # the debug log of a busy CPU is huge
    exits = vm_exits_per_cpu(work / "bochs.log")
    windows = parse.window_entries(out)
    for cpu, entries in sorted(parse.hv_stats(out).items()):
        entries.run = run
        entries.voluntary = entries.X86_VOLUNTARY
        entries.bochs_exits = exits.get(cpu, 0) if not linux or cpu in rt_cpus else None
        if cpu in rt_cpus:
            entries.window = windows.get(cpu, (None, None))[1]
            phase.realtime_entries.append(entries)
        else:
            phase.other_entries.append(entries)
    if linux:
        com2 = (work / "com2.log").read_text(errors="replace").replace("\r\n", "\n")
        phase.load_by_run[run] = linux_summary(com2)
        report.notes += linux_notes(phase, run, ended, work / "bochs.log", rt_cpus)
    else:
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


def linux_summary(com2):
    """What the Linux cell did, from its console: init reached (with Linux's clock there) and
    its load's closing line; FAILED when init or the load's end is missing, when Linux's
    OOM killer fired (the load did not fit the cell's memory: what ran is not the load), or
    when a process died of a fault (what ran is not the load either; issue #15 was Bochs)."""
    init = re.search(r"^linux-cell: uptime at init: ([\d.]+) s", com2, re.M)
    load = re.search(r"^linux-cell: measure: load stopped: (.*)$", com2, re.M)
    oom = oom_kills(com2)
    if oom:
        return (f"FAILED: the load did not fit Linux's memory: the OOM killer fired {len(oom)} "
                f"times (first: {oom[0]}) (com2.log)")
    crashed = fault_deaths(com2)
    if crashed:
        return (f"FAILED: {len(crashed)} processes died of a fault (first: {crashed[0]}) "
                "(com2.log)")
    if not init or not load:
        return ("FAILED: Linux did not reach " + ("init" if not init else "the load's end")
                + " (com2.log)")
    return f"init at {init.group(1)} s of Linux's clock; {load.group(1)}"


def oom_kills(com2):
    """The processes Linux's OOM killer killed, from its console ("Out of memory: Killed process
    PID (NAME)"; a memory cgroup's kill says "Memory cgroup out of memory"), or its bare
    "oom-kill" lines when the kernel's loglevel hid the others."""
    kills = re.findall(r"(?:Out of memory|out of memory): (Killed process \d+ \([^)]*\))",
                       com2)
    return kills or re.findall(r"^.*\boom-kill:.*$", com2, re.M)


# What init's shell (busybox ash) prints when a child dies of one of these signals.
_FAULT_DEATH_LINE = re.compile(r"^(Segmentation fault|Illegal instruction|Bus error)\b.*$", re.M)


def fault_deaths(com2):
    """The shell's reports of processes killed by a fault signal (SIGSEGV, SIGILL, SIGBUS)."""
    return [m.group(0) for m in _FAULT_DEATH_LINE.finditer(com2)]


def linux_notes(phase, run, ended, witness_log, rt_cpus):
    """The report's notes on one boot beside Linux: Bochs' witness of the realtime CPUs'
    longest stretch without a VM exit, and Linux's entries per second of Bochs' time by
    reason (the hypervisor's counters over the boot), per second of the cells' time: from the
    realtime CPU's first VM exit (the cells start together) to the power-off at `ended`."""
    notes = []
    for cpu in rt_cpus:
        stretches = exit_free_stretches(witness_log, cpu, TIMER_VECTOR)
        notes.append(f"{phase.name} run {run}: Bochs' log, cpu {cpu}: longest stretch without a "
                     f"VM exit holds {stretches[0] if stretches else 0:,} timer interrupts "
                     f"(vector {TIMER_VECTOR:#x}); {max(len(stretches) - 1, 0)} other stretches")
    start = first_exit_tick(witness_log, rt_cpus[0]) if rt_cpus else None
    if ended and start is not None and ended > start:
        seconds = (ended - start) / IPS
        for e in (e for e in phase.other_entries if e.run == run):
            rates = ", ".join(f"{k} {v / seconds:,.0f}" for k, v in e.reasons.items())
            notes.append(f"{phase.name} run {run}: cpu {e.cpu} ({e.cell}): {e.total:,} entries "
                         f"in the cells' {seconds:.1f} s of Bochs' time (ticks {start:,} to "
                         f"{ended:,}): {e.total / seconds:,.0f}/s ({rates or 'none'})")
    return notes


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
