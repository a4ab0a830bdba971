#!/usr/bin/env python3
"""The x86 realtime cell's latency in Bochs' time beside an idle and a busy neighbour, with a
positive control (not a test; docs/measuring.md, "Bochs as an instrument of latency under load").

Runs the realtime kernel's 1,000-period latmon (1 ms) as the realtime cell on CPU 1 in three
cases: beside hello on CPU 0, which prints and exits (idle); beside busy (guests/tests/x86/busy.c:
memory sweeps, arithmetic and a hypercall per sweep on CPU 0 for 4 s of its TSC); and, as the
positive control, beside hello under bulkhead-irqexit.elf, the hypervisor whose every external
interrupt exits and is injected. One Bochs at a time, each under a hard timeout. Prints side by
side the samples, missed periods, timer -> thread latency (min/p50/p99/max) in Bochs ticks and
emulated µs, and the realtime CPU's hypervisor entries (in latmon's window and in all). With
--rounds 2 (the default) every case runs twice with the same inputs and the figures are compared.

Usage: tests/bench/x86_rt_isolation.py [--rounds N] [--keep DIR] [--timeout S]
Needs the x86_64 build (./bulkhead build) and Bochs.
"""

import argparse
import pathlib
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "pylib"))

from bulkhead_tools import paths, systems  # noqa: E402
from bulkhead_tools.bochs import run_bochs  # noqa: E402
from bulkhead_tools.measure import parse  # noqa: E402
from bulkhead_tools.sysgen_check import cell_lines  # noqa: E402

RT_CPU = 1  # the realtime cell's CPU in both system files
IPS = 50_000_000  # tools/pylib/bulkhead_tools/bochs.py: cpu: ips=; Bochs ticks per emulated s
# (name, system, hypervisor): "control" is the positive control, the idle system under the
# build whose every external interrupt exits and is injected (BH_X86_INTERRUPT_EXITING).
CASES = (("idle", "x86-rtcell.dts", "bulkhead.elf"),
         ("busy", "x86-rtcell-busy.dts", "bulkhead.elf"),
         ("control", "x86-rtcell.dts", "bulkhead-irqexit.elf"))
FIGURES = ("samples", "missed", "min", "p50", "p99", "max", "window_entries", "total_entries")


def build_iso(x86_build, dts_name, hypervisor, work):
    work.mkdir(parents=True, exist_ok=True)
    image = systems.build_system_image(
        paths.REPO / "tests" / "system" / "systems" / dts_name, work / "system.img",
        image_dirs=[systems.test_cell_dir("x86_64"), x86_build / "rtcell"], platform="bochs-x86")
    iso = work / "system.iso"
    subprocess.run([str(paths.REPO / "arch" / "x86" / "mkiso.sh"),
                    str(x86_build / "arch" / "x86" / hypervisor), str(iso),
                    str(work / "iso-stage"), "--module", str(image)], check=True,
                   stdout=subprocess.DEVNULL)
    return iso


def measure(iso, work, timeout_s):
    """One Bochs run: the figures of FIGURES (latencies in Bochs ticks), or raises."""
    result = run_bochs(iso, work, timeout_s=timeout_s, cpus=2)
    if result.timed_out:
        raise RuntimeError(result.describe())
    out = result.output.replace("\r\n", "\n")
    rt = "\n".join(cell_lines(out, "rt"))
    blocks, missed = parse.latmon_report(rt, {"us": 1000, "ns": 100000})
    if "thread-ns" not in blocks:
        raise RuntimeError(f"no latmon report in {work / 'serial.log'}")
    stats = blocks["thread-ns"]["T:0"].stats()
    entries = parse.hv_stats(out).get(RT_CPU)
    window = parse.window_entries(out).get(RT_CPU)
    ns_per_tick = 1e9 / IPS
    ticks = {name: round(getattr(stats, f"{name}_ns") / ns_per_tick)
             for name in ("min", "p50", "p99", "max")}
    return dict(samples=stats.samples, missed=missed, **ticks,
                window_entries=None if window is None else window[1],
                total_entries=None if entries is None else entries.total,
                seconds=result.seconds)


def table(results):
    """results: [(label, figures)] -> the side-by-side text."""
    us = 1e6 / IPS
    rows = [("samples", "samples"), ("missed periods", "missed")]
    rows += [(f"timer->thread {n} (ticks)", n) for n in ("min", "p50", "p99", "max")]
    rows += [(f"timer->thread {n} (µs)", n + "_us") for n in ("min", "p50", "p99", "max")]
    rows += [("hv entries on CPU 1, window", "window_entries"),
             ("hv entries on CPU 1, total", "total_entries")]
    head = f"{'':32}" + "".join(f"{label:>14}" for label, _ in results)
    lines = [head]
    for title, key in rows:
        cells = []
        for _, fig in results:
            if key.endswith("_us"):
                cells.append(f"{fig[key[:-3]] * us:14.2f}")
            else:
                cells.append(f"{fig[key]!s:>14}")
        lines.append(f"{title:32}" + "".join(cells))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--timeout", type=int, default=300, help="seconds per Bochs run")
    ap.add_argument("--keep", type=pathlib.Path, help="keep the runs' logs here")
    args = ap.parse_args()
    x86_build = paths.build_dir("x86_64")
    base = args.keep or pathlib.Path(tempfile.mkdtemp(prefix="x86-rt-isolation-"))
    results = []
    for name, dts, hypervisor in CASES:
        iso = build_iso(x86_build, dts, hypervisor, base / name)
        for rnd in range(1, args.rounds + 1):
            fig = measure(iso, base / name / f"run{rnd}", args.timeout)
            print(f"{name} run {rnd}: {fig['seconds']:.0f} s of host time", file=sys.stderr)
            results.append((f"{name} #{rnd}", fig))
    print(table(results))
    for name, _, _ in CASES:
        runs = [fig for label, fig in results if label.startswith(name + " ")]
        same = all({k: r[k] for k in FIGURES} == {k: runs[0][k] for k in FIGURES} for r in runs)
        print(f"{name}: {len(runs)} runs {'identical' if same else 'DIFFER'}")
    print(f"logs: {base}")


if __name__ == "__main__":
    main()
