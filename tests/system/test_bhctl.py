"""bhctl inside the Linux cell (guests/linux/bhctl/) beside the direct cell "ticker"
(tests/system/systems/linux-ticker.dts): it reads the hypervisor status page and the telemetry
channel through /dev/mem, with no kernel module, and what it prints agrees with what the
hypervisor itself prints at shutdown. The ticker never writes the channel, so latmon is reported
as not running.
"""

import json
import re

import pytest

from bulkhead_tools import paths, payload
from linux_ticker import boot_linux

REASONS = ["hypercall", "psci", "stage2-fault", "gicd", "gicr", "sysreg", "irq", "wfx", "other"]


@pytest.fixture(scope="module")
def linux():
    return payload.ensure_linux_payload()


@pytest.fixture(scope="module")
def bhctl_run(linux):
    """One boot with scenario `bhctl`, shared by the tests of this module (read-only)."""
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail(f"{paths.build_dir('arm64')} is not built: run ./bulkhead build --arch arm64")
    log_dir = paths.build_root() / "test-logs" / "test_bhctl"
    log_dir.mkdir(parents=True, exist_ok=True)
    return boot_linux(linux, log_dir, "bhctl")


def section(out, command):
    """The lines bhctl printed for `command`, between the init script's marker and rc line.
    Kernel and hypervisor lines that the console interleaves are left out."""
    marker = re.search(rf"^linux-cell: bhctl {re.escape(command)}\r?$", out, re.M)
    assert marker, f"bhctl {command} did not start"
    start = marker.start()
    m = re.compile(rf"^linux-cell: bhctl {re.escape(command)}: rc=(\d+)\r?$", re.M).search(
        out, start)
    assert m, f"bhctl {command} did not finish"
    body = out[out.index("\n", start) + 1:m.start()].splitlines()
    lines = [l.rstrip("\r") for l in body if not l.startswith(("[", "hv:", "linux-cell:"))]
    return lines, int(m.group(1)), start


def final_stats(out):
    """hv: stats cpu N cell NAME: total=T reason=n ... as printed when every cell has stopped."""
    stats = {}
    for cpu, cell, total, rest in re.findall(r"^hv: stats cpu (\d+) cell (\S+): total=(\d+)(.*)$",
                                             out, re.M):
        reasons = {k: int(v) for k, v in re.findall(r" (\S+)=(\d+)", rest)}
        stats[int(cpu)] = {"cell": cell, "total": int(total), "reasons": reasons}
    return stats


def test_bhctl_cells_lists_both_cells_with_their_cpus_and_states(bhctl_run):
    out = bhctl_run.output
    lines, rc, start = section(out, "cells")
    assert rc == 0, lines
    assert lines[0].split() == ["id", "name", "state", "cpus", "memory", "flags", "exit",
                                "restarts"]
    rows = {fields[1]: fields for fields in (l.split() for l in lines[1:])}
    assert set(rows) == {"linux", "ticker"}, lines
    assert rows["linux"] == ["0", "linux", "running", "0-1", "512", "MiB", "-", "-", "0"]
    ticker = rows["ticker"]
    assert ticker[0] == "1" and ticker[3] == "3" and ticker[4:7] == ["16", "MiB", "realtime"]
    # The ticker runs ~10 s: bhctl must agree with the hypervisor on whether it had stopped.
    stopped_at = out.find('hv: cell "ticker" stopped (exit code 0)')
    assert stopped_at >= 0, "the ticker did not stop cleanly"
    if stopped_at < start:
        assert ticker[2:3] + ticker[7:] == ["stopped", "0", "0"], lines
    else:
        assert ticker[2:3] + ticker[7:] == ["running", "-", "0"], lines


