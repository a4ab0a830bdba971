"""Running an emulator under a hard timeout and keeping its log.

Every emulator run in Bulkhead goes through run_emulator(): the guest is
expected to end the run itself (PSCI SYSTEM_OFF, semihosting exit, Bochs'
shutdown port); the timeout is the backstop that turns a hang into a
failure instead of a stuck test suite.
"""

import dataclasses
import os
import signal
import subprocess
import time


@dataclasses.dataclass
class RunResult:
    command: list
    returncode: int | None
    output: str
    timed_out: bool
    log_path: str
    seconds: float
    side_output: str = ""   # the side log's text (also at the end of `output`)

    TAIL_LINES = 25

    def describe(self) -> str:
        """The command, how it ended and where its log is; after a timeout also the last lines
        of each console, so that a hang seen once (in CI, say) shows where it stopped."""
        state = "timed out" if self.timed_out else f"exit status {self.returncode}"
        text = f"{' '.join(self.command)}\n-> {state} after {self.seconds:.1f} s, log: {self.log_path}"
        if self.timed_out:
            main = self.output[:len(self.output) - len(self.side_output)]
            text += _tail("the console's last lines", main, self.TAIL_LINES)
            if self.side_output:
                text += _tail("the side console's last lines", self.side_output,
                              self.TAIL_LINES)
        return text


def _tail(title, text, lines):
    last = text.rstrip("\n").splitlines()[-lines:]
    return f"\n{title}:\n" + "\n".join("  | " + line for line in last) if last else ""


def run_emulator(command, log_path, timeout_s, echo=False, stdin=subprocess.DEVNULL, cwd=None,
                 side_log=None):
    """Runs `command`, writing its combined output to `log_path`.

    Kills the whole process group after `timeout_s` seconds. With `echo`, the
    output is also copied to our stdout as it arrives (for `bulkhead run`);
    `echo` may instead be a callable echo(data, stream) that decides what to
    show (stream "main", or "side" for the side log). `side_log` names a file
    the emulator writes a second console into (the hypervisor's, once a cell
    owns the UART): its complete lines are echoed as they appear, and its text
    is appended to the result's output.
    """
    echo = _raw_echo if echo is True else echo or None
    side = _SideLog(side_log, echo) if side_log else None
    os.makedirs(os.path.dirname(log_path), exist_ok=True)
    start = time.monotonic()
    timed_out = False
    chunks = []
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                stdin=stdin, cwd=cwd, start_new_session=True)
        os.set_blocking(proc.stdout.fileno(), False)
        while True:
            data = _read_available(proc)
            if data:
                chunks.append(data)
                log.write(data)
                log.flush()
                if echo:
                    echo(data, "main")
            if proc.poll() is not None:
                rest = _read_available(proc)
                if rest:
                    chunks.append(rest)
                    log.write(rest)
                    if echo:
                        echo(rest, "main")
                break
            if time.monotonic() - start > timeout_s:
                timed_out = True
                _kill_group(proc)
                break
            if side:
                side.poll()
            if not data:
                time.sleep(0.02)
    output = b"".join(chunks).decode("utf-8", errors="replace")
    side_output = ""
    if side:
        side.poll(final=True)
        side_output = side.text()
        output += "\n" + side_output
    return RunResult(list(map(str, command)), proc.returncode, output, timed_out, log_path,
                     time.monotonic() - start, side_output)


def _raw_echo(data, stream):
    os.write(1, data)


def _read_available(proc):
    try:
        return proc.stdout.read() or b""
    except BlockingIOError:
        return b""


def _kill_group(proc):
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=5)
            return
        except subprocess.TimeoutExpired:
            continue


class _SideLog:
    """Follows a file another process appends to, line by line."""

    def __init__(self, path, echo):
        self.path = path
        self.echo = echo
        self.data = b""
        self.shown = 0
        if os.path.exists(path):
            os.unlink(path)

    def poll(self, final=False):
        try:
            with open(self.path, "rb") as f:
                f.seek(len(self.data))
                self.data += f.read()
        except FileNotFoundError:
            return
        end = len(self.data) if final else self.data.rfind(b"\n") + 1
        if self.echo and end > self.shown:
            self.echo(self.data[self.shown:end], "side")
        self.shown = max(self.shown, end)

    def text(self):
        return self.data.decode("utf-8", errors="replace")
