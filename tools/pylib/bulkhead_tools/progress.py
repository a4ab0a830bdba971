"""The progress display of long commands (`test`, `measure`, `fuzz`): phase, run i of n, time
elapsed and time expected. On a terminal it is one line, redrawn in place every second; lines the
command prints meanwhile (say()) go above it. Elsewhere (logs, CI) it prints plain lines at the
start and end of each phase, and at each run when asked to. It never writes after close(), so
the caller's last line stays the last line (CI reads `./bulkhead test`'s).

Expected times: the caller's, else each phase's duration in the last run of the same command
(scaled by its number of runs when both are known), kept in <build>/progress-times.json (none on
a first run).
"""

import json
import os
import shutil
import sys
import threading
import time

from . import paths

REDRAW_S = 1.0


def clock(seconds):
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" if seconds >= 3600 \
        else f"{seconds // 60}:{seconds % 60:02d}"


class Progress:
    def __init__(self, command, stream=None, tty=None, history=None, now=time.monotonic):
        self.command = command
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty() if tty is None else tty
        self.history_path = history or paths.build_root() / "progress-times.json"
        self.now = now
        self.t0 = now()
        self.lock = threading.Lock()
        self.name = None
        self.phase_t0 = self.t0
        self.run = self.runs = self.expected_s = None
        self.detail = ""
        self.durations = {}
        self.last = self._history().get(command, {})
        self.stop = threading.Event()
        self.ticker = None
        if self.tty:
            self.ticker = threading.Thread(target=self._tick, daemon=True)
            self.ticker.start()

    def phase(self, name, runs=None, expected_s=None):
        """A new phase of `runs` runs (if counted); `expected_s` or the last run's time."""
        self._end_phase()
        with self.lock:
            self.name, self.runs, self.run, self.detail = name, runs, None, ""
            self.phase_t0 = self.now()
            self.expected_s = expected_s if expected_s is not None else self._last_time(name, runs)
        if not self.tty:
            self._plain(f"{name}" + (f": {runs} runs" if runs else "") + self._expected())
        self._draw()

    def step(self, run=None, detail="", plain=False):
        """Run `run` of the phase is under way; `plain`: also a line when not on a terminal."""
        with self.lock:
            self.run, self.detail = run, detail
        if plain and not self.tty:
            self._plain(self._where() + (f": {detail}" if detail else "") +
                        f" ({clock(self.now() - self.t0)} elapsed)")
        self._draw()

    def say(self, text):
        """A line of the command's own output, kept above the progress line."""
        with self.lock:
            if self.tty:
                self.stream.write("\r\033[K")
            self.stream.write(text + "\n")
            self.stream.flush()
        self._draw()

    def close(self):
        """Ends the display (clears the line) and remembers the phases' durations."""
        self._end_phase()
        self.stop.set()
        if self.ticker:
            self.ticker.join()
            with self.lock:
                self.stream.write("\r\033[K")
                self.stream.flush()
        self._remember()

    # --- inside ---------------------------------------------------------------------------------

    def line(self):
        """The progress line as drawn now."""
        parts = [f"{self.command}: {self._where()}", f"{clock(self.now() - self.t0)} elapsed"]
        expected = self._total_expected()
        if expected:
            parts.append(f"~{clock(expected)} expected")
        if self.detail:
            parts.append(self.detail)
        return " · ".join(parts)

    def _last_time(self, name, runs):
        last = self.last.get(name)
        if not isinstance(last, dict) or "s" not in last:
            return None
        if runs and last.get("runs"):
            return last["s"] * runs / last["runs"]
        return last["s"]

    def _where(self):
        run = f" run {self.run}" + (f"/{self.runs}" if self.runs else "") if self.run else ""
        return f"{self.name or 'starting'}{run}"

    def _expected(self):
        return f" (expected ~{clock(self.expected_s)})" if self.expected_s else ""

    def _total_expected(self):
        """Time the whole command is expected to take: phases done, plus this one's expectation
        (or its share by runs), plus what the last run spent in phases not reached yet."""
        if self.expected_s is None and not self.last:
            return None
        done = sum(s for s, _ in self.durations.values())
        current = self.expected_s or 0
        later = sum(v.get("s", 0) for n, v in self.last.items()
                    if isinstance(v, dict) and n not in self.durations and n != self.name)
        return done + max(current, self.now() - self.phase_t0) + later

    def _end_phase(self):
        if self.name is None:
            return
        spent = self.now() - self.phase_t0
        self.durations[self.name] = (spent, self.runs)
        if not self.tty:
            self._plain(f"{self.name} done in {clock(spent)}")
        self.name = None

    def _plain(self, text):
        self.stream.write(f"{self.command}: {text}\n")
        self.stream.flush()

    def _draw(self):
        if not self.tty:
            return
        with self.lock:
            width = shutil.get_terminal_size((100, 24)).columns - 1
            self.stream.write("\r\033[K" + self.line()[:width])
            self.stream.flush()

    def _tick(self):
        while not self.stop.wait(REDRAW_S):
            self._draw()

    def _history(self):
        try:
            history = json.loads(self.history_path.read_text())
        except (OSError, ValueError):
            return {}
        return history if isinstance(history, dict) else {}

    def _remember(self):
        history = self._history()
        history[self.command] = {n: {"s": round(s, 1), "runs": runs}
                                 for n, (s, runs) in self.durations.items()}
        try:
            tmp = self.history_path.with_suffix(".tmp")
            tmp.write_text(json.dumps(history, indent=1) + "\n")
            os.replace(tmp, self.history_path)
        except OSError:
            pass  # only an expectation for next time is lost
