#!/usr/bin/env python3
"""Path lengths of the realtime kernel on arm64 (not a test): the same image
(build/arm64/rtcell/rtcell-bench.bin, rtcell/apps/bench.c) bare under QEMU's
generic loader and as the realtime cell (CPUs 2-3) under the hypervisor, with
`-icount shift=0,align=off,sleep=off`, so 1 instruction = 1 ns and the PMU
cycle counter counts instructions (docs/measuring.md). Prints one
table: min/avg/max instructions per path, bare and in the cell.

Usage: tests/bench/rtcell_arm64_paths.py [--image BIN] [--keep DIR]
"""

import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import paths, systems  # noqa: E402
from bulkhead_tools.qemu import arm64_bare_command, arm64_command  # noqa: E402

ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
LINE = re.compile(r"bench: (.+?): n=(\d+) min=(\d+) avg=(\d+) max=(\d+)")


def run(cmd, timeout_s=120):
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                         stdin=subprocess.DEVNULL)
    return out.stdout + out.stderr


def bare(image):
    return run(arm64_bare_command(image, extra=ICOUNT))


def in_cell(work, bench_image):
    dts = work / "rt-alone-bench.dts"
    text = (REPO / "tests/system/systems/rt-alone.dts").read_text()
    dts.write_text(text.replace("RTCELL_IMAGE", bench_image.name))
    image = systems.build_system_image(dts, work / "rt-alone-bench.img",
                                       image_files=[bench_image])
    hv_log = work / "hv.log"
    out = run(arm64_command(paths.arm64_hv_image(), initrd=image, extra=ICOUNT,
                            hv_console=str(hv_log)))
    return out + (hv_log.read_text() if hv_log.exists() else "")


def figures(text):
    return {m.group(1): tuple(int(g) for g in m.groups()[1:]) for m in LINE.finditer(text)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keep", help="keep logs and images in this folder")
    parser.add_argument("--image", help="another build of rtcell-bench.bin (e.g. an older "
                        "commit's, for a before/after comparison; default: this build's)")
    args = parser.parse_args()
    image = pathlib.Path(args.image or paths.build_dir("arm64") / "rtcell" / "rtcell-bench.bin")
    if not image.exists():
        sys.exit(f"{image} is not built: run ./bulkhead build --arch arm64")
    with tempfile.TemporaryDirectory() as tmp:
        work = pathlib.Path(args.keep or tmp)
        work.mkdir(parents=True, exist_ok=True)
        bare_out, cell_out = bare(image), in_cell(work, image.resolve())
        (work / "bare.log").write_text(bare_out)
        (work / "cell.log").write_text(cell_out)
    b, c = figures(bare_out), figures(cell_out)
    if not b or not c:
        sys.exit("a run printed no figures:\n" + bare_out[-2000:] + cell_out[-2000:])
    print("instructions (QEMU -icount shift=0), min / avg / max over n samples")
    print(f"{'path':50} {'bare':>20} {'cell':>20} {'cell/bare':>9}")
    for name, (n, mn, avg, mx) in b.items():
        cn, cmn, cavg, cmx = c.get(name, (0, 0, 0, 0))
        ratio = f"{cavg / avg:.2f}" if avg else "-"
        print(f"{name:50} {f'{mn}/{avg}/{mx}':>20} {f'{cmn}/{cavg}/{cmx}':>20} {ratio:>9}")
    entries = re.findall(r"hv: stats cpu ([23]) cell rt: (.*)", cell_out)
    for cpu, line in entries:
        print(f"hypervisor entries on cpu {cpu} (start-up and report only): {line}")


if __name__ == "__main__":
    main()
