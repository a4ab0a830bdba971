#!/usr/bin/env python3
"""Benchmark (not a test): Debian's PREEMPT_RT kernel (`linux-image-rt-amd64`, fetched into the
payload cache like the normal kernel: payload/rt.py) bare in Bochs, 2 CPUs, cyclictest at 1 ms on
CPU 1 (isolcpus=1), Linux idle or under stress on CPU 0: the baseline the realtime cell's figures
in `bulkhead measure --platform bochs-x86 --linux` compare with. The same init scenario and
cyclictest options as arm64's PREEMPT_RT baseline (measure/runner.py `_bare_run`); GRUB boots
the bzImage (the kernel decompresses itself, ~4.5 G ticks). Bare Linux calibrates the TSC
itself, and its clock then is not Bochs' time (a run without the pin reported max 1 µs): the
command line pins the TSC to Bochs' rate (`tsc_early_khz=`, IPS / 1000; one tick is one
instruction), and the run prints Linux's clock at init beside Bochs' power-off tick, the check
that Linux's seconds are Bochs' seconds (its clock at init must fall short of the power-off).

Run (one Bochs at a time; ~10 minutes of host time per load):
    flock /tmp/bh-emu.lock python3 tests/bench/x86_preempt_rt_bare.py [--load stress]
"""

import argparse
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import paths, payload  # noqa: E402
from bulkhead_tools.bochs import IPS, run_bochs  # noqa: E402
from bulkhead_tools.measure import parse  # noqa: E402
from bulkhead_tools.payload import bare_bochs  # noqa: E402

LOOPS = 1000
# Bochs' TSC counts its ticks (one per instruction, IPS per emulated second).
TSC_PIN = f"tsc_early_khz={IPS // 1000}"
UPTIME = re.compile(r"^linux-cell: uptime at init: ([\d.]+) s", re.M)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--load", choices=("idle", "stress"), default="idle")
    parser.add_argument("--timeout", type=int, default=1200, help="seconds (1200)")
    args = parser.parse_args()
    kernel = payload.ensure_rt_kernel(arch="x86_64")
    append = (f"{TSC_PIN} isolcpus=1 bulkhead.scenario=measure bulkhead.load={args.load} "
              f"bulkhead.rtcpus=1 bulkhead.loops={LOOPS} bulkhead.prio=99 bulkhead.units=us")
    cmdline = f"{bare_bochs.BARE_CMDLINE} {append}"
    work = paths.log_dir("bench", f"x86-preempt-rt-{args.load}")
    iso = bare_bochs.linux_iso(kernel, cmdline, work / "linux-rt-bare.iso")
    result = run_bochs(iso, work, timeout_s=args.timeout, cpus=2)
    block = parse.between(result.output, "linux-cell: measure: cyclictest -",
                          "linux-cell: measure: cyclictest end rc=0")
    threads = parse.cyclictest_histograms(block or "", 1000)
    if result.timed_out or not threads:
        print(f"PREEMPT_RT bare: FAILED, no cyclictest histogram ({result.describe()})",
              file=sys.stderr)
        return 1
    tick_ns = 1_000_000_000 // IPS
    print(f"{kernel['kernel_version']} bare in Bochs, 2 CPUs, load {args.load} on CPU 0, "
          f"command line: {cmdline}; {result.seconds:.0f} s host")
    uptime = UPTIME.search(result.output)
    off = bare_bochs.power_off_tick(work)
    print(f"Linux's clock at init: {uptime.group(1) if uptime else '?'} s; Bochs' power-off at "
          f"tick {off or 0:,} = {(off or 0) / IPS:.2f} s of Bochs' time")
    def us(ns):   # None: past the histogram's 1 ms
        return "≥1000 µs" if ns is None else f"{ns // 1000} µs ({ns // tick_ns:,} ticks)"

    for name, h in sorted(threads.items()):
        s = h.stats()
        print(f"{name}: {s.samples} samples; timer -> cyclictest min {us(s.min_ns)}, p50 "
              f"{us(s.p50_ns)}, p99 {us(s.p99_ns)}, max {us(s.max_ns)}; overflows {s.overflows}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
