#!/usr/bin/env python3
"""Benchmark (not a test): Linux's boot time to init under the hypervisor
against the same kernel booted bare by QEMU with the same 2 CPUs and 512 MiB,
alternating the two in one run, reported as medians and their ratio; and the
hypervisor entries per second on Linux's CPUs by reason during a demo run.

Wall-clock under multi-threaded TCG on a shared machine: indicative only, and
the hypervisor's boot and image copy are in it (docs/measuring.md). The exact
side-by-side figures (icount, boot to init and workloads timed inside Linux,
entries per reason): `./bulkhead measure --linux-cost`.
Run: python3 tests/bench/linux_boot.py [--runs N]
"""

import argparse
import pathlib
import re
import statistics
import subprocess
import sys
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import paths, payload, systems  # noqa: E402
from bulkhead_tools.qemu import arm64_command  # noqa: E402

MARKER = b"linux-cell: init started"
SYSTEM = REPO / "tests" / "system" / "systems" / "linux-ticker.dts"
BOOTARGS = 'bootargs = "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init'


def seconds_to_marker(cmd, timeout_s=120):
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            stdin=subprocess.DEVNULL)
    try:
        for line in proc.stdout:
            if MARKER in line:
                return time.monotonic() - start
            if time.monotonic() - start > timeout_s:
                break
        raise RuntimeError(f"no init marker: {' '.join(map(str, cmd))}")
    finally:
        proc.kill()
        proc.wait()


def system_image(linux, work, scenario):
    dts = work / f"linux-{scenario}.dts"
    dts.write_text(SYSTEM.read_text().replace(BOOTARGS,
                                              f"{BOOTARGS} bulkhead.scenario={scenario}"))
    return systems.build_system_image(dts, work / f"linux-{scenario}.img",
                                      image_dirs=[systems.test_cell_dir()],
                                      image_files=[linux["image"], linux["initramfs"]])


def entries_per_second(linux, work):
    image = system_image(linux, work, "demo")
    log = work / "demo.log"
    cmd = arm64_command(paths.arm64_hv_image(), initrd=image, hv_console=str(log) + ".hv")
    start = time.monotonic()
    subprocess.run(cmd, stdout=open(log, "wb"), stderr=subprocess.STDOUT, timeout=300)
    wall = time.monotonic() - start
    text = (log.read_text(errors="replace") + (pathlib.Path(str(log) + ".hv")).read_text())
    rows = re.findall(r"^hv: stats cpu (\d) cell linux: total=(\d+)(.*)$", text, re.M)
    return wall, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    linux = payload.ensure_linux_payload()
    work = paths.log_dir("bench", "linux_boot")
    image = system_image(linux, work, "poweroff")
    under_hv = arm64_command(paths.arm64_hv_image(), initrd=image,
                             hv_console=str(work / "hv.log"))
    # Both kernels get a seed (QEMU's; the cell one the hypervisor derives from it): an unseeded
    # kernel's system calls are slower (docs/hypervisor.md), which would skew the ratio.
    bare = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a72",
            "-smp", "2", "-m", "512M", "-nographic", "-nic", "none",
            "-kernel", str(linux["image"]), "-initrd", str(linux["initramfs"]),
            "-append", "console=ttyAMA0 rdinit=/init bulkhead.scenario=poweroff"]
    hv_times, bare_times = [], []
    for i in range(args.runs):
        bare_times.append(seconds_to_marker(bare))
        hv_times.append(seconds_to_marker(under_hv))
        print(f"run {i + 1}: bare {bare_times[-1]:.2f} s, under the hypervisor "
              f"{hv_times[-1]:.2f} s", flush=True)
    b, h = statistics.median(bare_times), statistics.median(hv_times)
    print(f"\nboot to init (median of {args.runs}, wall clock, QEMU TCG):")
    print(f"  bare QEMU, 2 CPUs, 512 MiB:        {b:.2f} s")
    print(f"  under the hypervisor (same):       {h:.2f} s  (includes hypervisor boot and "
          f"copying the 33 MiB image)")
    print(f"  ratio hypervisor / bare:           {h / b:.2f}")
    wall, rows = entries_per_second(linux, work)
    print(f"\nhypervisor entries on Linux's CPUs during the demo scenario ({wall:.0f} s wall):")
    for cpu, total, reasons in rows:
        per_reason = ", ".join(f"{name} {int(n) / wall:.0f}/s"
                               for name, n in re.findall(r"(\S+)=(\d+)", reasons))
        print(f"  cpu {cpu}: {int(total) / wall:.0f}/s in all ({per_reason})")


if __name__ == "__main__":
    main()
