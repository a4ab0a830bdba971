"""`bulkhead measure`: how late a realtime thread wakes up, and whether Linux changes that.

Boots a system under the hypervisor once per phase (alone, idle, stress, attack) and Debian's
PREEMPT_RT kernel bare as the baseline, then writes report.md, report.json, cyclictest-format
histograms and plot.svg. Method and meaning of each figure: docs/measuring.md.
Modules: model (data), parse (what guests print), sysdesc (system descriptions), platforms (how
to boot), runner (the phases), report (the outputs), intcount (QEMU -d int), linuxcost (Linux's
own cost in the cell against bare).
"""

import pathlib
import sys

from .. import paths, payload
from ..progress import Progress


def default_output() -> pathlib.Path:
    return paths.build_root() / "measure"


def main(args) -> int:
    """The `measure` subcommand; `args` from cli.py (system, platform, output, quick,
    linux_cost, linux); no system: the platform's default (with --linux: bochs-x86's Linux
    system)."""
    from . import bochs_runner, platforms, report, runner
    try:
        platform = platforms.get(args.platform)
    except ValueError as e:
        print(f"measure: {e}", file=sys.stderr)
        return 1
    phases = bochs_runner if isinstance(platform, platforms.BochsX86) else runner
    linux = getattr(args, "linux", False)
    if linux and phases is not bochs_runner:
        print("measure: --linux is for bochs-x86 (qemu-arm64's default system has its Linux "
              "cell already)", file=sys.stderr)
        return 1
    settings = (phases.Settings.for_mode(args.quick, linux=True) if linux else
                phases.Settings.for_mode(args.quick))
    out = (args.output or default_output()).resolve()
    system = args.system or (bochs_runner.LINUX_SYSTEM if linux else platform.default_system)
    print(f"measure: {system} on {platform.name}, "
          f"{'quick' if args.quick else 'full'} mode; output {out}", flush=True)
    display = Progress("measure --quick" if args.quick else "measure")
    try:
        if phases is runner and not args.linux_cost:
            result = runner.measure(system.resolve(), platform, settings, out, display=display)
        else:  # their step lines go above the progress line
            how = runner.measure_linux_cost if args.linux_cost else phases.measure
            result = how(system.resolve(), platform, settings, out, echo=display.say)
    except (RuntimeError, ValueError, payload.PayloadError) as e:
        display.close()
        print(f"measure: FAILED: {e}", file=sys.stderr)
        return 1
    display.close()
    files = report.write(result, out)
    bad = [f"phase {p.name}: cpu {e.cpu}: {e.involuntary} involuntary entries, {e.window} in "
           f"latmon's window" for p in result.phases for e in p.realtime_entries
           if (e.involuntary or e.window) and not p.expects_entries]
    bad += [f"phase {p.name}: a boot failed ({p.load_summary})" for p in result.phases
            if "FAILED" in p.load_summary]
    bad += [f"linux cost: {p}" for p in (result.linux_cost.problems if result.linux_cost else [])]
    for key, d in result.determinism.items():
        if d["runs"] >= 2 and not d.get("repeats", d["identical_figures"]):
            print(f"measure: warning: {key}: the exact runs do not repeat ({d['differing_samples']}"
                  f" of {d['samples_per_run']} samples differ)", file=sys.stderr)
    print(report.summary_text(files["report"].read_text()), flush=True)
    print(f"measure: done in {result.seconds:.0f} s: {files['report']}", flush=True)
    for key, path in files.items():
        print(f"measure:   {key:7} {path}")
    if bad:
        print("measure: " + "; ".join(bad), file=sys.stderr)
        return 1
    return 0
