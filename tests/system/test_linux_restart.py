"""Linux restarted by the hypervisor while the realtime cell measures (BH_CELL_RESTART_ON_RESET,
hv/core/cell_restart.c).

Debian's kernel in tests/system/systems/rt-linux.dts, with `restart-on-reset` and `stops-system`,
runs the `restart` scenario of guests/linux/init: each run reads a marker word in its own RAM
(above `mem=`, so /dev/mem may reach it), writes a marker of its own and resets, by `reboot -f`
and by a kernel panic (panic=-1) in turn, until bhctl reports the restarts asked for; then it
powers off, which stops the system. The realtime cell (rtcell.bin, latmon until the mailbox
stops it) runs through all of it. The timeout only turns a hang into a failure.
"""

import re

from bulkhead_tools import paths, payload, systems
from bulkhead_tools.measure import parse
from bulkhead_tools.qemu import run_arm64

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
RESTARTS = 10
MARKER = 0x6C000000  # Linux's region is [0x50000000, +512 MiB); mem=448M leaves this out
TIMEOUT_S = 1500
LINUX_BOOTARGS = 'rdinit=/init"'


def restart_system(log_dir, linux):
    text = (SYSTEMS / "rt-linux.dts").read_text()
    protocol = 'boot-protocol = "linux-arm64";'
    assert protocol in text and LINUX_BOOTARGS in text
    dts = log_dir / "rt-linux-restart.dts"
    dts.write_text(text.replace(protocol, protocol + "\n\t\t\tstops-system;\n\t\t\trestart-on-reset;")
                   .replace("RTCELL_IMAGE", "rtcell.bin")
                   .replace(LINUX_BOOTARGS,
                            f"rdinit=/init mem=448M panic=-1 bulkhead.scenario=restart "
                            f'bulkhead.restarts={RESTARTS} bulkhead.marker={MARKER:#x}"'))
    return systems.build_system_image(dts, log_dir / "system.img",
                                      image_dirs=[paths.build_dir("arm64")],
                                      image_files=[linux["image"], linux["initramfs"]])


def test_ten_linux_restarts_scrub_its_memory_and_never_touch_the_realtime_cell(arm64_build,
                                                                              log_dir):
    linux = payload.ensure_linux_payload()
    result = run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=TIMEOUT_S,
                       initrd=restart_system(log_dir, linux))
    assert not result.timed_out, result.describe()
    out = result.output.replace("\r\n", "\n")

    # The hypervisor restarted Linux RESTARTS times, each from scrubbed memory and reloaded images
    # with a seed of its own, and Linux saw each restart counted.
    restarts = [int(n) for n in re.findall(
        r'^hv: cell "linux" asked for a reset: restarting it \(restart (\d+)\)$', out, re.M)]
    assert restarts == list(range(1, RESTARTS + 1)), out[-4000:]
    assert out.count('hv: cell "linux": memory scrubbed, images reloaded; starting it again') \
        == RESTARTS
    assert out.count('hv: cell "linux": rng-seed of 32 bytes of its own') == RESTARTS + 1
    runs = re.findall(r"^linux-cell: restart: run (\d+) of cell linux: marker word reads (\S+)$",
                      out, re.M)
    assert [int(r) for r, _ in runs] == list(range(RESTARTS + 1)), runs
    # No run finds the marker the previous one wrote: the memory was scrubbed in between.
    assert all(int(value, 16) == 0 for _, value in runs), runs
    written = re.findall(r"^linux-cell: restart: run (\d+) wrote marker (\S+)$", out, re.M)
    assert [(int(r), int(v, 16)) for r, v in written] == \
        [(r, 0xB0A10000 + r) for r in range(RESTARTS)], written
    ways = re.findall(r"^linux-cell: restart: (reboot -f|panic)$", out, re.M)
    assert ways == ["reboot -f" if r % 2 == 0 else "panic" for r in range(RESTARTS)], ways
    assert out.count("Kernel panic - not syncing") == RESTARTS // 2
    assert f"linux-cell: restart: {RESTARTS} restarts done" in out

    # The last run powered off, which stopped the system; the realtime cell ran throughout and
    # its CPUs took no hypervisor entry in the measured window.
    assert 'hv: cell "linux" stops the system' in out
    assert "[rt] rtcell: stopped by the mailbox" in out
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    windows = parse.window_entries(out)
    assert windows == {2: ("rt", 0), 3: ("rt", 0)}, windows
    # Its telemetry channel, which Linux maps read-only, survived every scrub: the records the
    # realtime cell wrote once at start (its CPUs' logical numbers) are still there.
    assert set(parse.latmon_summaries(out)) == {2, 3}, out[-3000:]
    assert out.rstrip().endswith("BULKHEAD: PASS")
