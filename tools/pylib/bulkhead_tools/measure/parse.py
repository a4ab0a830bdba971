"""Reading what the measured systems print: cyclictest's -h histogram block and `T:` lines (from
Linux's cyclictest, from `bhctl latency --histogram`, or from latmon's console), the hypervisor's
`hv: stats cpu N cell X: total=... reason=...` lines, the measured-window entry counts the
realtime cells report (`ticker: ... window_entries=`, `latmon: cpu=... window_entries=`), and the
realtime kernel's critical-section table (`csection:` lines).

Lines may carry a prefix (the hypervisor's `[cell] ` before a cell's console line); kernel messages
interleaved with a block are skipped. Limit: one block of each kind per text unless cut out first
(`between`).
"""

import re

from .model import CpuEntries, CriticalSection, Histogram

_PREFIX = r"^(?:\[[\w.-]+\] )?"
_HIST_LINE = re.compile(_PREFIX + r"(\d{6,}) ((?:\d+\s*)+)$")
_HIST_FIELD = re.compile(_PREFIX + r"# (Total|Min Latencies|Avg Latencies|Max Latencies|"
                         r"Histogram Overflows):((?: \d+)*)\s*$")
_T_LINE = re.compile(_PREFIX + r"T:\s*(\d+) \(\s*(\d+)\) P:\s*(\d+) I:\s*(\d+) C:\s*(\d+) "
                     r"Min:\s*(\d+) Act:\s*(\d+) Avg:\s*(\d+) Max:\s*(\d+)")
_HV_STATS = re.compile(r"^hv: stats cpu (\d+) cell (\S+): total=(\d+)((?: [\w-]+=\d+)*)\s*$")
_TICKER_WINDOW = re.compile(r"^\[([\w.-]+)\] ticker: interrupts=(\d+) window_entries=(\d+) "
                            r"cpu=(\d+) mpidr=\S+ logical=(\d+)")
_LATMON_CPU = re.compile(r"^\[([\w.-]+)\] latmon: cpu=(\d+) logical=(\d+) samples=(\d+) "
                         r"missed=(\d+) overflows=(\d+) min_ns=(\d+) avg_ns=(\d+) max_ns=(\d+)")
_LATMON_WINDOW = re.compile(r"^\[([\w.-]+)\] latmon: cpu=(\d+) logical=(\d+) "
                            r"window_entries=(\d+)")
_LATMON_MISSED = re.compile(_PREFIX + r"latmon: missed=(\d+)\s*$", re.M)
_LATMON_BLOCK = re.compile(_PREFIX + r"latmon: histogram ([\w-]+) begin\s*$", re.M)
_MISSED = re.compile(_PREFIX + r"missed periods: (\d+)(?: \((.*)\))?")
_CSECTION_HEAD = re.compile(_PREFIX + r"csection: counter (\d+) Hz", re.M)
_CSECTION = re.compile(_PREFIX + r"csection: kind=([\w-]+) site=(\S+) max_ticks=(\d+) "
                       r"count=(\d+) total_ticks=(\d+)\s*$", re.M)


def between(text, begin, end):
    """The lines after the first line starting with `begin` up to the next line starting with
    `end` (exclusive), or None when the block is absent or not closed."""
    lines = [line.rstrip("\r") for line in text.splitlines()]
    start = next((i + 1 for i, line in enumerate(lines) if line.startswith(begin)), None)
    if start is None:
        return None
    stop = next((i for i in range(start, len(lines)) if lines[i].startswith(end)), None)
    return None if stop is None else "\n".join(lines[start:stop])


def cyclictest_histograms(text, buckets, unit_ns=1000):
    """Per thread ("T:0", ...), the -h histogram block cyclictest (or bhctl) printed, with its exact
    minimum and maximum; `unit_ns` 1000 for plain cyclictest, 1 for cyclictest -N. Empty dict when
    the text has no histogram block. Missing (zero) bucket lines are fine."""
    rows = {}
    fields = {}
    seen_header = False
    for line in text.splitlines():
        line = line.rstrip()
        if line.endswith("# Histogram"):
            seen_header = True
            continue
        if not seen_header:
            continue
        m = _HIST_LINE.match(line)
        if m:
            rows[int(m.group(1))] = [int(v) for v in m.group(2).split()]
            continue
        m = _HIST_FIELD.match(line)
        if m:
            fields[m.group(1)] = [int(v) for v in m.group(2).split()]
    if not seen_header or "Total" not in fields:
        return {}
    threads = len(fields["Total"])
    out = {}
    for t in range(threads):
        counts = {index: row[t] for index, row in rows.items() if t < len(row) and row[t]}
        h = Histogram(unit_ns, buckets, counts, _field(fields, "Histogram Overflows", t, 0))
        if h.samples:
            h.min_ns = _field(fields, "Min Latencies", t, None)
            h.max_ns = _field(fields, "Max Latencies", t, None)
            h.min_ns = None if h.min_ns is None else h.min_ns * unit_ns
            h.max_ns = None if h.max_ns is None else h.max_ns * unit_ns
            # cyclictest's own average covers the overflows too (rounded to its unit).
            avg = _field(fields, "Avg Latencies", t, None)
            h.sum_ns = None if avg is None else avg * unit_ns * h.samples
        out[f"T:{t}"] = h
    return out


def _field(fields, name, index, default):
    values = fields.get(name, [])
    return values[index] if index < len(values) else default


