"""The realtime kernel with its apps (latmon, pistress), one image two ways:
bare under QEMU's generic loader and as the realtime cell (CPUs 2-3, direct)
under the hypervisor. Systems: tests/system/systems/rt-*.dts, with the rtcell
build variant (build/arm64/rtcell/*.bin) named by the test.

Timing: `-icount shift=0,align=off,sleep=off` (1 instruction = 1 ns, idle time
skipped), because wall-clock TCG on a shared host stalls for milliseconds
(docs/measuring.md). Under icount a busy neighbour's CPUs run in
turn with the realtime ones, so latencies beside Linux stress measure QEMU's
round robin, not the system: that run checks completion, entries and
inversions, and only reports its latencies.
"""

import re

import pytest

from bulkhead_tools import intlog, paths, payload, systems
from bulkhead_tools.measure import parse
from bulkhead_tools.emulator import run_emulator
from bulkhead_tools.qemu import arm64_bare_command, run_arm64

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
LINUX_BOOTARGS = 'rdinit=/init"'
PERIODS = 10000
LATMON_LINE = re.compile(
    r"^(?:\[rt\] )?T:\s*(\d+) \(\s*(\d+)\) P:(\d+) I:(\d+) C:\s*(\d+) Min:\s*(\d+) "
    r"Act:\s*(\d+) Avg:\s*(\d+) Max:\s*(\d+)$", re.M)


def rtcell_image(name):
    path = paths.build_dir("arm64") / "rtcell" / f"{name}.bin"
    if not path.exists():
        pytest.fail(f"{path} is not built: run ./bulkhead build --arch arm64")
    return path


def system_image(log_dir, dts, variant, bootargs_extra="", image_files=()):
    text = (SYSTEMS / f"{dts}.dts").read_text().replace("RTCELL_IMAGE", f"{variant}.bin")
    if bootargs_extra:
        assert LINUX_BOOTARGS in text
        text = text.replace(LINUX_BOOTARGS, f'rdinit=/init {bootargs_extra}"')
    source = log_dir / f"{dts}-{variant}.dts"
    source.write_text(text)
    rtcell_image(variant)
    return systems.build_system_image(source, log_dir / f"{dts}-{variant}.img",
                                      image_dirs=[paths.build_dir("arm64"),
                                                  systems.test_cell_dir()],
                                      image_files=image_files)


def run_bare(log_dir, variant, cpus=2, timeout_s=60):
    image = rtcell_image(variant)
    result = run_emulator(arm64_bare_command(image, cpus=cpus, extra=ICOUNT),
                          str(log_dir / "qemu.log"), timeout_s)
    assert not result.timed_out, result.describe()
    result.output = result.output.replace("\r\n", "\n")  # the UART's line ends
    return result


def run_hv(image, log_dir, timeout_s, extra=()):
    result = run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=timeout_s,
                       initrd=image, extra=[*ICOUNT, *extra])
    assert not result.timed_out, result.describe()
    result.output = result.output.replace("\r\n", "\n")  # the UART's line ends
    return result


def latmon_rows(output):
    """[(cpu, logical, prio, interval_us, count, min, act, avg, max)] in µs."""
    return [tuple(int(g) for g in m.groups()) for m in LATMON_LINE.finditer(output)]


def reported(output, key):
    m = re.search(r"^(?:\[rt\] )?rtcell: done, missed=(\d+) inversions=(\d+)$", output, re.M)
    assert m, "the realtime cell did not report"
    return int(m.group({"missed": 1, "inversions": 2}[key]))


def periods_per_cpu(output):
    """{cpu: samples + missed} from latmon's detail lines."""
    return {int(c): int(s) + int(m) for c, s, m in re.findall(
        r"latmon: cpu=(\d+) logical=\d+ samples=(\d+) missed=(\d+)", output)}


def window_entries(output):
    """{logical cpu: entries during the measurement} as the cell read them."""
    return {int(l): int(n) for l, n in re.findall(
        r"^\[rt\] latmon: cpu=\d+ logical=(\d+) window_entries=(\d+)", output, re.M)}


def hv_stats(output):
    """{cpu: (cell, total, {reason: count})} from the hypervisor's closing lines."""
    found = {}
    for m in re.finditer(r"^hv: stats cpu (\d+) cell (\S+): total=(\d+)(.*)$", output, re.M):
        reasons = {k: int(v) for k, v in re.findall(r"(\S+)=(\d+)", m.group(4))}
        found[int(m.group(1))] = (m.group(2), int(m.group(3)), reasons)
    return found


