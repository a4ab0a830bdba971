"""The stock Debian kernel as a cell beside a direct cell (tests/system/systems/
linux-ticker.dts): Linux sees only its own CPUs, memory and devices; the
direct cell ("ticker", 100,000 timer interrupts over ~10 s on CPU 3) sees no
hypervisor entry whatever Linux does, including stress, /dev/mem attacks and
a kernel panic.
"""

import re

import pytest

from bulkhead_tools import payload
from linux_ticker import boot_linux


@pytest.fixture(scope="module")
def linux():
    return payload.ensure_linux_payload()


# Linux reports its generator ready at time 0 only when the DTB carried an rng-seed.
CRNG_READY_AT_BOOT = re.compile(r"^\[\s*0\.000000\] random: crng init done", re.M)


def ticker_was_undisturbed(out):
    m = re.search(r"^\[ticker\] ticker: interrupts=(\d+) window_entries=(\d+)", out, re.M)
    assert m, "the direct cell did not report"
    assert int(m.group(1)) == 100000
    assert int(m.group(2)) == 0, "hypervisor entries on the direct cell's CPU"
    assert "[ticker] ticker: done, exit 0" in out
    # Its CPU's total is its own console hypercalls, nothing else.
    stats = re.search(r"^hv: stats cpu 3 cell ticker: total=(\d+) hypercall=(\d+)$", out, re.M)
    assert stats and stats.group(1) == stats.group(2), "a non-hypercall entry on CPU 3"


def test_linux_boots_with_only_its_cpus_memory_and_devices(arm64_build, linux, log_dir):
    result = boot_linux(linux, log_dir, "poweroff")
    out = result.output
    assert "linux-cell: init started" in out
    m = re.search(r"^linux-cell: cpus=(\d+) mem_kb=(\d+)", out, re.M)
    assert m and int(m.group(1)) == 2, "Linux must see exactly its 2 CPUs"
    assert 384 * 1024 < int(m.group(2)) <= 512 * 1024, "MemTotal within the cell's 512 MiB"
    iomem = re.findall(r"^linux-cell: iomem: (\S+) : (.+)$", out, re.M)
    ranges = {name.strip(): span for span, name in iomem}
    assert ranges.get("System RAM") == "50000000-6fffffff", iomem
    assert any("pl011" in name for name in ranges), "its UART is missing"
    for span, name in iomem:
        start = int(span.split("-")[0], 16)
        assert start == 0x50000000 or 0x09000000 <= start < 0x09001000 or \
            0x08000000 <= start < 0x08100000, f"foreign resource visible: {span} {name}"
    assert 'hv: cell "linux" stopped (exit code 0)' in out
    assert out.rstrip().endswith("BULKHEAD: PASS")
    # Its own rng-seed, derived from QEMU's: the generator is ready before anything runs.
    assert 'hv: cell "linux": rng-seed of 32 bytes of its own' in out
    assert CRNG_READY_AT_BOOT.search(out), "Linux's random generator was not seeded"


def test_linux_gets_no_zero_seed_when_the_boot_loader_gave_none(arm64_build, linux, log_dir):
    # Without QEMU's seed the placeholder must go: Linux would credit 32 zero bytes as entropy.
    result = boot_linux(linux, log_dir, "poweroff", qemu_args=["-machine", "dtb-randomness=off"])
    out = result.output
    assert "hv: the boot device tree has no rng-seed: Linux cells get none" in out
    assert 'hv: cell "linux": rng-seed removed (no boot seed)' in out
    assert "linux-cell: init started" in out
    assert not CRNG_READY_AT_BOOT.search(out), "Linux took a seed the hypervisor had no key for"
    assert out.rstrip().endswith("BULKHEAD: PASS")


def test_direct_cell_sees_no_entry_while_linux_boots_and_stresses(arm64_build, linux, log_dir):
    result = boot_linux(linux, log_dir, "stress", "bulkhead.duration=5")
    out = result.output
    assert "linux-cell: scenario stress done" in out
    assert re.search(r"^linux-cell: stress summary: .*cpu_loops=", out, re.M)
    ticker_was_undisturbed(out)
    # The ticker's window must have overlapped the stress, not ended before Linux started it.
    assert out.index("linux-cell: stress:") < len(out)
    assert result.returncode == 0, result.describe()


def test_linux_devmem_cannot_touch_the_realtime_cell_or_the_hypervisor(arm64_build, linux,
                                                                       log_dir):
    out = boot_linux(linux, log_dir, "devmem").output
    for addr in ("0x70000000", "0x40200000"):
        for kind in ("read", "write"):
            m = re.search(rf"^linux-cell: devmem {kind} {addr}: rc=(\d+)(.*)$", out, re.M)
            assert m, f"devmem {kind} {addr} not reported"
            assert m.group(1) != "0", f"devmem {kind} {addr} succeeded: {m.group(2)}"
    ticker_was_undisturbed(out)


