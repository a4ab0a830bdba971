"""What `bulkhead measure` records: latency histograms, the figures derived from them, hypervisor
entry counts, grouped per phase, subject and instrument.

Invariants: every figure is in nanoseconds (under `-icount shift=0` one nanosecond is one guest
instruction; in Bochs, emulated nanoseconds: 20 per tick at ips=50000000); a histogram has fixed-width buckets (`bucket_ns`: 1000 as cyclictest -h and latmon,
1 for cyclictest -N under icount) and counts the samples past its last bucket as overflows, whose
values are unknown: a percentile that falls among them is None, shown as ">= limit".
"""

import dataclasses
import math

# Subjects: who was measured.
REALTIME_CELL = "realtime-cell"       # the realtime cell under the hypervisor (latmon)
REALTIME_BARE = "realtime-bare"       # the same realtime kernel without the hypervisor
PREEMPT_RT = "preempt-rt"             # Debian's PREEMPT_RT kernel bare, running cyclictest
SUBJECTS = (REALTIME_CELL, REALTIME_BARE, PREEMPT_RT)

# Instruments: how (docs/measuring.md says what each can tell on an emulator).
WALL_CLOCK = "wall-clock"   # guest clock under multi-threaded TCG (indicative) or on hardware
ICOUNT = "icount"           # QEMU -icount shift=0,align=off,sleep=off: instruction counts
COUNTS = "counts"           # hypervisor entry counters and QEMU's -d int log: exact anywhere
BOCHS = "bochs"             # Bochs' emulated time (ticks; a running CPU: 1 instruction a tick)

# Paths: from the timer's due time to ...
THREAD_PATH = "thread"      # ... the measuring thread running (what cyclictest sees)
HANDLER_PATH = "handler"    # ... the timer interrupt handler finding the timer expired (latmon)
PATH_NAMES = {THREAD_PATH: "timer → thread running", HANDLER_PATH: "timer → interrupt handler"}

PERCENTILES = (("p50", 0.50), ("p99", 0.99), ("p99.9", 0.999))


@dataclasses.dataclass
class Histogram:
    bucket_ns: int
    buckets: int                    # buckets [0, buckets); later samples are overflows
    counts: dict = dataclasses.field(default_factory=dict)   # bucket index -> samples
    overflows: int = 0
    min_ns: int | None = None       # exact extremes when the source printed them
    max_ns: int | None = None
    sum_ns: int | None = None       # exact sum when known (avg = sum / samples)

    @property
    def samples(self) -> int:
        return sum(self.counts.values()) + self.overflows

    @property
    def limit_ns(self) -> int:
        return self.bucket_ns * self.buckets

    def add(self, other: "Histogram") -> "Histogram":
        """The histogram of both sample sets (same bucket width required)."""
        if (other.bucket_ns, other.buckets) != (self.bucket_ns, self.buckets):
            raise ValueError(f"cannot add a {other.bucket_ns} ns x {other.buckets} histogram "
                             f"to a {self.bucket_ns} ns x {self.buckets} one")
        counts = dict(self.counts)
        for index, n in other.counts.items():
            counts[index] = counts.get(index, 0) + n
        both = [h for h in (self, other) if h.samples]
        return Histogram(self.bucket_ns, self.buckets, counts, self.overflows + other.overflows,
                         _combine(min, [h.min_ns for h in both]),
                         _combine(max, [h.max_ns for h in both]),
                         _combine(sum, [h.sum_ns for h in both]))

    def minus(self, earlier: "Histogram") -> "Histogram":
        """Samples taken since `earlier` was read (cumulative counters, e.g. latmon's channel);
        extremes and sums are not differences of extremes: they come from the buckets then."""
        counts = {i: n - earlier.counts.get(i, 0) for i, n in self.counts.items()
                  if n - earlier.counts.get(i, 0)}
        if any(n < 0 for n in counts.values()) or self.overflows < earlier.overflows:
            raise ValueError("the later histogram has fewer samples than the earlier one")
        return Histogram(self.bucket_ns, self.buckets, counts, self.overflows - earlier.overflows)

    def percentile_ns(self, q: float):
        """Lower bound of the bucket holding the ceil(q * samples)-th smallest sample (cyclictest
        prints latencies rounded down the same way); None when it is an overflow."""
        n = self.samples
        if not n:
            return None
        rank = max(1, math.ceil(q * n))
        seen = 0
        for index in sorted(self.counts):
            seen += self.counts[index]
            if seen >= rank:
                return index * self.bucket_ns
        return None

    def stats(self) -> "Stats":
        n = self.samples
        if not n:
            return Stats(0, None, None, None, None, None, None, 0, self.limit_ns)
        in_buckets = sorted(self.counts)
        lowest = in_buckets[0] * self.bucket_ns if in_buckets else None
        highest = (in_buckets[-1] * self.bucket_ns if in_buckets and not self.overflows
                   else None)
        minimum = self.min_ns if self.min_ns is not None else lowest
        maximum = self.max_ns if self.max_ns is not None else highest
        if self.sum_ns is not None:
            avg = self.sum_ns / n
        elif not self.overflows:
            avg = sum(i * self.bucket_ns * c for i, c in self.counts.items()) / n
        else:
            avg = None  # overflows have unknown values
        return Stats(n, minimum, None if avg is None else round(avg),
                     *(self.percentile_ns(q) for _, q in PERCENTILES), maximum,
                     self.overflows, self.limit_ns)


