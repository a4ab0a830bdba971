"""Containment on x86 (VMX, Bochs): the hostile cell (guests/tests/x86/hostile.c)
attacks memory, the IOAPIC and LAPIC pages, other CPUs through the ICR, ports,
MSRs, control registers, VMX and cache instructions and the hypercall interface
while the realtime ticker runs on the other CPU (x86-hostile.dts). Every
attempt must get its documented answer inside the attacker, the hypervisor must
stay up, and the ticker must see exactly what it sees beside an idle hello
(x86-hostile-victims.dts), down to the hypervisor's counters for its CPU.
"""

import re

import pytest

from bulkhead_tools import paths
from bulkhead_tools.bochs import run_bochs, system_iso, vm_exits_per_cpu
from bulkhead_tools.measure.parse import hv_stats
from bulkhead_tools.sysgen_check import cell_lines, hostile_attempts

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
TIMEOUT_S = 240
TICKER_CPU = 1

GP = r"fault \(#GP, error 0x0\)"
UD = r"fault \(#UD\)"
NO_FAULT_FF = r"no fault \(read back 0xff\)"
BAD_ADDRESS = r"returned -14 \(bad address\)"

# attempt -> regular expression its result must match
EXPECTED = {
    # EPT violations: #GP(0) at the instruction (docs/hypervisor.md), the cell runs on.
    "read ticker memory 0x6000000": GP,
    "write ticker memory 0x6000000": GP,
    "execute ticker memory 0x6000000": r"fault \(#GP, error 0x0, RIP 0x6000000\)",
    "read hypervisor memory 0x100000": GP,
    "write hypervisor memory 0x100000": GP,
    "read hypervisor memory 0x1000000": GP,
    "write hypervisor memory 0x1000000": GP,
    "execute hypervisor memory 0x100000": r"fault \(#GP, error 0x0, RIP 0x100000\)",
    "read unassigned memory 0x20000000": GP,
    "read ioapic 0xfec00000": GP,
    "write ioapic 0xfec00000": GP,
    "read lapic mmio 0xfee00020": GP,
    "write own memory (control)": r"write completed \(read back 0x686f7374696c6521, MARKER STORED\)",
    # The IOAPIC, emulated: 32-bit MOVs through the index/data pair (64-bit ones are #GP
    # above). Only its own pin 3 takes writes, and only towards its own CPU.
    "ioapic register 0x0 id": r"write ignored \(before (0x\w+), wrote 0xf000000, read back \1\)",
    "ioapic register 0x18 foreign pin 4 (com1) unmask":
        r"write ignored \(before 0x10000, wrote 0x42, read back 0x10000\)",
    "ioapic register 0x15 foreign pin 2 (timer) aim at apic 1":
        r"write ignored \(before 0x0, wrote 0x1000000, read back 0x0\)",
    "ioapic register 0x17 own pin 3 destination foreign apic 1 (masked)":
        r"write took effect \(before 0x\w+, wrote 0x1000000, read back 0x1000000\)",
    "ioapic register 0x16 own pin 3 unmask towards foreign apic 1":
        r"write ignored \(before 0x10000, wrote 0x42, read back 0x10000\)",
    "ioapic register 0x17 own pin 3 destination own apic":
        r"write took effect \(before 0x1000000, wrote 0x0, read back 0x0\)",
    "ioapic register 0x16 own pin 3 nmi":
        r"write ignored \(before 0x10000, wrote 0x10400, read back 0x10000\)",
    "ioapic register 0x16 own pin 3 smi":
        r"write ignored \(before 0x10000, wrote 0x10200, read back 0x10000\)",
    "ioapic register 0x16 own pin 3 init":
        r"write ignored \(before 0x10000, wrote 0x10500, read back 0x10000\)",
    "ioapic register 0x16 own pin 3 extint":
        r"write ignored \(before 0x10000, wrote 0x10700, read back 0x10000\)",
    "ioapic register 0x16 own pin 3 logical destination":
        r"write ignored \(before 0x10000, wrote 0x842, read back 0x10000\)",
    "ioapic register 0x16 own pin 3 fixed to own cpu (control)":
        r"write took effect \(before 0x10000, wrote 0x42, read back 0x42\)",
    "ioapic register 0x16 own pin 3 masked again (control)":
        r"write took effect \(before 0x42, wrote 0x10042, read back 0x10042\)",
    "ioapic register 0xd8 past the last pin":
        r"write ignored \(before 0x0, wrote 0x42, read back 0x0\)",
    "ioapic eoi register offset 0x40 write": r"no fault",
    "ioapic version": r"0x17\w{4}",  # 24 pins
    "ioapic 32-bit accesses made": r"\d+",
    # ICR writes the hypervisor refuses complete without effect (checked below in its log
    # and in the ticker's stray counts); its own IPI arrives.
    "icr 0x100000042 fixed to foreign apic 1": r"written, no fault",
    "icr 0x100000142 lowest priority to foreign apic 1": r"written, no fault",
    "icr 0x100000400 nmi to foreign apic 1": r"written, no fault",
    "icr 0x100000500 init to foreign apic 1": r"written, no fault",
    "icr 0x100000610 startup to foreign apic 1": r"written, no fault",
    "icr 0x100000200 smi to foreign apic 1": r"written, no fault",
    "icr 0xffffffff00000042 fixed to physical broadcast 0xffffffff": r"written, no fault",
    "icr 0x200000842 fixed to logical cluster 0 cpu 1": r"written, no fault",
    "icr 0xffffffff00000842 fixed to logical broadcast": r"written, no fault",
    # Broadcasts reach the sender's own cell only: itself here (the ticker counts strays).
    "icr 0x80042 fixed to all including self": r"reached itself 1 time\(s\)",
    "icr 0xc0042 fixed to all but self": r"reached itself 1 time\(s\) with the marker",
    "icr 0xc0400 nmi to all but self": r"written, no fault",
    "icr 0xc0500 init to all but self": r"written, no fault",
    "icr 0x40400 nmi to self": r"written, no fault",
    "icr 0x42 fixed to own apic 0 (control)": r"delivered once",
    # Ports it does not own: reads all ones, writes dropped (the machine did not reset).
    "out port 0xcf8 value 0x80000000 pci config address": r"no fault \(read back 0xffffffff\)",
    "in port 0xcfc pci config data": r"read 0xffffffff",
    "out port 0xcf9 value 0x6 reset control (pci reset)": NO_FAULT_FF,
    "out port 0x92 value 0x1 system control port a (fast reset)": NO_FAULT_FF,
    "out port 0x20 value 0x11 pic master icw1": r"no fault",
    "out port 0x21 value 0xff pic master mask all": NO_FAULT_FF,
    "out port 0xa0 value 0x11 pic slave icw1": r"no fault",
    "out port 0x43 value 0x30 pit mode channel 0": r"no fault",
    "out port 0x40 value 0x1 pit channel 0 count": NO_FAULT_FF,
    "out port 0x42 value 0x1 pit channel 2 count": NO_FAULT_FF,
    "out port 0x3f8 value 0x58 hypervisor uart (hv console)": r"no fault",
    # The CMOS clock is readable; its NVRAM and every write are not (vmx/cmos_clock.c).
    "out port 0x70 value 0x8f cmos index 0x8f (nmi mask, nvram shutdown status)": NO_FAULT_FF,
    "in port 0x71 cmos nvram 0x0f": r"read 0xff",
    "out port 0x71 value 0xa cmos data write (nvram)": NO_FAULT_FF,
    "cmos clock status b": r"readable, write ignored \(0x\w+, after a write 0x\w+\)",
    # MSRs outside the allow-list, and allowed ones with values the CPU would refuse.
    "wrmsr 0x1b apic base relocation": GP,
    "wrmsr 0x1b apic base leave x2apic": GP,
    "wrmsr 0x10 tsc": GP,
    "rdmsr 0x3b tsc adjust": GP,
    "wrmsr 0x3b tsc adjust": GP,
    "wrmsr 0x277 pat invalid type 2": GP,
    "wrmsr 0x277 pat own valid value (control)": r"written, no fault",
    "rdmsr 0xfe mtrr cap": GP,
    "wrmsr 0x2ff mtrr default type uncached": GP,
    "wrmsr 0x200 mtrr physbase0": GP,
    "wrmsr 0x250 mtrr fix64k": GP,
    "wrmsr 0x1d9 debugctl": GP,
    "rdmsr 0x3a feature control": GP,
    "wrmsr 0x3a feature control": GP,
    "wrmsr 0x1a0 misc enable": GP,
    "wrmsr 0x9b smm monitor ctl": GP,
    "wrmsr 0x79 bios update trigger": GP,
    # The microcode revision reads 0 whatever is written (Linux writes 0 to read it).
    "wrmsr 0x8b microcode revision, read back": r"written, no fault, reads 0x0",
    "wrmsr 0xc0000080 efer clear lme in long mode": GP,
    "wrmsr 0xc0000080 efer reserved bit 1": GP,
    "wrmsr 0xc0000100 fs base non-canonical": GP,
    "wrmsr 0xc0000101 gs base non-canonical": GP,
    # Control registers: what the CPU refuses must not reach the VMCS (VM entry would fail).
    "mov cr0 paging without protection": GP,
    "mov cr0 bit 32": GP,
    "mov cr4 clear pae in long mode": GP,
    "mov cr4 reserved bit 31": GP,
    "mov cr4 vmxe set (own view, control)": r"written, no fault",
    # VMX: a CPU without VMX, which CPUID says this is. INVD/WBINVD: no-ops.
    "vmxon": UD,
    "vmxon with cr4.vmxe": UD,
    "vmptrld hypervisor memory": UD,
    "vmclear hypervisor memory": UD,
    "vmread exit reason": UD,
    "vmwrite ept pointer": UD,
    "vmlaunch": UD,
    "vmresume": UD,
    "vmxoff": UD,
    "invept all contexts": UD,
    "invvpid all contexts": UD,
    "vmfunc eptp switch": UD,
    "invd": r"executed, no fault",
    "wbinvd": r"executed, no fault",
    # Hypercalls with wild arguments: the arm64 answers (hv/core/hypercall.c serves both).
    "console write ipa 0": BAD_ADDRESS,
    "console write foreign ipa 0x6000000": BAD_ADDRESS,
    "console write hypervisor ipa 0x100000": BAD_ADDRESS,
    "console write len 0x10000000": r"returned -7 \(too large\)",
    "console write len 257 (max + 1)": r"returned -7 \(too large\)",
    "console write crossing own region end": BAD_ADDRESS,
    "console write ipa wraps 0xfffffffffffffff0 len 32": BAD_ADDRESS,
    "cpu stats cpu 1000": r"returned -2 \(no such object\)",
    "cpu stats cpu 0x100000000": r"returned -2 \(no such object\)",
    "cpu stats buffer in foreign memory 0x6000000": BAD_ADDRESS,
    "cpu stats buffer in hypervisor memory 0x100000": BAD_ADDRESS,
    "cpu stats buffer crossing own region end": BAD_ADDRESS,
    "cpu stats size 8 (too small)": r"returned -22 \(invalid argument\)",
    "cell info buffer in foreign memory 0x6000000": BAD_ADDRESS,
    "cell info buffer in hypervisor memory 0x100000": BAD_ADDRESS,
    "cell info unknown cell 1000": r"returned -2 \(no such object\)",
    "doorbell unknown channel 99": r"returned -2 \(no such object\)",
    "unknown hypercall 0xc6000100": r"returned -38 \(not implemented\)",
    "unknown hypercall 0": r"returned -38 \(not implemented\)",
    "unknown hypercall 0xffffffffffffffff": r"returned -38 \(not implemented\)",
}

