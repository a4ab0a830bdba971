"""`python3 -m bulkhead_tools.payload`: fetch and build the payload by itself, and boot it bare
(no hypervisor: QEMU for arm64, Bochs for x86-64), the reference a Linux cell's behaviour is
compared with."""

import argparse
import sys

from .. import paths
from ..emulator import run_emulator
from . import bare_bochs
from .common import PayloadError
from .linux import ensure_linux_payload
from .rt import ensure_rt_kernel


def bare_qemu_command(payload: dict, append: str = "", cpus: int = 2, memory: str = "512M"):
    """QEMU virt with no hypervisor: the reference a Linux cell's behaviour is compared with."""
    return ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a72",
            "-smp", str(cpus), "-m", memory, "-nographic", "-nic", "none",
            "-kernel", str(payload["image"]), "-initrd", str(payload["initramfs"]),
            "-append", f"console=ttyAMA0 {append}".strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m bulkhead_tools.payload",
                                     description="Fetch and build the Linux cell's kernel Image "
                                     "and initramfs into <build>/linux/.")
    parser.add_argument("--arch", choices=("arm64", "x86_64"), default="arm64",
                        help="the Linux cell's architecture (default arm64)")
    parser.add_argument("--rt", action="store_true",
                        help="also fetch Debian's PREEMPT_RT kernel into <build>/linux-rt/")
    parser.add_argument("--refresh", action="store_true",
                        help="ask the package archive for newer packages first")
    parser.add_argument("--boot", metavar="SCENARIO",
                        help="then boot it in bare QEMU (no hypervisor) with this scenario")
    parser.add_argument("--append", default="",
                        help="more kernel command line for --boot, e.g. bulkhead.duration=5")
    parser.add_argument("--timeout", type=float, default=120, help="for --boot, in seconds")
    args = parser.parse_args(argv)
    try:
        result = ensure_linux_payload(refresh=args.refresh, arch=args.arch)
        print(f"payload: kernel {result['kernel_version']}")
        if args.rt:
            rt = ensure_rt_kernel(refresh=args.refresh, arch=args.arch)
            print(f"payload: PREEMPT_RT kernel {rt['kernel_version']}: {rt['image']}")
    except PayloadError as error:
        print(f"payload: {error}", file=sys.stderr)
        return 1
    for key in ("image", "initramfs"):
        path = result[key]
        print(f"payload: {key:9} {path} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    if not args.boot:
        return 0
    append = f"bulkhead.scenario={args.boot} {args.append}"
    if args.arch == "x86_64":
        work = paths.log_dir("linux", "bare-bochs")
        run = bare_bochs.run_bare(result, append, work, cpus=1, timeout_s=args.timeout,
                                  echo=True)
        print(f"payload: {run.describe()}\npayload: power-off at Bochs tick "
              f"{bare_bochs.power_off_tick(work)}")
        return 0 if bare_bochs.power_off_tick(work) is not None else 1
    command = bare_qemu_command(result, append)
    # stdin stays ours so that `--boot shell` is interactive.
    run = run_emulator(command, str(paths.log_dir("linux") / "bare-qemu.log"), args.timeout,
                       echo=True, stdin=None)
    print(f"payload: {run.describe()}")
    return 0 if run.returncode == 0 and not run.timed_out else 1


if __name__ == "__main__":
    sys.exit(main())
