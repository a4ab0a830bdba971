"""Linux's own cost under the hypervisor, measured side by side (`bulkhead measure --linux-cost`,
and a section of every full run of a system with a Linux cell).

The same kernel, initramfs and command line boot twice under QEMU -icount (1 ns of the guest's
clock = 1 instruction executed, by any CPU): as the system's Linux cell with the realtime cells
removed (their CPUs stay parked in the hypervisor, halted: they execute nothing), and bare on as
many CPUs with as much memory as the cell has. Linux's init (scenario `cost`, guests/linux/init)
times each workload with the kernel's monotonic clock from inside Linux, and in the cell reads
the hypervisor's entry counters (`bhctl stats`) before and after each one. The ratio cell/bare is
then the extra instructions the hypervisor costs Linux, exact up to the workloads' own
non-determinism (the disk's completions arrive in host time: docs/measuring.md).
"""

import dataclasses
import re
import statistics

from .. import paths, systems
from . import sysdesc

# (name, what it does, the goal for cell/bare or None); the order of the table.
WORKLOADS = (
    ("boot", "boot to init: the kernel's clock when it runs /init", None),
    ("cpu", "CPU-bound: integer arithmetic in awk, one process per CPU", 1.03),
    ("mem", "memory-bound: 32 MiB written to tmpfs and read back twice", 1.03),
    ("hackbench", "scheduling and IPIs: hackbench -g 4 -l 50 (sockets, both CPUs)", 1.10),
    ("disk", "interrupts and I/O: 8 x 4 MiB read from virtio-blk, page cache dropped", 1.10),
)
RUNS = 2   # boots of each side: the spread between them shows how exact each figure is
TITLE = "## Linux's cost"
SCENARIO_ARGS = "bulkhead.scenario=cost"
# What both kernels get on their command line besides console=ttyAMA0 (platforms.py adds that,
# nokaslr and randomize_kstack_offset=off to the bare one): the cell's own bootargs are
# given to the bare kernel and the bare platform's to the cell, so the two lines hold the same.
CELL_EXTRA_ARGS = "nokaslr randomize_kstack_offset=off " + SCENARIO_ARGS

_BOOT = re.compile(r"^linux-cell: cost: boot-to-init (\d+)\.(\d{6}) s\s*$", re.M)
_BEGIN = re.compile(r"^linux-cell: cost: begin (\w+):", re.M)
_END = re.compile(r"^linux-cell: cost: end (\w+) ns=(\d+) rc=(\d+)\s*$", re.M)
_STATS_HEAD = re.compile(r"^cpu\s+cell\s+total((?:\s+[\w-]+)+)\s*$")
_STATS_ROW = re.compile(r"^(\d+)\s+(\S+)\s+(\d+)((?:\s+\d+)+)\s*$")


@dataclasses.dataclass
class Workload:
    name: str
    bare_runs: list = dataclasses.field(default_factory=list)   # ns, one per boot
    cell_runs: list = dataclasses.field(default_factory=list)
    # hypervisor entries on the cell's CPUs during the workload, by reason (summed over CPUs
    # and over the cell's runs)
    entries: dict = dataclasses.field(default_factory=dict)

    @property
    def bare_ns(self):
        return statistics.median(self.bare_runs) if self.bare_runs else None

    @property
    def cell_ns(self):
        return statistics.median(self.cell_runs) if self.cell_runs else None

    @property
    def ratio(self):
        return self.cell_ns / self.bare_ns if self.cell_ns and self.bare_ns else None

    def add_cell_run(self, ns, entries):
        self.cell_runs.append(ns)
        for reason, n in entries.items():
            self.entries[reason] = self.entries.get(reason, 0) + n

    def per_second(self):
        """reason -> entries per second of the cell's (virtual) time."""
        if not self.cell_runs:
            return {}
        return {r: n * 1e9 / sum(self.cell_runs) for r, n in self.entries.items()}