NOT_FIXED = "not a fixed interrupt (NMI, INIT, SIPI, SMI ...)"
FOREIGN_START = "INIT/SIPI to a CPU outside the cell"  # vmx/cpu_startup.c
# The hypervisor's refusals of the attempts above, in order (vmx/msr.c, vmx/cpu_startup.c).
ICR_REFUSALS = [
    ("0x100000042", "a CPU outside the cell"),
    ("0x100000142", NOT_FIXED),
    ("0x100000400", NOT_FIXED),
    ("0x100000500", FOREIGN_START),
    ("0x100000610", FOREIGN_START),
    ("0x100000200", NOT_FIXED),
    ("0xffffffff00000042", "a CPU outside the cell"),
    ("0x200000842", "a logical destination"),
    ("0xffffffff00000842", "a logical destination"),
    ("0xc0400", NOT_FIXED),
    ("0xc0500", "INIT/SIPI with a shorthand"),
    ("0x40400", NOT_FIXED),
]
NOT_FIXED_PIN = "not fixed or lowest-priority delivery (SMI, NMI, INIT, ExtINT ...)"
# The filter's refusals of the IOAPIC attempts, in order (vmx/ioapic_filter.c).
IOAPIC_REFUSALS = [
    ("0xf000000", "0x0", "not a redirection entry"),
    ("0x42", "0x18", "the pin is not the cell's"),
    ("0x1000000", "0x15", "the pin is not the cell's"),
    ("0x42", "0x16", "a CPU outside the cell"),
    ("0x10400", "0x16", NOT_FIXED_PIN),
    ("0x10200", "0x16", NOT_FIXED_PIN),
    ("0x10500", "0x16", NOT_FIXED_PIN),
    ("0x10700", "0x16", NOT_FIXED_PIN),
    ("0x842", "0x16", "a logical destination"),
    ("0x42", "0xd8", "not a redirection entry"),
    ("0x42", "0x40", "not the index or data register"),
]
# The attempts that leave the cell's EPT: reads, writes and fetches above.
EPT_VIOLATIONS = 12


