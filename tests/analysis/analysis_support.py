"""The translation units the static analysis tests look at, taken from the
compile databases Meson writes (build/<arch>/compile_commands.json), so each
file is analysed with the flags it is really built with."""

import json
import os
import pathlib
import shlex

REPO = pathlib.Path(__file__).resolve().parents[2]

# The project's own C; tests/ is test code and stays out.
AREAS = ("hv", "arch", "rtcell", "tools", "abi", "lib", "guests")
ARCHES = ("arm64", "x86_64")


def build_root() -> pathlib.Path:
    return pathlib.Path(os.environ.get("BULKHEAD_BUILD_DIR", REPO / "build")).resolve()


class Unit:
    """One source file as one compiler invocation builds it."""

    def __init__(self, directory: pathlib.Path, file: pathlib.Path, args: list):
        self.directory = directory
        self.file = file
        self.args = args          # argv, compiler first, without -o/-c/-M* and the file

    @property
    def compiler(self) -> str:
        return pathlib.Path(self.args[0]).name

    @property
    def rel(self) -> str:
        return self.file.relative_to(REPO).as_posix()


# Arguments that only name outputs or dependency files: (flag, takes a value).
_DROP = {"-o": True, "-MF": True, "-MQ": True, "-MT": True, "-c": False, "-MD": False,
         "-MMD": False, "-fdiagnostics-color=always": False}


def _clean(argv: list, file: str) -> list:
    out = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _DROP:
            skip = _DROP[arg]
            continue
        if arg == file:
            continue
        out.append(arg)
    return out


def missing_databases() -> list:
    return [str(build_root() / a / "compile_commands.json") for a in ARCHES
            if not (build_root() / a / "compile_commands.json").exists()]


def units(once_per_file: bool = False) -> list:
    """Every C file under AREAS once per compiler that builds it (freestanding
    arm64, freestanding x86-64, native host), with the flags of its first
    build; a file built twice by one compiler with other -D values (the
    realtime cell's image variants) is looked at in its first build only.
    once_per_file: each file only in its first build, for the slow
    path-sensitive analysis; x86-64's database is read first there, so code
    shared by both targets is seen with a signed char (arm64's is unsigned)."""
    seen = set()
    result = []
    for arch in (reversed(ARCHES) if once_per_file else ARCHES):
        db = build_root() / arch / "compile_commands.json"
        for entry in json.loads(db.read_text()):
            directory = pathlib.Path(entry["directory"])
            file = (directory / entry["file"]).resolve()
            if file.suffix != ".c" or not file.is_relative_to(REPO):
                continue
            if file.relative_to(REPO).parts[0] not in AREAS:
                continue
            argv = entry["arguments"] if "arguments" in entry else shlex.split(entry["command"])
            args = _clean(argv, entry["file"])
            key = file if once_per_file else (file, pathlib.Path(args[0]).name)
            if key in seen:
                continue
            seen.add(key)
            result.append(Unit(directory, file, args))
    return result