@dataclasses.dataclass
class LinuxCost:
    cell: str
    cpus: int
    cell_setup: str = ""
    bare_setup: str = ""
    workloads: list = dataclasses.field(default_factory=list)
    cell_log: str = ""
    bare_log: str = ""
    problems: list = dataclasses.field(default_factory=list)


def parse(text, cell=None):
    """What one run of the `cost` scenario printed: name -> (ns, entries by reason or {}).
    Entries: the difference of the two `bhctl stats` tables around the workload, summed over
    the CPUs of cell `cell` (bhctl lists every CPU)."""
    out = {}
    boot = _BOOT.search(text)
    if boot:
        out["boot"] = (int(boot.group(1)) * 10**9 + int(boot.group(2)) * 1000, {})
    for begin in _BEGIN.finditer(text):
        name = begin.group(1)
        end = _END.search(text, begin.end())
        if not end or end.group(1) != name or end.group(3) != "0":
            continue
        tables = _stats_tables(text[begin.end():end.start()], cell)
        entries = {}
        if len(tables) == 2:
            before, after = tables
            for key, reasons in after.items():
                for reason, n in reasons.items():
                    entries[reason] = entries.get(reason, 0) + n - before.get(key, {}).get(
                        reason, 0)
        out[name] = (int(end.group(2)), entries)
    return out


def _stats_tables(text, cell):
    """Each `bhctl stats` table in `text`: {(cpu, cell): {reason: count}}, rows of `cell`'s CPUs
    only."""
    tables, reasons, table = [], None, None
    for line in text.splitlines():
        head = _STATS_HEAD.match(line)
        if head:
            reasons = ["total"] + head.group(1).split()
            table = {}
            tables.append(table)
            continue
        row = _STATS_ROW.match(line)
        if row and table is not None and row.group(2) == cell:
            values = [int(row.group(3))] + [int(v) for v in row.group(4).split()]
            table[(int(row.group(1)), row.group(2))] = dict(zip(reasons, values))
    return tables


def measure(ctx, progress, echo=print):
    """Boots Linux in the cell and bare under icount RUNS times each; a LinuxCost."""
    text, platform, logs = ctx.text, ctx.platform, ctx.logs
    cell = next(n for n, c in sysdesc.cells(text).items() if not c["realtime"])
    cpus = len(sysdesc.cells(text)[cell]["cpus"])
    cost = LinuxCost(cell, cpus)
    # The disk workload's device: the default system gives Linux no DMA-capable device.
    dts_text = sysdesc.with_linux_device(
        sysdesc.with_bootargs(sysdesc.without_realtime(text), CELL_EXTRA_ARGS),
        *platform.disk_device)
    dts = logs / "linux-cost-cell.dts"
    dts.write_text(dts_text)
    image = systems.build_system_image(dts, logs / "linux-cost-cell.img",
                                       image_dirs=[paths.build_dir("arm64"),
                                                   systems.test_cell_dir()],
                                       image_files=[ctx.linux["image"], ctx.linux["initramfs"]])
    cost.cell_setup = (f"{dts.name} (the system without its realtime cells, bootargs + "
                       f"`{CELL_EXTRA_ARGS}`), hypervisor under -icount")
    bootargs = sysdesc.bootargs(text, cell).replace("console=ttyAMA0", "").split()
    append = " ".join(bootargs + [SCENARIO_ARGS])
    cost.bare_setup = "`" + " ".join(platform.bare_linux_command(
        "Image", "initramfs", append, True, ctx.disk.name, cpus=cpus)) + "`"
    cost.workloads = [Workload(name) for name, _, _ in WORKLOADS]
    for run in range(1, RUNS + 1):
        progress.start(f"linux cost: Linux as cell {cell} ({cpus} CPUs, realtime cells removed) "
                       f"under -icount, run {run}/{RUNS}")
        log = logs / f"linux-cost-cell-{run}.log"
        result = platform.run_hypervisor(image, log, timeout_s=600, icount=True, disk=ctx.disk)
        figures = parse(result.output, cell)
        for w in cost.workloads:
            if w.name in figures:
                w.add_cell_run(*figures[w.name])
        cost.cell_log = str(log)
        _check(cost, "cell", run, result, figures)
        progress.result(_line(figures))
        progress.start(f"linux cost: the same kernel bare ({cpus} CPUs) under -icount, "
                       f"run {run}/{RUNS}")
        log = logs / f"linux-cost-bare-{run}.log"
        result = platform.run_bare_linux(ctx.linux["image"], ctx.linux["initramfs"], append, log,
                                         timeout_s=600, icount=True, disk=ctx.disk, cpus=cpus)
        figures = parse(result.output)
        for w in cost.workloads:
            if w.name in figures:
                w.bare_runs.append(figures[w.name][0])
        cost.bare_log = str(log)
        _check(cost, "bare", run, result, figures)
        progress.result(_line(figures))
    return cost


