"""Each libFuzzer target runs a fixed number of inputs without a finding.

The seed and the run count are fixed and the corpus starts from the seeds
alone, so every run of the suite tries nearly the same inputs (libFuzzer's
coverage feedback still varies a little): a finding here is most likely a
regression rather than luck. `./bulkhead fuzz` is the open-ended search, from
random seeds and with the corpus it keeps under <build>/fuzz."""

import os
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools" / "pylib"))

from bulkhead_tools import fuzz  # noqa: E402

RUNS = 300_000
SEED = 1
SECONDS_LIMIT = 120


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    os.environ.setdefault("BULKHEAD_BUILD_DIR", str(REPO / "build"))
    return fuzz.compile_targets(), fuzz.seed_corpora(tmp_path_factory.mktemp("fuzz"))


@pytest.mark.parametrize("target", sorted(fuzz.TARGETS))
def test_fuzz_target_survives_a_short_run(built, target):
    exes, (platform, corpus) = built
    ok, executions, tail = fuzz.run_target(exes[target], corpus[target], SECONDS_LIMIT,
                                           {"BHCFG_FUZZ_PLATFORM": str(platform)},
                                           runs=RUNS, seed=SEED)
    assert ok, tail
    assert executions == RUNS, tail
