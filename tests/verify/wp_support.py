"""Runs Frama-C's WP through Why3 and reads its verdict on each goal: shared by the WP tests
(test_frama_c_wp.py on the EPT builder, test_frama_c_wp_pgtable.py on the arm64 table
builder) and by the EVA test's WP discharges (test_frama_c.py)."""

import os
import re
import shutil
import subprocess

import pytest

# "[wp] [CVC4 1.8] Goal name : Valid ...", or with several provers and none proving it,
# "[wp] [Failed] Goal name".
GOAL = re.compile(r"^\[wp\] \[([^\]]+)\] Goal (\S+)(?: : (\w+))?", re.M)


def run_wp(root, tmp_path, frama_c_args, provers="cvc4", then=(), steps=200000):
    """WP's verdict on each goal, {goal: status}, of one Frama-C run in `root`:
    `frama_c_args` name the preprocessor options, the sources and what WP proves; `then`,
    what a second WP pass with the same settings proves; `steps`, each prover's step limit."""
    for tool in ("frama-c", "why3", *provers.split(",")):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: ./bulkhead deps installs it")
    # WP reaches the provers through Why3, which needs a configuration naming them.
    tmp_path.mkdir(parents=True, exist_ok=True)
    conf = tmp_path / "why3.conf"
    subprocess.run(["why3", "-C", str(conf), "config", "detect"], check=True,
                   capture_output=True, timeout=120)
    run = subprocess.run(
        ["frama-c", "-c11", "-machdep", "x86_64", *frama_c_args,
         "-wp-split", "-wp-split-depth", "8", "-wp-prover", provers,
         # A step limit, not time, decides: the same verdict on a busy machine; the timeout
         # is only a backstop.
         "-wp-steps", str(steps), "-wp-timeout", "120", "-wp-par", "2",
         *(["-then", *then] if then else [])],
        # Frama-C resolves relative file names against $PWD, not the working directory.
        cwd=root, env=dict(os.environ, PWD=str(root), WHY3CONFIG=str(conf)),
        capture_output=True, text=True, timeout=900)
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "Proved goals" in out, f"frama-c -wp failed:\n{out[-3000:]}"
    return {goal: status or verdict for verdict, goal, status in GOAL.findall(out)}


def listed(path):
    """The goals a *_wp_proven.txt lists, one a line, '#' starting a comment line."""
    return [line.strip() for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#")]