def run_system(x86_build, name, log_dir):
    work = log_dir / name
    work.mkdir(parents=True, exist_ok=True)
    iso = system_iso(SYSTEMS / f"{name}.dts", work, x86_build)
    # Bochs logs the ticker's CPU only: the attacker's flood of exits would make the log huge.
    result = run_bochs(iso, work, timeout_s=TIMEOUT_S, cpus=2, log_vm_exits=[TICKER_CPU])
    assert not result.timed_out, f"{result.describe()}\n{result.output}"
    result.output = result.output.replace("\r\n", "\n")
    result.exits = vm_exits_per_cpu(work / "bochs.log")
    return result


def victim_view(output):
    """What the ticker printed, what the hypervisor said about it and counted on its CPU."""
    ticker = cell_lines(output, "ticker")
    about = re.findall(r'^hv: cell "ticker".*$', output, re.M)
    stats = re.findall(r"^hv: stats cpu 1 cell ticker: .*$", output, re.M)
    return ticker, about, stats


@pytest.fixture(scope="module")
def runs():
    x86_build = paths.build_dir("x86_64")
    if not (x86_build / "build.ninja").exists():
        pytest.fail(f"{x86_build} is not built: run ./bulkhead build --arch x86_64")
    log_dir = paths.build_root() / "test-logs" / "x86-hostile"
    log_dir.mkdir(parents=True, exist_ok=True)
    return run_system(x86_build, "x86-hostile", log_dir), \
        run_system(x86_build, "x86-hostile-victims", log_dir)


