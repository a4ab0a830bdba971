"""What `bulkhead run` shows of the emulator's two consoles while the system runs: Linux's console
as it comes, the hypervisor's and the cells' lines that tell how the boot goes, and nothing of
the bulk (CPU and memory details, latmon's histograms and per-CPU report, the realtime kernel's
critical-section table, bhctl's snapshots for the summary). Only lines of these known forms are held back; the full text stays in the logs.

Limit: it goes line by line, so a line shows once it is complete.
"""

import os
import re

# Hypervisor lines that are detail of its boot or the end-of-run figures the summary replaces.
_HV_DETAIL = re.compile(r"^(?:cpu \d+: online|ram \d+:|platform:|hv: device tree at|"
                        r"hv: system image at|hv: cell \"[^\"]+\": rng-seed|"
                        r"hv: entry statistics|hv: stats cpu )")
# A cell's console line ("[cell] text") and a realtime cell's closing report in it.
_CELL_LINE = re.compile(r"^\[[\w.-]+\] (.*)$")
_CELL_REPORT = re.compile(r"^(?:T:\s*\d|latmon: cpu=|latmon: counter|latmon: missed=|"
                          r"pistress: cpu=|csection: )")
_CELL_BLOCK_BEGIN = re.compile(r"^latmon: histogram [\w-]+ begin$")
_CELL_BLOCK_END = re.compile(r"^latmon: histogram [\w-]+ end$")
# The Linux cell's snapshots for the summary (guests/linux/init, bhctl_snapshot).
_LINUX_BLOCK_BEGIN = re.compile(r"^linux-cell: [\w-]+: bhctl \w+ begin$")
_LINUX_BLOCK_END = re.compile(r"^linux-cell: [\w-]+: bhctl \w+ end$")


class RunConsole:
    """echo(data, stream) for emulator.run_emulator: shows the lines worth reading."""

    def __init__(self, write=lambda text: os.write(1, text.encode())):
        self.write = write
        self.pending = {}
        self.in_block = {}

    def __call__(self, data, stream):
        text = self.pending.get(stream, "") + data.decode("utf-8", errors="replace")
        *lines, self.pending[stream] = text.split("\n")
        shown = [line for line in lines if self.shows(line.rstrip("\r"), stream)]
        if shown:
            self.write("".join(line + "\n" for line in shown))

    def flush(self):
        for stream in list(self.pending):
            rest = self.pending.pop(stream)
            if rest and self.shows(rest.rstrip("\r"), stream):
                self.write(rest + "\n")

    def shows(self, line, stream):
        """Whether `line` of `stream` goes to the terminal (block state is per stream)."""
        cell = _CELL_LINE.match(line)
        body = cell.group(1) if cell else line
        if self.in_block.get(stream):
            if _CELL_BLOCK_END.match(body) or _LINUX_BLOCK_END.match(body):
                self.in_block[stream] = False
            return False
        if _CELL_BLOCK_BEGIN.match(body) or _LINUX_BLOCK_BEGIN.match(line):
            self.in_block[stream] = True
            return False
        return not (_CELL_REPORT.match(body) if cell else _HV_DETAIL.match(line))
