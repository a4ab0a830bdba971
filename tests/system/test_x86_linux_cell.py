"""Debian's amd64 kernel as an x86 Linux cell beside the realtime cell, in Bochs
(tests/system/systems/x86-linux-pvh-rt.dts): Linux on CPU 0, entered through its PVH entry with
bhcfg's hvm_start_info and ACPI tables, the realtime kernel's latmon on CPU 1.

Linux reaches its init, which reports what it sees: one CPU, RAM only within the cell's
95 MiB, and powers off by itself: `poweroff -f` takes ACPI's S5 path through the FADT's sleep
control register, which is the hypervisor's port (BH_X86_SLEEP_CONTROL_PORT); the hypervisor
stops the cell with exit code 0 and powers the machine off once both cells have stopped. The
timeout only turns a hang into a failure: every verdict is a marker in the output.

The PVH entry takes the kernel's XZ decompression (~4.5 G Bochs ticks) out of the boot: it
powers off at ~3.6 G ticks, 100 s of host time here; the same system through the bzImage and
the 32-bit boot protocol (x86-linux-rt.dts) takes 6.8 G (tests/bench/x86_linux_cell_boot.py).
The module's tests share one boot but the last two, which share a second (`contained`): there
Linux tries /dev/mem on memory that is not its own, then panics. Both boots: ~3 minutes of host
time here (174 s on a quiet machine). Before powering off, init runs
`bhctl cells`, `stats` and `latency` (guests/linux/init, bhctl_report): bhctl finds the hypervisor
status page and latmon's telemetry channel through bhcfg's OEMB ACPI table
(bulkhead/acpi_regions.h).
"""

import re

import pytest

from bulkhead_tools import paths, payload
from bulkhead_tools.bochs import run_bochs, system_iso
from bulkhead_tools.measure import parse
from bulkhead_tools.sysgen_check import cell_lines

SYSTEM = "x86-linux-pvh-rt.dts"
RT_PERIODS = 1000  # rtcell-x86-short's run, at latmon's 1 ms
CELL_RAM_BYTES = 0x5f00000  # the linux cell's one region, at guest-physical 0
PVH_ENTRY = 0x1000850  # the `entry` in SYSTEM
TIMEOUT_S = 600
STATUS_PAGE = (0x6000000, 0x6000fff)  # the cell's hv-status region (read-only)
TELEMETRY = (0x6100000, 0x61fffff)  # latmon's channel, Linux's read-only view of it
RT_RAM = 0x8000000  # the realtime cell's RAM (host-physical); nothing of Linux's EPT there


def boot_system(name, dts_text):
    """Boots `dts_text` (SYSTEM's cells with Debian's kernel) in Bochs; the result has .linux
    (COM2) and .kernel_version besides the hypervisor's COM1 output."""
    x86_build = paths.build_root() / "x86_64"
    if not (x86_build / "build.ninja").exists():
        pytest.fail(f"{x86_build} is not built: run ./bulkhead build --arch x86_64")
    linux = payload.ensure_linux_payload(arch="x86_64")
    if linux["pvh_entry"] != PVH_ENTRY:
        pytest.fail(f"Debian's kernel now enters PVH at {linux['pvh_entry']:#x}: update `entry` "
                    f"in {SYSTEM} and PVH_ENTRY here")
    work = paths.build_root() / "test-logs" / "test_x86_linux_cell" / name
    work.mkdir(parents=True, exist_ok=True)
    dts = work / SYSTEM
    dts.write_text(dts_text)
    iso = system_iso(dts, work, x86_build, image_dirs=[linux["dir"], x86_build / "rtcell"])
    result = run_bochs(iso, work, timeout_s=TIMEOUT_S, cpus=2, com2=True)
    com2 = work / "com2.log"
    result.linux = com2.read_text(errors="replace").replace("\r\n", "\n") if com2.exists() else ""
    result.kernel_version = linux["kernel_version"]
    return result


def system_text(replace=()):
    text = (paths.REPO / "tests" / "system" / "systems" / SYSTEM).read_text()
    for old, new in replace:
        assert old in text, f"{SYSTEM} no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def boot():
    return boot_system("poweroff", system_text())