def linux_stage2_faults(out):
    """The stage-2 faults the hypervisor counted on Linux's CPUs (its end-of-run statistics)."""
    return sum(int(m.group(1)) for m in re.finditer(
        r"^hv: stats cpu \d+ cell linux: .*\bstage2-fault=(\d+)", out, re.M))


def test_linux_devmem_hammering_leaves_the_realtime_cell_undisturbed(arm64_build, linux,
                                                                     log_dir):
    """/dev/mem from Linux user space in a loop at the realtime cell's RAM, the hypervisor and
    the realtime CPU's redistributor while the realtime cell takes its interrupts: nothing
    lands, every access reached the hypervisor as a stage-2 fault (Linux did not refuse the
    mapping), and the realtime CPU took no entry and every interrupt."""
    out = boot_linux(linux, log_dir, "devmem-loop", "bulkhead.duration=4").output
    m = re.search(r"^linux-cell: devmem-loop: (\d+) of (\d+) foreign accesses completed", out,
                  re.M)
    assert m, "the loop did not report"
    landed, tries = int(m.group(1)), int(m.group(2))
    assert landed == 0 and tries > 0, m.group(0)
    assert linux_stage2_faults(out) >= tries
    # The loop ran inside the realtime cell's window: it was still running at the loop's end.
    assert re.search(r"^linux-cell: devmem-loop: realtime cell afterwards: .*\brunning\b", out,
                     re.M)
    ticker_was_undisturbed(out)


def test_linux_out_of_memory_leaves_the_realtime_cell_undisturbed(arm64_build, linux, log_dir):
    """Linux's OOM killer at work while the realtime cell takes its interrupts: Linux kills its
    memory hog and carries on to power off; the realtime CPU took no entry and every interrupt."""
    # 256 MiB of its 512: the hog reaches the limit well inside the realtime cell's 10 s window.
    out = boot_linux(linux, log_dir, "oom", "mem=256M").output
    assert re.search(r"Out of memory: Killed process \d+ \(tail\)", out), "no OOM kill"
    assert "linux-cell: oom: the memory hog ended with rc=137" in out  # SIGKILL
    assert re.search(r"^linux-cell: oom: realtime cell afterwards: .*\brunning\b", out, re.M)
    assert "linux-cell: scenario oom done" in out
    ticker_was_undisturbed(out)


def test_linux_panic_stops_only_its_own_cell(arm64_build, linux, log_dir):
    result = boot_linux(linux, log_dir, "panic", "panic=-1")
    out = result.output
    assert "Kernel panic" in out
    assert 'hv: cell "linux" stopped' in out
    ticker_was_undisturbed(out)
    assert "hv: every cell has stopped; powering off" in out


def test_direct_cell_cannot_deactivate_an_interrupt_of_another_cell(arm64_build, linux, log_dir):
    # ticker-dir, after its window, writes ICC_DIR_EL1 for its own timer PPI and for Linux's
    # UART SPI (INTID 33). A direct cell owns its CPU interface; ICH_HCR_EL2.TDIR traps the
    # write, which the hypervisor carries out for the cell's own interrupt and refuses for
    # Linux's: without it, the ticker would end the active state of Linux's interrupt.
    result = boot_linux(linux, log_dir, "poweroff",
                        replace=[('image = "ticker-rt.bin"', 'image = "ticker-dir.bin"')])
    out = result.output
    assert "[ticker] ticker: ICC_DIR_EL1 of its own INTID 30 written" in out
    assert "[ticker] ticker: ICC_DIR_EL1 of foreign INTID 33 written" in out
    refusals = re.findall(r'^hv: cell "ticker" cpu 3: ICC_DIR_EL1 write of INTID (\d+) refused: '
                          r"not the cell's interrupt$", out, re.M)
    assert refusals == ["33"], refusals
    # Its window saw no entry; the two writes are its CPU's only entries besides hypercalls.
    m = re.search(r"^\[ticker\] ticker: interrupts=(\d+) window_entries=(\d+)", out, re.M)
    assert m and int(m.group(1)) == 10000 and int(m.group(2)) == 0, out
    stats = re.search(r"^hv: stats cpu 3 cell ticker: total=(\d+) hypercall=(\d+) sysreg=(\d+)$",
                      out, re.M)
    assert stats and int(stats.group(3)) == 2, "ICC_DIR_EL1 did not trap (ICH_HCR_EL2.TDIR)"
    assert int(stats.group(1)) == int(stats.group(2)) + 2
    assert 'hv: cell "ticker" stopped (exit code 0)' in out
    assert out.rstrip().endswith("BULKHEAD: PASS")
