"""`./bulkhead test`: host unit tests (Meson + cmocka, TAP) then emulator
system tests (pytest), ending with the plain line `N passed, N failed`.

Host tests are built in every build folder but run from the arm64 one: they
are the same host code either way. The arm64 folder's Meson suites: `host`
(cmocka/TAP programs, counted per case) and `rtcell-qemu` (the realtime
kernel's bare-metal self-test in QEMU, one case per program).
"""

import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from . import paths

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


def run_unit(tally):
    folder = paths.build_dir("arm64")
    print("test: host unit tests", flush=True)
    subprocess.run(["meson", "test", "-C", str(folder), "--suite", "host",
                    "--suite", "rtcell-qemu", "--num-processes", "2", "--print-errorlogs"])
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


def run_system(tally, pytest_args):
    results = paths.build_root() / "test-results" / "system.xml"
    results.parent.mkdir(parents=True, exist_ok=True)
    if results.exists():
        results.unlink()
    print("test: Python tests (host tools and emulator system tests)", flush=True)
    env = dict(os.environ, BULKHEAD_BUILD_DIR=str(paths.build_root()))
    # Every Python test folder under tests/ (system tests, bhcfg tests, ...).
    subprocess.run([PYTHON, "-m", "pytest", str(paths.REPO / "tests"),
                    "-v", "-p", "no:cacheprovider", f"--junitxml={results}",
                    *pytest_args], cwd=paths.REPO, env=env)
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
    if unit:
        run_unit(tally)
    if system:
        run_system(tally, list(pytest_args))
    sys.stdout.flush()
    print(tally.line())
    return 0 if tally.failed == 0 and tally.passed > 0 else 1
