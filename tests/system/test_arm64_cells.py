"""Cells on the arm64 hypervisor: several at once, direct interrupt delivery
with zero hypervisor entries, and refusal of a corrupted system image.

Systems are described in tests/system/systems/*.dts and compiled with bhcfg
at test time from the test cells in build/arm64/guests/tests/.
"""

import re

import pytest

from bulkhead_tools import intlog, paths, systems
from bulkhead_tools.qemu import run_arm64

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
RUN_TIMEOUT_S = 60


def build(name, log_dir):
    return systems.build_system_image(SYSTEMS / f"{name}.dts", log_dir / f"{name}.img",
                                      image_dirs=[systems.test_cell_dir()])


def boot(image, log_dir, extra=()):
    return run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=RUN_TIMEOUT_S,
                     initrd=image, extra=extra)


def cell_lines(output, cell):
    return [line[len(cell) + 3:] for line in output.splitlines()
            if line.startswith(f"[{cell}] ")]


def hv_stats(output):
    """{cpu: (cell, total)} from the hypervisor's closing statistics."""
    found = {}
    for m in re.finditer(r"^hv: stats cpu (\d+) cell (\S+): total=(\d+)", output, re.M):
        found[int(m.group(1))] = (m.group(2), int(m.group(3)))
    return found


@pytest.fixture
def three_cells(arm64_build, log_dir):
    image = build("three-cells", log_dir)
    return boot(image, log_dir, extra=["-d", "int", "-D", str(log_dir / "int.log")])


def test_three_cells_run_at_once_each_with_its_own_boot_info(three_cells):
    out = three_cells.output
    assert three_cells.returncode == 0, three_cells.describe()
    for cell_id, name in enumerate(["hello", "hello-b"]):
        lines = cell_lines(out, name)
        assert f"cell: id {cell_id} name {name}" in lines, out
        assert "current el: 1" in lines
        assert "hello: done, exit 0" in lines
    assert "cpu 0: mpidr 0x0 gicr 0x80a0000" in cell_lines(out, "hello")
    hello_b = cell_lines(out, "hello-b")
    assert "cpu 0: mpidr 0x1 gicr 0x80c0000" in hello_b
    assert "cpu 1: mpidr 0x2 gicr 0x80e0000" in hello_b
    assert "region 0: [0x58000000, +0x1000000) flags 0x7 read write exec" in hello_b
    for name in ("hello", "hello-b", "ticker"):
        assert f'hv: cell "{name}" stopped (exit code 0)' in out
    assert out.rstrip().endswith("BULKHEAD: PASS")


def test_direct_cell_takes_10000_timer_interrupts_without_entering_the_hypervisor(three_cells,
                                                                                   log_dir):
    out = three_cells.output
    m = re.search(r"^\[ticker\] ticker: interrupts=(\d+) window_entries=(\d+)", out, re.M)
    assert m, out
    assert int(m.group(1)) == 10000
    assert int(m.group(2)) == 0, "the hypervisor counted entries on the direct CPU"

    # Outside witness: QEMU's own exception log for CPU 3 (the ticker's).
    taken = intlog.parse(log_dir / "int.log")
    irqs_cpu3 = [e for e in taken if e.cpu == 3 and e.kind == "IRQ"]
    assert len(irqs_cpu3) >= 10000
    assert all(e.to_el == 1 for e in irqs_cpu3), "an interrupt on the direct CPU went to EL2"
    to_el2 = [e for e in taken if e.cpu == 3 and e.to_el == 2 and e.from_el < 2]
    assert {e.kind for e in to_el2} <= {"Hypervisor Call"}, "only the cell's own hypercalls"
    # The hypervisor's count for CPU 3 and QEMU's count agree exactly.
    assert hv_stats(out)[3] == ("ticker", len(to_el2))


def test_hypervisor_counts_match_qemu_for_every_cpu(three_cells, log_dir):
    counted = intlog.entries_to_el2_from_cells(intlog.parse(log_dir / "int.log"))
    for cpu, (_, total) in hv_stats(three_cells.output).items():
        assert counted.get(cpu, 0) == total, f"cpu {cpu}"


def test_corrupted_system_image_starts_no_cell(arm64_build, log_dir):
    image = build("three-cells", log_dir)
    data = bytearray(image.read_bytes())
    data[-100] ^= 0xff  # inside the last item's payload or padding
    data[0x1000 + 64] ^= 0xff  # inside the first item (the config)
    image.write_bytes(data)
    result = boot(image, log_dir)
    assert not result.timed_out
    assert result.returncode == 1
    assert "refusing to start any cell: system image rejected:" in result.output
    assert "crc" in result.output.lower()
    assert not re.search(r"^\[\S+\] ", result.output, re.M), "a cell printed: it was started"
    assert "BULKHEAD: FAIL" in result.output


def test_uart_given_to_a_cell_is_never_written_by_the_hypervisor_again(arm64_build, log_dir):
    image = build("uart-owner", log_dir)
    result = boot(image, log_dir)
    assert result.returncode == 0, result.describe()
    serial = (log_dir / "qemu.log").read_text()
    hv_console = (log_dir / "qemu.log.hv.log").read_text()
    handover = 'hv: the console UART belongs to cell "hello"'
    assert handover in serial
    after = serial[serial.index(handover):].splitlines()[1:]
    assert after == [], f"UART written after the hand-over: {after}"
    assert "[hello] cell: id 0 name hello" in hv_console
    assert "[ticker] ticker: done, exit 0" in hv_console
    assert hv_console.rstrip().endswith("BULKHEAD: PASS")


def test_channel_doorbell_reaches_the_direct_peer_without_an_entry(arm64_build, log_dir):
    result = boot(build("doorbell", log_dir), log_dir)
    out = result.output
    assert result.returncode == 0, result.describe()
    assert "[hello] hello: doorbell of channel 0 rung 3 times: returned 0" in out
    assert "[hello] hello: doorbell of channel 1 (none): returned -2 (no such object)" in out
    m = re.search(r"^\[ticker\] ticker: interrupts=10000 window_entries=(\d+) .* "
                  r"doorbells=(\d+) ", out, re.M)
    assert m, out
    # Rings that arrive while the SGI is still pending coalesce into one.
    assert 1 <= int(m.group(2)) <= 3
    assert int(m.group(1)) == 0