def _check(cost, what, run, result, figures):
    if result.timed_out:
        cost.problems.append(f"{what} run {run} timed out: {result.describe()}")
    missing = [name for name, _, _ in WORKLOADS if name not in figures]
    if missing:
        cost.problems.append(f"{what} run {run}: no figure for {', '.join(missing)}")


def _line(figures):
    return ", ".join(f"{n} {ns / 1e6:.1f} ms" for n, (ns, _) in figures.items()) or "no figures"


def markdown_lines(cost):
    """The report's section: one row per workload."""
    reasons = sorted({r for w in cost.workloads for r, n in w.entries.items()
                      if n and r != "total"})
    lines = [TITLE + " under the hypervisor (icount, side by side)", "",
             f"The same kernel, initramfs and command line, as cell `{cost.cell}` (realtime cells "
             f"removed: their CPUs halted in the hypervisor) and bare on {cost.cpus} CPUs, both "
             "under QEMU -icount shift=0 (1 ns = 1 instruction of any CPU). Each workload is "
             "timed by Linux's monotonic clock from inside Linux; entries are the hypervisor's "
             "counters on the cell's CPUs (`bhctl stats` before and after), per second of the "
             "cell's time. Goal: ≤ 1.03 CPU/memory, ≤ 1.10 interrupts/IPIs. "
             "See docs/measuring.md.", "",
             "| workload | bare (ms) | cell (ms) | cell/bare | goal | entries/s | " +
             " | ".join(f"{r}/s" for r in reasons) + " | runs bare; cell (ms) |",
             "|---|---|---|---|---|---|" + "---|" * len(reasons) + "---|"]
    for (name, what, goal), w in zip(WORKLOADS, cost.workloads):
        ratio = "-" if w.ratio is None else f"{w.ratio:.4f}"
        verdict = "-" if goal is None else (
            f"≤ {goal:.2f}" + ("" if w.ratio is None else (" ✓" if w.ratio <= goal else " ✗")))
        per_s = w.per_second()
        total = "-" if name == "boot" else f"{per_s.get('total', 0):.0f}"
        cols = ["-" if name == "boot" else f"{per_s.get(r, 0):.0f}" for r in reasons]
        runs = (", ".join(_ms(ns) for ns in w.bare_runs) + "; " +
                ", ".join(_ms(ns) for ns in w.cell_runs))
        lines.append(f"| {what} | {_ms(w.bare_ns)} | {_ms(w.cell_ns)} | {ratio} | {verdict} | "
                     f"{total} | " + " | ".join(cols + [runs]) + " |")
    lines += ["", f"- Cell: {cost.cell_setup}. Log of the last run: `{cost.cell_log}`.",
              f"- Bare: {cost.bare_setup}. Log of the last run: `{cost.bare_log}`."]
    lines += [f"- Problem: {p}" for p in cost.problems]
    return lines + [""]


def _ms(ns):
    return "-" if ns is None else f"{ns / 1e6:.2f}"
