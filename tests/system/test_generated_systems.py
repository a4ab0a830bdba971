"""Generated systems boot (configuration issue: no accepted description is
refused at boot). A bounded, fixed sample of tools/pylib/bulkhead_tools/
sysgen.py's descriptions is compiled by bhcfg and booted; every cell must
reach its entry, see in its boot info exactly the regions and channels its
description gives it, and finish. `./bulkhead fuzz --generated N` boots more.
"""

import pytest

from bulkhead_tools import sysgen_check

# A fixed sample keeps the verdict repeatable; each seed is a different shape
# (cell count, realtime or not, extra regions, devices, channels).
SEEDS = (3, 11, 26)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_system_boots_with_every_cell_reaching_its_entry(arm64_build, log_dir, seed):
    problems = sysgen_check.boot_problems(seed, log_dir)
    assert not problems, "\n".join(problems)
