"""Writing a measure Report: report.md (for people), report.json (everything, for tools), one
cyclictest-format histogram file per measured series, and plot.svg (the distributions per phase;
written here, no plotting dependency).

Every figure in the Markdown names its instrument and platform; emulator timings are labelled
relative. Series without figures say why, never show numbers.
"""

import dataclasses
import json
import math
import pathlib

from ..bochs import IPS as BOCHS_IPS
from . import linuxcost
from .model import (BOCHS, CONSOLE_SITES, COUNTS, HANDLER_PATH, ICOUNT, INTERRUPT_ENTRY_SITES,
                    IRQ_OFF, PATH_NAMES, PREEMPT_OFF, PREEMPT_RT, REALTIME_BARE, REALTIME_CELL,
                    THREAD_PATH, WALL_CLOCK, Histogram)

SUBJECT_NAMES = {
    REALTIME_CELL: "realtime cell under Bulkhead",
    REALTIME_BARE: "same realtime kernel, bare",
    PREEMPT_RT: "Debian PREEMPT_RT + cyclictest, bare",
}
# What a wall-clock figure measures on an emulator, said wherever one is shown.
WALL_CLOCK_TITLE = "wall clock (on an emulator: the host's scheduling of the emulator)"
INSTRUMENT_NAMES = {
    WALL_CLOCK: "wall-clock (multi-threaded TCG: the host's scheduling of the emulator's threads "
                "dominates; indicative only)",
    ICOUNT: "QEMU -icount shift=0,align=off,sleep=off (1 ns = 1 instruction; exact, other CPUs "
            "idle)",
    COUNTS: "hypervisor entry counters (exact), cross-checked with the emulator's own count",
    BOCHS: f"Bochs' emulated time (1 tick = {1_000_000_000 // BOCHS_IPS} ns at ips={BOCHS_IPS}; "
           "a running CPU executes one instruction per tick whatever the other CPU does; "
           "exact and repeatable, other CPUs busy or not)",
}
BOCHS_TICK_NS = 1_000_000_000 // BOCHS_IPS
# The instruments whose figures are exact (path lengths, determinism), then the indicative one.
EXACT_INSTRUMENTS = (ICOUNT, BOCHS)
UNITS = {ICOUNT: "instructions", WALL_CLOCK: "µs", BOCHS: "Bochs ticks (emulated µs)"}
SECTION_TITLES = {ICOUNT: "Path lengths: timer to handler and to thread running",
                  BOCHS: "Latency in Bochs' time: timer to handler and to thread running",
                  WALL_CLOCK: "Wall-clock latency distributions: " + WALL_CLOCK_TITLE}
# The emulator's own count of hypervisor entries per CPU (CpuEntries field, column heading).
WITNESSES = (("qemu_el2", "QEMU -d int"), ("bochs_exits", "Bochs' VM-exit log"))


def instruments(report):
    """The latency instruments with series in `report`, exact ones first."""
    used = {s.instrument for p in report.phases for s in p.series}
    return [i for i in (*EXACT_INSTRUMENTS, WALL_CLOCK) if i in used]


def subjects(report):
    """The subjects with series in `report`, in SUBJECT_NAMES' order."""
    used = {s.subject for p in report.phases for s in p.series}
    return [s for s in SUBJECT_NAMES if s in used]


def witness(entries):
    """(heading, count) of the emulator's own count of `entries`' CPU, or (None, None)."""
    for field, heading in WITNESSES:
        if getattr(entries, field) is not None:
            return heading, getattr(entries, field)
    return None, None


def _witness_heading(report):
    every = (e for p in report.phases for e in p.realtime_entries + p.other_entries)
    return next((witness(e)[0] for e in every if witness(e)[0]), WITNESSES[0][1])


def write(report, out_dir):
    out = pathlib.Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = {"report": out / "report.md", "json": out / "report.json", "plot": out / "plot.svg"}
    histograms = {}
    for phase in report.phases:
        for series in phase.series:
            if series.runs:
                name = histogram_file(series)
                (out / name).write_text(cyclictest_text(series))
                histograms[(series.subject, series.instrument, phase.name, series.path)] = name
    files["json"].write_text(json.dumps(to_json(report), indent=1) + "\n")
    files["plot"].write_text(svg(report))
    files["report"].write_text(markdown(report, histograms))
    return files