@pytest.fixture(scope="module")
def contained():
    """Linux tries /dev/mem at the realtime cell's RAM, latmon's channel and the hypervisor's
    status page, then panics; `panic=-1 reboot=t` makes the panic's restart a triple fault, a
    PC's reset, which stops the cell. The Linux cell is `stops-system` here and the realtime
    cell runs latmon until the hypervisor's mailbox STOP (rtcell-x86), so the panic is what
    ends the run: nothing else would."""
    foreign = f"{RT_RAM:#x},{TELEMETRY[0]:#x},{STATUS_PAGE[0]:#x}"
    return boot_system("contained", system_text(replace=[
        ("bulkhead.scenario=poweroff", f"bulkhead.scenario=devmem,panic bulkhead.foreign={foreign}"
                                       " panic=-1 reboot=t"),
        ('boot-protocol = "linux-x86";', 'boot-protocol = "linux-x86";\n\t\t\tstops-system;'),
        ('image = "rtcell-x86-short.bin";', 'image = "rtcell-x86.bin";'),
    ]))


def test_x86_linux_cell_reaches_init_with_its_one_cpu_and_memory(boot):
    out = boot.linux
    assert not boot.timed_out, boot.describe() + out[-3000:]
    assert "linux-cell: init started" in out, out[-3000:]
    assert f"linux-cell: kernel {boot.kernel_version}" in out, out[-3000:]
    m = re.search(r"^linux-cell: cpus=(\d+) mem_kb=(\d+)", out, re.M)
    assert m, out[-3000:]
    assert int(m.group(1)) == 1, "Linux must see exactly the cell's one CPU"
    # MemTotal: the cell's RAM less what the kernel keeps for itself (its image, ~45 MiB here).
    assert CELL_RAM_BYTES // 3 < int(m.group(2)) * 1024 <= CELL_RAM_BYTES, m.group(0)
    iomem = re.findall(r"^linux-cell: iomem: ([0-9a-f]+)-([0-9a-f]+) : (.+)$", out, re.M)
    ram = [(int(a, 16), int(b, 16)) for a, b, name in iomem if name.strip() == "System RAM"]
    assert ram, iomem
    for start, end in ram:
        assert end < CELL_RAM_BYTES, f"RAM outside the cell: {start:#x}-{end:#x}"
    assert "Kernel panic" not in out


def test_x86_linux_cell_boots_without_a_refused_msr_or_call_trace(boot):
    # A refused MSR access Linux does not expect prints a call trace (its microcode-revision
    # read did so on every boot until vmx/msr_fixed.c served IA32_BIOS_SIGN_ID).
    out = boot.linux
    assert "linux-cell: init started" in out, out[-3000:]
    assert "unchecked MSR access error" not in out, out[:6000]
    assert "Call Trace:" not in out, out[:6000]


def test_x86_linux_cell_saves_avx512_state_in_the_standard_xsave_format(boot):
    # The hypervisor lets Linux enable x87, SSE, AVX and AVX-512 (XCR0 0xe7 on Bochs'
    # i7-7800X model: vmx/xcr0.c) and the system's clearcpuid=xsaves,xsavec keeps it off
    # Bochs 2.7's broken compacted format (bochs.LINUX_XSAVE_ARGS: issue #15's segfaults).
    assert "Clearing CPUID bits: xsaves xsavec" in boot.linux, boot.linux[:3000]
    m = re.search(r"x86/fpu: Enabled xstate features (0x[0-9a-f]+), context size is (\d+) "
                  r"bytes, using '(\w+)' format", boot.linux)
    assert m, boot.linux[:6000]
    assert int(m.group(1), 16) == 0xe7 and m.group(3) == "standard", m.group(0)


def test_x86_linux_cell_powers_off_through_its_acpi_sleep_register(boot):
    out = boot.output
    # The kernel's own lines: init's last ones may still sit in the tty's buffer when the cell
    # stops (the UART has no interrupt; Linux polls it).
    assert "ACPI: PM: (supports S0 S5)" in boot.linux, "Linux registered no ACPI power-off"
    assert "ACPI: PM: Preparing to enter system sleep state S5" in boot.linux, boot.linux[-3000:]
    assert "reboot: Power down" in boot.linux, boot.linux[-3000:]
    assert 'hv: cell "linux" stopped (exit code 0)' in out, out[-3000:]
    rt = "\n".join(cell_lines(out, "rt"))
    assert re.search(r"^rtcell: done, missed=0 inversions=0$", rt, re.M), out
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    assert not boot.timed_out, boot.describe()


