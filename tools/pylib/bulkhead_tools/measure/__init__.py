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


def default_output() -> pathlib.Path:
    return paths.build_root() / "measure"


def main(args) -> int:
    """The `measure` subcommand; `args` from cli.py (system, platform, output, quick,
    linux_cost)."""
    from . import platforms, report, runner
    try:
        platform = platforms.get(args.platform)
    except ValueError as e:
        print(f"measure: {e}", file=sys.stderr)
        return 1
    settings = runner.Settings.for_mode(args.quick)
    out = (args.output or default_output()).resolve()
    print(f"measure: {args.system} on {platform.name}, "
          f"{'quick' if args.quick else 'full'} mode; output {out}", flush=True)
    try:
        how = runner.measure_linux_cost if args.linux_cost else runner.measure
        result = how(args.system.resolve(), platform, settings, out)
    except (RuntimeError, ValueError, payload.PayloadError) as e:
        print(f"measure: FAILED: {e}", file=sys.stderr)
        return 1
    files = report.write(result, out)
    bad = [f"phase {p.name}: cpu {e.cpu}: {e.involuntary} involuntary entries, {e.window} in "
           f"latmon's window" for p in result.phases for e in p.realtime_entries
           if e.involuntary or e.window]
    bad += [f"phase {p.name}: a boot failed ({p.load_summary})" for p in result.phases
            if "FAILED" in p.load_summary]
    bad += [f"linux cost: {p}" for p in (result.linux_cost.problems if result.linux_cost else [])]
    for key, d in result.determinism.items():
        if not d["identical_figures"]:
            print(f"measure: warning: {key}: the icount runs' figures differ", file=sys.stderr)
    print(report.summary_text(files["report"].read_text()), flush=True)
    print(f"measure: done in {result.seconds:.0f} s: {files['report']}", flush=True)
    for key, path in files.items():
        print(f"measure:   {key:7} {path}")
    if bad:
        print("measure: " + "; ".join(bad), file=sys.stderr)
        return 1
    return 0
