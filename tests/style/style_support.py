"""Shared helpers for the house-rule tests (not conftest.py: pytest loads every
folder's conftest as the one module `conftest`): the repository and its C sources."""

import pathlib
import subprocess

REPO = pathlib.Path(__file__).resolve().parents[2]
C_SUFFIXES = (".c", ".h")


def tracked_files():
    """Files under version control (a fresh clone's view), else every file outside build/."""
    result = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True)
    if result.returncode == 0 and result.stdout:
        names = [n for n in result.stdout.decode().split("\0") if n]
        return [REPO / n for n in names if (REPO / n).exists()]
    return [p for p in REPO.rglob("*")
            if p.is_file() and "build" not in p.relative_to(REPO).parts[:1]
            and ".git" not in p.parts]


def c_sources():
    return sorted(p for p in tracked_files() if p.suffix in C_SUFFIXES)
