"""The Linux cell's payload (Debian kernel + busybox initramfs) booted in bare QEMU, no hypervisor.

This is the reference behaviour a Linux cell is held to. The payload comes from
<build>/cache/debs/ (fetched once with apt, then offline). Each run has a hard timeout;
the guest must power itself off (PSCI SYSTEM_OFF) for QEMU to exit 0.
"""

import re

import pytest

from bulkhead_tools import payload as linux_payload
from bulkhead_tools.emulator import run_emulator

BOOT_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def payload():
    try:
        return linux_payload.ensure_linux_payload()
    except linux_payload.PayloadError as error:
        pytest.fail(f"cannot build the Linux payload: {error}")


def boot_bare(payload, log_dir, append):
    command = linux_payload.bare_qemu_command(payload, append, cpus=2, memory="512M")
    return run_emulator(command, str(log_dir / "qemu.log"), BOOT_TIMEOUT_S)


def test_linux_cell_reaches_init_sees_its_machine_and_powers_off_by_itself(payload, log_dir):
    result = boot_bare(payload, log_dir, "bulkhead.scenario=poweroff")
    assert not result.timed_out, result.describe()
    assert result.returncode == 0, result.describe()
    out = result.output
    assert "linux-cell: init started" in out, result.describe()
    shape = re.search(r"^linux-cell: cpus=(\d+) mem_kb=(\d+)", out, re.M)
    assert shape, out
    assert int(shape.group(1)) == 2
    # MemTotal is what is left of -m 512M after the kernel's own image and reservations.
    assert 384 * 1024 < int(shape.group(2)) <= 512 * 1024, shape.group(0)
    assert f"linux-cell: kernel {payload['kernel_version']}" in out
    assert "linux-cell: scenario poweroff done; powering off" in out
    assert "reboot: Power down" in out
    assert "Kernel panic" not in out


def test_cyclictest_runs_inside_the_linux_cell_and_reports_every_cpu(payload, log_dir):
    result = boot_bare(payload, log_dir, "bulkhead.scenario=cyclictest bulkhead.loops=300")
    assert not result.timed_out, result.describe()
    assert result.returncode == 0, result.describe()
    out = result.output
    # cyclictest -q prints one summary line per measuring thread, here one per CPU.
    threads = re.findall(r"^T: (\d+) \(\s*\d+\) P:95 I:1000 C:\s*(\d+) Min:\s*(\d+) Act:\s*\d+ "
                         r"Avg:\s*(\d+) Max:\s*(\d+)", out, re.M)
    assert [int(t[0]) for t in threads] == [0, 1], out
    assert max(int(t[1]) for t in threads) == 300, "the first thread to finish ends the run"
    for _, _, lo, avg, hi in threads:
        assert 0 <= int(lo) <= int(avg) <= int(hi)
    summary = re.search(r"^linux-cell: cyclictest threads=2 min_us=\d+ avg_us=\d+ max_us=\d+ rc=0",
                        out, re.M)
    assert summary, out
    assert "linux-cell: scenario cyclictest done; powering off" in out
