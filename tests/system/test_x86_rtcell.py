"""The realtime kernel's x86-64 port (rtcell/arch/x86/) in Bochs.

Bare: GRUB boots the kernel's ELF through multiboot2 on one CPU; latmon (1 ms,
1,000 periods) and pistress run, the closing report is printed on COM1 and the
kernel ends the run itself through Bochs' shutdown port. Bochs exits with
status 1 on every path, so the verdict is the kernel's `rtcell: exit code N`
line. As a cell (tests/system/systems/x86-rtcell.dts): the same image's raw
binary on CPU 1 beside hello on CPU 0 under the hypervisor, which powers off
once both cells have exited. Beside busy (x86-rtcell-busy.dts): 10,000 periods
without a VM exit on CPU 1, witnessed by Bochs' own log of VM exits and
interrupts; and the positive control (bulkhead-irqexit.elf), whose every timer
interrupt exits and which is later in Bochs' deterministic time. The timeouts
only turn a hang into a failure.
"""

import re

from bulkhead_tools import paths
from bulkhead_tools.bochs import (IPS, exit_free_stretches, keep_witness_lines, run_bochs,
                                   system_iso, vm_exit_reasons, vm_exits_per_cpu)
from bulkhead_tools.measure import parse
from bulkhead_tools.sysgen_check import cell_lines

PERIODS = 1000
TIMEOUT_S = 180
RT_CPU = 1  # the realtime cell's CPU in x86-rtcell.dts, and its logical number


def run_bare(x86_build, log_dir, image="rtcell-x86-short", cpus=1):
    iso = x86_build / "rtcell" / f"{image}.iso"
    assert iso.exists(), f"{iso} missing: build the x86_64 target first"
    result = run_bochs(iso, log_dir, timeout_s=TIMEOUT_S, cpus=cpus)
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
    # Bare, the kernel calibrates the TSC itself: Bochs' ips= exactly, as the hypervisor finds.
    assert re.search(rf"^rtcell: TSC {IPS} Hz, LAPIC timer in TSC-deadline mode, 1 CPUs online$",
                     out, re.M), out
    m = re.search(r"latmon: cpu=0 logical=0 samples=(\d+) missed=(\d+)", out)
    assert m and int(m.group(1)) + int(m.group(2)) == PERIODS, out
    assert done_line(out) == (0, 0), out
    assert "latmon: missed=0" in out
    m = re.search(r"pistress: groups=1 rounds=(\d+) inversions=0", out)
    assert m and int(m.group(1)) > 0, "pistress did not run"
    assert re.search(r"^rtcell: exit code 0$", out, re.M), out


def test_bare_x86_starts_the_second_cpu_and_runs_latmon_and_pistress_on_both(x86_build,
                                                                            log_dir):
    out = run_bare(x86_build, log_dir, cpus=2).output

    assert "rtcell: bare x86-64 boot (multiboot2 magic 36d76289), 2 CPUs" in out, out
    assert re.search(rf"^rtcell: TSC {IPS} Hz, LAPIC timer in TSC-deadline mode, 2 CPUs online$",
                     out, re.M), out
    periods = {int(c): int(n) + int(m) for c, n, m in re.findall(
        r"latmon: cpu=(\d+) logical=\d+ samples=(\d+) missed=(\d+)", out)}
    assert periods == {0: PERIODS, 1: PERIODS}, out
    assert done_line(out) == (0, 0), out
    for cpu in (0, 1):
        m = re.search(rf"pistress: cpu={cpu} rounds=(\d+) inversions=0", out)
        assert m and int(m.group(1)) > 0, f"pistress did not run on cpu {cpu}"
    assert re.search(r"^rtcell: exit code 0$", out, re.M), out


def test_bare_x86_report_holds_every_sample_and_every_timer_interrupt(x86_build, log_dir):
    out = run_bare(x86_build, log_dir).output

    blocks, missed = parse.latmon_report(out, {"us": 1000, "ns": 100000})
    assert missed == 0 and sorted(blocks) == ["handler-ns", "thread-ns", "thread-us"], out
    for name, threads in blocks.items():
        assert threads["T:0"].samples == PERIODS, name
    handler, thread = blocks["handler-ns"]["T:0"].stats(), blocks["thread-ns"]["T:0"].stats()
    assert 0 < handler.p50_ns < thread.p50_ns, "the handler runs before the thread"
    # Every timer interrupt is an interrupt-entry span measured from the vector's TSC read; while
    # the apps ran the console only copied text into its queue (no thread wrote to the UART with
    # interrupts masked).
    _, table = parse.csection_table(out)
    sites = {row["site"].rsplit(":", 1)[0]: row for row in table}
    assert sites["rt_x86_interrupt"]["count"] >= PERIODS and sites["rt_x86_interrupt"]["max_ticks"]
    assert sites["rtcell_console_queue"]["count"] > 0


