"""`./bulkhead test`: host unit tests (Meson + cmocka, TAP) then emulator
system tests (pytest), ending with the plain line `N passed, N failed`.

Host tests are built in every build folder but run from the arm64 one: they
are the same host code either way. The arm64 folder's Meson suites: `host`
(cmocka/TAP programs, counted per case) and `rtcell-qemu` (the realtime
kernel's bare-metal self-test in QEMU, one case per program).

Progress (progress.py): on a terminal, meson's and pytest's own output goes to a log beside the
results and one line shows the phase, test i of n, elapsed and expected time; failures are shown
as they happen and pytest's short summary at the end. Elsewhere their output passes through as
it always did, with a plain line at each phase's start and end.
"""

import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

from . import paths
from .progress import Progress

PYTHON = "/usr/bin/python3"


class Tally:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def line(self):
        text = f"{self.passed} passed, {self.failed} failed"
        return text + (f", {self.skipped} skipped" if self.skipped else "")


def count_tap(stdout):
    """Counts TAP result lines of one cmocka program: (passed, failed, skipped)."""
    passed = failed = skipped = 0
    for line in stdout.splitlines():
        if line.startswith("ok "):
            if "# SKIP" in line:
                skipped += 1
            else:
                passed += 1
        elif line.startswith("not ok "):
            failed += 1
    return passed, failed, skipped


def run_unit(tally, progress):
    folder = paths.build_dir("arm64")
    progress.phase("host unit tests")
    command = ["meson", "test", "-C", str(folder), "--suite", "host", "--suite", "rtcell-qemu",
               "--num-processes", "2", "--print-errorlogs"]
    if progress.tty:
        _follow(command, results_dir() / "unit.log", progress, _meson_line)
    else:
        subprocess.run(command)
    log = folder / "meson-logs" / "testlog.json"
    if not log.exists():
        tally.failed += 1
        return
    for line in log.read_text().splitlines():
        record = json.loads(line)
        p, f, s = count_tap(record.get("stdout", ""))
        ok = record.get("result") in ("OK", "SKIP")
        # A program that died before its TAP plan still counts as a failure;
        # one that speaks no TAP counts as one case.
        if not ok and f == 0:
            f = 1
        elif ok and p + f + s == 0:
            p = 1
        tally.passed += p
        tally.failed += f
        tally.skipped += s


def run_system(tally, pytest_args, progress):
    results = results_dir() / "system.xml"
    if results.exists():
        results.unlink()
    progress.phase("Python tests")
    env = dict(os.environ, BULKHEAD_BUILD_DIR=str(paths.build_root()))
    # Every Python test folder under tests/ (system tests, bhcfg tests, ...).
    command = [PYTHON, "-m", "pytest", str(paths.REPO / "tests"), "-v", "-p", "no:cacheprovider",
               f"--junitxml={results}", *pytest_args]
    if progress.tty:
        log = results_dir() / "pytest.log"
        _follow(command, log, progress, _pytest_line, cwd=paths.REPO, env=env,
                partial=lambda text: progress.step(progress.run, _running_test(text)))
        _show_pytest_summary(log, progress)
    else:
        subprocess.run(command, cwd=paths.REPO, env=env)
    if not results.exists():
        tally.failed += 1
        return
    root = ET.parse(results).getroot()
    for suite in root.iter("testsuite"):
        total = int(suite.get("tests", 0))
        failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
        skipped = int(suite.get("skipped", 0))
        tally.passed += total - failed - skipped
        tally.failed += failed
        tally.skipped += skipped


def run_tests(pytest_args=(), unit=True, system=True):
    tally = Tally()
    progress = Progress("test")
    try:
        if unit:
            run_unit(tally, progress)
        if system:
            run_system(tally, list(pytest_args), progress)
    finally:
        progress.close()
    sys.stdout.flush()
    print(tally.line())
    return 0 if tally.failed == 0 and tally.passed > 0 else 1


def results_dir():
    path = paths.build_root() / "test-results"
    path.mkdir(parents=True, exist_ok=True)
    return path


# " 3/41 test_format   OK   0.05s" (meson test's progress line)
_MESON = re.compile(r"^\s*(\d+)/(\d+)\s+(\S+)\s+(\S+)")
# "tests/x.py::test_y PASSED   [ 12%]" (pytest -v)
_PYTEST = re.compile(r"^(\S+::\S+)\s+(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b")
# "collected 549 items / 537 deselected / 12 selected", after "collecting ... " on its line
_COLLECTED = re.compile(r"collected (\d+) items?(?: / \d+ deselected)?(?: / (\d+) selected)?")


def _meson_line(line, progress):
    m = _MESON.match(line)
    if m:
        progress.runs = int(m.group(2))
        progress.step(int(m.group(1)), m.group(3))
        if m.group(4) not in ("OK", "SKIP", "EXPECTEDFAIL"):
            progress.say(line.rstrip())


def _pytest_line(line, progress):
    m = _COLLECTED.search(line)
    if m:
        progress.runs = int(m.group(2) or m.group(1))
        return
    m = _PYTEST.match(line)
    if m:
        progress.step((progress.run or 0) + 1, "")
        if m.group(2) in ("FAILED", "ERROR"):
            progress.say(f"{m.group(2)} {m.group(1)}")


def _running_test(partial_line):
    """The test pytest -v is running: its node id, the start of the line it has not ended."""
    words = partial_line.split()
    return words[0].rsplit("::", 1)[-1][-60:] if words else ""


def _follow(command, log, progress, on_line, partial=None, **kwargs):
    """Runs `command` with its output in `log`, each complete line given to on_line(line,
    progress) and the unfinished one (pytest's running test) to partial(text)."""
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                **kwargs)
        pending = b""
        while chunk := os.read(proc.stdout.fileno(), 65536):
            out.write(chunk.decode("utf-8", errors="replace"))
            out.flush()
            *lines, pending = (pending + chunk).split(b"\n")
            for line in lines:
                on_line(line.decode("utf-8", errors="replace"), progress)
            if partial and pending:
                partial(pending.decode("utf-8", errors="replace"))
        proc.wait()
    progress.say(f"{progress.name}: output in {log}")


def _show_pytest_summary(log, progress):
    """pytest's closing summary (failures' one-line reasons and the counts) from its log."""
    text = log.read_text(errors="replace").splitlines()
    start = next((i for i, line in enumerate(text) if "short test summary info" in line),
                 len(text) - 1)
    for line in text[start:]:
        progress.say(line)