def test_x86_every_hostile_attempt_gets_its_documented_answer(runs):
    hostile, _ = runs
    found = hostile_attempts(hostile.output)
    for attempt, pattern in EXPECTED.items():
        assert attempt in found, f"attempt missing: {attempt}\n{hostile.output}"
        assert re.fullmatch(pattern, found[attempt]), f"{attempt}: {found[attempt]}"
    assert set(found) - set(EXPECTED) == {"hypercall flood until the other cells stopped"}, \
        set(found) - set(EXPECTED)
    assert "[hostile] hostile: done" in hostile.output


def test_x86_hypervisor_refuses_every_foreign_ipi_and_counts_the_faults(runs):
    hostile, _ = runs
    refusals = re.findall(r'^hv: cell "hostile" cpu 0: ICR write (0x[0-9a-f]+) refused: (.*)$',
                          hostile.output, re.M)
    assert refusals[:len(ICR_REFUSALS)] == ICR_REFUSALS, refusals
    assert "later ones are refused silently" in hostile.output
    faults = re.findall(r'^hv: cell "hostile" cpu 0: EPT violation: (\w+) at guest-physical '
                        r'(0x[0-9a-f]+) \(RIP 0x[0-9a-f]+\); #GP\(0\) to the cell', hostile.output,
                        re.M)
    assert faults[:3] == [("read", "0x6000000"), ("write", "0x6000000"),
                          ("fetch", "0x6000000")], faults
    ioapic = re.findall(r'^hv: cell "hostile" cpu 0: IOAPIC write (0x[0-9a-f]+) to register '
                        r'(0x[0-9a-f]+) refused: (.*)$', hostile.output, re.M)
    assert ioapic == IOAPIC_REFUSALS, ioapic
    stats = hv_stats(hostile.output)
    assert stats[0].cell == "hostile"
    assert stats[0].reasons.get("stage2-fault") == EPT_VIOLATIONS, stats[0]
    # Every emulated IOAPIC access is counted as the interrupt controller's (`gicd`).
    accesses = int(hostile_attempts(hostile.output)["ioapic 32-bit accesses made"])
    assert stats[0].reasons.get("gicd") == accesses, stats[0]


def test_x86_hypervisor_survives_the_attacks_and_powers_off_normally(runs):
    hostile, _ = runs
    out = hostile.output
    assert 'hv: cell "hostile" stopped (exit code 0)' in out, out
    assert 'hv: cell "ticker" stopped (exit code 0)' in out, out
    assert "BULKHEAD: PASS" in out and "BULKHEAD: FAIL" not in out, out
    assert "panic" not in out, out
    # Bochs' own log of the ticker CPU's VM exits agrees with the hypervisor's count.
    assert hostile.exits == {TICKER_CPU: hv_stats(out)[TICKER_CPU].total}


def test_x86_ticker_sees_exactly_what_it_sees_without_the_attacker(runs):
    hostile, alone = runs
    assert victim_view(hostile.output) == victim_view(alone.output)
    ticker = victim_view(hostile.output)[0]
    assert "ticker: interrupts=10000 window_entries=0 apic=1 logical=1" in ticker, ticker
    assert "ticker: 7 ICR writes the hypervisor must refuse sent; stray interrupts 0, NMIs 0" \
        in ticker, ticker
    assert hostile.exits == alone.exits


def test_x86_attacker_was_busy_for_the_tickers_whole_run(runs):
    hostile, _ = runs
    out = hostile.output
    m = re.search(r"hostile: hypercall flood until the other cells stopped: (\d+) calls", out)
    assert m and int(m.group(1)) > 1000, "the attacker was not busy during the ticker's run"
    assert out.index("[ticker] ticker: interrupts=") < m.start()
