"""`./bulkhead`: install, build, run and test Bulkhead.

Every subcommand installs missing packages and (re)builds what it needs
first, so `./bulkhead run` and `./bulkhead test` work on a fresh machine.
"""

import argparse
import os
import pathlib
import re
import subprocess
import sys

from . import bochs, deps, measure, paths, payload, run_summary, systems
from .build import build
from .measure.platforms import BochsX86, QemuArm64
from .measure import sysdesc
from .qemu import arm64_command, run_arm64
from .run_console import RunConsole
from .testrun import run_tests

RUN_TIMEOUT_S = 300
BOCHS_RUN_TIMEOUT_S = 900
SCREEN_CONTROL = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")  # ANSI control sequences (CSI)
DEFAULT_SYSTEM = QemuArm64.default_system
BOCHS_RUN_SYSTEM = paths.REPO / "config" / "bochs-x86" / "linux-rt.dts"
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
    if args.platform == BochsX86.name:
        args.timeout = args.timeout or BOCHS_RUN_TIMEOUT_S
        return _run_bochs(args)
    args.timeout = args.timeout or RUN_TIMEOUT_S
    run_dir = paths.log_dir("run")
    dts = (args.system or DEFAULT_SYSTEM).resolve()
    build_log = run_dir / "build.log"
    print(f"run: building (log: {_shown_path(build_log)}) ...", flush=True)
    image = _quietly(build_log, lambda: _build_and_compile(dts, run_dir, args.interactive))
    if image is None:
        return _build_failed(build_log)
    log = run_dir / "qemu-arm64.log"
    print(f"run: booting {dts.name} under the hypervisor in QEMU", flush=True)
    if args.interactive:
        # The terminal is Linux's console; the hypervisor's output goes to the side log.
        cmd = arm64_command(paths.arm64_hv_image(), initrd=image,
                            hv_console=str(log) + ".hv.log")
        print(f"run: interactive; hypervisor console in {log}.hv.log; Ctrl-a x quits QEMU")
        return subprocess.call(cmd)
    console = RunConsole()
    result = run_arm64(paths.arm64_hv_image(), log, timeout_s=args.timeout, echo=console,
                       initrd=image)
    console.flush()
    files = [(log, "serial: the hypervisor's boot, Linux's console, bhctl's snapshots"),
             (pathlib.Path(f"{log}.hv.log"), "the hypervisor's and the cells' consoles after "
                                             "Linux took the UART: latmon's full report")]
    ok = not result.timed_out and result.returncode == 0 and "BULKHEAD: PASS" in result.output
    if ok:
        files += _demo_summary(result.output, dts, run_dir)
    return _run_ending(result, ok, files, args.timeout)


def _build_failed(build_log):
    print(f"run: FAILED to build; the end of {_shown_path(build_log)}:", file=sys.stderr)
    print("".join(build_log.read_text().splitlines(True)[-30:]), file=sys.stderr)
    return 1


def _run_ending(result, ok, files, timeout):
    """The closing lines of a run: where its logs are, and its verdict (the exit status)."""
    width = max(len(_shown_path(f)) for f, _ in files)
    print("run: the full output is in:\n" + "\n".join(f"  {_shown_path(f):<{width}}  {what}"
                                                     for f, what in files))
    if result.timed_out:
        print(f"run: FAILED, no end of run within {timeout} s (killed)", file=sys.stderr)
        return 1
    if not ok:
        print(f"run: FAILED ({result.describe()})", file=sys.stderr)
        return 1
    print("run: the system powered off by itself; success")
    return 0


