"""Frama-C EVA on the config and system-image validator (abi/check/) for every
blob of up to 1 KiB (verify/frama-c/config_check_eva.c): the alarms it cannot
rule out must be those listed, with their reasons, in
verify/frama-c/config_check_alarms.txt; a new or additional alarm fails."""

import collections
import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
HARNESS = REPO / "verify" / "frama-c" / "config_check_eva.c"
ALARMS = REPO / "verify" / "frama-c" / "config_check_alarms.txt"
SOURCES = sorted(str(p.relative_to(REPO)) for p in (REPO / "abi" / "check").glob("*.c"))
SOURCES += ["lib/crc32.c", "lib/format.c"]
ALARM = re.compile(r"^\[eva:alarm\] ([^:]+):(\d+): Warning: *\n?\s*([^.\n]+)", re.M)


def listed_alarms():
    listed = {}
    for line in ALARMS.read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        count, path, kind, reason = (f.strip() for f in line.split("|", 3))
        assert reason, f"{ALARMS.name}: '{line}' gives no reason"
        listed[(path, kind)] = int(count)
    return listed


def test_eva_finds_no_alarm_beyond_the_listed_ones():
    frama_c = shutil.which("frama-c")
    if not frama_c:
        pytest.fail("frama-c is missing: ./bulkhead deps installs it (Debian package frama-c-base)")
    run = subprocess.run(
        [frama_c, "-c11", "-machdep", "x86_64",
         "-cpp-extra-args=-Iabi/include -Ilib/include -std=gnu11",
         *SOURCES, str(HARNESS.relative_to(REPO)), "-eva", "-eva-no-show-progress"],
        cwd=REPO, capture_output=True, text=True, timeout=1800)
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "ANALYSIS SUMMARY" in out, f"frama-c failed:\n{out[-3000:]}"
    found = collections.Counter((path, kind.strip()) for path, _, kind in ALARM.findall(out))
    print(f"EVA: {sum(found.values())} alarms (listed: {sum(listed_alarms().values())})")
    listed = listed_alarms()
    new = {k: n for k, n in found.items() if n > listed.get(k, 0)}
    assert not new, ("EVA alarms beyond verify/frama-c/config_check_alarms.txt "
                     "(fix the code, or list them with a reason): "
                     + "; ".join(f"{p}: {n} x {k} (listed {listed.get((p, k), 0)})"
                                 for (p, k), n in sorted(new.items())))
    assert "0 errors" in out.split("ANALYSIS SUMMARY")[1], "EVA reported errors"
