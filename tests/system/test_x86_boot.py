"""x86-64 in Bochs: GRUB -> multiboot2 -> long mode, every CPU in VMX root, and
cells on VMX from a system image handed over as the multiboot2 module.

Each test boots one ISO and reads the COM1 log; the hypervisor ends the run
itself (Bochs' shutdown port), the timeout only turns a hang into a failure.
The two-hello ISO comes from the x86_64 build (config/bochs-x86/hello-pair.dts);
other systems (tests/system/systems/x86-*.dts) are compiled with bhcfg and
packed into an ISO at test time.
"""

import re

from bulkhead_tools import paths
from bulkhead_tools.bochs import IPS, run_bochs, system_iso, vm_exits_per_cpu
from bulkhead_tools.measure.parse import hv_stats
from bulkhead_tools.sysgen_check import cell_lines

PASS = "BULKHEAD: PASS"
FAIL = "BULKHEAD: FAIL"
BOCHS_CPUS = 2
TIMEOUT_S = 180
SYSTEMS = paths.REPO / "tests" / "system" / "systems"
HELLO_CELLS = {"hello": (0, 0x4000000), "hello-b": (1, 0x6000000)}  # cell id, memory


def _boot(iso, log_dir, **kwargs):
    assert iso.exists(), f"{iso} missing: build the x86_64 target first"
    result = run_bochs(iso, log_dir, timeout_s=TIMEOUT_S, cpus=BOCHS_CPUS, **kwargs)
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
    # The TSC runs at ips= exactly; the calibration finds it to the kHz whatever the boot's
    # timing (x86_64/pit.h), so every cell's clock is the same on every boot.
    assert re.search(rf"^tsc: {IPS // 1000} kHz\r?$", out, re.M), context
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


def _system_iso(x86_build, name, log_dir):
    """tests/system/systems/NAME.dts -> an ISO with its system image as module2."""
    return system_iso(SYSTEMS / f"{name}.dts", log_dir, x86_build)


def _assert_hello_ran(out, cell, context):
    """hello's own checks passed on its CPU: long mode, its APIC id, its CPUID leaf."""
    cell_id, memory = HELLO_CELLS[cell]
    lines = cell_lines(out, cell)
    assert f"boot info: 0x{memory + 0x1000000 - 0x1000:x} version 1 size 896 " \
        "(last page of region 0)" in lines, context
    assert f"cell: id {cell_id} name {cell}" in lines, context
    assert any(line.startswith("mode: long (EFER") for line in lines), context
    assert f"apic id: {cell_id} (cpu 0)" in lines, context
    assert f"cpuid: Bulkhead, cell {cell_id}, logical cpu {cell_id}" in lines, context
    assert f"cell info: id {cell_id} state 1 cpus 1 mask 0x{1 << cell_id:x} memory 0x1000000 " \
        "of 2 cells" in lines, context
    assert f"region 0: [0x{memory:x}, +0x1000000) flags 0x7 read write exec" in lines, context
    assert "port 0x2f8 (not mine): read 0xff" in lines, context
    assert lines[-1] == "hello: done, exit 0", context
    return lines


def test_x86_cpu_without_ept_starts_no_cell_and_says_why(x86_build, log_dir):
    # Bochs' Penryn has VMX but no secondary control EPT (allowed-1 0x41).
    iso = x86_build / "config" / "bochs-x86" / "bulkhead-hello-pair.iso"
    result, context = _boot(iso, log_dir, cpu_model="core2_penryn_t9600")
    out = result.output

    assert re.search(r"cpu 0: virtualization unavailable: no EPT \(secondary allowed-1 "
                     r"0x[0-9a-f]+\)", out), context
    assert "hv: cell" not in out and "[hello" not in out, context
    assert FAIL in out and PASS not in out, context


def test_x86_doorbell_reaches_the_realtime_cell_without_an_exit_there(x86_build, log_dir):
    result, context = _boot(_system_iso(x86_build, "x86-doorbell", log_dir), log_dir,
                            log_vm_exits=True)
    out = result.output
    hello, ticker = cell_lines(out, "hello"), cell_lines(out, "ticker")

    assert "hello: doorbell of channel 0 rung 3 times: returned 0" in hello, context
    assert "hello: doorbell of channel 1 (none): returned -2 (no such object)" in hello, context
    # Rings before the ticker runs are latched and coalesce, as edges of a pending interrupt.
    assert any(re.fullmatch(r"ticker: doorbells [123] on vector 0x43", l) for l in ticker), \
        context
    assert "ticker: interrupts=10000 window_entries=0 apic=1 logical=1" in ticker, context
    # Its CPU's exits are the ticker test's plus one console line: the IPIs cost none.
    stats = hv_stats(out)
    assert stats[1].reasons == {"hypercall": 7, "sysreg": 11}, context
    assert vm_exits_per_cpu(log_dir / "bochs.log") == {0: stats[0].total, 1: stats[1].total}, \
        context
    assert PASS in out, context


