"""`bulkhead measure`'s Linux cost section (tools/pylib/bulkhead_tools/measure/linuxcost.py) from
recorded console output: the `cost` scenario's lines parse into every workload's time and the
hypervisor entries on the cell's CPUs alone, and the report's section has a row per workload with
its ratio and goal; the measurement boots each side under icount with the cell's CPUs and command
line (a platform that answers with the recorded output). No emulator: the figures themselves are a
benchmark (docs/measuring.md).
"""

import pathlib

import pytest

from bulkhead_tools import emulator, paths, payload
from bulkhead_tools.measure import linuxcost, model, platforms, report, runner, sysdesc

STATS_HEAD = ("cpu cell                    total  hypercall       psci stage2-fault       gicd"
              "       gicr     sysreg        irq        wfx      other")


def stats(cpu0, cpu1, parked=7):
    """A `bhctl stats` table: cpu0/cpu1 = (gicd, sysreg, irq) of the Linux cell's CPUs."""
    rows = [STATS_HEAD]
    for cpu, (gicd, sysreg, irq) in enumerate((cpu0, cpu1)):
        rows.append(f"{cpu:<3} linux            {gicd + sysreg + irq:>12} {0:>10} {0:>10} "
                    f"{0:>12} {gicd:>10} {0:>10} {sysreg:>10} {irq:>10} {0:>10} {0:>10}")
    rows.append(f"2   -                {parked:>12} {0:>10} {0:>10} {0:>12} {0:>10} {0:>10} "
                f"{0:>10} {parked:>10} {0:>10} {0:>10}")
    return rows


def cost_output(with_stats):
    lines = ["[    0.892390] Run /init as init process",
             "linux-cell: cost: boot-to-init 0.892390 s"]
    for i, name in enumerate(("cpu", "mem", "hackbench", "disk")):
        lines.append(f"linux-cell: cost: begin {name}: cost_{name}")
        lines += stats((1, 10, 100), (2, 20, 200)) if with_stats else []
        lines += stats((1 + i, 10 + 2 * i, 100 + 3 * i), (2, 20 + i, 200 + 5 * i),
                       parked=99) if with_stats else []
        lines.append(f"linux-cell: cost: end {name} ns={(i + 1) * 100_000_000} rc=0")
    return "\n".join(lines) + "\n"


def test_cost_output_parses_into_every_workload_with_the_cells_entries_only():
    figures = linuxcost.parse(cost_output(True), "linux")
    assert list(figures) == [name for name, _, _ in linuxcost.WORKLOADS]
    assert figures["boot"] == (892_390_000, {})
    ns, entries = figures["disk"]
    assert ns == 400_000_000
    # cpu 0: gicd +3, sysreg +6, irq +9; cpu 1: sysreg +3, irq +15; the parked CPU not at all
    assert entries["gicd"] == 3 and entries["sysreg"] == 9 and entries["irq"] == 24
    assert entries["total"] == 36
    assert linuxcost.parse(cost_output(False), "linux")["cpu"] == (100_000_000, {})


def test_a_failed_workload_gives_no_figure():
    text = cost_output(False).replace("end mem ns=200000000 rc=0", "end mem ns=200000000 rc=1")
    assert "mem" not in linuxcost.parse(text, "linux")


def test_report_section_has_a_row_per_workload_with_ratio_goal_and_entries_per_second():
    cell = linuxcost.parse(cost_output(True), "linux")
    cost = linuxcost.LinuxCost("linux", 2, cell_setup="cell.dts", bare_setup="`qemu`")
    for name, _, _ in linuxcost.WORKLOADS:
        w = linuxcost.Workload(name, bare_runs=[cell[name][0] * 100 // 102] * 2)
        w.add_cell_run(*cell[name])
        w.add_cell_run(*cell[name])
        cost.workloads.append(w)
    r = model.Report("qemu-arm64", "QEMU", "linux-rt.dts", True, [], "now", linux_cost=cost)
    md = report.markdown(r, {})
    section = md[md.index(linuxcost.TITLE):]
    rows = [line for line in section.splitlines() if line.startswith("| ") and
            not line.startswith("| workload")]
    assert len(rows) == len(linuxcost.WORKLOADS)
    for (name, what, goal), row in zip(linuxcost.WORKLOADS, rows):
        cols = [c.strip() for c in row.strip("|").split("|")]
        assert cols[0] == what
        assert 1.015 < float(cols[3]) < 1.025   # 102/100 rounded down
        assert cols[4] == ("-" if goal is None else f"≤ {goal:.2f} ✓")
    disk = [c.strip() for c in rows[-1].strip("|").split("|")]
    assert disk[5] == "90"      # 36 entries in 0.4 s of the cell's time
    assert "irq/s" in section and "sysreg/s" in section
    assert linuxcost.TITLE in report.summary_text(md)


def test_linux_only_system_keeps_the_linux_cell_with_its_bootargs():
    text = (paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts").read_text()
    alone = sysdesc.without_realtime(text)
    assert list(sysdesc.cells(alone)) == ["linux"]
    assert "channels" not in alone
    assert sysdesc.bootargs(alone, "linux") == sysdesc.bootargs(text, "linux")
    assert sysdesc.bootargs(text, "linux").startswith("console=ttyAMA0 ")


class RecordedPlatform(platforms.QemuArm64):
    """qemu-arm64's commands, but every boot answers with recorded console output."""

    def __init__(self):
        super().__init__()
        self.boots = []

    def run_hypervisor(self, system_image, log, timeout_s, int_log=None, icount=False,
                       disk=None):
        self.boots.append(("cell", icount, pathlib.Path(system_image).name))
        return emulator.RunResult([], 0, cost_output(True), False, str(log), 1.0)

    def run_bare_linux(self, kernel, initramfs, append, log, timeout_s, icount=False,
                       disk=None, cpu_model=None, cpus=None):
        self.boots.append(("bare", icount, append, cpus))
        return emulator.RunResult([], 0, cost_output(False), False, str(log), 1.0)


def test_linux_cost_boots_each_side_under_icount_with_the_cells_cpus_and_command_line(tmp_path):
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail(f"{paths.build_dir('arm64')} is not built: run ./bulkhead build --arch arm64")
    platform = RecordedPlatform()
    ctx = runner._context((paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts").read_text(),
                          payload.ensure_linux_payload(), platform,
                          runner.Settings.for_mode(True), tmp_path, [2, 3], None)
    cost = linuxcost.measure(ctx, runner.Progress(runner.LINUX_COST_STEPS, lambda *a, **k: None))
    assert cost.problems == []
    assert [b[0] for b in platform.boots] == ["cell", "bare"] * linuxcost.RUNS
    assert all(b[1] for b in platform.boots), "every boot runs under icount"
    bare = platform.boots[1]
    assert bare[3] == 2
    assert bare[2] == ("earlycon=pl011,0x9000000 rdinit=/init " + linuxcost.SCENARIO_ARGS)
    cell_dts = (tmp_path / "logs" / "linux-cost-cell.dts").read_text()
    assert list(sysdesc.cells(cell_dts)) == ["linux"]
    assert linuxcost.CELL_EXTRA_ARGS in sysdesc.bootargs(cell_dts, "linux")
    assert [w.name for w in cost.workloads] == [name for name, _, _ in linuxcost.WORKLOADS]
    assert all(len(w.cell_runs) == len(w.bare_runs) == linuxcost.RUNS for w in cost.workloads)
    assert cost.workloads[-1].entries["total"] == 36 * linuxcost.RUNS
