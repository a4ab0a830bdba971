"""x86-64 boot in Bochs: GRUB -> multiboot2 -> long mode, every CPU in VMX root.

Each test boots one ISO built by the x86_64 build and reads the COM1 log; the
hypervisor ends the run itself (Bochs' shutdown port), the timeout only turns
a hang into a failure.
"""

import re

from bulkhead_tools.bochs import run_bochs

PASS = "BULKHEAD: PASS"
FAIL = "BULKHEAD: FAIL"
BOCHS_CPUS = 2
TIMEOUT_S = 180


def _boot(iso, log_dir):
    assert iso.exists(), f"{iso} missing: build the x86_64 target first"
    result = run_bochs(iso, log_dir, timeout_s=TIMEOUT_S, cpus=BOCHS_CPUS)
    context = f"{result.describe()}\nserial log:\n{result.output}"
    assert not result.timed_out, context
    return result, context


def test_x86_every_cpu_executes_vmxon(x86_build, log_dir):
    result, context = _boot(x86_build / "arch" / "x86" / "bulkhead.iso", log_dir)
    out = result.output

    assert "Bulkhead hypervisor starting" in out, context
    platform = re.search(r"^platform: (.*), (\d+) CPUs\r?$", out, re.MULTILINE)
    assert platform, context
    cpu_count = int(platform.group(2))
    assert cpu_count == BOCHS_CPUS, context
    for cpu in range(cpu_count):
        assert re.search(rf"^cpu {cpu}: online, APIC id \d+, VMX EPT unrestricted-guest, "
                         r"VMXON ok", out, re.MULTILINE), f"cpu {cpu}\n{context}"
    assert f"hv: all {cpu_count} CPUs online" in out, context
    assert PASS in out, context
    assert FAIL not in out, context


def test_x86_unexpected_exception_dumps_registers_and_fails(x86_build, log_dir):
    result, context = _boot(x86_build / "arch" / "x86" / "bulkhead-fault.iso", log_dir)
    out = result.output

    assert "cmdline: bulkhead.fault=access" in out, context
    assert "hv: injecting a bad access as requested" in out, context
    assert re.search(r"unexpected exception #PF \(vector 14\) on cpu 0", out), context
    for reg in ("RIP", "CS", "RFLAGS", "RSP", "CR2", "CR3", "RAX", "RBX", "RCX", "RDX", "RSI",
                "RDI", "RBP", "R8", "R9", "R10", "R11", "R12", "R13", "R14", "R15"):
        assert re.search(rf"\b{reg} +0x[0-9a-f]+", out), f"{reg} missing\n{context}"
    # The access was to the unmapped 0x8000000000: CR2 must name it.
    assert re.search(r"CR2 0x0000008000000000", out), context
    assert FAIL in out, context
    assert PASS not in out, context
