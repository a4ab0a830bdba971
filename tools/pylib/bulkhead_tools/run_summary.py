"""What `bulkhead run` says at the end of the demo: one summary per phase (idle, stress) of the
realtime cell beside Linux, each figure labelled with what it can prove.

Inputs: the `bhctl stats` / `bhctl latency --histogram` snapshots the Linux cell prints at the
demo's phase boundaries (guests/linux/init, "linux-cell: demo: bhctl WHEN begin/end"), whose
differences are exactly the phase's; and the icount path lengths of the last `bulkhead measure`
(its report.json), if there is one. Exact: hypervisor entry counts, icount paths. Host-dependent:
wall-clock latency and missed periods under an emulator (docs/measuring.md).
"""

import dataclasses
import json
import textwrap

from .measure import model, parse
from .measure.report import cyclictest_text
from .measure.runner import WALL_BUCKETS

# (phase, snapshot at its start, snapshot at its end, what Linux did)
DEMO_PHASES = (("idle", "start", "idle", "Linux idle"),
               ("stress", "idle", "stress", "Linux under CPU, memory and I/O stress"))
HOST_DEPENDENT = "emulator, host-dependent"
EXACT_NOTE = ("exact: the hypervisor's own entry counters, read from inside Linux (bhctl) at the "
              "phase boundaries; icount: instructions under QEMU -icount with the other CPUs idle")
HOST_NOTE = (f"{HOST_DEPENDENT}: wall-clock time of QEMU's vCPU threads as this host schedules "
             "them; it measures the host, not Bulkhead (docs/measuring.md)")
BOCHS_TIME = "Bochs' time, deterministic"
BOCHS_NOTE = (f"{BOCHS_TIME}: latmon's clock is the emulated TSC, which advances one tick per "
              "instruction a CPU executes whatever the host does, so the latency figures are "
              "Bochs' own, not the host's (docs/measuring.md), and not a real machine's either; "
              "how many wake-ups a phase holds follows Linux's clock and can differ between runs")
# (what the latency figures are, the note that says so) per platform of `bulkhead run`
CLOCKS = {"qemu-arm64": (HOST_DEPENDENT, HOST_NOTE), "bochs-x86": (BOCHS_TIME, BOCHS_NOTE)}


@dataclasses.dataclass
class PhaseFigures:
    name: str
    description: str
    seconds: int | None                 # the phase's length on the guest's clock
    entries: dict                       # realtime CPU -> model.CpuEntries over the phase
    latency: dict                       # "cpu N" -> model.Histogram over the phase (µs buckets)
    missed: int | None                  # periods missed over the phase
    max_ns: int | None                  # exact maximum when latmon's grew in the phase


def snapshot(output, when):
    return parse.between(output, f"linux-cell: demo: bhctl {when} begin",
                         f"linux-cell: demo: bhctl {when} end")


def phase_figures(output, rt_cpus, seconds=None):
    """The phases whose two snapshots are both in `output`, in order."""
    found = []
    for name, first, last, description in DEMO_PHASES:
        before, after = snapshot(output, first), snapshot(output, last)
        if before is None or after is None:
            continue
        found.append(PhaseFigures(name, description, seconds,
                                  _entries(before, after, rt_cpus),
                                  *_latency(before, after)))
    return found


def _entries(before, after, rt_cpus):
    s0, s1 = parse.bhctl_stats(before), parse.bhctl_stats(after)
    out = {}
    for cpu in rt_cpus:
        if cpu not in s0 or cpu not in s1:
            continue
        a, b = s0[cpu], s1[cpu]
        reasons = {k: v - a.reasons.get(k, 0) for k, v in b.reasons.items()}
        out[cpu] = model.CpuEntries(cpu, b.cell, b.total - a.total,
                                    {k: v for k, v in reasons.items() if v})
    return out


def _latency(before, after):
    """(per-CPU histograms of the phase, missed periods, exact maximum or None)."""
    h0 = parse.cyclictest_histograms(before, WALL_BUCKETS)
    h1 = parse.cyclictest_histograms(after, WALL_BUCKETS)
    t0, t1 = parse.t_lines(before), parse.t_lines(after)
    threads, max_ns = {}, None
    for label, h in sorted(h1.items()):
        index = int(label[2:])
        name = f"cpu {t1[index]['tid']}" if index in t1 else label
        threads[name] = h.minus(h0[label]) if label in h0 else h
        # latmon's maximum is since it started: when it grew, the phase holds the new one.
        if index in t0 and index in t1 and t1[index]["max"] > t0[index]["max"]:
            max_ns = max(max_ns or 0, t1[index]["max"] * 1000)
    m0, m1 = parse.missed_periods(before), parse.missed_periods(after)
    missed = m1[0] - (m0[0] if m0 else 0) if m1 else None
    return threads, missed, max_ns


