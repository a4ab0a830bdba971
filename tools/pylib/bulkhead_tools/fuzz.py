"""`./bulkhead fuzz`: builds the libFuzzer targets with clang into
<build>/fuzz/ and runs each for a while, seeded with the example systems.

Targets: fuzz_config_check (binary config and system image validator, the
code the hypervisor runs at boot) and fuzz_system_dtb (bhcfg's DTB parser
and checks). clang is not the project's compiler, so this is its own step.
"""

import re
import shutil
import subprocess
import sys

from . import paths
from .progress import Progress

CFLAGS = ["-std=gnu11", "-g", "-O1", "-fsanitize=fuzzer,address,undefined",
          "-fno-sanitize-recover=all", "-Wall", "-Wextra", "-Werror",
          # the project's habit_c_args (top-level meson.build)
          "-Wshadow", "-Wmissing-prototypes", "-Wformat=2", "-Wstrict-prototypes"]

# The validator (every file of abi/check/) and the helpers it needs from lib/.
SHARED = sorted(str(p.relative_to(paths.REPO)) for p in (paths.REPO / "abi/check").glob("*.c"))
SHARED += ["lib/crc32.c", "lib/format.c"]
BHCFG = ["tools/bhcfg/check_platform.c", "tools/bhcfg/diag.c", "tools/bhcfg/dtb_validate.c",
         "tools/bhcfg/emit_config.c", "tools/bhcfg/files.c", "tools/bhcfg/parse.c"]

TARGETS = {
    "fuzz_config_check": (["tests/fuzz/fuzz_config_check.c"] + SHARED, []),
    "fuzz_system_dtb": (["tests/fuzz/fuzz_system_dtb.c"] + BHCFG + SHARED, ["-lfdt"]),
}

QEMU_DUMPDTB = ["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
                "-cpu", "cortex-a72", "-smp", "4", "-m", "1G", "-nographic", "-nic", "none"]


def fuzz_dir():
    path = paths.build_root() / "fuzz"
    path.mkdir(parents=True, exist_ok=True)
    return path


def compile_targets():
    clang = shutil.which("clang") or shutil.which("clang-14")
    if not clang:
        raise RuntimeError("clang is missing: ./bulkhead deps")
    out = fuzz_dir()
    exes = {}
    for name, (sources, libs) in TARGETS.items():
        exe = out / name
        srcs = [paths.REPO / s for s in sources]
        if not exe.exists() or any(s.stat().st_mtime > exe.stat().st_mtime for s in srcs):
            cmd = [clang, *CFLAGS, "-I", str(paths.REPO / "abi/include"),
                   "-I", str(paths.REPO / "lib/include"),
                   "-I", str(paths.REPO / "tools/bhcfg"), *map(str, srcs), *libs, "-o", str(exe)]
            subprocess.run(cmd, check=True)
        exes[name] = exe
    return exes


def seed_corpora(corpus_root=None):
    """Seeds: examples compiled to DTBs, their binary configs, and the platform DTB.
    The corpora live under <build>/fuzz, where they keep what earlier runs found,
    unless corpus_root names a folder of its own."""
    out = fuzz_dir()
    platform = out / "qemu-arm64-platform.dtb"
    if not platform.exists():
        subprocess.run(QEMU_DUMPDTB + ["-machine", f"dumpdtb={platform}"], check=True,
                       capture_output=True, timeout=60)
    corpus = {name: (corpus_root or out) / f"corpus-{name}" for name in TARGETS}
    for d in corpus.values():
        d.mkdir(exist_ok=True)
    bhcfg = paths.build_dir("arm64") / "tools" / "bhcfg" / "bhcfg"
    for dts in sorted((paths.REPO / "config" / "qemu-arm64").glob("*.dts")):
        dtb = corpus["fuzz_system_dtb"] / f"{dts.stem}.dtb"
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", str(dtb), str(dts)],
                       check=True)
        if bhcfg.exists():
            subprocess.run([str(bhcfg), "check", str(dts), "--platform", str(platform),
                            "--config-out", str(corpus["fuzz_config_check"] / f"{dts.stem}.bin")],
                           capture_output=True)
    return platform, corpus


def run_target(exe, corpus, seconds, env_extra=None, runs=None, seed=None):
    """Runs one target for `seconds`, or for `runs` inputs from a fixed `seed`
    (the same inputs every time, as a test needs); returns (ok, executions,
    output tail)."""
    import os
    env = dict(os.environ, **(env_extra or {}))
    budget = [f"-runs={runs}", f"-seed={seed}"] if runs else [f"-max_total_time={seconds}"]
    result = subprocess.run([str(exe), *budget, "-timeout=10", "-rss_limit_mb=2048",
                             f"-artifact_prefix={exe}-crash-", str(corpus)],
                            capture_output=True, text=True, env=env, timeout=seconds + 120)
    runs = re.findall(r"Done (\d+) runs", result.stderr)
    executions = int(runs[-1]) if runs else 0
    return result.returncode == 0, executions, result.stderr[-3000:]


def fuzz(seconds=10, targets=None, display=None):
    """{target: (ok, executions, output tail)}; `display`: a progress.Progress to show the
    compile step and each target's run."""
    if display:
        display.phase("compile and seed")
    exes = compile_targets()
    platform, corpus = seed_corpora()
    chosen = [name for name in exes if not targets or name in targets]
    if display:
        display.phase("libFuzzer targets", runs=len(chosen), expected_s=seconds * len(chosen))
    results = {}
    for i, name in enumerate(chosen, 1):
        if display:
            display.step(i, name, plain=True)
        ok, executions, tail = run_target(exes[name], corpus[name], seconds,
                                          {"BHCFG_FUZZ_PLATFORM": str(platform)})
        results[name] = (ok, executions, tail)
    return results


def main(seconds):
    display = Progress("fuzz")
    try:
        results = fuzz(seconds, display=display)
    except (RuntimeError, subprocess.CalledProcessError) as e:
        display.close()
        print(f"fuzz: {e}", file=sys.stderr)
        return 1
    display.close()
    failed = 0
    for name, (ok, executions, tail) in results.items():
        print(f"fuzz: {name}: {executions} executions in {seconds} s: "
              f"{'OK' if ok else 'FAILED'}")
        if not ok:
            failed += 1
            print(tail, file=sys.stderr)
    return 1 if failed else 0


MUTATIONS_PER_GENERATED = 16


def generated_main(count, first_seed=None):
    """Boots `count` generated systems from `first_seed` on and checks mutations
    of each: the open-ended form of the tests' bounded sample."""
    import random

    from . import sysgen_check, systems
    first = first_seed if first_seed is not None else random.SystemRandom().randrange(1 << 31)
    work = fuzz_dir() / "generated"
    work.mkdir(parents=True, exist_ok=True)
    problems = []
    display = Progress("fuzz --generated")
    display.phase("generated systems", runs=count)
    for n, seed in enumerate(range(first, first + count), 1):
        display.step(n, f"seed {seed}")
        found = sysgen_check.boot_problems(seed, work)
        found += sysgen_check.mutation_problems(
            seed, range(seed * 1000, seed * 1000 + MUTATIONS_PER_GENERATED), work,
            systems.bhcfg_path(), systems.platform_dtb())
        display.say(f"fuzz: generated system {seed}: {'OK' if not found else 'FAILED'}")
        problems += found
    display.close()
    print(f"fuzz: {count} generated systems booted (seeds {first}..{first + count - 1}), "
          f"{count * MUTATIONS_PER_GENERATED} mutations checked, {len(problems)} problem(s)")
    for line in problems:
        print(line, file=sys.stderr)
    return 1 if problems else 0