def test_bhctl_stats_agree_with_the_hypervisors_final_counts(bhctl_run):
    out = bhctl_run.output
    lines, rc, _ = section(out, "stats")
    assert rc == 0, lines
    assert lines[0].split() == ["cpu", "cell", "total", *REASONS]
    seen = {}
    for line in lines[1:]:
        fields = line.split()
        seen[int(fields[0])] = {"cell": fields[1], "total": int(fields[2]),
                                "reasons": dict(zip(REASONS, map(int, fields[3:])))}
    assert sorted(seen) == [0, 1, 2, 3], lines
    final = final_stats(out)
    assert sorted(final) == [0, 1, 2, 3], "the hypervisor printed no final statistics"
    for cpu, row in seen.items():
        # Same owners as the hypervisor names; counts only grow from bhctl's read to the end.
        assert row["cell"] == final[cpu]["cell"], (cpu, row, final[cpu])
        assert row["total"] <= final[cpu]["total"], (cpu, row, final[cpu])
        for reason, count in row["reasons"].items():
            assert count <= final[cpu]["reasons"].get(reason, 0), (cpu, reason, row, final[cpu])
    # Linux runs under the hypervisor: it has entries, interrupts among them.
    assert seen[0]["cell"] == "linux" and seen[0]["total"] > 0 and seen[0]["reasons"]["irq"] > 0
    assert seen[2]["cell"] == "-" and seen[2]["total"] == 0
    # The direct cell's CPU: its own console hypercalls only, whatever Linux does.
    ticker = seen[3]
    assert ticker["cell"] == "ticker"
    assert ticker["total"] == ticker["reasons"]["hypercall"], ticker
    end = final[3]
    assert end["total"] == end["reasons"].get("hypercall"), end


def test_bhctl_latency_says_latmon_is_not_running(bhctl_run):
    lines, rc, _ = section(bhctl_run.output, "latency --histogram")
    assert rc == 1
    assert lines == ["bhctl: telemetry: latmon not running (channel not initialised)"], lines


def test_bhctl_top_shows_entry_rates_per_cpu_frame_by_frame(bhctl_run):
    lines, rc, _ = section(bhctl_run.output, "top --count 2 --interval 0.2")
    assert rc == 0, lines
    # The init script's output is Linux's console, a terminal: each frame is drawn in place
    # (ANSI cursor home and clear screen first).
    redraw = "\x1b[H\x1b[2J"
    heads = [i for i, line in enumerate(lines) if line.startswith(redraw + "bhctl top: ")]
    assert len(heads) == 2, lines
    assert sum(redraw in line for line in lines) == 2, lines
    for start in heads:
        frame = lines[start:start + 7]
        assert frame[1].split() == ["cpu", "cell", "total/s", *REASONS]
        rows = {int(f[0]): (f[1], list(map(int, f[2:]))) for f in map(str.split, frame[2:6])}
        assert sorted(rows) == [0, 1, 2, 3], frame
        assert rows[0][0] == "linux" and rows[2][1] == [0] * (1 + len(REASONS))
        # The direct cell's CPU: whatever it does per second is its own hypercalls.
        cell, (total, hypercall, *_) = rows[3]
        assert cell == "ticker" and total == hypercall, frame
        assert frame[6] == "realtime latency: latmon not running"


def test_bhctl_json_holds_cells_and_counters(bhctl_run):
    lines, rc, _ = section(bhctl_run.output, "--json")
    assert rc == 0 and len(lines) == 1, lines
    state = json.loads(lines[0])
    assert [c["name"] for c in state["cells"]] == ["linux", "ticker"]
    assert [c["cpu"] for c in state["cpus"]] == [0, 1, 2, 3]
    assert state["cpus"][0]["irq"] > 0 and state["latmon"] is None
    final = final_stats(bhctl_run.output)
    assert state["cpus"][0]["total"] <= final[0]["total"]


def test_finish_hook_reports_bhctl_stats(bhctl_run):
    out = bhctl_run.output
    tail = out[out.index("linux-cell: bhctl stats:"):]
    assert re.search(r"^cpu +cell +total +hypercall", tail, re.M)
    assert "linux-cell: scenario bhctl done; powering off" in out
    assert 'hv: cell "linux" stopped (exit code 0)' in out
    assert out.rstrip().endswith("BULKHEAD: PASS")