def icount_paths(report_json):
    """From a `bulkhead measure` report.json: {"thread"/"handler": (cell p50, bare p50)} of the
    idle phase's icount series, with "started" and "system"; None without the file or figures."""
    try:
        data = json.loads(report_json.read_text())
    except (OSError, ValueError):
        return None
    found = {"started": data.get("started", "?"), "system": data.get("system", "?")}
    for phase in data.get("phases", []):
        if phase.get("name") != "idle":
            continue
        for path in (model.THREAD_PATH, model.HANDLER_PATH):
            p50 = {}
            for s in phase.get("series", []):
                if s.get("instrument") == model.ICOUNT and s.get("path") == path and \
                        s.get("median"):
                    p50[s["subject"]] = s["median"].get("p50_ns")
            if p50.get(model.REALTIME_CELL) is not None:
                found[path] = (p50[model.REALTIME_CELL], p50.get(model.REALTIME_BARE))
    return found if model.THREAD_PATH in found else None


def write_histograms(phases, folder, platform):
    """Each phase's histograms in cyclictest -h form: phase name -> file."""
    files = {}
    for p in phases:
        series = model.Series(model.REALTIME_CELL, model.WALL_CLOCK, p.name, platform,
                              runs=[model.Run(p.latency, p.missed)])
        files[p.name] = folder / f"histogram-{p.name}.txt"
        files[p.name].write_text(cyclictest_text(series))
    return files


# --- text ----------------------------------------------------------------------------------------

def format_summary(phases, paths, cell, rt_cpus, measure_hint, platform="qemu-arm64"):
    """The closing summary. `paths`: icount_paths() or None; `measure_hint`: where the report
    would be (said when there are no icount figures); `platform` says what the latency figures'
    clock is (CLOCKS)."""
    clock, clock_note = CLOCKS[platform]
    cpus = ", ".join(str(c) for c in rt_cpus)
    lines = [f"Summary: realtime cell \"{cell}\" on CPUs {cpus}, per phase of the demo"]
    if not phases:
        return "\n".join(lines + ["  no phase figures: Linux printed no bhctl snapshots "
                                  "(is bhctl in the initramfs and the status page mapped?)"])
    labels = ("realtime-CPU hypervisor entries (exact)", "realtime kernel wake-up path (icount)",
              f"wall-clock latency ({clock})", f"missed periods ({clock})")
    width = max(len(label) for label in labels) + 1
    for p in phases:
        length = f", {p.seconds} s" if p.seconds else ""
        lines.append(f"  {p.name} ({p.description}{length}):")
        values = (_entries_text(p), _paths_text(paths, measure_hint, platform), _latency_text(p),
                  _missed_text(p))
        lines += [f"    {label + ':':<{width}} {value}" for label, value in zip(labels, values)]
    notes = [EXACT_NOTE + "."]
    if paths:
        notes.append(f"icount figures: p50 of the `bulkhead measure` started {paths['started']} "
                     f"({paths['system']}).")
    notes.append(clock_note + ".")
    for note in notes:
        lines += textwrap.wrap(note, width=100, initial_indent="  ", subsequent_indent="    ")
    return "\n".join(lines)


def _entries_text(p):
    if not p.entries:
        return "n/a (no realtime CPU in bhctl stats)"
    total = sum(e.total for e in p.entries.values())
    per = ", ".join(f"cpu {cpu}: {e.total}" + (
        " (" + " ".join(f"{k}={v}" for k, v in e.reasons.items()) + ")" if e.reasons else "")
        for cpu, e in sorted(p.entries.items()))
    return f"{total:,}  [{per}]"


def _paths_text(paths, measure_hint, platform):
    if platform != "qemu-arm64":
        return (f"n/a: a QEMU -icount figure (`bulkhead measure --platform {platform}` gives "
                "this platform's own)")
    if not paths:
        return f"run `bulkhead measure` (writes {measure_hint})"
    parts = []
    for path in (model.THREAD_PATH, model.HANDLER_PATH):
        if path in paths:
            cell, bare = paths[path]
            same = "" if bare is None else (", = bare" if bare == cell else f", bare {bare:,}")
            parts.append(f"{model.PATH_NAMES[path]} {cell:,}{same}")
    return "; ".join(parts) + " instructions"


def _latency_text(p):
    total = None
    for h in p.latency.values():
        total = h if total is None else total.add(h)
    if total is None or not total.samples:
        return "no samples"
    s = total.stats()

    def us(ns):
        return f"≥{s.limit_ns // 1000:,}" if ns is None else f"{ns // 1000:,}"
    if p.max_ns is not None:
        maximum = _duration(p.max_ns)
    elif s.overflows:
        maximum = f"≥{s.limit_ns // 1000:,} µs"
    else:
        maximum = f"{us(s.max_ns)} µs"
    return f"p50 {us(s.p50_ns)} µs, p99 {us(s.p99_ns)} µs, max {maximum} ({s.samples:,} wake-ups)"


def _missed_text(p):
    if p.missed is None:
        return "n/a"
    samples = sum(h.samples for h in p.latency.values())
    return f"{p.missed:,} of {p.missed + samples:,} periods"


def _duration(ns):
    return f"{ns / 1e6:.1f} ms" if ns >= 1_000_000 else f"{ns // 1000:,} µs"
