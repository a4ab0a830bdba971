"""Debian's amd64 kernel and the x86-64 initramfs booted bare in Bochs (no hypervisor): GRUB's
`linux`/`initrd`, one CPU, the `poweroff` scenario, the guest's ACPI power-off ending the run.

This is the reference an x86 Linux cell is compared with (its boot time in Bochs ticks, what it
sees of the machine). A Linux boot in Bochs is long: one run, one CPU; the figures are in
docs/measuring.md ("Linux in Bochs").
"""

import re

import pytest

from bulkhead_tools import payload as linux_payload
from bulkhead_tools.bochs import GUEST_MEMORY_MB
from bulkhead_tools.payload import bare_bochs

# A backstop only: the guest powers Bochs off itself.
TIMEOUT_S = 600


@pytest.fixture(scope="module")
def payload():
    try:
        return linux_payload.ensure_linux_payload(arch="x86_64")
    except linux_payload.PayloadError as error:
        pytest.fail(f"cannot build the x86-64 Linux payload: {error}")


def test_debian_amd64_kernel_boots_bare_in_bochs_to_init_and_powers_off(payload, log_dir):
    result = bare_bochs.run_bare(payload, "bulkhead.scenario=poweroff", log_dir, cpus=1,
                                 timeout_s=TIMEOUT_S)
    assert not result.timed_out, result.describe()
    out = result.output
    assert "linux-cell: init started" in out, result.describe()
    shape = re.search(r"^linux-cell: cpus=(\d+) mem_kb=(\d+)", out, re.M)
    assert shape, out
    assert int(shape.group(1)) == 1
    # MemTotal: Bochs' RAM less the kernel's image, reservations and the BIOS' areas.
    assert 160 * 1024 < int(shape.group(2)) <= GUEST_MEMORY_MB * 1024, shape.group(0)
    assert f"linux-cell: kernel {payload['kernel_version']}" in out
    assert re.search(r"^linux-cell: uptime at init: \d+\.\d+ s", out, re.M), out
    assert "linux-cell: scenario poweroff done; powering off" in out
    assert "Kernel panic" not in out
    # It ended by itself: Bochs saw the S5 write, not our timeout.
    assert bare_bochs.power_off_tick(log_dir) is not None, result.describe()