def _combine(fn, values):
    return None if not values or any(v is None for v in values) else fn(values)


@dataclasses.dataclass
class Stats:
    samples: int
    min_ns: int | None
    avg_ns: int | None
    p50_ns: int | None
    p99_ns: int | None
    p999_ns: int | None
    max_ns: int | None
    overflows: int
    limit_ns: int           # values at or past this are overflows

    FIGURES = ("min_ns", "avg_ns", "p50_ns", "p99_ns", "p999_ns", "max_ns")


@dataclasses.dataclass
class Run:
    """One boot's measurement of one subject: per measuring thread (CPU) and all together."""
    threads: dict                   # thread label ("T:0", "cpu 2") -> Histogram
    missed_periods: int | None = None
    log: str = ""                   # the emulator log it came from
    seconds: float = 0.0

    def combined(self) -> Histogram:
        total = None
        for h in self.threads.values():
            total = h if total is None else total.add(h)
        return total

    def stats(self) -> Stats:
        return self.combined().stats()


@dataclasses.dataclass
class Series:
    """One subject measured with one instrument in one phase: several runs, or pending."""
    subject: str
    instrument: str
    phase: str
    platform: str
    runs: list = dataclasses.field(default_factory=list)
    pending: str = ""               # why there are no figures (e.g. the cell is not latmon)
    setup: str = ""                 # command line / configuration behind the figures
    path: str = THREAD_PATH

    def median_stats(self) -> dict:
        """Per figure, the median over runs (never a single run's maximum); overflows count as
        larger than any value."""
        stats = [run.stats() for run in self.runs]
        out = {"runs": len(stats), "samples": sum(s.samples for s in stats)}
        for name in Stats.FIGURES:
            values = sorted((getattr(s, name) for s in stats),
                            key=lambda v: math.inf if v is None else v)
            out[name] = values[(len(values) - 1) // 2] if values else None
        missed = [r.missed_periods for r in self.runs if r.missed_periods is not None]
        out["missed_periods"] = sorted(missed)[(len(missed) - 1) // 2] if missed else None
        return out

    def identical_runs(self) -> bool:
        """Whether every run produced the very same histograms."""
        if len(self.runs) < 2:
            return False
        first = self.runs[0].threads
        return all(run.threads == first for run in self.runs[1:])

    REPEATED_FIGURES = ("min_ns", "p50_ns", "p99_ns", "p999_ns")

    def identical_figures(self) -> bool:
        """Whether every run gives the same min, p50, p99 and p99.9 (the maximum is not asked
        for: see moved_sample_limit())."""
        if len(self.runs) < 2:
            return False
        figures = [tuple(getattr(run.stats(), k) for k in self.REPEATED_FIGURES)
                   for run in self.runs]
        return all(f == figures[0] for f in figures[1:])

    def moved_sample_limit(self) -> int:
        """How many samples may differ between two runs of an exact series that still repeats:
        max(3, one in a thousand). QEMU's round-robin of several vCPUs under icount depends on
        host events now and then (main-loop kicks), which moves a rare sample a few counter ticks
        (seen: 1 of 600 in a PREEMPT_RT run, 3 of 20,000 in a bare realtime-kernel run). With so
        few samples any rank-based figure can move with it, p99.9 of 600 samples being the
        second-largest; a path that really changed moves far more than this."""
        samples = self.runs[0].stats().samples if self.runs else 0
        return max(3, samples // 1000)

    def repeats(self) -> bool:
        """icount determinism: at least two runs whose histograms differ in no more than
        moved_sample_limit() samples (identical_figures() says whether the figures, too, came
        out the same)."""
        return len(self.runs) >= 2 and self.differing_samples() <= self.moved_sample_limit()

    def differing_samples(self) -> int:
        """Samples by which the runs' histograms differ from the first run's (largest)."""
        first = self.runs[0].combined() if self.runs else None
        most = 0
        for run in self.runs[1:]:
            h = run.combined()
            keys = set(h.counts) | set(first.counts)
            moved = sum(abs(h.counts.get(k, 0) - first.counts.get(k, 0)) for k in keys) // 2
            most = max(most, moved + abs(h.overflows - first.overflows))
        return most


@dataclasses.dataclass
class CpuEntries:
    """Hypervisor entries of one CPU over one boot (the hypervisor's own counters)."""
    cpu: int
    cell: str
    total: int
    reasons: dict                   # reason -> count (only the non-zero ones are printed)
    window: int | None = None       # entries inside the cell's measured window, if it reports one
    qemu_el2: int | None = None     # QEMU's -d int count of EL1/EL0 -> EL2 exceptions
    bochs_exits: int | None = None  # Bochs' own log: VM exits of that CPU
    run: int = 1                    # which boot of the phase
    # Entries a cell makes by calling the hypervisor itself; everything else was done to it.
    voluntary: tuple = ("hypercall", "psci")

    # On x86 also the cell's own CPUID and MSR instructions ("sysreg"): VMX exits on CPUID
    # unconditionally, and the MSR bitmap traps the few MSRs a cell must not own (its start-up
    # reads and writes EFER and the APIC base). Nothing done *to* the cell counts as sysreg.
    X86_VOLUNTARY = ("hypercall", "psci", "sysreg")

    @property
    def involuntary(self) -> int:
        return self.total - sum(self.reasons.get(r, 0) for r in self.voluntary)


@dataclasses.dataclass
class Phase:
    name: str                       # alone, idle, stress, attack
    description: str
    series: list = dataclasses.field(default_factory=list)
    realtime_entries: list = dataclasses.field(default_factory=list)  # CpuEntries, rt CPUs
    other_entries: list = dataclasses.field(default_factory=list)     # CpuEntries, others
    load_summary: str = ""          # what the load actually did (Linux's own summary line)
    load_by_run: dict = dataclasses.field(default_factory=dict)  # run -> that boot's summary
    log: str = ""
    platform: str = ""
    # The positive control: entries on the realtime CPUs are what it is made to show.
    expects_entries: bool = False

    def series_for(self, subject, instrument, path=THREAD_PATH):
        return next((s for s in self.series if s.subject == subject and
                     s.instrument == instrument and s.path == path), None)


# The realtime kernel's critical-section table (rtcell/apps/csection_report.c): kinds of span,
# and the sites that are interrupt entry's masking and the console's.
IRQ_OFF = "irq-off"
PREEMPT_OFF = "preempt-off"
INTERRUPT_ENTRY_SITES = ("rt_arm64_irq", "rt_x86_interrupt")
CONSOLE_SITES = ("rtcell_console_queue", "rtcell_console_write_now")


@dataclasses.dataclass
class CriticalSection:
    """One site's longest span in one realtime-kernel run, in counter ticks (the kernel's
    rtarch_cycles(), the generic counter at `counter_hz`)."""
    phase: str
    subject: str
    instrument: str
    kind: str           # IRQ_OFF or PREEMPT_OFF
    site: str           # FUNC:LINE
    max_ticks: int
    count: int
    counter_hz: int
    log: str = ""

    @property
    def max_ns(self) -> int:
        """The span in ns (under icount, instructions), to the counter's resolution."""
        return self.max_ticks * 1_000_000_000 // self.counter_hz

    @property
    def function(self) -> str:
        return self.site.rsplit(":", 1)[0]


@dataclasses.dataclass
class Report:
    platform: str
    platform_description: str
    system: str
    quick: bool
    phases: list
    started: str
    seconds: float = 0.0
    notes: list = dataclasses.field(default_factory=list)
    determinism: dict = dataclasses.field(default_factory=dict)  # series key -> identical?
    # icount p50s of the bare kernels per emulated CPU model (runner._cpu_model_check)
    cpu_models: list = dataclasses.field(default_factory=list)
    # every site of every realtime-kernel run's critical-section table (CriticalSection)
    critical_sections: list = dataclasses.field(default_factory=list)
    linux_cost: object = None    # linuxcost.LinuxCost, when the system has a Linux cell
