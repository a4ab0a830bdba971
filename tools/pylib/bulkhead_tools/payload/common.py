"""What every part of the payload shares: its error, its folders, the lock that keeps two runs
from fetching into or building over each other, and how outputs are replaced."""

import contextlib
import fcntl
import os
import pathlib

from .. import paths
from .targets import target

GUEST_DIR = paths.REPO / "guests" / "linux"


class PayloadError(Exception):
    """Something the user can act on: the message names what failed and how."""


def cache_dir() -> pathlib.Path:
    return paths.build_root() / "cache"


def debs_dir() -> pathlib.Path:
    return cache_dir() / "debs"


def output_dir(arch: str = "arm64") -> pathlib.Path:
    return paths.build_root() / target(arch).output


def rt_output_dir(arch: str = "arm64") -> pathlib.Path:
    return paths.build_root() / target(arch).rt_output


@contextlib.contextmanager
def cache_lock():
    # Two test runs at once must not fetch into, or build over, each other.
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / ".payload.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def write_atomic(path: pathlib.Path, data: bytes):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)
