"""Runs spin on the PI model (verify/pi/rtmutex.pml): generate the verifier,
compile it, search exhaustively, and read spin's verdict and figures."""

import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
MODEL = REPO / "verify" / "pi" / "rtmutex.pml"
CODE = REPO / "rtcell" / "kernel" / "rtmutex.c"

# The DFS stack bound; a search that reaches it is incomplete and fails.
MAX_DEPTH = 200000
# A wall-clock safety net only: no verdict depends on it.
TIMEOUT_S = 1800


def tool(name):
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: ./bulkhead deps installs it (Debian package spin)")
    return path


class Result:
    """What pan printed: the verdict and the size of the search."""

    def __init__(self, defines, text):
        self.defines = defines
        self.text = text
        self.errors = int(self._find(r"errors: (\d+)", "-1"))
        self.states = int(float(self._find(r"([\d.e+]+) states, stored", "0")))
        self.transitions = int(float(self._find(r"([\d.e+]+) transitions", "0")))
        self.depth = int(self._find(r"depth reached (\d+)", "0"))
        self.memory_mb = float(self._find(r"([\d.]+)\s+total actual memory usage", "0"))
        self.seconds = float(self._find(r"elapsed time ([\d.e+]+) seconds", "0"))
        self.violation = self._find(r"(pan:1: .*)", "")
        self.truncated = "max search depth too small" in text

    def _find(self, pattern, default):
        m = re.search(pattern, self.text)
        return m.group(1) if m else default

    def summary(self):
        return (f"{' '.join(self.defines)}: {self.states} states, {self.transitions} "
                f"transitions, depth {self.depth}, {self.memory_mb:.0f} MB, "
                f"{self.seconds:.1f} s, errors {self.errors}"
                + (f" ({self.violation})" if self.violation else ""))


def run_spin(workdir: pathlib.Path, defines: list) -> Result:
    """Exhaustive safety search (assertions and invalid end states) of the model
    built with -D`defines`; stops at the first counterexample."""
    spin, gcc = tool("spin"), tool("gcc")
    workdir.mkdir(parents=True, exist_ok=True)
    flags = [f"-D{d}" for d in defines]
    # A copy beside pan, so that its trail file lands there too.
    shutil.copyfile(MODEL, workdir / MODEL.name)
    gen = subprocess.run([spin, *flags, "-a", MODEL.name], cwd=workdir,
                         capture_output=True, text=True)
    assert gen.returncode == 0, f"spin -a failed:\n{gen.stdout}{gen.stderr}"
    # -O0: pan.c takes minutes to optimise and the search only runs 1.5 times faster.
    cc = subprocess.run([gcc, "-O0", "-DSAFETY", "-DCOLLAPSE", "-o", "pan", "pan.c"],
                        cwd=workdir, capture_output=True, text=True)
    assert cc.returncode == 0, f"compiling pan failed:\n{cc.stderr}"
    pan = subprocess.run(["./pan", f"-m{MAX_DEPTH}"], cwd=workdir, capture_output=True,
                         text=True, timeout=TIMEOUT_S)
    result = Result(defines, pan.stdout + pan.stderr)
    if result.errors > 0:
        # Keep the counterexample readable next to the verdict.
        trail = subprocess.run([spin, *flags, "-t", "-p", "-g", "-l", MODEL.name],
                               cwd=workdir, capture_output=True, text=True)
        (workdir / "counterexample.txt").write_text(trail.stdout)
    return result
