"""Reading QEMU's `-d int` log: every exception taken, per CPU and level.

This is the outside witness for the hypervisor's own entry counters
(docs/measuring.md): an entry to EL2 from a cell shows up here
as "Taking exception ... on CPU n" followed by "...from EL1 to EL2".
"""

import collections
import dataclasses
import re

_TAKING = re.compile(r"^Taking exception (\d+) \[([^\]]+)\] on CPU (\d+)")
_LEVELS = re.compile(r"^\.\.\.from EL(\d) to EL(\d)")


@dataclasses.dataclass(frozen=True)
class Exception_:
    cpu: int
    kind: str
    from_el: int
    to_el: int


def parse(path):
    """All exceptions in the log, in order. Records without a level line are skipped."""
    found = []
    pending = None
    with open(path, errors="replace") as log:
        for line in log:
            m = _TAKING.match(line)
            if m:
                pending = (int(m.group(3)), m.group(2))
                continue
            m = _LEVELS.match(line)
            if m and pending:
                found.append(Exception_(pending[0], pending[1], int(m.group(1)), int(m.group(2))))
                pending = None
    return found


def entries_to_el2_from_cells(exceptions):
    """Count per CPU of exceptions from EL0/EL1 into EL2 (hypervisor entries)."""
    counts = collections.Counter()
    for e in exceptions:
        if e.to_el == 2 and e.from_el < 2:
            counts[e.cpu] += 1
    return counts
