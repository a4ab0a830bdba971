"""Fixtures shared by the emulator system tests.

The front end (`./bulkhead test`) builds everything first and tells the tests
where through BULKHEAD_BUILD_DIR; run by hand, the default is <repo>/build.
Each test keeps its emulator logs under <build>/test-logs/<test name>/.
"""

import os
import pathlib
import re
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))


def build_root() -> pathlib.Path:
    return pathlib.Path(os.environ.get("BULKHEAD_BUILD_DIR", REPO / "build"))


@pytest.fixture
def arm64_build() -> pathlib.Path:
    path = build_root() / "arm64"
    if not (path / "build.ninja").exists():
        pytest.fail(f"{path} is not built: run ./bulkhead build --arch arm64")
    return path


@pytest.fixture
def x86_build() -> pathlib.Path:
    path = build_root() / "x86_64"
    if not (path / "build.ninja").exists():
        pytest.fail(f"{path} is not built: run ./bulkhead build --arch x86_64")
    return path


@pytest.fixture
def log_dir(request) -> pathlib.Path:
    name = re.sub(r"[^A-Za-z0-9_.-]", "_", request.node.name)
    path = build_root() / "test-logs" / name
    path.mkdir(parents=True, exist_ok=True)
    return path