def cell_system_iso(x86_build, log_dir, image_name="rtcell-x86-short", system="x86-rtcell.dts",
                    hypervisor="bulkhead.elf"):
    """`system` (the realtime kernel, as `image_name`, beside hello or busy) under
    `hypervisor` -> an ISO with its system image."""
    dts = paths.REPO / "tests" / "system" / "systems" / system
    if image_name != "rtcell-x86-short":
        text = dts.read_text().replace("rtcell-x86-short.bin", f"{image_name}.bin")
        dts = log_dir / f"{dts.stem}-{image_name}.dts"
        dts.write_text(text)
    return system_iso(dts, log_dir, x86_build, image_dirs=[x86_build / "rtcell"],
                      hypervisor=hypervisor)


def test_x86_cell_runs_latmon_with_zero_exits_on_its_cpu_and_exits_by_hypercall(x86_build,
                                                                               log_dir):
    result = run_bochs(cell_system_iso(x86_build, log_dir), log_dir, timeout_s=TIMEOUT_S, cpus=2,
                       log_vm_exits=True)
    assert not result.timed_out, result.describe()
    out = result.output
    rt = cell_lines(out, "rt")
    text = "\n".join(rt)

    assert 'rtcell: cell "rt" id 1, 1 CPUs, realtime' in rt, out
    m = re.search(r"latmon: cpu=0 logical=1 samples=(\d+) missed=(\d+)", text)
    assert m and int(m.group(1)) + int(m.group(2)) == PERIODS, out
    assert done_line(text) == (0, 0), out
    assert 'hv: cell "rt" stopped (exit code 0)' in out, out
    assert 'hv: cell "hello" stopped (exit code 0)' in out, out
    # Between the two statistics reads around the run the hypervisor counted no entry.
    assert parse.window_entries(out) == {RT_CPU: ("rt", 0)}, out
    # Every entry on the realtime CPU is start-up or the end: one hypercall per console line,
    # the two statistics reads and CELL_EXIT; CPUID leaves 1, 0x40000000 and 0x40000002, EFER
    # read and write in head.asm, the APIC base read. Bochs' own log counts the same.
    entries = parse.hv_stats(out)[RT_CPU]
    assert entries.cell == "rt", out
    assert entries.reasons == {"hypercall": len(rt) + 3, "sysreg": 6}, entries
    assert vm_exits_per_cpu(log_dir / "bochs.log")[RT_CPU] == entries.total, entries


def test_x86_cell_stops_through_its_mailbox_doorbell_on_a_self_ipi_without_an_exit(x86_build,
                                                                                   log_dir):
    # rtcell-x86-selfstop rings its own doorbell after 500 periods: interrupt line 15 as a
    # self-IPI (the x2APIC SELF IPI register, passed through), its threaded handler reads STOP,
    # the report follows and MAILBOX_ACK ends the cell.
    result = run_bochs(cell_system_iso(x86_build, log_dir, "rtcell-x86-selfstop"), log_dir,
                       timeout_s=TIMEOUT_S, cpus=2)
    assert not result.timed_out, result.describe()
    out = result.output
    text = "\n".join(cell_lines(out, "rt"))

    assert "rtcell: stopped by the mailbox" in text, out
    assert done_line(text) == (0, 0), out
    assert parse.window_entries(out) == {RT_CPU: ("rt", 0)}, out
    assert 'hv: cell "rt" stopped (exit code 0)' in out, out


# VMX basic exit reasons (Intel SDM Vol. 3, Appendix C) as Bochs' log numbers them.
EXIT_EXTERNAL_INTERRUPT, EXIT_INTERRUPT_WINDOW, EXIT_CPUID, EXIT_HLT, EXIT_VMCALL = 1, 7, 10, 12, 18
EXIT_RDMSR, EXIT_WRMSR = 31, 32
TIMER_VECTOR = 0x40  # rtcell/arch/x86/x86.h RT_X86_VECTOR_TIMER
LONG_PERIODS = 10_000
LONG_TIMEOUT_S = 600  # about 2 minutes here; the limit only turns a hang into a failure


