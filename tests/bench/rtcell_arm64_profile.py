#!/usr/bin/env python3
"""Instruction-level profile of the realtime kernel's two timer paths on arm64
(not a test): where the instructions of timer -> handler and timer -> thread
go, per function.

Runs the path-length image (build/arm64/rtcell/rtcell-paths.elf: latmon
alone) bare under QEMU with `-icount shift=0,align=off,sleep=off` (1
instruction = 1 ns, docs/measuring.md) and `-d exec,nochain -singlestep`:
every executed instruction is one log line with its CPU and PC, also where
icount would cut a translation block short. The log goes through a FIFO to
this script, which stops QEMU once it has the samples it wants.

A sample is one latmon wake-up on the chosen CPU: it starts at the first
instruction after the idle thread's `wfi` (under icount with sleep=off the
idle CPU is woken exactly at the timer's counter tick) and has two ends:
- handler: the first counter read (`mrs cntvct_el0`) after entering
  rt_timer_interrupt (the stamp latmon's handler path is measured with);
- thread: the first counter read after returning into latmon_main (the
  clock read of latmon's thread path).
latmon's histograms are these counts rounded down to the counter's tick (16
instructions on QEMU virt) when the release point is tick-aligned.

Usage: tests/bench/rtcell_arm64_profile.py [--elf ELF] [--samples N]
           [--cpu C] [--trace] [--keep DIR]
"""

import argparse
import bisect
import collections
import os
import pathlib
import re
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import paths  # noqa: E402
from bulkhead_tools.qemu import arm64_bare_command  # noqa: E402

OBJDUMP = "aarch64-linux-gnu-objdump"
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
# QEMU 7.2: "Trace 0: 0x7f... [00000000/0000000070001234/00000000/ff200000] symbol"
TRACE = re.compile(r"Trace (\d+): \S+ \[[0-9a-f]+/([0-9a-f]+)/")
INSN = re.compile(r"^\s*([0-9a-f]+):\s+[0-9a-f]{8}\s+(.*)$")
FUNC = re.compile(r"^([0-9a-f]+) <(.+)>:$")
WARM_UP = 3  # wake-ups skipped first (cold translation, first-period set-up)


class Image:
    """Symbols and the addresses of the instructions that delimit a sample."""

    def __init__(self, elf):
        text = subprocess.run([OBJDUMP, "-d", str(elf)], check=True, capture_output=True,
                              text=True).stdout
        self.starts, self.names = [], []
        self.counter_reads, self.after_wfi = set(), set()
        func = None
        for line in text.splitlines():
            m = FUNC.match(line)
            if m:
                func = m.group(2)
                self.starts.append(int(m.group(1), 16))
                self.names.append(func)
                continue
            m = INSN.match(line)
            if not m:
                continue
            addr, insn = int(m.group(1), 16), m.group(2)
            if re.match(r"mrs\s+x\d+, cntvct_el0", insn):
                self.counter_reads.add(addr)
            if func == "rtarch_idle" and insn.startswith("wfi"):
                self.after_wfi.add(addr + 4)
        if not self.after_wfi:
            sys.exit(f"{elf}: no wfi in rtarch_idle")

    def symbol(self, pc):
        i = bisect.bisect_right(self.starts, pc) - 1
        return self.names[i] if i >= 0 else f"{pc:#x}"


class Sample:
    def __init__(self):
        self.pcs = []
        self.handler_end = self.thread_end = None
        self.in_timer_interrupt = self.in_latmon = False


def samples_of(lines, image, cpu, wanted):
    """Yields finished samples of `cpu` from the exec log's lines."""
    cpu = str(cpu)
    current = None
    for line in lines:
        m = TRACE.match(line)
        if not m or m.group(1) != cpu:
            continue
        pc = int(m.group(2), 16)
        if pc in image.after_wfi:
            current = Sample()
        if current is None:
            continue
        current.pcs.append(pc)
        sym = image.symbol(pc)
        if sym == "rt_timer_interrupt":
            current.in_timer_interrupt = True
        elif sym == "latmon_main" and current.in_timer_interrupt:
            current.in_latmon = True
        if pc in image.counter_reads:
            index = len(current.pcs) - 1
            if current.in_timer_interrupt and current.handler_end is None:
                current.handler_end = index
            elif current.in_latmon and current.thread_end is None:
                current.thread_end = index
                yield current
                current = None
                wanted -= 1
                if wanted == 0:
                    return


