"""`./bulkhead`: install, build, run and test Bulkhead.

Every subcommand installs missing packages and (re)builds what it needs
first, so `./bulkhead run` and `./bulkhead test` work on a fresh machine.
"""

import argparse
import pathlib
import subprocess
import sys

from . import deps, paths, payload, systems
from .build import build
from .qemu import arm64_command, run_arm64
from .testrun import run_tests

RUN_TIMEOUT_S = 300
DEFAULT_SYSTEM = paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts"
# What `--interactive` puts on a Linux cell's command line (read by guests/linux/init).
INTERACTIVE_BOOTARG = "bulkhead.scenario=shell"


def cmd_deps(args):
    deps.ensure(quiet=False)
    return 0


def cmd_build(args):
    deps.ensure(quiet=True)
    return build(selected_arches(args.arch))


def system_image_for(dts, run_dir, interactive):
    """Compiles `dts` with bhcfg; Linux cells get the apt-fetched payload."""
    linux = payload.ensure_linux_payload()
    if interactive:
        text = dts.read_text()
        if 'bootargs = "' not in text:
            raise RuntimeError(f"{dts}: --interactive needs a Linux cell with bootargs")
        dts = run_dir / dts.name
        dts.write_text(text.replace('bootargs = "', f'bootargs = "{INTERACTIVE_BOOTARG} '))
    return systems.build_system_image(
        dts, run_dir / "system.img",
        image_dirs=[paths.build_dir("arm64"), systems.test_cell_dir()],
        image_files=[linux["image"], linux["initramfs"]])


def cmd_run(args):
    deps.ensure(quiet=True)
    if build(["arm64"]) != 0:
        return 1
    run_dir = paths.log_dir("run")
    dts = (args.system or DEFAULT_SYSTEM).resolve()
    try:
        image = system_image_for(dts, run_dir, args.interactive)
    except (RuntimeError, payload.PayloadError) as e:
        print(f"run: {e}", file=sys.stderr)
        return 1
    log = run_dir / "qemu-arm64.log"
    print(f"run: booting {dts.name} under the hypervisor in QEMU (log: {log})", flush=True)
    if args.interactive:
        # The terminal is Linux's console; the hypervisor's output goes to the side log.
        cmd = arm64_command(paths.arm64_hv_image(), initrd=image,
                            hv_console=str(log) + ".hv.log")
        print(f"run: interactive; hypervisor console in {log}.hv.log; Ctrl-a x quits QEMU")
        return subprocess.call(cmd)
    result = run_arm64(paths.arm64_hv_image(), log, timeout_s=args.timeout, echo=True,
                       initrd=image)
    if result.timed_out:
        print(f"\nrun: FAILED, no end of run within {args.timeout} s (killed)", file=sys.stderr)
        return 1
    if result.returncode != 0 or "BULKHEAD: PASS" not in result.output:
        print(f"\nrun: FAILED ({result.describe()})", file=sys.stderr)
        return 1
    print("run: the system powered off by itself; success")
    return 0


def cmd_test(args):
    deps.ensure(quiet=True)
    if build(list(paths.ARCHES)) != 0:
        print("0 passed, 1 failed")
        return 1
    return run_tests(pytest_args=args.pytest_args, unit=not args.system_only,
                     system=not args.unit_only)


def cmd_fuzz(args):
    deps.ensure(quiet=True)
    # The seeds include binary configs made by the arm64 build's bhcfg.
    if build(["arm64"]) != 0:
        return 1
    if args.generated:
        from .fuzz import generated_main
        return generated_main(args.generated, args.seed)
    from .fuzz import main as fuzz_main
    return fuzz_main(args.seconds)


def cmd_measure(args):
    deps.ensure(quiet=True)
    if build(["arm64"]) != 0:
        return 1
    from .measure import main as measure_main
    return measure_main(args)


def selected_arches(arch):
    return list(paths.ARCHES) if arch == "all" else [arch]


def parser():
    p = argparse.ArgumentParser(
        prog="bulkhead",
        description="Build, run and test the Bulkhead hypervisor. Every command installs "
                    "missing Debian packages and builds what it needs first.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    s = sub.add_parser("deps", help="install the Debian packages the project needs "
                                    "(or, when not root, print the apt-get line)")
    s.set_defaults(func=cmd_deps)

    s = sub.add_parser("build", help="configure and build one or all architectures")
    s.add_argument("--arch", choices=[*paths.ARCHES, "all"], default="all")
    s.set_defaults(func=cmd_build)

    s = sub.add_parser("run", help="boot the default system (qemu-arm64: Linux + realtime cell) "
                                   "and show what it does")
    s.add_argument("--system", type=pathlib.Path, metavar="FILE.dts",
                   help=f"system description to boot (default {DEFAULT_SYSTEM.relative_to(paths.REPO)})")
    s.add_argument("--interactive", action="store_true",
                   help="leave the user at the Linux cell's shell (no time limit)")
    s.add_argument("--timeout", type=int, default=RUN_TIMEOUT_S,
                   help=f"hard limit in seconds (default {RUN_TIMEOUT_S})")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("measure", help="measure latency isolation: boot a system per phase "
                                       "(alone, idle, stress, attack) and the PREEMPT_RT "
                                       "baseline; write a report (docs/measuring.md)")
    s.add_argument("--system", type=pathlib.Path, metavar="FILE.dts", default=DEFAULT_SYSTEM,
                   help=f"system description (default {DEFAULT_SYSTEM.relative_to(paths.REPO)})")
    s.add_argument("--platform", default="qemu-arm64", help="where to run (default qemu-arm64)")
    s.add_argument("--output", type=pathlib.Path, metavar="DIR",
                   help="report folder (default <build>/measure)")
    s.add_argument("--quick", action="store_true",
                   help="short phases and fewer runs: under 10 minutes")
    s.add_argument("--linux-cost", action="store_true",
                   help="only Linux's cost under the hypervisor: its boot and workloads in the "
                        "cell against bare, under icount (two boots)")
    s.set_defaults(func=cmd_measure)

    s = sub.add_parser("test", help="run the host unit tests and the emulator system tests")
    s.add_argument("--unit-only", action="store_true", help="host unit tests only")
    s.add_argument("--system-only", action="store_true", help="emulator system tests only")
    s.add_argument("pytest_args", nargs="*",
                   help="extra pytest arguments for the system tests (after --)")
    s.set_defaults(func=cmd_test)

    s = sub.add_parser("fuzz", help="build the libFuzzer targets (clang) and run each one")
    s.add_argument("--seconds", type=int, default=30, help="time per target (default 30)")
    s.add_argument("--generated", type=int, default=0, metavar="N",
                   help="instead: boot N generated system descriptions in QEMU and check "
                        "mutations of each (tools/pylib/bulkhead_tools/sysgen.py)")
    s.add_argument("--seed", type=int, default=None,
                   help="with --generated: the first seed (default: a random one)")
    s.set_defaults(func=cmd_fuzz)
    return p


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except subprocess.CalledProcessError as e:
        print(f"bulkhead: command failed: {' '.join(map(str, e.cmd))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