# The kernel's banner (rtcell/arch/arm64/boot.c) reads SCTLR_EL1 back.
MMU_ON = "rtcell: MMU on, D-cache on, I-cache on, WXN on (SCTLR_EL1 30d8180f"


def test_bare_latmon_runs_10000_periods_per_cpu_without_missing_one(log_dir):
    result = run_bare(log_dir, "rtcell-test")
    out = result.output
    assert "rtcell: bare EL1 boot (x0 0, entered at EL1), 2 CPUs" in out
    assert MMU_ON in out, "the kernel runs with its MMU and caches on"
    rows = latmon_rows(out)
    assert [r[0] for r in rows] == [0, 1], out
    for cpu, _, prio, interval, count, *_ in rows:
        assert (prio, interval, count) == (99, 1000, PERIODS), f"cpu {cpu}"
    assert reported(out, "missed") == 0
    assert "latmon: missed=0" in out
    assert reported(out, "inversions") == 0
    m = re.search(r"pistress: groups=2 rounds=(\d+) inversions=0", out)
    assert m and int(m.group(1)) > 1000, "pistress did not run"
    assert result.returncode == 0, result.describe()
    # The closing report's histograms (what bulkhead measure reads) hold every sample.
    blocks, missed = parse.latmon_report(out, {"us": 1000, "ns": 100000})
    assert missed == 0 and sorted(blocks) == ["handler-ns", "thread-ns", "thread-us"]
    for name, threads in blocks.items():
        assert [threads[t].samples for t in ("T:0", "T:1")] == [PERIODS, PERIODS], name
    for t in ("T:0", "T:1"):
        handler, thread = blocks["handler-ns"][t].stats(), blocks["thread-ns"][t].stats()
        assert 0 < handler.p50_ns < thread.p50_ns, "the handler runs before the thread"
    # The closing report's critical-section table: every timer interrupt is an interrupt-entry
    # span, and while the apps ran the console only copied text into its queue (no thread wrote
    # to the UART with interrupts masked).
    _, table = parse.csection_table(out)
    sites = {row["site"].rsplit(":", 1)[0]: row for row in table}
    assert sites["rt_arm64_irq"]["count"] >= 2 * PERIODS and sites["rt_arm64_irq"]["max_ticks"]
    assert sites["rtcell_console_queue"]["count"] > 0
    assert "rtcell_console_write_now" not in sites
    assert "bytes dropped" not in out


def flood_lines(round_):
    """What rtcell/apps/main.c's console_flood prints in a round (192 lines, 45-81 bytes)."""
    return [f"rtcell: flood {round_}.{i:03d} "
            + "".join(chr(ord("a") + (i + k) % 26) for k in range(24 + i % 37)) + "\n"
            for i in range(192)]


def test_bare_console_drops_what_its_full_queue_cannot_hold_and_says_how_much(log_dir):
    # The control thread (priority 98, CPU 0, above the console thread) prints 192 lines
    # (about 12 KB) into the 8 KiB console queue without blocking, twice: at the start, then
    # sleeping so the console thread writes out what was kept; at the end, then switching the
    # queue off (the closing report). What is dropped is whole texts, counted to the byte in
    # "rtcell: console: N bytes dropped" where they were lost: after the lines kept, before
    # the round's closing line.
    result = run_bare(log_dir, "rtcell-console", timeout_s=30)
    lines = result.output.splitlines(keepends=True)
    flood = re.compile(r"rtcell: flood (\d)\.(\d{3}) ")
    marker = re.compile(r"^rtcell: console: (\d+) bytes dropped\n$")
    for round_ in (1, 2):
        expected = flood_lines(round_)
        closing = f"rtcell: console flood {round_}: 192 lines, {sum(map(len, expected))} bytes\n"
        assert lines.count(closing) == 1, f"round {round_} did not end: {result.describe()}"
        end = lines.index(closing)
        out = [i for i, line in enumerate(lines) if line.startswith(f"rtcell: flood {round_}.")]
        # Kept: the round's first lines, in order, one after the other, each whole.
        assert out and out == list(range(out[0], out[0] + len(out))), f"round {round_}"
        assert lines[out[0]:out[-1] + 1] == expected[:len(out)], f"round {round_}: torn lines"
        markers = [marker.match(line) for line in lines[out[-1] + 1:end]]
        assert markers and all(markers), f"round {round_}: {lines[out[-1] + 1:end]}"
        dropped = [int(m.group(1)) for m in markers]
        assert all(dropped) and sum(dropped) == sum(map(len, expected[len(out):])), dropped
    # No other line holds a flood line's text (a torn line, or one a marker split).
    assert [line for line in lines if flood.search(line) and not flood.match(line)] == []
    assert "rtcell: stopped by the period count\n" in lines
    assert reported(result.output, "missed") == 0 and reported(result.output, "inversions") == 0
    assert lines[-1] == "rtcell: exit code 0\n" and result.returncode == 0, result.describe()


