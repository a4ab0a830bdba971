#!/usr/bin/env python3
"""Benchmark (not a test): Debian's amd64 kernel booted bare in Bochs, one CPU, to init and its
ACPI power-off, in Bochs ticks (deterministic) and host seconds (indicative: the machine is
shared). Not in the suite: one boot costs ~6.6 G ticks, about 4 minutes of Bochs' CPU time here,
more than a test may add (docs/measuring.md, "Linux in Bochs: what a boot costs").

Run (one Bochs at a time): flock /tmp/bh-emu.lock python3 tests/bench/x86_linux_boot.py
"""

import argparse
import pathlib
import re
import resource
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import paths, payload  # noqa: E402
from bulkhead_tools.bochs import GUEST_MEMORY_MB  # noqa: E402
from bulkhead_tools.payload import bare_bochs  # noqa: E402

# Bochs logs each RDMSR of IA32_MISC_ENABLE (it does not model it): the decompressor's
# verify_cpu reads it first, the decompressed kernel's early CPU setup next.
MISC_ENABLE_READ = re.compile(r"^(\d+)e\[CPU0\s*\] RDMSR: Unknown register 0x1a0", re.M)


def check(out, kernel_version):
    """The boot reached init, saw one CPU and Bochs' RAM, and powered off: the figures count."""
    shape = re.search(r"^linux-cell: cpus=(\d+) mem_kb=(\d+)", out, re.M)
    problems = []
    if "linux-cell: init started" not in out or not shape:
        problems.append("init's markers missing")
    elif (int(shape.group(1)) != 1 or
          not 160 * 1024 < int(shape.group(2)) <= GUEST_MEMORY_MB * 1024):
        problems.append(f"unexpected machine: {shape.group(0)}")
    if f"linux-cell: kernel {kernel_version}" not in out:
        problems.append("another kernel booted")
    if "Kernel panic" in out:
        problems.append("kernel panic")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=int, default=900, help="seconds (default 900)")
    args = parser.parse_args()
    linux = payload.ensure_linux_payload(arch="x86_64")
    work = paths.log_dir("bench", "x86-linux-boot")
    result = bare_bochs.run_bare(linux, "bulkhead.scenario=poweroff", work, cpus=1,
                                 timeout_s=args.timeout)
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    problems = check(result.output, linux["kernel_version"])
    off = bare_bochs.power_off_tick(work)
    if result.timed_out or off is None or problems:
        print(f"x86 Linux boot: FAILED {problems} ({result.describe()})", file=sys.stderr)
        return 1
    reads = [int(t) for t in MISC_ENABLE_READ.findall((work / "bochs.log").read_text())]
    uptime = re.search(r"^linux-cell: uptime at init: ([\d.]+) s", result.output, re.M)
    print(f"kernel {linux['kernel_version']}, 1 CPU, {GUEST_MEMORY_MB} MiB, "
          f"cmdline {bare_bochs.BARE_CMDLINE!r}")
    if len(reads) >= 2:
        print(f"decompressor starts   tick {reads[0]:>14,}")
        print(f"kernel starts         tick {reads[1]:>14,}  "
              f"(decompression ~{reads[1] - reads[0]:,} ticks)")
    print(f"ACPI power-off        tick {off:>14,}")
    print(f"Linux's uptime at init: {uptime.group(1) if uptime else '?'} s")
    print(f"host: {result.seconds:.0f} s wall-clock, "
          f"{usage.ru_utime + usage.ru_stime:.0f} s of Bochs' CPU time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
