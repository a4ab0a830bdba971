#!/usr/bin/env python3
"""Instruction counts of the realtime kernel's hot paths (not a test).

Builds tests/bench/rtcell_bench.c with the kernel core and the host port
(-O2, no sanitizers), runs it under `valgrind --tool=callgrind`, and prints
the inclusive instruction count per call of each bench_* function, next to
an uncontended raw spinlock measured in the same run.

Usage: tests/bench/rtcell_paths.py [--cc CC] [--keep DIR]
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ITERATIONS = 1000  # must match rtcell_bench.c

PATHS = [
    ("bench_raw_spinlock", "raw spinlock lock+unlock, irqs masked (uncontended)"),
    ("bench_raw_spinlock_bare", "raw ticket lock+unlock alone (no masking, no measurement)"),
    ("bench_mutex_uncontended", "rt_mutex lock+unlock, uncontended (fast path)"),
    ("bench_context_switch", "context switch: rt_yield to an equal-priority peer"),
    ("bench_mutex_contended_lock", "rt_mutex lock, contended: queue + 1-level boost + switch"),
    ("bench_mutex_contended_unlock", "rt_mutex unlock, contended: hand-off + deboost + IPI wake"),
    ("bench_sem_take_block", "semaphore take that blocks and switches away"),
    ("bench_sem_give_preempt", "semaphore give that wakes a higher thread and switches"),
]


def build(cc, outdir):
    sources = sorted(glob.glob(os.path.join(ROOT, "rtcell/kernel/*.c")))
    sources += sorted(glob.glob(os.path.join(ROOT, "rtcell/arch/host/*.c")))
    sources.append(os.path.join(ROOT, "tests/bench/rtcell_bench.c"))
    exe = os.path.join(outdir, "rtcell_bench")
    cmd = [cc, "-std=gnu11", "-O2", "-g", "-Wall", "-Wextra", "-Werror",
           "-I", os.path.join(ROOT, "rtcell/include"),
           "-I", os.path.join(ROOT, "rtcell/arch/host"),
           "-o", exe] + sources
    subprocess.run(cmd, check=True)
    return exe


def measure(exe, outdir):
    out = os.path.join(outdir, "callgrind.out")
    subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, exe],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    text = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                          check=True, capture_output=True, text=True).stdout
    costs = {}
    for line in text.splitlines():
        match = re.match(r"\s*([\d,]+)\s.*?:(bench_\w+)\b", line)
        if match:
            costs[match.group(2)] = int(match.group(1).replace(",", ""))
    return costs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cc", default=os.environ.get("CC", "cc"))
    parser.add_argument("--keep", help="build and keep outputs in this folder")
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind not found")
    outdir = args.keep or tempfile.mkdtemp(prefix="rtcell-bench-")
    os.makedirs(outdir, exist_ok=True)
    try:
        costs = measure(build(args.cc, outdir), outdir)
    finally:
        if not args.keep:
            shutil.rmtree(outdir, ignore_errors=True)
    base = costs.get("bench_raw_spinlock")
    print(f"rtcell hot paths, host port, instructions per call "
          f"(callgrind, {ITERATIONS} calls each, -O2, arch hooks are host stubs)")
    print(f"{'path':60} {'instr':>7} {'x raw':>6}")
    for name, label in PATHS:
        if name not in costs:
            print(f"{label:60} {'?':>7}")
            continue
        per_call = costs[name] / ITERATIONS
        ratio = f"{per_call / (base / ITERATIONS):.1f}" if base else "-"
        print(f"{label:60} {per_call:7.0f} {ratio:>6}")


if __name__ == "__main__":
    main()