def _run_bochs(args):
    """`run --platform bochs-x86`: the x86 Linux + realtime cell system in Bochs, Linux's console
    (COM2) and the hypervisor's (COM1) on the terminal as they come, then the demo's summary."""
    if args.interactive:
        print("run: --interactive is for qemu-arm64 only (Bochs' COM2 is a file here)",
              file=sys.stderr)
        return 1
    run_dir = paths.log_dir("run-bochs-x86")
    dts = (args.system or BOCHS_RUN_SYSTEM).resolve()
    build_log = run_dir / "build.log"
    print(f"run: building (log: {_shown_path(build_log)}) ...", flush=True)
    iso = _quietly(build_log, lambda: _bochs_iso(dts, run_dir))
    if iso is None:
        return _build_failed(build_log)
    print(f"run: booting {dts.name} under the hypervisor in Bochs, 2 CPUs (a shorter demo than "
          "on qemu-arm64: 10 s phases of Bochs' time; Bochs is slower than real time, so the "
          "run takes 4-5 minutes)", flush=True)
    console = RunConsole()
    # GRUB's screen control on COM1 (home, clear) would wipe the user's terminal: text only.
    result = bochs.run_bochs_following(
        iso, run_dir, args.timeout, lambda data, stream: console(SCREEN_CONTROL.sub(b"", data),
                                                                 stream))
    console.flush()
    serial, com2 = run_dir / "serial.log", run_dir / "com2.log"
    files = [(com2, "COM2: Linux's console and bhctl's snapshots"),
             (serial, "COM1: the hypervisor's and the realtime cell's consoles: latmon's full "
                      "report")]
    ok = not result.timed_out and "BULKHEAD: PASS" in result.output
    if ok:
        files += _demo_summary(result.linux, dts, run_dir, BochsX86.name)
    return _run_ending(result, ok, files, args.timeout)


def _bochs_iso(dts, run_dir):
    """The x86_64 build, the Linux payload and the GRUB ISO of `dts` (its `entry` set to the
    payload's PVH entry); None after saying why not."""
    if build(["x86_64"]) != 0:
        return None
    try:
        linux = payload.ensure_linux_payload(arch="x86_64")
        text = sysdesc.with_entry(dts.read_text(), linux["pvh_entry"])
        system = run_dir / dts.name
        system.write_text(text)
        x86_build = paths.build_dir("x86_64")
        return bochs.system_iso(system, run_dir, x86_build,
                                image_dirs=[linux["dir"], x86_build / "rtcell"])
    except (RuntimeError, payload.PayloadError, subprocess.CalledProcessError) as e:
        print(f"run: {e}", file=sys.stderr)
        return None


def _build_and_compile(dts, run_dir, interactive):
    """The arm64 build and the system image of `dts`; None after saying why not."""
    if build(["arm64"]) != 0:
        return None
    try:
        return system_image_for(dts, run_dir, interactive)
    except (RuntimeError, payload.PayloadError) as e:
        print(f"run: {e}", file=sys.stderr)
        return None


def _quietly(log, work):
    """work() with our output and its programs' (file descriptors 1 and 2) going to `log`."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = [os.dup(1), os.dup(2)]
    try:
        with open(log, "w") as f:
            os.dup2(f.fileno(), 1)
            os.dup2(f.fileno(), 2)
            try:
                return work()
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
    finally:
        os.dup2(saved[0], 1)
        os.dup2(saved[1], 2)
        for fd in saved:
            os.close(fd)


def _demo_summary(output, dts, run_dir, platform=QemuArm64.name):
    """Prints the demo's summary per phase (run_summary) and writes it and the phases'
    histograms beside the logs; [(file, what it holds)]. Nothing for a system without a
    realtime cell or a run that was not the demo. `output`: the Linux cell's console."""
    text = dts.read_text()
    rt_cells = [name for name, c in sysdesc.cells(text).items() if c["realtime"]]
    m = re.search(r"^linux-cell: scenario=demo duration=(\d+)s", output, re.M)
    if not rt_cells or not m:
        return []
    rt_cpus = sysdesc.realtime_cpus(text)
    phases = run_summary.phase_figures(output, rt_cpus, int(m.group(1)))
    report_json = measure.default_output() / "report.json"
    icount = run_summary.icount_paths(report_json) if platform == QemuArm64.name else None
    summary = run_summary.format_summary(phases, icount, ", ".join(rt_cells), rt_cpus,
                                         _shown_path(report_json), platform)
    print("\n" + summary + "\n", flush=True)
    (run_dir / "summary.txt").write_text(summary + "\n")
    histograms = run_summary.write_histograms(phases, run_dir, platform)
    return [(run_dir / "summary.txt", "this summary")] + [
        (f, f"latmon's histogram over the {name} phase (cyclictest -h format)")
        for name, f in histograms.items()]