def t_lines(text):
    """cyclictest's summary lines: thread index -> dict(tid, priority, interval_us, cycles,
    min, act, avg, max) in the printed unit (µs, or ns with -N)."""
    out = {}
    for line in text.splitlines():
        m = _T_LINE.match(line.strip())
        if m:
            keys = ("tid", "priority", "interval_us", "cycles", "min", "act", "avg", "max")
            out[int(m.group(1))] = dict(zip(keys, map(int, m.groups()[1:])))
    return out


def missed_periods(text):
    """bhctl's `missed periods: N (T: 0 a, T: 1 b)` -> (total, {thread: count}) or None."""
    for line in text.splitlines():
        m = _MISSED.match(line.strip())
        if m:
            per = {int(t): int(n) for t, n in re.findall(r"T:\s*(\d+) (\d+)", m.group(2) or "")}
            return int(m.group(1)), per
    return None


def hv_stats(text):
    """The hypervisor's per-CPU entry counters printed at power-off: cpu -> CpuEntries."""
    out = {}
    for line in text.splitlines():
        m = _HV_STATS.match(line.strip())
        if m:
            reasons = {k: int(v) for k, v in re.findall(r"([\w-]+)=(\d+)", m.group(4))}
            out[int(m.group(1))] = CpuEntries(int(m.group(1)), m.group(2), int(m.group(3)),
                                              reasons)
    return out


def window_entries(text):
    """Hypervisor entries inside each realtime CPU's measured window, as the cell itself counted
    them (its own statistics reads excluded): logical cpu -> (cell, entries). The ticker test cell
    and latmon print these."""
    out = {}
    for line in text.splitlines():
        line = line.strip()
        m = _TICKER_WINDOW.match(line)
        if m:
            out[int(m.group(5))] = (m.group(1), int(m.group(3)))
            continue
        m = _LATMON_WINDOW.match(line)
        if m:
            out[int(m.group(3))] = (m.group(1), int(m.group(4)))
    return out


def latmon_summaries(text):
    """latmon's per-CPU closing lines: logical cpu -> dict(cell, samples, missed, overflows,
    min_ns, avg_ns, max_ns). Exact figures, but no histogram (that is in the channel)."""
    out = {}
    for line in text.splitlines():
        m = _LATMON_CPU.match(line.strip())
        if m:
            keys = ("samples", "missed", "overflows", "min_ns", "avg_ns", "max_ns")
            out[int(m.group(3))] = dict(cell=m.group(1), cpu_index=int(m.group(2)),
                                        **dict(zip(keys, map(int, m.groups()[3:]))))
    return out


def latmon_report(text, buckets_of_unit):
    """latmon's closing report (rtcell/apps/latmon.c) in `text` (one cell's console, prefix
    removed, or a bare run's output): ({block name: {thread: Histogram}}, missed periods or None).
    Blocks: "thread-us" (µs buckets), "thread-ns" and "handler-ns" (ns at counter-tick
    resolution); `buckets_of_unit` maps "us"/"ns" to the histogram size to use."""
    blocks = {}
    for m in _LATMON_BLOCK.finditer(text):
        name = m.group(1)
        body = between(text[m.start():], m.group(0).strip(), f"latmon: histogram {name} end")
        if body is None:
            continue
        unit = name.rsplit("-", 1)[-1]
        blocks[name] = cyclictest_histograms(body, buckets_of_unit[unit],
                                             unit_ns=1000 if unit == "us" else 1)
    missed = _LATMON_MISSED.search(text)
    return blocks, (int(missed.group(1)) if missed else None)


def csection_table(text):
    """The realtime kernel's critical-section table (rtcell/apps/csection_report.c) in `text`:
    (counter Hz, [dict(kind, site, max_ticks, count, total_ticks)] longest first), or None."""
    head = _CSECTION_HEAD.search(text)
    if not head:
        return None
    rows = [dict(kind=m.group(1), site=m.group(2), max_ticks=int(m.group(3)),
                 count=int(m.group(4)), total_ticks=int(m.group(5)))
            for m in _CSECTION.finditer(text)]
    return int(head.group(1)), rows


def critical_sections(text, phase, subject, instrument, log):
    """csection_table(text) as CriticalSection records ([] when the run printed none)."""
    table = csection_table(text)
    if table is None:
        return []
    hz, rows = table
    return [CriticalSection(phase, subject, instrument, r["kind"], r["site"], r["max_ticks"],
                            r["count"], hz, str(log)) for r in rows]


def cell_console(text, cell):
    """What cell `cell` printed through the hypervisor's console, its `[cell] ` prefix removed."""
    prefix = f"[{cell}] "
    return "\n".join(line[len(prefix):] for line in text.splitlines() if line.startswith(prefix))


def bhctl_stats(text):
    """`bhctl stats`' table (guests/linux/bhctl/format_status.c): cpu -> CpuEntries, reasons as
    named in its header (zero counts left out). Empty dict when the text has no table."""
    out = {}
    reasons = None
    for line in text.splitlines():
        fields = line.split()
        if fields[:3] == ["cpu", "cell", "total"]:
            reasons = fields[3:]
        elif reasons and len(fields) == 3 + len(reasons) and fields[0].isdigit():
            counts = dict(zip(reasons, map(int, fields[3:])))
            out[int(fields[0])] = CpuEntries(int(fields[0]), fields[1], int(fields[2]),
                                             {k: v for k, v in counts.items() if v})
    return out
