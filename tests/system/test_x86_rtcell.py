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
import subprocess

from bulkhead_tools import paths, systems
from bulkhead_tools.bochs import run_bochs, vm_exits_per_cpu
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
    assert re.search(r"^rtcell: TSC \d+ Hz, LAPIC timer in TSC-deadline mode, 1 CPUs online$", out, re.M), out
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
    assert re.search(r"TSC-deadline mode, 2 CPUs online$", out, re.M), out
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


def cell_system_iso(x86_build, log_dir, image_name="rtcell-x86-short"):
    """x86-rtcell.dts (hello + the realtime kernel, as `image_name`) -> an ISO with its
    system image."""
    dts = paths.REPO / "tests" / "system" / "systems" / "x86-rtcell.dts"
    if image_name != "rtcell-x86-short":
        text = dts.read_text().replace("rtcell-x86-short.bin", f"{image_name}.bin")
        dts = log_dir / f"x86-{image_name}.dts"
        dts.write_text(text)
    image = systems.build_system_image(
        dts, log_dir / "rtcell.img",
        image_dirs=[systems.test_cell_dir("x86_64"), x86_build / "rtcell"], platform="bochs-x86")
    iso = log_dir / "rtcell.iso"
    subprocess.run([str(paths.REPO / "arch" / "x86" / "mkiso.sh"),
                    str(x86_build / "arch" / "x86" / "bulkhead.elf"), str(iso),
                    str(log_dir / "iso-stage"), "--module", str(image)], check=True)
    return iso


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


def test_x86_system_shutdown_stops_the_realtime_cell_through_its_mailbox_doorbell(x86_build,
                                                                                  log_dir):
    # busy-short (stops-system) ends after 0.5 s of its TSC, half-way through the realtime
    # cell's 1,000 periods: the hypervisor writes STOP into the rt cell's mailbox and sends
    # BH_X86_MAILBOX_DOORBELL_VECTOR, its interrupt line 15; the kernel answers with
    # MAILBOX_ACK before its run would have ended by itself.
    iso = systems.x86_system_iso(x86_build,
                                 paths.REPO / "tests" / "system" / "systems" / "x86-rtcell-stop.dts",
                                 log_dir, image_dirs=[x86_build / "rtcell"])
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