def _shown_path(path):
    """`path` relative to the current folder when it is below it."""
    try:
        return str(pathlib.Path(path).resolve().relative_to(pathlib.Path.cwd()))
    except ValueError:
        return str(path)


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
    if args.hypercalls:
        from .containment import fuzz_main as hypercall_fuzz_main
        return hypercall_fuzz_main(args.seed if args.seed is not None else 1, args.hypercalls)
    if args.generated:
        from .fuzz import generated_main
        return generated_main(args.generated, args.seed)
    from .fuzz import main as fuzz_main
    return fuzz_main(args.seconds)


def cmd_containment(args):
    deps.ensure(quiet=True)
    if build(["arm64"]) != 0:
        return 1
    from .containment import main as containment_main
    return containment_main(report=args.report)


def cmd_measure(args):
    deps.ensure(quiet=True)
    if build(["x86_64" if args.platform == BochsX86.name else "arm64"]) != 0:
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

    s = sub.add_parser("run", help="boot the default system (Linux + realtime cell) and show "
                                   "what it does")
    s.add_argument("--system", type=pathlib.Path, metavar="FILE.dts",
                   help=f"system description to boot (default {DEFAULT_SYSTEM.relative_to(paths.REPO)}; "
                        f"bochs-x86: {BOCHS_RUN_SYSTEM.relative_to(paths.REPO)})")
    s.add_argument("--platform", choices=(QemuArm64.name, BochsX86.name), default=QemuArm64.name,
                   help="where to run: qemu-arm64 (default) or bochs-x86 (x86 Linux + realtime "
                        "cell; a shorter demo: 10 s phases)")
    s.add_argument("--interactive", action="store_true",
                   help="leave the user at the Linux cell's shell (no time limit)")
    s.add_argument("--timeout", type=int,
                   help=f"hard limit in seconds (default {RUN_TIMEOUT_S}; bochs-x86: "
                        f"{BOCHS_RUN_TIMEOUT_S})")
    s.set_defaults(func=cmd_run)

    s = sub.add_parser("measure", help="measure latency isolation: boot a system per phase "
                                       "(alone, idle, stress, attack) and the PREEMPT_RT "
                                       "baseline; write a report (docs/measuring.md)")
    s.add_argument("--system", type=pathlib.Path, metavar="FILE.dts",
                   help=f"system description (default {DEFAULT_SYSTEM.relative_to(paths.REPO)}; "
                        f"bochs-x86: {BochsX86.default_system.relative_to(paths.REPO)})")
    s.add_argument("--platform", default="qemu-arm64",
                   help="where to run: qemu-arm64 (default) or bochs-x86")
    s.add_argument("--output", type=pathlib.Path, metavar="DIR",
                   help="report folder (default <build>/measure)")
    s.add_argument("--quick", action="store_true",
                   help="short phases and fewer runs: under 10 minutes")
    s.add_argument("--linux-cost", action="store_true",
                   help="only Linux's cost under the hypervisor: its boot and workloads in the "
                        "cell against bare, under icount (two boots)")
    s.add_argument("--linux", action="store_true",
                   help="bochs-x86: the Linux cell as the realtime cell's neighbour (phases "
                        "alone, idle, stress, attack, control; default system "
                        "config/bochs-x86/linux-rt.dts; 2-3 minutes of host time per phase)")
    s.set_defaults(func=cmd_measure)

    s = sub.add_parser("containment", help="run the attack catalogue (a hostile cell beside "
                                           "a realtime and a plain cell) and print a table "
                                           "of every case (docs/containment.md)")
    s.add_argument("--report", action="store_true",
                   help="also write report.md and report.json under <build>/containment")
    s.set_defaults(func=cmd_containment)

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
    s.add_argument("--hypercalls", type=int, default=0, metavar="CALLS",
                   help="instead: fuzz the hypercall interface from inside a cell with CALLS "
                        "seeded random calls (at least 100000 for a real run), then check "
                        "the victims (docs/containment.md)")
    s.add_argument("--seed", type=int, default=None,
                   help="with --generated: the first seed (default: a random one); "
                        "with --hypercalls: the fuzzer's seed (default 1)")
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