def bhctl_section(out, title, next_title):
    """What init printed between its "linux-cell: bhctl TITLE:" marker and the next one, without
    the kernel's own lines that the console interleaves."""
    m = re.search(rf"^linux-cell: bhctl {title}:\n(.*?)^linux-cell: {next_title}", out, re.M | re.S)
    assert m, f"no bhctl {title} section:\n" + out[-3000:]
    return [line for line in m.group(1).splitlines() if not line.startswith("[")]


def test_x86_linux_cell_bhctl_sees_both_cells_and_latmons_figures(boot):
    out = boot.linux
    assert "ACPI: OEMB " in out, "Linux did not find bhcfg's OEMB table"
    cells = bhctl_section(out, "cells", "bhctl stats:")
    assert re.match(r"id\s+name\s+state\s+cpus", cells[0]), cells
    assert re.search(r"^0\s+linux\s+running\s+0\s+95 MiB", "\n".join(cells), re.M), cells
    # The realtime cell on CPU 1: still measuring, or done with its 1,000 periods by then.
    assert re.search(r"^1\s+rt\s+(running|stopped)\s+1\s", "\n".join(cells), re.M), cells
    stats = "\n".join(bhctl_section(out, "stats", "bhctl latency:"))
    assert re.search(r"\blinux\b", stats) and re.search(r"\brt\b", stats), stats
    latency = "\n".join(bhctl_section(out, "latency", "scenario poweroff done"))
    assert re.search(r"^# latmon: cell 1, (running|stopped), 1 CPU\(s\), clock \d+ Hz$",
                     latency, re.M), latency
    t = re.search(r"^T: 0 \(\s*1\) P:\s*\d+ I:1000 C:\s*(\d+) Min:\s*\d+", latency, re.M)
    assert t and 0 < int(t.group(1)) <= RT_PERIODS, latency
    assert re.search(r"^missed periods: 0 \(T: 0 0\)$", latency, re.M), latency


def test_x86_linux_cell_sees_only_its_cpu_interrupts_and_no_pci(boot):
    out = boot.linux
    # /proc/cpuinfo: the cell's one CPU, logical and APIC id 0 (bhcfg's MADT lists no other).
    assert re.search(r"^linux-cell: cpuinfo: processor=0 apicid=0$", out, re.M), out[-3000:]
    # /proc/interrupts: one CPU column, and no interrupt source: the cell owns no IOAPIC pin
    # (its UART has none: "irq = 0", Linux polls it) and no legacy PIC is described to it.
    lines = re.findall(r"^linux-cell: interrupts: (.*)$", out, re.M)
    assert lines and lines[0].split() == ["CPU0"], lines
    assert lines[1:] == [], f"interrupt sources the cell does not own: {lines[1:]}"
    # No PCI is given to a Linux cell (bhcfg's DSDT has no host bridge; 0xcf8-0xcff unowned).
    m = re.search(r"^linux-cell: pci devices: (.*)$", out, re.M)
    assert m and m.group(1) in ("0", "no PCI bus"), m and m.group(0)


def test_x86_linux_cell_memory_map_reserves_its_status_page_and_channel(boot):
    # The PVH memmap (hvm_start_info) lists the status page and the channel as reserved: Linux
    # neither uses them as RAM nor is left unaware of them. Its e820 shows them; /proc/iomem
    # cannot: x86 Linux adds e820's reserved ranges above 1 MiB to it only in its PCI resource
    # survey (e820__reserve_resources_late), which a cell without PCI never runs.
    e820 = re.findall(r"BIOS-e820: \[mem 0x([0-9a-f]+)-0x([0-9a-f]+)\] (\w+)", boot.linux)
    reserved = {(int(a, 16), int(b, 16)) for a, b, kind in e820 if kind == "reserved"}
    assert STATUS_PAGE in reserved and TELEMETRY in reserved, e820


def devmem_rc(out, kind, addr):
    m = re.search(rf"^linux-cell: devmem {kind} {addr:#x}: rc=(\d+)(.*)$", out, re.M)
    assert m, f"devmem {kind} {addr:#x} not reported:\n" + out[-3000:]
    return int(m.group(1))


