"""An SMP Linux cell on x86, in Bochs with 4 CPUs: Debian's amd64 kernel on CPUs 0-1 (the system
of test_x86_linux_cell.py, x86-linux-pvh-rt.dts, with the Linux cell given CPUs 0 and 1 and the
realtime cell CPU 2; CPU 3 belongs to no cell).

Linux starts its second CPU with INIT-SIPI-SIPI, which the hypervisor emulates within the cell
(vmx/cpu_startup.c); once both CPUs are up it enables "IPI shorthand broadcast" and sends its
call-function and stop IPIs to every other CPU with the all-but-self shorthand, which the
hypervisor confines to the cell's own CPUs (vmx/msr.c `send_icr`). Refused, as they were before,
the power-off hung: the other CPU never took Linux's stop IPI (RCU stalls until the timeout).

Every verdict is a marker in the output; the timeout only turns a hang into a failure.
"""

import re

import pytest

from bulkhead_tools import paths, payload
from bulkhead_tools.bochs import run_bochs, system_iso
from bulkhead_tools.measure.parse import hv_stats
from bulkhead_tools.sysgen_check import cell_lines

BASE_SYSTEM = paths.REPO / "tests" / "system" / "systems" / "x86-linux-pvh-rt.dts"
# The one-CPU system's lines and what they become here; each must occur exactly once.
SMP_EDITS = [
    ('platform-name = "bochs-x86";', 'platform-name = "bochs-x86-4cpu";'),
    ("\t\tlinux {\n\t\t\tcpus = <0>;", "\t\tlinux {\n\t\t\tcpus = <0 1>;"),
    ("\t\trt {\n\t\t\tcpus = <1>;", "\t\trt {\n\t\t\tcpus = <2>;"),
]
LINUX_CPUS, RT_CPU, FREE_CPU = (0, 1), 2, 3
TIMEOUT_S = 900


def smp_system(work):
    text = BASE_SYSTEM.read_text()
    for old, new in SMP_EDITS:
        if text.count(old) != 1:
            pytest.fail(f"{BASE_SYSTEM.name} no longer has exactly one {old!r}: update SMP_EDITS")
        text = text.replace(old, new)
    dts = work / "x86-linux-smp-rt.dts"
    dts.write_text(text)
    return dts


@pytest.fixture(scope="module")
def boot():
    x86_build = paths.build_root() / "x86_64"
    if not (x86_build / "build.ninja").exists():
        pytest.fail(f"{x86_build} is not built: run ./bulkhead build --arch x86_64")
    linux = payload.ensure_linux_payload(arch="x86_64")
    work = paths.build_root() / "test-logs" / "test_x86_linux_smp"
    work.mkdir(parents=True, exist_ok=True)
    iso = system_iso(smp_system(work), work, x86_build,
                     image_dirs=[linux["dir"], x86_build / "rtcell"], platform="bochs-x86-4cpu")
    result = run_bochs(iso, work, timeout_s=TIMEOUT_S, cpus=4, com2=True)
    com2 = work / "com2.log"
    result.linux = com2.read_text(errors="replace").replace("\r\n", "\n") if com2.exists() else ""
    return result


def test_x86_smp_linux_cell_brings_up_exactly_its_two_cpus(boot):
    out = boot.linux
    assert not boot.timed_out, boot.describe() + out[-3000:]
    assert "smpboot: Allowing 2 CPUs, 0 hotplug CPUs" in out, out[-3000:]
    assert "smp: Brought up 1 node, 2 CPUs" in out, out[-3000:]
    m = re.search(r"^linux-cell: cpus=(\d+) ", out, re.M)
    assert m and int(m.group(1)) == len(LINUX_CPUS), out[-3000:]
    # bhctl's view of the cells, read from the hypervisor's status page inside Linux.
    assert re.search(r"^0\s+linux\s+running\s+0-1\s", out, re.M), out[-3000:]
    assert re.search(rf"^1\s+rt\s+(running|stopped)\s+{RT_CPU}\s", out, re.M), out[-3000:]
    # Nothing Linux sent between its own CPUs was refused (broadcasts included).
    assert "ICR write" not in boot.output, boot.output


def test_x86_smp_linux_cell_powers_off_and_leaves_the_other_cpus_alone(boot):
    out = boot.output
    assert not boot.timed_out, boot.describe() + boot.linux[-3000:]
    assert "reboot: Power down" in boot.linux, boot.linux[-3000:]
    # Linux's stop IPI (all but self) reached its other CPU: no fallback to NMIs, no stall.
    assert "Shutting down cpus with NMI" not in boot.linux, boot.linux[-3000:]
    assert "rcu_preempt detected stalls" not in boot.linux, boot.linux[-3000:]
    assert 'hv: cell "linux" stopped (exit code 0)' in out, out
    rt = "\n".join(cell_lines(out, "rt"))
    assert re.search(r"^rtcell: done, missed=0 inversions=0$", rt, re.M), out
    assert re.search(r"^latmon: cpu=0 logical=2 window_entries=0 ", rt, re.M), out
    stats = hv_stats(out)
    for cpu in LINUX_CPUS:
        assert stats[cpu].total > 0, out  # Linux ran on both of its CPUs
    assert stats[FREE_CPU].total == 0, out
    assert "BULKHEAD: PASS" in out, out