def histogram_file(series):
    path = "" if series.path == THREAD_PATH else f"-{series.path}"
    return f"histogram-{series.subject}-{series.instrument}{path}-{series.phase}.txt"


def baseline(report, phase, subject, instrument, path=THREAD_PATH):
    """The series to compare a phase's realtime cell with: the phase's own, else (the bare
    realtime kernel, which has no Linux beside it) the one measured in any phase."""
    own = phase.series_for(subject, instrument, path)
    if subject != REALTIME_BARE or (own and own.runs):
        return own
    measured = (p.series_for(subject, instrument, path) for p in report.phases)
    return next((s for s in measured if s and s.runs), own)


# --- JSON ----------------------------------------------------------------------------------------

def to_json(report):
    def convert(value):
        if isinstance(value, Histogram):
            d = dataclasses.asdict(value)
            d["counts"] = {str(k): v for k, v in sorted(value.counts.items())}
            d["samples"] = value.samples
            d["stats"] = dataclasses.asdict(value.stats())
            return d
        if dataclasses.is_dataclass(value):
            d = {f.name: convert(getattr(value, f.name)) for f in dataclasses.fields(value)}
            if hasattr(value, "involuntary"):
                d["involuntary"] = value.involuntary
            if hasattr(value, "median_stats") and value.runs:
                d["median"] = value.median_stats()
                d["identical_runs"] = value.identical_runs()
            if hasattr(value, "combined"):
                d["stats"] = dataclasses.asdict(value.stats())
            return d
        if isinstance(value, dict):
            return {str(k): convert(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [convert(v) for v in value]
        return value
    d = convert(report)
    d["format"] = "bulkhead-measure/1"
    d["units"] = "ns (under icount: instructions)"
    return d


# --- cyclictest-format histogram -----------------------------------------------------------------

def cyclictest_text(series):
    """cyclictest -h's output form, one column per measuring thread, runs added up; under icount
    the buckets are nanoseconds (cyclictest -N), otherwise microseconds."""
    threads = {}
    for run in series.runs:
        for label, h in run.threads.items():
            threads[label] = h if label not in threads else threads[label].add(h)
    labels = sorted(threads)
    hs = [threads[t] for t in labels]
    unit = hs[0].bucket_ns if hs else 1000
    lines = [f"# bulkhead measure: {series.subject}, {series.instrument}, "
             f"{PATH_NAMES[series.path]}, phase {series.phase}, "
             f"{len(series.runs)} run(s) added; platform {series.platform}; unit "
             f"{'ns' if unit == 1 else 'us'}",
             "# Histogram"]
    used = sorted({i for h in hs for i in h.counts})
    for i in used:
        lines.append(f"{i:06d} " + "\t".join(f"{h.counts.get(i, 0):06d}" for h in hs))
    stats = [h.stats() for h in hs]

    def col(values):
        return " ".join(f"{0 if v is None else v // unit:05d}" for v in values)
    lines.append("# Total: " + " ".join(f"{sum(h.counts.values()):09d}" for h in hs))
    lines.append("# Min Latencies: " + col(s.min_ns for s in stats))
    lines.append("# Avg Latencies: " + col(s.avg_ns for s in stats))
    lines.append("# Max Latencies: " + col(s.max_ns for s in stats))
    lines.append("# Histogram Overflows: " + " ".join(f"{h.overflows:05d}" for h in hs))
    return "\n".join(lines) + "\n"


# --- Markdown ------------------------------------------------------------------------------------

def _fmt(ns, instrument, limit=None):
    if ns is None:
        return "n/a" if limit is None else f"≥{_fmt(limit, instrument)}"
    if instrument == ICOUNT:
        return f"{ns:,}"
    if instrument == BOCHS:
        return f"{ns // BOCHS_TICK_NS:,} ({ns / 1000:.2f})"
    return f"{ns / 1000:.0f}" if ns >= 10000 else f"{ns / 1000:.1f}"


def markdown(report, histograms):
    lines = [
        "# Bulkhead latency-isolation report", "",
        f"- Platform: **{report.platform}**: {report.platform_description}",
        f"- System: `{report.system}`",
        f"- Started {report.started}, {report.seconds:.0f} s, "
        f"{'quick mode (`--quick`)' if report.quick else 'full mode'}",
        "- Instruments: counts are exact on any platform; icount figures are exact instruction "
        "counts of code paths with the other CPUs idle; Bochs ticks are exact emulated time, "
        "other CPUs busy or not; wall-clock figures on an emulator are "
        "relative and indicative only (medians over runs, never a single maximum). See "
        "docs/measuring.md.", ""]
    if report.notes:
        lines += [f"- Note: {n}" for n in report.notes] + [""]

    lines += ["## Summary: the exact instruments", "",
              "Hypervisor entries on the realtime CPUs (exact counts; the most over the phase's "
              "boots), and the realtime kernel's paths measured exactly: path lengths under "
              "icount (instructions, other CPUs idle) or latency in Bochs' time (ticks, other "
              "CPUs busy or not); p50, median over runs. Details in sections 1 and 2.", "",
              "| phase | realtime-CPU entries in the measured window | involuntary entries "
              "(whole boot) |",
              "|---|---|---|"]
    for phase in report.phases:
        window, invol = _most_per_cpu(phase, "window"), _most_per_cpu(phase, "involuntary")
        lines.append(f"| {phase.name} | {window or 'not booted'} | {invol or '-'} |")
    present = instruments(report)
    if ICOUNT in present or not present:
        lines += _icount_summary(report)
    if BOCHS in present:
        lines += _latency_summary(report, BOCHS)
    if WALL_CLOCK in present or not present:
        lines += [f"## Summary: {WALL_CLOCK_TITLE}", "",
                  "Wall-clock p50 / p99 in µs and missed periods, median over runs. On an "
                  "emulator these time how the host schedules the emulator's threads beside its "
                  "other work, not the system's latency: they are indicative only and do not "
                  "show isolation (docs/measuring.md).", ""]
        lines += _latency_summary(report, WALL_CLOCK)[1:]

    lines += ["## 1. Counts: hypervisor entries", "",
              f"Instrument: {INSTRUMENT_NAMES[COUNTS]}. *Window*: entries the realtime cell "
              "counted between its first and last measurement (its own two statistics reads "
              "excluded). *Involuntary*: every entry over the whole boot except the cell's own "
              "hypercalls and PSCI calls (on x86 also its own CPUID and MSR instructions, "
              "`sysreg`). *QEMU -d int*: exceptions into EL2 from that CPU in "
              "QEMU's log (one phase only: the log is large); *Bochs' VM-exit log*: the VM exits "
              "of that CPU in Bochs' own debug log (every boot). Either must equal *total*.", "",
              "| phase | run | cpu | cell | window | involuntary | total | by reason | "
              f"{_witness_heading(report)} |",
              "|---|---|---|---|---|---|---|---|---|"]
    for phase in report.phases:
        for e in phase.realtime_entries:
            reasons = " ".join(f"{k}={v}" for k, v in e.reasons.items()) or "-"
            _, seen = witness(e)
            qemu = "-" if seen is None else (
                f"{seen} ({'equal' if seen == e.total else 'DIFFERS'})")
            lines.append(f"| {phase.name} | {e.run} | {e.cpu} | {e.cell} | "
                         f"{'?' if e.window is None else e.window} | {e.involuntary} | {e.total} "
                         f"| {reasons} | {qemu} |")
    lines += ["", "The load reached the hypervisor: entries on the other CPUs per phase "
              "(Linux's, or idle ones):", "",
              f"| phase | run | cpu | cell | total | by reason | {_witness_heading(report)} | "
              "what the load did |",
              "|---|---|---|---|---|---|---|---|"]
    for phase in report.phases:
        for e in phase.other_entries:
            reasons = " ".join(f"{k}={v}" for k, v in e.reasons.items()) or "-"
            _, seen = witness(e)
            qemu = "-" if seen is None else str(seen)
            lines.append(f"| {phase.name} | {e.run} | {e.cpu} | {e.cell} | {e.total} | {reasons} "
                         f"| {qemu} | {phase.load_by_run.get(e.run) or '-'} |")
    lines.append("")

    for number, instrument in _sections(report):
        lines += [f"## {number}. {SECTION_TITLES[instrument]}", "",
                  f"Instrument: {INSTRUMENT_NAMES[instrument]}. "
                  f"Unit: {UNITS[instrument]}. Figures are medians over runs of each run's figure; "
                  "p-values come from 1 "
                  f"{'µs' if instrument == WALL_CLOCK else 'ns'} histogram buckets (lower bound); "
                  "≥ means past the histogram (an overflow).", ""]
        if instrument == ICOUNT:
            lines += ["The other CPUs are idle in every icount run (docs/measuring.md: under "
                      "load icount measures QEMU's CPU scheduling). *Timer → interrupt handler*: "
                      "from the timer's due time to the realtime kernel's timer interrupt handler "
                      "finding the timer expired (latmon; cyclictest cannot see this point). "
                      "*Timer → thread running*: to the measuring thread reading the clock after "
                      "its wake-up, as cyclictest measures. Both are read on the generic counter, "
                      "which ticks every 16 ns here (62.5 MHz): figures are multiples of 16.", ""]
        if instrument == BOCHS:
            lines += _bochs_lines(report)
        lines += ["| phase | path | subject | runs | samples | min | avg | p50 | p99 | p99.9 | "
                  "max | overflows | histogram |",
                  "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
        for phase in report.phases:
            for series in sorted((s for s in phase.series if s.instrument == instrument),
                                 key=lambda s: s.path != HANDLER_PATH):
                name = SUBJECT_NAMES[series.subject]
                path = PATH_NAMES[series.path]
                if not series.runs:
                    lines.append(f"| {phase.name} | {path} | {name} | - | - | {series.pending} "
                                 "| | | | | | | |")
                    continue
                m = series.median_stats()
                limit = series.runs[0].stats().limit_ns
                overflows = sum(r.stats().overflows for r in series.runs)
                cells = [_fmt(m[k], instrument, None if k == "avg_ns" else limit) for k in
                         ("min_ns", "avg_ns", "p50_ns", "p99_ns", "p999_ns", "max_ns")]
                hist = histograms.get((series.subject, instrument, phase.name, series.path), "-")
                lines.append(f"| {phase.name} | {path} | {name} | {m['runs']} | {m['samples']} | "
                             + " | ".join(cells) + f" | {overflows} | [{hist}]({hist}) |")
        lines.append("")
        if instrument in EXACT_INSTRUMENTS:
            for key, d in report.determinism.items():
                if d["runs"] < 2:
                    lines.append(f"- Determinism, {key}: one run, nothing to compare (the "
                                 f"configuration was booted once).")
                    continue
                figures = "identical" if d["identical_figures"] else "**not identical**"
                if d["identical_histograms"]:
                    hist = "the histograms are identical"
                else:
                    why = " (QEMU's round-robin of the vCPUs)" if instrument == ICOUNT else ""
                    hist = (f"the histograms differ in {d['differing_samples']} of "
                            f"{d['samples_per_run']} samples{why}")
                    if "repeats" in d:
                        hist += (", within the limit of " if d["repeats"] else
                                 ", **more than the limit** of ") + \
                            f"{d['moved_sample_limit']} moved samples"
                spread = d.get("spread_ticks")
                if spread and any(spread.values()):
                    hist += "; spread between runs in ticks: " + ", ".join(
                        f"{k} {v}" for k, v in spread.items())
                lines.append(f"- Determinism, {key}: {d['runs']} runs; min/p50/p99/p99.9 "
                             f"{figures}; {hist}.")
            lines.append("")
            lines += _cpu_model_lines(report)

    lines += _critical_section_lines(report)
    lines += ["## Ratios", "",
              "Realtime cell against the bare realtime kernel (the hypervisor's cost; goal 1.0) "
              "and against PREEMPT_RT, per phase and instrument, on p50 and p99:", "",
              "| phase | instrument | path | vs bare realtime kernel | vs PREEMPT_RT |",
              "|---|---|---|---|---|"]
    for phase in report.phases:
        for instrument in instruments(report):
            for path in (HANDLER_PATH, THREAD_PATH):
                cell = phase.series_for(REALTIME_CELL, instrument, path)
                if cell is None:
                    continue
                rt = phase.series_for(PREEMPT_RT, instrument, path)
                if path == HANDLER_PATH:
                    vs_rt = "- (cyclictest cannot see the handler)"
                else:
                    vs_rt = "-" if rt is None else _ratio(cell, rt)
                bare = baseline(report, phase, REALTIME_BARE, instrument, path)
                what = WALL_CLOCK_TITLE if instrument == WALL_CLOCK else instrument
                lines.append(f"| {phase.name} | {what} | {PATH_NAMES[path]} | "
                             f"{_ratio(cell, bare)} | {vs_rt} |")
    lines += ["", "## How the figures were produced", ""]
    for phase in report.phases:
        lines.append(f"- **{phase.name}**: {phase.description}." +
                     (f" Log: `{phase.log}`." if phase.log else ""))
        for series in phase.series:
            if series.runs and series.setup:
                lines.append(f"  - {SUBJECT_NAMES[series.subject]}, {series.instrument}, "
                             f"{PATH_NAMES[series.path]}: "
                             f"{series.setup}")
    lines += ["", "Plot: [plot.svg](plot.svg) (fraction of samples at or above a latency, log "
              "scale, per phase). JSON: [report.json](report.json).", ""]
    if report.linux_cost is not None:
        lines += linuxcost.markdown_lines(report.linux_cost)
    return "\n".join(lines)


def summary_text(markdown_text):
    """The report's summary and path-length tables, without the Markdown separators (what the
    command prints at the end)."""
    out = []
    for title in ("## Summary: the exact", "## Summary: wall clock", "## 2. ", "## 4. ",
                  linuxcost.TITLE):
        start = markdown_text.find(title)
        if start < 0:
            continue
        lines = markdown_text[start:].splitlines()
        out.append(lines[0])
        for line in lines[1:]:
            if line.startswith("## "):
                break
            if line.startswith("### ") or (line.startswith("|") and not line.startswith("|---")):
                out.append(line)
    return "\n".join(out)


# Section 4's columns: (heading, which of a run's sites count).
_CSECTION_COLUMNS = (
    ("longest interrupts-off", lambda s: s.kind == IRQ_OFF),
    ("longest preemption-off", lambda s: s.kind == PREEMPT_OFF),
    ("interrupt entry", lambda s: s.kind == IRQ_OFF and s.function in INTERRUPT_ENTRY_SITES),
    ("console", lambda s: s.kind == IRQ_OFF and s.function in CONSOLE_SITES),
)


def _critical_section_lines(report):
    """Section 4: the worst spans of the realtime kernel's critical-section table per phase,
    subject and instrument (the worst over runs), with their sites."""
    groups = {}
    for s in report.critical_sections:
        groups.setdefault((s.phase, s.subject, s.instrument), []).append(s)
    lines = ["## 4. Critical sections of the realtime kernel", "",
             "The longest spans with interrupts masked and with preemption disabled, from the "
             "kernel's critical-section table (rtcell/kernel/spinlock.c) printed at the end of "
             "each run (the worst over runs). A span is charged to the site where it really "
             "began: *interrupt entry* (`rt_arm64_irq`, `rt_x86_interrupt`) runs from the "
             "exception vector to the "
             "exception's return, nested sections included; *console* is the copy into the "
             "console queue or telemetry ring (`rtcell_console_queue`) or a synchronous write "
             "at boot or the closing report (`rtcell_console_write_now`). Counter ticks "
             "(62.5 MHz on QEMU: 16 ns); icount: instructions (all CPUs' instructions advance "
             "the clock, so a span can include other CPUs' work); Bochs: ticks (20 ns, one "
             "instruction of the running CPU); wall-clock: µs, indicative "
             "(a host preemption of the vCPU lands inside a span).", ""]
    if not groups:
        return lines + ["No realtime-kernel run printed its table.", ""]
    lines += ["| phase | subject | instrument | runs | " +
              " | ".join(c[0] for c in _CSECTION_COLUMNS) + " |",
              "|---|---|---|---|" + "---|" * len(_CSECTION_COLUMNS)]
    for (phase, subject, instrument), sites in groups.items():
        cells = []
        for _, wanted in _CSECTION_COLUMNS:
            worst = max((s for s in sites if wanted(s) and s.count), default=None,
                        key=lambda s: s.max_ticks)
            cells.append("-" if worst is None else
                         f"{_span(worst)} `{worst.site}`")
        runs = len({s.log for s in sites})
        lines.append(f"| {phase} | {SUBJECT_NAMES[subject]} | {instrument} | {runs} | " +
                     " | ".join(cells) + " |")
    return lines + [""]


def _span(section):
    if section.instrument == ICOUNT:
        return f"{section.max_ns:,} instructions ({section.max_ticks} ticks)"
    if section.instrument == BOCHS:
        return f"{section.max_ticks:,} Bochs ticks ({section.max_ns / 1000:.2f} µs)"
    return f"{section.max_ns / 1000:.1f} µs ({section.max_ticks} ticks)"


def _cpu_model_lines(report):
    """Section 2's table of the bare kernels' icount p50s per emulated CPU model."""
    if not report.cpu_models:
        return []
    lines = ["### The emulated CPU model", "",
             "The bare kernels' p50 path lengths (instructions, other CPUs idle) on each CPU model "
             "QEMU emulated here. Bulkhead's realtime kernel uses no optional CPU feature; Debian's "
             "kernel adapts to the features it finds, so its path length, and the ratio, depend "
             "on the model (docs/measuring.md).", "",
             "| CPU model | runs | realtime kernel bare: timer → interrupt handler | "
             "realtime kernel bare: timer → thread running | PREEMPT_RT: timer → thread running "
             "| realtime / PREEMPT_RT |", "|---|---|---|---|---|---|"]
    for m in report.cpu_models:
        thread, rt = m["realtime_bare_thread_p50"], m["preempt_rt_thread_p50"]
        ratio = f"{thread / rt:.2f}×" if thread is not None and rt else "n/a"
        figures = [_fmt(m[k], ICOUNT) for k in ("realtime_bare_handler_p50",
                                                 "realtime_bare_thread_p50",
                                                 "preempt_rt_thread_p50")]
        lines.append(f"| {m['cpu_model']} | {m['runs']} | " + " | ".join(figures) +
                     f" | {ratio} |")
    return lines + [""]


def _most_per_cpu(phase, field):
    """`cpu N: X` per realtime CPU, X the largest over the phase's boots ('?' when unknown)."""
    most = {}
    for e in phase.realtime_entries:
        v = getattr(e, field)
        old = most.get(e.cpu, 0)
        most[e.cpu] = None if v is None or old is None else max(old, v)
    return ", ".join(f"cpu {cpu}: {'?' if v is None else v}" for cpu, v in sorted(most.items()))


def _pair(series, instrument=WALL_CLOCK):
    if series is None:
        return "-"
    if not series.runs:
        return series.pending
    m = series.median_stats()
    limit = series.runs[0].stats().limit_ns
    return f"{_fmt(m['p50_ns'], instrument, limit)} / {_fmt(m['p99_ns'], instrument, limit)}"


_COLUMN_NAMES = {REALTIME_CELL: "realtime cell", REALTIME_BARE: "same kernel bare",
                 PREEMPT_RT: "PREEMPT_RT"}


def _icount_summary(report):
    """The summary's table of the idle phase's icount path lengths (p50)."""
    lines = ["", "| path (icount, instructions) | realtime cell | same kernel bare | "
             "PREEMPT_RT |", "|---|---|---|---|"]
    for path in (HANDLER_PATH, THREAD_PATH):
        row = [_icount_p50(report, subject, path)
               for subject in (REALTIME_CELL, REALTIME_BARE, PREEMPT_RT)]
        if path == HANDLER_PATH:
            row[2] = "- (cyclictest cannot see the handler)"
        lines.append(f"| {PATH_NAMES[path]} | " + " | ".join(row) + " |")
    return lines + [""]


def _latency_summary(report, instrument):
    """A blank line, then the table of missed periods and p50 / p99 per phase and subject in
    `instrument`'s unit."""
    columns = [s for s in subjects(report) if any(p.series_for(s, instrument)
                                                  for p in report.phases)] or list(_COLUMN_NAMES)
    lines = ["", f"| phase | missed periods ({instrument}) | " +
             " | ".join(f"{_COLUMN_NAMES[s]}, p50 / p99 {UNITS[instrument]}" for s in columns) +
             " |", "|---|---|" + "---|" * len(columns)]
    for phase in report.phases:
        cell = phase.series_for(REALTIME_CELL, instrument)
        missed = cell.median_stats()["missed_periods"] if cell and cell.runs else None
        lines.append(f"| {phase.name} | {'n/a' if missed is None else missed} | " +
                     " | ".join(_pair(phase.series_for(s, instrument), instrument)
                                for s in columns) + " |")
    return lines + [""]


def _icount_p50(report, subject, path):
    """The idle phase's icount p50 of `subject` on `path` (median over runs), or why not."""
    idle = next((p for p in report.phases if p.name == "idle"), None)
    series = idle.series_for(subject, ICOUNT, path) if idle else None
    if series is None:
        return "-"
    if not series.runs:
        return series.pending
    return _fmt(series.median_stats()["p50_ns"], ICOUNT, series.runs[0].stats().limit_ns)


def _sections(report):
    """(number, instrument) of the latency sections: 2 the exact instrument, 3 wall-clock; an
    arm64 report without exact figures keeps both numbers."""
    present = instruments(report)
    exact = next((i for i in present if i in EXACT_INSTRUMENTS), None)
    out = [(2, exact or ICOUNT)]
    if WALL_CLOCK in present or exact is None or exact == ICOUNT:
        out.append((3, WALL_CLOCK))
    return out


def _bochs_lines(report):
    """Section 2's explanation for Bochs, and its table of path lengths with the positive
    control beside the exit-free phases."""
    lines = ["Every run boots the system in Bochs; the realtime kernel's TSC counts Bochs' ticks "
             "(`counter 50000000 Hz, fine bucket 20 ns`). *Timer → interrupt handler*: from the "
             "TSC deadline to the kernel's timer handler finding the timer expired; *timer → "
             "thread running*: to latmon's thread reading the TSC after its wake-up. Figures: "
             "ticks, emulated µs in brackets. A running CPU executes one instruction per tick, so "
             "where no other CPU runs (bare on one CPU, phase alone) a latency in ticks is the "
             "path's length in instructions; beside a running CPU the timer is seen at Bochs' "
             "5-instruction round boundaries (up to 4 ticks late). docs/measuring.md says why.",
             ""]
    rows = []
    for phase in report.phases:
        for subject in (REALTIME_BARE, REALTIME_CELL):
            handler = phase.series_for(subject, BOCHS, HANDLER_PATH)
            thread = phase.series_for(subject, BOCHS, THREAD_PATH)
            if handler and handler.runs and thread and thread.runs:
                h, th = handler.median_stats(), thread.median_stats()
                rows.append(f"| {phase.name} | {SUBJECT_NAMES[subject]} | "
                            f"{_fmt(h['min_ns'], BOCHS)} | {_fmt(h['p50_ns'], BOCHS)} | "
                            f"{_fmt(th['min_ns'], BOCHS)} | {_fmt(th['p50_ns'], BOCHS)} | "
                            f"{_fmt(th['p99_ns'], BOCHS)} | {_fmt(th['max_ns'], BOCHS)} |")
    if rows:
        lines += ["### Path lengths and the positive control", "",
                  "| phase | subject | timer → handler min | p50 | timer → thread min | p50 | "
                  "p99 | max |", "|---|---|---|---|---|---|---|---|", *rows, ""]
    return lines


def _ratio(cell, other):
    if cell is None or not cell.runs:
        return "no figures"
    if other is None or not other.runs:
        return "pending (no baseline figures)"
    a, b = cell.median_stats(), other.median_stats()
    parts = []
    for k in ("p50_ns", "p99_ns"):
        if a[k] is None or b[k] is None or not b[k]:
            parts.append(f"{k[:-3]} n/a")
        else:
            parts.append(f"{k[:-3]} {a[k] / b[k]:.2f}×")
    return ", ".join(parts)


# --- SVG plot ------------------------------------------------------------------------------------

COLOURS = {"alone": "#1b9e77", "idle": "#7570b3", "stress": "#d95f02", "attack": "#e7298a",
           "control": "#a6761d"}
DASH = {REALTIME_CELL: "", REALTIME_BARE: "2,3", PREEMPT_RT: "7,4"}


PANEL_TITLES = {ICOUNT: "icount (exact, other CPUs idle): instructions",
                WALL_CLOCK: "wall clock, µs: on an emulator, the host's scheduling of it",
                BOCHS: "Bochs' time (exact, other CPUs busy or not): ticks"}


def svg(report):
    present = instruments(report)
    panels = [(i, PANEL_TITLES[i]) for i in (ICOUNT, WALL_CLOCK, BOCHS)
              if i in present or (not present and i != BOCHS)]
    width, height, pad = 560, 300, 60
    most = max([sum(1 for ph in report.phases for s in ph.series
                    if s.instrument == instrument and s.runs) for instrument, _ in panels] + [1])
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * len(panels)}" '
             f'height="{height + 40 + 12 * most}" font-family="sans-serif" font-size="11">',
             '<rect width="100%" height="100%" fill="white"/>',
             f'<text x="10" y="16" font-size="13">Bulkhead measure on {report.platform}: '
             'fraction of samples at or above each latency, per phase ('
             + ("emulator timings are relative" if WALL_CLOCK in [i for i, _ in panels] else
                "exact and repeatable emulated time") + ')</text>']
    for p, (instrument, title) in enumerate(panels):
        x0 = p * width + pad
        plot_w, plot_h, y0 = width - pad - 20, height - 60, 40
        curves = [(phase.name, s) for phase in report.phases for s in phase.series
                  if s.instrument == instrument and s.runs]
        parts.append(f'<text x="{x0}" y="{y0 - 8}" font-size="12">{title}</text>')
        parts.append(f'<rect x="{x0}" y="{y0}" width="{plot_w}" height="{plot_h}" fill="none" '
                     'stroke="#888"/>')
        if not curves:
            parts.append(f'<text x="{x0 + 10}" y="{y0 + 20}">no measured series</text>')
            continue
        totals = []
        for name, s in curves:
            h = None
            for run in s.runs:
                h = run.combined() if h is None else h.add(run.combined())
            totals.append((name, s, h))
        scale = {WALL_CLOCK: 1000, BOCHS: BOCHS_TICK_NS}.get(instrument, 1)
        lo = min(min(h.counts) for _, _, h in totals if h.counts) * totals[0][2].bucket_ns
        hi = max(max(h.counts) + 1 for _, _, h in totals if h.counts) * totals[0][2].bucket_ns
        lo = 0 if instrument == WALL_CLOCK else lo
        floor = min(1.0 / h.samples for _, _, h in totals)
        decades = max(1, math.ceil(-math.log10(floor)))

        def px(ns):
            return x0 + (ns - lo) / max(1, hi - lo) * plot_w

        def py(frac):
            return y0 + min(plot_h, -math.log10(max(frac, 10 ** -decades)) / decades * plot_h)
        for d in range(decades + 1):
            y = y0 + d / decades * plot_h
            parts.append(f'<text x="{x0 - 5}" y="{y + 4:.1f}" text-anchor="end">1e-{d}</text>')
        for k in range(5):
            ns = lo + (hi - lo) * k / 4
            parts.append(f'<text x="{px(ns):.1f}" y="{y0 + plot_h + 14}" text-anchor="middle">'
                         f'{ns / scale:,.0f}</text>')
        for i, (name, s, h) in enumerate(totals):
            n = h.samples
            above = n
            points = []
            for idx in sorted(h.counts):
                ns = idx * h.bucket_ns
                points.append((px(ns), py(above / n)))
                above -= h.counts[idx]
                points.append((px(ns + h.bucket_ns), py(above / n) if above else py(0)))
            colour = COLOURS.get(name, "#333")
            dash = f' stroke-dasharray="{DASH[s.subject]}"' if DASH[s.subject] else ""
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="1.5"{dash} '
                         f'points="{path}"/>')
            ly = y0 + plot_h + 30 + 12 * i
            parts.append(f'<line x1="{x0}" y1="{ly - 4}" x2="{x0 + 24}" y2="{ly - 4}" '
                         f'stroke="{colour}" stroke-width="1.5"{dash}/>')
            overflow = f", {h.overflows} past the histogram" if h.overflows else ""
            what = "" if s.path == THREAD_PATH else f", {PATH_NAMES[s.path]}"
            parts.append(f'<text x="{x0 + 30}" y="{ly}">{name}: {SUBJECT_NAMES[s.subject]}{what} '
                         f'({n} samples{overflow})</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"
