"""Each libFuzzer target runs for a few seconds without a finding."""

import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import fuzz  # noqa: E402

SECONDS = 3


@pytest.fixture(scope="module")
def built():
    os.environ.setdefault("BULKHEAD_BUILD_DIR", str(REPO / "build"))
    return fuzz.compile_targets(), fuzz.seed_corpora()


@pytest.mark.parametrize("target", sorted(fuzz.TARGETS))
def test_fuzz_target_survives_a_short_run(built, target):
    exes, (platform, corpus) = built
    ok, executions, tail = fuzz.run_target(exes[target], corpus[target], SECONDS,
                                           {"BHCFG_FUZZ_PLATFORM": str(platform)})
    assert ok, tail
    assert executions > 1000, tail