def test_cell_runs_10000_periods_per_cpu_without_missing_one(arm64_build, log_dir):
    # The same kernel as the bare test, now as the realtime cell (CPUs 2-3, direct).
    image = system_image(log_dir, "rt-alone", "rtcell-test")
    out = run_hv(image, log_dir, 180).output
    assert periods_per_cpu(out) == {0: PERIODS, 1: PERIODS}
    assert reported(out, "missed") == 0 and reported(out, "inversions") == 0
    assert window_entries(out) == {2: 0, 3: 0}, "entries during the measurement"
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    assert out.rstrip().endswith("BULKHEAD: PASS")


def test_cell_makes_no_hypervisor_entry_in_steady_state_and_qemu_agrees(arm64_build, log_dir):
    # Short run (1,000 periods) alone: the -d int log holds every exception.
    image = system_image(log_dir, "rt-alone", "rtcell-short")
    int_log = log_dir / "int.log"
    result = run_hv(image, log_dir, 120, extra=["-d", "int", "-D", str(int_log)])
    out = result.output
    assert '[rt] rtcell: cell "rt" id 0, 2 CPUs, realtime' in out
    assert "[rt] " + MMU_ON in out, "the kernel runs with its MMU and caches on"
    assert periods_per_cpu(out) == {0: 1000, 1: 1000}
    assert reported(out, "missed") == 0 and reported(out, "inversions") == 0
    assert window_entries(out) == {2: 0, 3: 0}, "entries during the measurement"
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    assert out.rstrip().endswith("BULKHEAD: PASS")

    taken = intlog.parse(int_log)
    stats = hv_stats(out)
    for cpu in (2, 3):
        irqs = [e for e in taken if e.cpu == cpu and e.kind == "IRQ"]
        assert len(irqs) >= 1000, f"cpu {cpu}: its timer interrupts are missing"
        assert all(e.to_el == 1 for e in irqs), f"cpu {cpu}: an interrupt went to EL2"
        to_el2 = [e for e in taken if e.cpu == cpu and e.to_el == 2 and e.from_el < 2]
        # Only the cell's own calls: CPU_ON (SMC, trapped), console lines and
        # statistics reads at start-up and at the end, the closing exit.
        assert {e.kind for e in to_el2} <= {"Hypervisor Call", "Hypervisor Trap"}
        assert stats[cpu][0] == "rt" and stats[cpu][1] == len(to_el2), f"cpu {cpu}"
    # CPU 3 never prints: its only entries are its two statistics reads.
    assert stats[3][1:] == (2, {"hypercall": 2})


@pytest.fixture(scope="module")
def beside_linux_stress():
    if not (paths.build_dir("arm64") / "build.ninja").exists():
        pytest.fail("build/arm64 is not built")
    linux = payload.ensure_linux_payload()
    log_dir = paths.build_root() / "test-logs" / "rtcell-beside-linux-stress"
    log_dir.mkdir(parents=True, exist_ok=True)
    # Linux must outlive the cell's 10 s: CPUs a stopped cell leaves wait in
    # the hypervisor with WFE, which under icount lets virtual time crawl.
    image = system_image(log_dir, "rt-linux", "rtcell-test",
                         "bulkhead.scenario=stress bulkhead.duration=25",
                         image_files=[linux["image"], linux["initramfs"]])
    return run_hv(image, log_dir, 300)