def test_x86_two_cells_run_at_once_and_every_exit_is_counted(x86_build, log_dir):
    iso = x86_build / "config" / "bochs-x86" / "bulkhead-hello-pair.iso"
    result, context = _boot(iso, log_dir, log_vm_exits=True)
    out = result.output

    assert re.search(r"^hv: system image at \[0x[0-9a-f]+, \+0x[0-9a-f]+\)", out, re.M), context
    stats = hv_stats(out)
    for cell, (cell_id, _) in HELLO_CELLS.items():
        lines = _assert_hello_ran(out, cell, context)
        assert f'hv: cell "{cell}" stopped (exit code 0)' in out, context
        entries = stats[cell_id]
        assert entries.cell == cell, context
        # One VMCALL per console line, one BH_HC_CELL_INFO, one BH_HC_CELL_EXIT.
        # sysreg: CPUID leaves 1, 0x40000000, 0x40000001 and three MSR accesses
        # (the trampoline's EFER read and write, hello's EFER read). other: the
        # read of the port the cell does not own. Nothing else exits.
        assert entries.reasons == {"hypercall": len(lines) + 2, "sysreg": 6, "other": 1}, \
            f"cpu {cell_id}: {entries}\n{context}"
        assert entries.total == sum(entries.reasons.values()), context
    # Bochs' own log of the VM exits it emulated agrees, CPU by CPU.
    assert vm_exits_per_cpu(log_dir / "bochs.log") == {c: stats[c].total for c in (0, 1)}, \
        context
    assert PASS in out, context
    assert FAIL not in out, context


def _assert_stopped_alone(out, cell, first_line, why, context):
    """`cell` said `first_line`, was stopped for `why` with exit code 2 and went no
    further, while hello ran to its end; the machine's result is then a failure."""
    assert first_line in cell_lines(out, cell), context
    assert re.search(rf'^hv: cell "{cell}" cpu 1: {why} \(RIP 0x[0-9a-f]+\); stopping the cell',
                     out, re.M), context
    assert f'hv: cell "{cell}" stopped (exit code 2)' in out, context
    assert not any("FAILED" in line for line in cell_lines(out, cell)), context
    _assert_hello_ran(out, "hello", context)
    assert 'hv: cell "hello" stopped (exit code 0)' in out, context
    assert FAIL in out, context


def test_x86_cell_reading_foreign_memory_is_stopped_and_the_other_finishes(x86_build, log_dir):
    result, context = _boot(_system_iso(x86_build, "x86-trespass", log_dir), log_dir)
    out = result.output

    _assert_stopped_alone(out, "trespass",
                          "trespass: cell 1 reading 0x4000000, another cell's memory",
                          r"EPT violation: read at guest-physical 0x4000000", context)
    stats = hv_stats(out)
    assert stats[1].reasons.get("stage2-fault") == 1, f"{stats[1]}\n{context}"
    assert "stage2-fault" not in stats[0].reasons, context


def test_x86_triple_fault_stops_that_cell_only(x86_build, log_dir):
    result, context = _boot(_system_iso(x86_build, "x86-triple-fault", log_dir), log_dir)
    out = result.output

    _assert_stopped_alone(out, "triple-fault", "triple_fault: cell 1: empty IDT, then UD2",
                          r"triple fault \(shutdown\)", context)
    assert hv_stats(out)[1].reasons.get("psci") == 1, context


def test_x86_realtime_cell_takes_its_timer_interrupts_without_an_exit(x86_build, log_dir):
    result, context = _boot(_system_iso(x86_build, "x86-ticker", log_dir), log_dir,
                            log_vm_exits=True)
    out = result.output
    lines = cell_lines(out, "ticker")

    # Its own count of hypervisor entries between two BH_HC_CPU_STATS reads around
    # 10,000 LAPIC timer interrupts and the HLTs between them.
    assert "ticker: interrupts=10000 window_entries=0 apic=1 logical=1" in lines, context
    assert "ticker: IPI to myself (apic 1) taken" in lines, context
    refusals = re.findall(r'^hv: cell "ticker" cpu 1: ICR write (0x[0-9a-f]+) refused: (.*?)\r?$',
                          out, re.M)
    assert refusals == [
        ("0x41", "a CPU outside the cell"),
        ("0x100000441", "not a fixed interrupt (NMI, INIT, SIPI, SMI ...)"),
        ("0x100000500", "INIT/SIPI to the sending CPU itself"),
        ("0x100000610", "INIT/SIPI to the sending CPU itself"),
        ("0xc0400", "not a fixed interrupt (NMI, INIT, SIPI, SMI ...)"),
        ("0x100000841", "a logical destination"),
        ("0x100000005", "a reserved vector"),
    ], context
    assert "ticker: 7 ICR writes the hypervisor must refuse sent; stray interrupts 0, NMIs 0" \
        in lines, context
    assert 'hv: cell "ticker" stopped (exit code 0)' in out, context
    _assert_hello_ran(out, "hello", context)
    # The status page is mapped from the hypervisor image's load address (arch_hv_phys).
    assert "region 1: [0x5000000, +0x1000) flags 0x21 read" in cell_lines(out, "hello"), context
    # The hypervisor's own counts agree: no interrupt, HLT or timer exit at all on CPU 1;
    # hypercalls are its 3 console lines, 2 statistics reads and the exit; sysreg its EFER
    # read and write, its APIC_BASE read and its 8 ICR writes.
    stats = hv_stats(out)
    assert stats[1].reasons == {"hypercall": 6, "sysreg": 11}, context
    # A witness that does not trust our counters: Bochs' own log of the VM exits it
    # emulated, per CPU (Bochs numbers CPUs as the hypervisor does, by APIC id here).
    assert vm_exits_per_cpu(log_dir / "bochs.log") == {0: stats[0].total, 1: stats[1].total}, \
        context
    assert PASS in out, context
