"""Counting hypervisor entries per CPU in QEMU's `-d int` log without holding it in memory: the
log of a run with Linux holds millions of exceptions. Same record format as ../intlog.py (the
outside witness the system tests use); this one streams.
"""

import collections
import re

_TAKING = re.compile(rb"^Taking exception \d+ \[[^\]]+\] on CPU (\d+)")
_LEVELS = re.compile(rb"^\.\.\.from EL(\d) to EL(\d)")


def entries_to_el2(path):
    """cpu -> number of exceptions taken from EL0/EL1 into EL2."""
    counts = collections.Counter()
    cpu = None
    with open(path, "rb") as log:
        for line in log:
            if line.startswith(b"Taking"):
                m = _TAKING.match(line)
                cpu = int(m.group(1)) if m else None
            elif line.startswith(b"...from") and cpu is not None:
                m = _LEVELS.match(line)
                if m and m.group(2) == b"2" and int(m.group(1)) < 2:
                    counts[cpu] += 1
                cpu = None
    return counts