def test_cell_beside_linux_stress_completes_its_periods_with_zero_entries(beside_linux_stress):
    out = beside_linux_stress.output
    assert "linux-cell: stress summary" in out, "Linux was not busy"
    counts = periods_per_cpu(out)
    # Missed periods arrive in bursts here, so the last one may overshoot.
    assert set(counts) == {0, 1} and all(n >= PERIODS for n in counts.values()), counts
    assert window_entries(out) == {2: 0, 3: 0}, "entries on the realtime CPUs"
    assert reported(out, "inversions") == 0
    stats = hv_stats(out)
    assert stats[3][1:] == (2, {"hypercall": 2}), "CPU 3: only its two statistics reads"
    # CPU 2: CPU_ON (more than one when the hypervisor lost the first: see
    # rtcell/arch/arm64/boot.c), then hypercalls only.
    assert stats[2][0] == "rt" and set(stats[2][2]) == {"hypercall", "psci"}
    # Latencies here are QEMU's round robin (module docstring): shown, not judged.
    for line in re.findall(r"^\[rt\] T:.*$", out, re.M):
        print("beside Linux stress (icount round robin):", line)


def test_linux_reads_the_same_figures_from_the_telemetry_channel(beside_linux_stress):
    out = beside_linux_stress.output
    assert re.search(r"^# latmon: cell 1, stopped, 2 CPU\(s\), clock 62500000 Hz$", out, re.M)
    lines = list(LATMON_LINE.finditer(out))
    by_cell = [tuple(int(g) for g in m.groups()) for m in lines if m.group(0).startswith("[rt]")]
    by_linux = [tuple(int(g) for g in m.groups()) for m in lines
                if not m.group(0).startswith("[rt]")]
    assert len(by_cell) == 2 and by_cell == by_linux


def test_mailbox_stop_ends_the_default_run_with_final_figures(arm64_build, log_dir):
    # The selfstop build rings its own doorbell as the hypervisor does on a
    # system shutdown (command STOP, sequence bumped, SGI 15 to the boot CPU).
    image = system_image(log_dir, "rt-alone", "rtcell-selfstop")
    result = run_hv(image, log_dir, 120)
    out = result.output
    assert "[rt] rtcell: stopped by the mailbox" in out
    counts = periods_per_cpu(out)
    assert set(counts) == {0, 1} and all(1900 <= n <= 2100 for n in counts.values()), counts
    assert reported(out, "missed") == 0 and reported(out, "inversions") == 0
    assert window_entries(out) == {2: 0, 3: 0}
    # MAILBOX_ACK stopped the cell (exit code 0): nothing after the ack ran.
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    assert "mailbox ack answered" not in out
    assert out.rstrip().endswith("BULKHEAD: PASS")


def test_system_shutdown_stops_the_default_image_through_its_mailbox(arm64_build, log_dir):
    # Linux (stops-system) powers off after booting; the hypervisor then asks
    # the realtime cell to stop (mailbox STOP + SGI 15), the default image
    # publishes and prints its final figures and answers with MAILBOX_ACK.
    # Wall clock: only the protocol is checked here, not latencies.
    linux = payload.ensure_linux_payload()
    text = (SYSTEMS / "rt-linux.dts").read_text()
    protocol = 'boot-protocol = "linux-arm64";'
    assert protocol in text
    dts = log_dir / "rt-linux-stops-system.dts"
    dts.write_text(text.replace(protocol, protocol + "\n\t\t\tstops-system;")
                   .replace("RTCELL_IMAGE", "rtcell.bin")
                   .replace(LINUX_BOOTARGS, 'rdinit=/init bulkhead.scenario=poweroff"'))
    image = systems.build_system_image(dts, log_dir / "system.img",
                                       image_dirs=[paths.build_dir("arm64")],
                                       image_files=[linux["image"], linux["initramfs"]])
    result = run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=240,
                       initrd=image)
    assert not result.timed_out, result.describe()
    out = result.output.replace("\r\n", "\n")
    order = out.index
    assert order('hv: cell "linux" stops the system') < order("[rt] rtcell: stopped by the mailbox")
    rows = [r for r in latmon_rows(out) if r[1] in (2, 3)]
    assert len({r[0] for r in rows}) == 2 and all(r[4] > 0 for r in rows), out
    assert re.search(r"^\[rt\] latmon: missed=\d+$", out, re.M)
    assert reported(out, "inversions") == 0
    assert window_entries(out) == {2: 0, 3: 0}
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    assert "did not answer its mailbox" not in out
    assert out.rstrip().endswith("BULKHEAD: PASS")