def test_x86_linux_devmem_cannot_touch_the_realtime_cell_or_the_hypervisor(contained):
    out = contained.linux
    # Outside the cell's EPT: both accesses fault (#GP from the hypervisor: SIGSEGV, 139).
    assert devmem_rc(out, "read", RT_RAM) != 0 and devmem_rc(out, "write", RT_RAM) != 0
    # The channel and the status page are Linux's to read, never to write.
    for addr in (TELEMETRY[0], STATUS_PAGE[0]):
        assert devmem_rc(out, "read", addr) == 0, addr
        assert devmem_rc(out, "write", addr) != 0, addr
    hv = contained.output
    refused = re.findall(r'^hv: cell "linux" cpu 0: EPT violation: (read|write) at guest-physical '
                         r"(0x[0-9a-f]+) .*#GP\(0\) to the cell", hv, re.M)
    assert refused == [("read", f"{RT_RAM:#x}"), ("write", f"{RT_RAM:#x}"),
                       ("write", f"{TELEMETRY[0]:#x}"), ("write", f"{STATUS_PAGE[0]:#x}")], hv
    stats = parse.hv_stats(hv)[0]
    assert stats.cell == "linux" and stats.reasons.get("stage2-fault") == len(refused), stats


def test_x86_linux_panic_stops_only_linux_and_the_realtime_cell_runs_on(contained):
    out, linux = contained.output, contained.linux
    assert "Kernel panic - not syncing: sysrq triggered crash" in linux, linux[-3000:]
    stop = re.search(r'^hv: cell "linux" cpu 0: triple fault \(shutdown\).*; stopping the cell$',
                     out, re.M)
    assert stop, out[-3000:]
    assert 'hv: cell "linux" stops the system: stopping the other cells' in out, out[-3000:]
    # The realtime cell ran on until the mailbox STOP that Linux's stop asked for: latmon's
    # window (the whole boot, the devmem faults and the panic) had no hypervisor entry and
    # missed no period.
    rt = "\n".join(cell_lines(out, "rt"))
    assert "rtcell: stopped by the mailbox" in rt, out[-3000:]
    assert re.search(r"^rtcell: done, missed=0 inversions=0$", rt, re.M), rt
    assert parse.window_entries(out) == {1: ("rt", 0)}, rt
    # Its run spans Linux's whole boot (~37,000 periods here), not a short run that ended first.
    m = re.search(r"^latmon: cpu=0 logical=1 samples=(\d+) missed=0 ", rt, re.M)
    assert m and int(m.group(1)) > RT_PERIODS, rt
    assert out.index(stop.group(0)) < out.index("[rt] rtcell: stopped by the mailbox")
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    assert "hv: every cell has stopped; powering off" in out
    assert not contained.timed_out, contained.describe()


def test_x86_linux_cell_reads_the_cmos_clock_without_polling_it(boot):
    """Linux reads its wall clock from the CMOS RTC at boot whatever the FADT says. The RTC's
    ports are the hypervisor's; it answers the clock's registers read-only (vmx/cmos_clock.c).
    With all ones there, Linux polled "update in progress" for a second: 40,213 port exits."""
    assert "Unable to read current time from RTC" not in boot.linux, boot.linux[-3000:]
    stats = parse.hv_stats(boot.output)[0]
    assert stats.cell == "linux", stats
    # Port I/O counts as `other`: the clock's reads and single probes of unowned ports
    # (PCI configuration, ELCR, Super I/O, other UARTs). Bochs' count is deterministic; the
    # bound is far above it and far below the polling.
    assert stats.reasons.get("other", 0) < 2000, stats


def test_x86_linux_cell_idles_in_hlt_without_an_exit(boot):
    """A linux-x86 cell takes its own local APIC's interrupts, so its HLT waits for them in
    the cell (trap_config.h: the direct processor-based controls). With HLT exiting, Linux's
    idle loop (MWAIT hidden) exited ~8,900 times a second of Bochs' time."""
    assert "linux-cell: init started" in boot.linux, boot.linux[-3000:]
    stats = parse.hv_stats(boot.output)[0]
    assert stats.cell == "linux", stats
    assert stats.reasons.get("wfx", 0) == 0, stats
