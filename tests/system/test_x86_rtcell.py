"""The realtime kernel's x86-64 port (rtcell/arch/x86/) in Bochs.

Bare: GRUB boots the kernel's ELF through multiboot2 on one CPU; latmon (1 ms,
1,000 periods) and pistress run, the closing report is printed on COM1 and the
kernel ends the run itself through Bochs' shutdown port. Bochs exits with
status 1 on every path, so the verdict is the kernel's `rtcell: exit code N`
line. As a cell (tests/system/systems/x86-rtcell.dts): the same image's raw
binary on CPU 1 beside hello on CPU 0 under the hypervisor, which powers off
once both cells have exited. The timeouts only turn a hang into a failure.
"""

import re

from bulkhead_tools.bochs import run_bochs
from bulkhead_tools.measure import parse

PERIODS = 1000
TIMEOUT_S = 180


def run_bare(x86_build, log_dir, image="rtcell-x86-short"):
    iso = x86_build / "rtcell" / f"{image}.iso"
    assert iso.exists(), f"{iso} missing: build the x86_64 target first"
    result = run_bochs(iso, log_dir, timeout_s=TIMEOUT_S, cpus=1)
    assert not result.timed_out, result.describe()
    result.output = result.output.replace("\r\n", "\n")  # the UART's line ends
    return result


def done_line(output):
    """(missed, inversions) from the kernel's closing line."""
    m = re.search(r"^rtcell: done, missed=(\d+) inversions=(\d+)$", output, re.M)
    assert m, f"the kernel did not report:\n{output}"
    return int(m.group(1)), int(m.group(2))


def test_bare_x86_latmon_runs_1000_periods_without_missing_one(x86_build, log_dir):
    out = run_bare(x86_build, log_dir).output

    assert "rtcell: bare x86-64 boot (multiboot2 magic 36d76289), 1 CPUs" in out, out
    assert re.search(r"^rtcell: TSC \d+ Hz, LAPIC timer in TSC-deadline mode$", out, re.M), out
    m = re.search(r"latmon: cpu=0 logical=0 samples=(\d+) missed=(\d+)", out)
    assert m and int(m.group(1)) + int(m.group(2)) == PERIODS, out
    assert done_line(out) == (0, 0), out
    assert "latmon: missed=0" in out
    m = re.search(r"pistress: groups=1 rounds=(\d+) inversions=0", out)
    assert m and int(m.group(1)) > 0, "pistress did not run"
    assert re.search(r"^rtcell: exit code 0$", out, re.M), out


def test_bare_x86_report_holds_every_sample_and_every_timer_interrupt(x86_build, log_dir):
    out = run_bare(x86_build, log_dir).output

    blocks, missed = parse.latmon_report(out, {"us": 1000, "ns": 100000})
    assert missed == 0 and sorted(blocks) == ["handler-ns", "thread-ns", "thread-us"], out
    for name, threads in blocks.items():
        assert threads["T:0"].samples == PERIODS, name
    handler, thread = blocks["handler-ns"]["T:0"].stats(), blocks["thread-ns"]["T:0"].stats()
    assert 0 < handler.p50_ns < thread.p50_ns, "the handler runs before the thread"
    # Every timer interrupt is an interrupt-entry span measured from the vector's TSC read.
    _, table = parse.csection_table(out)
    sites = {row["site"].rsplit(":", 1)[0]: row for row in table}
    assert sites["rt_x86_interrupt"]["count"] >= PERIODS and sites["rt_x86_interrupt"]["max_ticks"]