def busy_line(out):
    """(sweeps, hypercalls) from the busy neighbour's closing line; it must have ended
    because every other cell stopped (it loaded its CPU for the realtime cell's whole run)."""
    m = re.search(r"^\[busy\] busy: done, sweeps=(\d+) hypercalls=(\d+) tsc=\d+ sum=\S+$",
                  out, re.M)
    assert m, f"busy did not finish by itself:\n{out}"
    return int(m.group(1)), int(m.group(2))


def test_x86_cell_takes_10000_timer_interrupts_without_an_exit_beside_a_busy_cell(x86_build,
                                                                                  log_dir):
    result = run_bochs(cell_system_iso(x86_build, log_dir, "rtcell-x86-test",
                                       system="x86-rtcell-busy.dts"),
                       log_dir, timeout_s=LONG_TIMEOUT_S, cpus=2, log_vm_exits=[RT_CPU])
    assert not result.timed_out, result.describe()
    out = result.output
    text = "\n".join(cell_lines(out, "rt"))

    m = re.search(r"latmon: cpu=0 logical=1 samples=(\d+) missed=(\d+)", text)
    assert m and (int(m.group(1)), int(m.group(2))) == (LONG_PERIODS, 0), out
    assert done_line(text) == (0, 0), out
    sweeps, hypercalls = busy_line(out)
    assert sweeps > 0 and hypercalls == sweeps, out  # one CELL_INFO of rt per sweep
    # The hypervisor's count: no entry on the realtime CPU between latmon's two statistics reads.
    assert parse.window_entries(out) == {RT_CPU: ("rt", 0)}, out
    entries = parse.hv_stats(out)
    # The witness that does not trust our counters: Bochs' own log of the VM exits and of the
    # interrupts each CPU took. On CPU 1 one stretch without any VM exit holds every timer
    # interrupt of latmon's 10,000 periods; the exits it saw are only start-up and the cell's
    # own calls (no external-interrupt, interrupt-window or HLT exit), and as many as the
    # hypervisor counted. (Only CPU 1 is logged: busy's CPU writes ~13 MB per emulated second.)
    log = log_dir / "bochs.log"
    keep_witness_lines(log)
    stretches = exit_free_stretches(log, RT_CPU, TIMER_VECTOR)
    assert stretches and stretches[0] >= LONG_PERIODS, stretches[:3]
    reasons = vm_exit_reasons(log, RT_CPU)
    assert set(reasons) <= {EXIT_VMCALL, EXIT_CPUID, EXIT_RDMSR, EXIT_WRMSR}, reasons
    assert sum(reasons.values()) == entries[RT_CPU].total, (reasons, entries[RT_CPU])
    # busy exited once per sweep on CPU 0 all along: the load was there.
    assert entries[0].reasons["hypercall"] >= hypercalls, entries[0]


# The tolerance of "the same distribution beside an idle and a busy neighbour", in Bochs ticks
# (docs/measuring.md): one round of Bochs' debugger loop. A running CPU executes one instruction
# per tick whatever the other CPU does; the neighbour shows only in when a halted CPU sees its
# timer, at the next round boundary, which a running neighbour makes 5 ticks long.
ROUND_TICKS = 5


def run_cases(x86_build, log_dir):
    """latmon (1,000 periods, latmon alone) beside hello, which exits (idle), and beside busy,
    under the exit-free hypervisor, then beside busy under the positive control's (external-
    interrupt exiting, injection): per case, the serial output and the Bochs log."""
    runs = {}
    for case, system, hypervisor in (("idle", "x86-rtcell.dts", "bulkhead.elf"),
                                     ("busy", "x86-rtcell-busy.dts", "bulkhead.elf"),
                                     ("control", "x86-rtcell-busy.dts", "bulkhead-irqexit.elf")):
        work = log_dir / case
        work.mkdir(exist_ok=True)
        iso = cell_system_iso(x86_build, work, "rtcell-x86-latmon", system=system,
                              hypervisor=hypervisor)
        result = run_bochs(iso, work, timeout_s=TIMEOUT_S, cpus=2, log_vm_exits=True)
        assert not result.timed_out, result.describe()
        keep_witness_lines(work / "bochs.log")
        runs[case] = (result.output, work / "bochs.log")
    return runs