def breakdown(image, pcs):
    """Instructions per function (exclusive), in order of first execution."""
    counts = collections.OrderedDict()
    for pc in pcs:
        sym = image.symbol(pc)
        counts[sym] = counts.get(sym, 0) + 1
    return counts


def runs(image, pcs):
    """The path as consecutive runs of one function: [(function, instructions)]."""
    out = []
    for pc in pcs:
        sym = image.symbol(pc)
        if out and out[-1][0] == sym:
            out[-1][1] += 1
        else:
            out.append([sym, 1])
    return out


def profile(elf, image_bin, cpus, cpu, wanted, keep):
    image = Image(elf)
    fifo = keep / "exec.fifo"
    if fifo.exists():
        fifo.unlink()
    os.mkfifo(fifo)
    cmd = arm64_bare_command(image_bin, 0x70000000, cpus,
                             ICOUNT + ["-singlestep", "-d", "exec,nochain", "-D", str(fifo)])
    qemu = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    got = []
    try:
        with open(fifo, errors="replace") as log:
            for s in samples_of(log, image, cpu, wanted + WARM_UP):
                got.append(s)
    finally:
        qemu.kill()
        qemu.wait(timeout=30)
    if len(got) < wanted + WARM_UP:
        sys.exit(f"QEMU ended after {len(got)} of {wanted + WARM_UP} samples")
    return image, got[WARM_UP:]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--elf", help="default: build/arm64/rtcell/rtcell-paths.elf")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the bare machine (2)")
    parser.add_argument("--cpu", type=int, default=1, help="CPU whose wake-ups count (1: "
                        "latmon alone there; CPU 0 also has the console and control threads)")
    parser.add_argument("--samples", type=int, default=10)
    parser.add_argument("--trace", action="store_true",
                        help="also print one sample's path as runs of functions")
    parser.add_argument("--keep", help="folder for the FIFO (default: a temporary one)")
    args = parser.parse_args()
    elf = pathlib.Path(args.elf or paths.build_dir("arm64") / "rtcell" / "rtcell-paths.elf")
    image_bin = elf.with_suffix(".bin")
    if not elf.exists() or not image_bin.exists():
        sys.exit(f"{elf} (and its .bin) not built: run ./bulkhead build --arch arm64")
    with tempfile.TemporaryDirectory() as tmp:
        keep = pathlib.Path(args.keep or tmp)
        keep.mkdir(parents=True, exist_ok=True)
        image, samples = profile(elf, image_bin, args.cpus, args.cpu, args.samples, keep)

    handler = collections.Counter(s.handler_end for s in samples)
    thread = collections.Counter(s.thread_end for s in samples)
    print(f"{elf.name} bare, CPU {args.cpu}, {len(samples)} wake-ups "
          f"(instructions executed from the wake-up up to the counter read)")
    print(f"timer -> handler: {dict(sorted(handler.items()))}")
    print(f"timer -> thread:  {dict(sorted(thread.items()))}")
    typical = max(samples, key=lambda s: (thread[s.thread_end], handler[s.handler_end]))
    h, t = typical.handler_end, typical.thread_end
    hb, tb = breakdown(image, typical.pcs[:h]), breakdown(image, typical.pcs[:t])
    print(f"\nper function (exclusive), the most frequent sample: handler {h}, thread {t}")
    print(f"{'function':36} {'-> handler':>10} {'-> thread':>10}")
    for name, n in sorted(tb.items(), key=lambda kv: -kv[1]):
        print(f"{name:36} {hb.get(name, 0):>10} {n:>10}")
    print(f"{'total':36} {h:>10} {t:>10}")
    if args.trace:
        print("\nthe path as runs of functions (instructions), handler end marked:")
        done = 0
        for name, n in runs(image, typical.pcs[:t]):
            mark = " <- handler reads the counter" if done <= h < done + n else ""
            print(f"  {name} {n}{mark}")
            done += n


if __name__ == "__main__":
    main()
