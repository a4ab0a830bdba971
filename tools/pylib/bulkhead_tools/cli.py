"""`./bulkhead`: install, build, run and test Bulkhead.

Every subcommand installs missing packages and (re)builds what it needs
first, so `./bulkhead run` and `./bulkhead test` work on a fresh machine.
"""

import argparse
import subprocess
import sys

from . import deps, paths
from .build import build
from .qemu import run_arm64
from .testrun import run_tests

RUN_TIMEOUT_S = 60


def cmd_deps(args):
    deps.ensure(quiet=False)
    return 0


def cmd_build(args):
    deps.ensure(quiet=True)
    return build(selected_arches(args.arch))


def cmd_run(args):
    deps.ensure(quiet=True)
    if build(["arm64"]) != 0:
        return 1
    log = paths.log_dir("run") / "qemu-arm64.log"
    print(f"run: booting the arm64 hypervisor in QEMU (log: {log})", flush=True)
    result = run_arm64(paths.arm64_hv_image(), log, timeout_s=args.timeout, echo=True)
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
    from .fuzz import main as fuzz_main
    return fuzz_main(args.seconds)


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

    s = sub.add_parser("run", help="boot the default system (qemu-arm64) and show what it does")
    s.add_argument("--timeout", type=int, default=RUN_TIMEOUT_S,
                   help=f"hard limit in seconds (default {RUN_TIMEOUT_S})")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("test", help="run the host unit tests and the emulator system tests")
    s.add_argument("--unit-only", action="store_true", help="host unit tests only")
    s.add_argument("--system-only", action="store_true", help="emulator system tests only")
    s.add_argument("pytest_args", nargs="*",
                   help="extra pytest arguments for the system tests (after --)")
    s.set_defaults(func=cmd_test)

    s = sub.add_parser("fuzz", help="build the libFuzzer targets (clang) and run each one")
    s.add_argument("--seconds", type=int, default=30, help="time per target (default 30)")
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