def thread_ticks(out):
    """latmon's timer -> thread (min, p50, p99, max) in Bochs ticks (its TSC counts them)."""
    blocks, missed = parse.latmon_report("\n".join(cell_lines(out, "rt")),
                                         {"us": 1000, "ns": 100000})
    assert missed == 0, out
    stats = blocks["thread-ns"]["T:0"].stats()
    assert stats.samples == PERIODS, stats
    ns_per_tick = 1_000_000_000 // IPS
    return tuple(v // ns_per_tick for v in (stats.min_ns, stats.p50_ns, stats.p99_ns,
                                            stats.max_ns))


def test_x86_cell_latency_is_the_same_beside_idle_and_busy_and_the_positive_control_is_later(
        x86_build, log_dir):
    runs = run_cases(x86_build, log_dir)
    (idle, _), (busy, busy_log), (control, control_log) = (runs[c] for c in
                                                            ("idle", "busy", "control"))
    for out in (busy, control):
        busy_line(out)
    for out in (idle, busy, control):
        assert 'hv: cell "rt" stopped (exit code 0)' in out, out

    # Exit-free: nothing in latmon's window, no interrupt exit anywhere in Bochs' log.
    for out in (idle, busy):
        assert parse.window_entries(out) == {RT_CPU: ("rt", 0)}, out
    assert not {EXIT_EXTERNAL_INTERRUPT, EXIT_INTERRUPT_WINDOW} & set(
        vm_exit_reasons(busy_log, RT_CPU))
    # Idle and busy neighbour: every figure within one round.
    idle_ticks, busy_ticks, control_ticks = (thread_ticks(o) for o in (idle, busy, control))
    assert all(abs(a - b) <= ROUND_TICKS for a, b in zip(idle_ticks, busy_ticks)), (
        idle_ticks, busy_ticks)
    # The control: every timer interrupt exits (Bochs sees at least one external-interrupt
    # exit per period) and the hypervisor counts each of those and of the interrupt-window
    # exits as `irq`, inside latmon's window too.
    reasons = vm_exit_reasons(control_log, RT_CPU)
    assert reasons.get(EXIT_EXTERNAL_INTERRUPT, 0) >= PERIODS, reasons
    entries = parse.hv_stats(control)[RT_CPU]
    assert entries.reasons.get("irq") == (reasons[EXIT_EXTERNAL_INTERRUPT] +
                                          reasons.get(EXIT_INTERRUPT_WINDOW, 0)), entries
    assert sum(reasons.values()) == entries.total, (reasons, entries)
    assert parse.window_entries(control)[RT_CPU][1] >= PERIODS, control
    # ... and the injection path adds latency far beyond the tolerance, in Bochs' deterministic
    # time: the instrument sees interference through the hypervisor.
    assert all(c > b + ROUND_TICKS for c, b in zip(control_ticks[:2], busy_ticks[:2])), (
        busy_ticks, control_ticks)


def test_x86_system_shutdown_stops_the_realtime_cell_through_its_mailbox_doorbell(x86_build,
                                                                                  log_dir):
    # busy-short (stops-system) ends after 0.5 s of its TSC, half-way through the realtime
    # cell's 1,000 periods: the hypervisor writes STOP into the rt cell's mailbox and sends
    # BH_X86_MAILBOX_DOORBELL_VECTOR, its interrupt line 15; the kernel answers with
    # MAILBOX_ACK before its run would have ended by itself.
    iso = system_iso(paths.REPO / "tests" / "system" / "systems" / "x86-rtcell-stop.dts",
                     log_dir, x86_build, image_dirs=[x86_build / "rtcell"])
    result = run_bochs(iso, log_dir, timeout_s=TIMEOUT_S, cpus=2)
    assert not result.timed_out, result.describe()
    out = result.output.replace("\r\n", "\n")
    text = "\n".join(cell_lines(out, "rt"))

    assert 'hv: cell "busy" stops the system: stopping the other cells' in out, out
    assert "rtcell: stopped by the mailbox" in text, out
    periods = [int(s) + int(m) for s, m in
               re.findall(r"latmon: cpu=\d+ logical=\d+ samples=(\d+) missed=(\d+)", text)]
    assert periods and 0 < periods[0] < PERIODS, "the cell was not stopped early"
    assert 'hv: cell "rt" stopped (exit code 0)' in out, out
