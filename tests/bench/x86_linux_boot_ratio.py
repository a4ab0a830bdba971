#!/usr/bin/env python3
"""Benchmark (not a test): Debian's amd64 kernel to init as an x86 Linux cell against the same
kernel bare in Bochs, like for like: the same bzImage and initramfs, the same entry path (Linux's
32-bit boot protocol and the kernel's own decompressor: the hypervisor's `linux-x86` boot
protocol in the cell, GRUB's `linux` command bare), the same command line (the cell's, console on
COM2 on both sides), one CPU each (the cell's system without its realtime cell: CPU 1 stays
halted in the hypervisor). Figures in Bochs ticks (deterministic; 50 M per emulated second):

- the power-off tick (init's `poweroff -f` right after its first lines, scenario poweroff): the
  figure the ratio is given for; it holds the whole run, the BIOS and GRUB (~0.4 G ticks bare) and
  in the cell also the hypervisor's start and the system image's copy (~0.5 G ticks to the cells);
- Linux's clock at init (`uptime at init`), shown only: in the cell it is the TSC at the
  frequency the hypervisor's CPUID leaf gives (50 MHz, Bochs' time); bare, Linux calibrates the
  TSC itself and its clock ran about 5 times slow against Bochs' ticks (7.26 s at power-off after
  ~1.7 G ticks of the decompressed kernel), so the two clocks are not compared;
- in the cell, the hypervisor's entries on Linux's CPU by reason, per second of the whole run.

What still differs: the cell has 96 MiB, bare Bochs 256 MiB; GRUB puts `BOOT_IMAGE=/boot/bzImage`
before the bare command line. Host seconds are indicative only (the machine is shared).

Run (one Bochs at a time, ~10 minutes):
    flock /tmp/bh-emu.lock python3 tests/bench/x86_linux_boot_ratio.py
"""

import argparse
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import paths, payload  # noqa: E402
from bulkhead_tools.bochs import IPS, end_tick, run_bochs, system_iso  # noqa: E402
from bulkhead_tools.measure import parse, sysdesc  # noqa: E402
from bulkhead_tools.payload import bare_bochs  # noqa: E402

SYSTEM = REPO / "tests" / "system" / "systems" / "x86-linux-rt.dts"   # bzImage, linux-x86
UPTIME = re.compile(r"^linux-cell: uptime at init: ([\d.]+) s", re.M)


def cell_boot(text, linux, timeout):
    work = paths.log_dir("bench", "x86-linux-ratio-cell")
    dts = work / "x86-linux-alone.dts"
    dts.write_text(sysdesc.without_realtime(text))
    x86 = paths.build_root() / "x86_64"
    iso = system_iso(dts, work, x86, image_dirs=[linux["dir"]])
    result = run_bochs(iso, work, timeout_s=timeout, cpus=2, com2=True)
    com2 = (work / "com2.log").read_text(errors="replace")
    stats = parse.hv_stats(result.output.replace("\r\n", "\n"))
    return (result, com2, end_tick(work / "bochs.log"), stats.get(0),
            'hv: cell "linux" stopped (exit code 0)' in result.output)


def bare_boot(cmdline, linux, timeout):
    work = paths.log_dir("bench", "x86-linux-ratio-bare")
    iso = bare_bochs.linux_iso(linux, cmdline, work / "linux-bare.iso")
    result = run_bochs(iso, work, timeout_s=timeout, cpus=1, com2=True)
    com2 = (work / "com2.log").read_text(errors="replace")
    off = bare_bochs.power_off_tick(work)
    return result, com2, off, None, off is not None


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=900, help="seconds per boot (900)")
    args = parser.parse_args()
    linux = payload.ensure_linux_payload(arch="x86_64")
    text = SYSTEM.read_text()
    cmdline = sysdesc.bootargs(text, "linux")
    print(f"kernel {linux['kernel_version']}, bzImage both ways, 1 CPU, command line: {cmdline}")
    figures = {}
    for side, boot in (("bare", lambda: bare_boot(cmdline, linux, args.timeout)),
                       ("cell", lambda: cell_boot(text, linux, args.timeout))):
        result, com2, off, entries, ended = boot()
        uptime = UPTIME.search(com2)
        if result.timed_out or not ended or not off or not uptime:
            print(f"{side}: FAILED ({result.describe()})", file=sys.stderr)
            return 1
        init_ticks = round(float(uptime.group(1)) * IPS)
        figures[side] = (init_ticks, off)
        print(f"{side}: Linux's clock at init {uptime.group(1)} s = {init_ticks:,} ticks; "
              f"power-off at tick {off:,}; {result.seconds:.0f} s host")
        if entries:
            seconds = off / IPS
            rates = ", ".join(f"{k} {v:,} ({v / seconds:,.0f}/s)"
                              for k, v in entries.reasons.items())
            print(f"cell: Linux's CPU: {entries.total:,} entries over {seconds:.1f} s of Bochs' "
                  f"time, {entries.total / seconds:,.0f}/s: {rates}")
    (bare_init, bare_off), (cell_init, cell_off) = figures["bare"], figures["cell"]
    print(f"ratio cell/bare, boot to init's power-off in Bochs ticks: {cell_off / bare_off:.3f} "
          f"({cell_off - bare_off:+,} ticks); Linux's clocks at init (not comparable: see the "
          f"docstring) {cell_init:,} and {bare_init:,} ticks")
    return 0


if __name__ == "__main__":
    sys.exit(main())
