"""arm64 hypervisor boot on QEMU virt (virtualization=on, GICv3, cortex-a72)."""

import re
import subprocess

from bulkhead_tools import paths
from bulkhead_tools.qemu import run_arm64

BOOT_TIMEOUT_S = 30


def boot(log_dir, **kwargs):
    return run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=BOOT_TIMEOUT_S,
                     **kwargs)


def test_arm64_every_cpu_reports_in_at_el2(arm64_build, log_dir):
    result = boot(log_dir, cpus=4)
    assert not result.timed_out, result.describe()
    assert result.returncode == 0, result.describe()
    reports = re.findall(r"^cpu (\d+): online, MPIDR (0x[0-9a-f]+), EL(\d)", result.output, re.M)
    assert sorted(int(cpu) for cpu, _, _ in reports) == [0, 1, 2, 3], result.output
    assert {el for _, _, el in reports} == {"2"}, result.output
    assert len({mpidr for _, mpidr, _ in reports}) == 4, "MPIDRs must be distinct"
    assert "hv: all 4 CPUs online" in result.output
    assert result.output.rstrip().endswith("BULKHEAD: PASS")


def test_arm64_cpu_count_and_ram_come_from_the_device_tree(arm64_build, log_dir):
    # Same image, another machine shape: nothing about it may be compiled in.
    result = boot(log_dir, cpus=2, memory="512M")
    assert result.returncode == 0, result.describe()
    assert "platform: linux,dummy-virt, 2 CPUs" in result.output
    assert "ram 0: [0x40000000, +0x20000000)" in result.output
    assert re.findall(r"^cpu (\d+): online", result.output, re.M) == ["0", "1"]


def test_arm64_unexpected_exception_dumps_registers_and_fails(arm64_build, log_dir):
    result = boot(log_dir, append="bulkhead.fault=access")
    assert not result.timed_out, "a fault must end the run, not hang it"
    assert result.returncode == 1, result.describe()
    out = result.output
    assert "hv: unexpected exception on cpu 0: sync, EL2 SPx" in out
    assert re.search(r"ESR  0x[0-9a-f]{16} \(EC 0x25", out), "data abort syndrome expected"
    assert "FAR  0x1000000000000000" in out
    for reg in ("ELR ", "SPSR", "SP  ", "x0 ", "x29", "x30"):
        assert f"  {reg}" in out, f"register {reg.strip()} missing from the dump"
    assert "BULKHEAD: FAIL" in out and "BULKHEAD: PASS" not in out


def test_bulkhead_run_ends_by_itself_with_success(arm64_build):
    run = subprocess.run([str(paths.REPO / "bulkhead"), "run"], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "hv: all 4 CPUs online" in run.stdout
    assert "run: the system powered off by itself; success" in run.stdout
