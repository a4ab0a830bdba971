#!/usr/bin/env python3
"""Benchmark (not a test): Debian's amd64 kernel as an x86 Linux cell under the hypervisor in
Bochs, booted both ways, to init and the hypervisor's power-off, in Bochs ticks (deterministic)
and host seconds (indicative: the machine is shared):

- bzImage: tests/system/systems/x86-linux-rt.dts, the 32-bit boot protocol; the kernel
  decompresses itself (XZ, ~4.5 G ticks). Not in the suite for that reason.
- pvh: x86-linux-pvh-rt.dts, the flat vmlinux through its PVH entry (the system test's boot,
  tests/system/test_x86_linux_cell.py).

Compare with the bare kernel (tests/bench/x86_linux_boot.py; another command line).

Run (one Bochs at a time): flock /tmp/bh-emu.lock python3 tests/bench/x86_linux_cell_boot.py
"""

import argparse
import pathlib
import re
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import paths, payload  # noqa: E402
from bulkhead_tools.bochs import run_bochs, system_iso  # noqa: E402

SYSTEMS = {"bzImage": "x86-linux-rt.dts", "pvh": "x86-linux-pvh-rt.dts"}
# Bochs' last line: the tick the hypervisor's power-off ended the run at.
QUIT = re.compile(r"^(\d+)i\[SIM\s*\] quit_sim called", re.M)


def boot(kind, linux, timeout):
    work = paths.log_dir("bench", f"x86-linux-cell-{kind}")
    x86 = paths.build_root() / "x86_64"
    iso = system_iso(REPO / "tests" / "system" / "systems" / SYSTEMS[kind], work, x86,
                     image_dirs=[linux["dir"], x86 / "rtcell"])
    result = run_bochs(iso, work, timeout_s=timeout, cpus=2, com2=True)
    com2 = (work / "com2.log").read_text(errors="replace")
    quit_at = QUIT.search((work / "bochs.log").read_text(errors="replace"))
    ok = (not result.timed_out and "linux-cell: init started" in com2 and quit_at and
          'hv: cell "linux" stopped (exit code 0)' in result.output)
    if not ok:
        print(f"{kind}: FAILED ({result.describe()})", file=sys.stderr)
        return False
    uptime = re.search(r"^linux-cell: uptime at init: ([\d.]+) s", com2, re.M)
    stats = re.search(r"^hv: stats cpu 0 cell linux: (.*)$", result.output, re.M)
    print(f"{kind:8} power-off at tick {int(quit_at.group(1)):>14,}; Linux's uptime at init "
          f"{uptime.group(1) if uptime else '?'} s; {result.seconds:.0f} s host; "
          f"entries on its CPU: {stats.group(1) if stats else '?'}")
    return True


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(SYSTEMS), help="one of the two boots")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per boot (600)")
    args = parser.parse_args()
    linux = payload.ensure_linux_payload(arch="x86_64")
    kinds = [args.only] if args.only else list(SYSTEMS)
    return 0 if all([boot(kind, linux, args.timeout) for kind in kinds]) else 1


if __name__ == "__main__":
    sys.exit(main())
