"""Static analysis as tests: cppcheck and clang-tidy over the project's C
(hv/ arch/ rtcell/ tools/ abi/ lib/ guests/), each file with the flags Meson
builds it with (build/<arch>/compile_commands.json, from ./bulkhead build
--arch all). Each test fails listing every finding; the full list is also
kept in <build>/test-logs/<test>/findings.txt.

Configuration: .clang-tidy at the repo root (checks, and why some are off),
cppcheck-suppressions.txt and libfdt.cfg beside this file. A false positive
is suppressed where it is, with its reason: `NOLINTNEXTLINE(check)` for
clang-tidy, an "id:file" line in the suppression list for cppcheck.
"""

import concurrent.futures
import json
import pathlib
import re
import shutil
import subprocess

import pytest

from analysis_support import AREAS, REPO, build_root, missing_databases, units

HERE = pathlib.Path(__file__).resolve().parent
JOBS = 2  # the machine's two cores

# GCC flags clang does not know (it would stop on them or warn they are ignored).
GCC_ONLY = {"-fno-tree-loop-distribute-patterns"}

FINDING = re.compile(r"^(?P<file>/[^:]+):(?P<line>\d+):(?P<col>\d+): "
                     r"(?P<severity>\w+): (?P<message>.*) \[(?P<check>[\w.,-]+)\]$")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"{name} is missing: ./bulkhead deps installs it (Debian package {name})")
    return path


def _relative(path: str) -> str:
    p = pathlib.Path(path).resolve()
    return p.relative_to(REPO).as_posix() if p.is_relative_to(REPO) else str(p)


def _findings(text: str) -> list:
    """'file:line:col: severity: message [check]' lines, repo-relative, each once
    (a header's finding comes back from every file that includes it)."""
    seen = []
    for line in text.splitlines():
        m = FINDING.match(line)
        if not m:
            continue
        item = (f"{_relative(m['file'])}:{m['line']}:{m['col']}: {m['severity']}: "
                f"{m['message']} [{m['check']}]")
        if item not in seen:
            seen.append(item)
    return seen


def _report(request, tool: str, findings: list, problems: list):
    log = build_root() / "test-logs" / request.node.name
    log.mkdir(parents=True, exist_ok=True)
    (log / "findings.txt").write_text("".join(f"{f}\n" for f in findings + problems))
    if findings or problems:
        lines = [f"{tool}: {len(findings)} finding(s)", *findings, *problems]
        pytest.fail("\n".join(lines), pytrace=False)


@pytest.fixture(scope="module")
def databases():
    missing = missing_databases()
    if missing:
        pytest.fail(f"no compile database {', '.join(missing)}: run ./bulkhead build --arch all")


def test_cppcheck(databases, request, tmp_path):
    cppcheck = _tool("cppcheck")
    db = tmp_path / "compile_commands.json"
    db.write_text(json.dumps([{"directory": str(u.directory), "file": str(u.file),
                               "arguments": u.args + ["-c", str(u.file)]} for u in units()]))
    # The list names files relative to the repo; cppcheck sees absolute paths.
    suppressions = tmp_path / "suppressions.txt"
    entries = []
    for line in (HERE / "cppcheck-suppressions.txt").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        check, _, file = line.partition(":")
        entries.append(f"{check}:{REPO / file}" if file else check)
    suppressions.write_text("".join(f"{e}\n" for e in entries))
    # Every unit is LP64 (aarch64 and x86-64), as cppcheck's native platform.
    cmd = [cppcheck, f"--project={db}", f"-j{JOBS}", "--quiet", "--inline-suppr",
           "--enable=warning,style,performance,portability",
           f"--library={HERE / 'libfdt.cfg'}", f"--suppressions-list={suppressions}",
           "--template={file}:{line}:{column}: {severity}: {message} [{id}]"]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=tmp_path)
    findings = _findings(result.stderr)
    problems = []
    if result.returncode != 0:
        problems.append(f"cppcheck exited {result.returncode}: {result.stderr.strip()[-2000:]}")
    _report(request, "cppcheck", findings, problems)


def _clang_args(unit) -> list:
    """The unit's flags for clang: GCC-only ones dropped, the cross compiler's
    target named, include folders absolute (so findings name repo paths)."""
    args = []
    if unit.compiler.startswith("aarch64-linux-gnu-"):
        args.append("--target=aarch64-linux-gnu")
    it = iter(unit.args[1:])
    for arg in it:
        if arg in GCC_ONLY or arg == "-Werror":
            continue
        if arg == "-I":
            arg = "-I" + next(it)
        if arg.startswith("-I"):
            arg = "-I" + str((unit.directory / arg[2:]).resolve())
        args.append(arg)
    return args


def test_clang_tidy(databases, request):
    tidy = _tool("clang-tidy")
    header_filter = "^" + re.escape(str(REPO)) + "/(" + "|".join(AREAS) + ")/"
    # Path-sensitive analysis is the slow part: each file once, biggest first.
    todo = sorted(units(once_per_file=True), key=lambda u: -u.file.stat().st_size)

    def run(unit):
        cmd = [tidy, "--quiet", f"--config-file={REPO / '.clang-tidy'}",
               f"--header-filter={header_filter}", str(unit.file), "--", *_clang_args(unit)]
        return unit, subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                                    cwd=unit.directory)

    findings, problems = [], []
    with concurrent.futures.ThreadPoolExecutor(JOBS) as pool:
        for unit, result in pool.map(run, todo):
            found = _findings(result.stdout)
            findings += [f for f in found if f not in findings]
            if result.returncode != 0 and not found:
                problems.append(f"clang-tidy exited {result.returncode} on {unit.rel}: "
                                f"{result.stderr.strip()[-2000:]}")
    _report(request, "clang-tidy", sorted(findings), problems)
