#!/usr/bin/env python3
"""Instruction-level profile of the realtime kernel's two timer paths on x86-64
(not a test): where the instructions of timer -> handler and timer -> thread
go, per function, in Bochs.

Boots the latmon-alone image (build/x86_64/rtcell/rtcell-x86-latmon.iso) bare
on one CPU in Bochs and drives Bochs' debugger: a breakpoint on
rt_x86_interrupt, passed --skip times (the start-up's timer interrupts), then
`trace on` and a fixed number of single steps, each printed with its tick
and address. (A breakpoint on the vector stub itself is not reported by
Bochs when the stub is reached through interrupt delivery, hence the C entry.)

One sample is the wake-up that follows: from rt_x86_interrupt's first
instruction to
- handler: the first TSC read inside rt_timer_interrupt (the stamp of the
  handler path);
- thread: the first TSC read after the switch into latmon_main (the clock
  read of the thread path).
Bochs executes one instruction per tick here (docs/measuring.md, "Path
lengths in Bochs"), so the counts are ticks too; latmon's figures add what
comes before rt_x86_interrupt: the deadline's delivery and the vector stub's
16 instructions.

Usage: tests/bench/rtcell_x86_profile.py [--image NAME] [--skip N] [--steps N]
           [--trace] [--keep DIR]
"""

import argparse
import bisect
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import bochs, paths  # noqa: E402

TRACE_LINE = re.compile(r"^\(0\)\.\[(\d+)\] \[0x([0-9a-f]+)\] \S+ \(unk\. ctxt\): (.*?)\s+;")


def symbols(elf):
    """(address, name) of every text symbol, sorted."""
    out = subprocess.run(["nm", "-n", str(elf)], capture_output=True, text=True,
                         check=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTWw":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def function_of(syms, starts, address):
    i = bisect.bisect_right(starts, address) - 1
    return syms[i][1] if i >= 0 else "?"


def trace(iso, skip, steps, work):
    """Bochs' trace of `steps` instructions from the (skip+1)-th entry of rt_x86_interrupt:
    [(tick, address, instruction)]."""
    elf = pathlib.Path(iso).with_suffix(".elf")
    entry = dict((name, addr) for addr, name in symbols(elf))["rt_x86_interrupt"]
    work.mkdir(parents=True, exist_ok=True)
    (work / "bochsrc").write_text(bochs.bochsrc_text(pathlib.Path(iso).resolve(),
                                                     work / "serial.log", 1))
    script = [f"lb {entry:#x}"] + ["c"] * (skip + 1) + ["bpd 1", "trace on", f"s {steps}",
                                                          "quit"]
    (work / "debugger.rc").write_text("\n".join(script) + "\n")
    out = subprocess.run([shutil.which("bochs") or "bochs", "-q", "-f", str(work / "bochsrc"),
                          "-rc", str(work / "debugger.rc")], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, errors="replace", cwd=work,
                         timeout=600).stdout
    (work / "trace.txt").write_text(out)
    return [(int(m.group(1)), int(m.group(2), 16), m.group(3))
            for m in map(TRACE_LINE.match, out.splitlines()) if m]


def sample(rows, syms):
    """Per instruction its function; the two ends (index of the TSC read) of the sample."""
    starts = [a for a, _ in syms]
    funcs = [function_of(syms, starts, a) for _, a, _ in rows]
    handler = thread = None
    in_timer = in_latmon = False
    for i, (f, (_, _, insn)) in enumerate(zip(funcs, rows)):
        in_timer = in_timer or f == "rt_timer_interrupt"
        in_latmon = in_latmon or f == "latmon_main"
        if insn.startswith("rdtsc"):
            if handler is None and in_timer:
                handler = i
            elif thread is None and in_latmon:
                thread = i
                break
    if handler is None or thread is None:
        raise SystemExit("the trace holds no complete wake-up: raise --steps or change --skip")
    return funcs, handler, thread


def runs_of(funcs):
    """Consecutive instructions of one function as (function, count)."""
    runs = []
    for f in funcs:
        if runs and runs[-1][0] == f:
            runs[-1][1] += 1
        else:
            runs.append([f, 1])
    return runs


def per_function(funcs):
    counts = {}
    for f in funcs:
        counts[f] = counts.get(f, 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--image", default="rtcell-x86-latmon",
                        help="rtcell image in build/x86_64/rtcell (default rtcell-x86-latmon)")
    parser.add_argument("--skip", type=int, default=30,
                        help="entries of rt_x86_interrupt to pass first (30)")
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--trace", action="store_true", help="print the runs of functions")
    parser.add_argument("--keep", help="folder for Bochs' files (default: a temporary one)")
    args = parser.parse_args()
    iso = paths.build_dir("x86_64") / "rtcell" / f"{args.image}.iso"
    with tempfile.TemporaryDirectory() as tmp:
        rows = trace(iso, args.skip, args.steps, pathlib.Path(args.keep or tmp))
    syms = symbols(iso.with_suffix(".elf"))
    funcs, handler, thread = sample(rows, syms)
    print(f"{args.image}: from rt_x86_interrupt's entry, {handler} instructions to the handler's "
          f"TSC read, {thread} to latmon's (ticks {rows[0][0]}..{rows[thread][0]})")
    for title, end in (("timer -> handler", handler), ("timer -> thread", thread)):
        print(f"\n{title}: {end} instructions after rt_x86_interrupt's entry")
        for f, n in per_function(funcs[:end]):
            print(f"  {n:5d}  {f}")
    if args.trace:
        print("\nruns of functions (timer -> thread):")
        total = 0
        for f, n in runs_of(funcs[:thread]):
            total += n
            print(f"  {total:5d} {n:4d}  {f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
