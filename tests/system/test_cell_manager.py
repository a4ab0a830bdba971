"""A management cell restarts another cell (BH_HC_CELL_RESTART, the `manager` flag):
tests/system/systems/manager.dts. The manager's answers are checked by the manager itself
(it exits 1 on any unexpected one) and here; that the target really ran twice is read from
the hypervisor's console and the target's own banner."""

import re

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64

SYSTEM = paths.REPO / "tests" / "system" / "systems" / "manager.dts"


def test_manager_restarts_a_restartable_cell_and_every_other_request_is_refused(arm64_build,
                                                                                 log_dir):
    image = systems.build_system_image(SYSTEM, log_dir / "manager.img",
                                       image_dirs=[systems.test_cell_dir()])
    result = run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=120,
                       initrd=image)
    out = result.output.replace("\r\n", "\n")
    assert not result.timed_out, result.describe()
    assert "[manager] manager: restart of itself: returned -22" in out
    assert "[manager] manager: restart of cell 99: returned -2" in out
    assert "[manager] manager: restart of a cell without restart-on-reset: returned -1" in out
    assert '[manager] manager: restart of "vticker": returned 0' in out
    assert "UNEXPECTED" not in out
    assert ('[manager-b] manager: restart of "vticker" by a cell without the manager flag: '
            "returned -1") in out
    # The request was carried out once, by the target's own CPU, and the target ran again
    # from its image: its banner twice, one restart announced, its second run complete.
    assert out.count('hv: cell "vticker": restart asked for by cell "manager"') == 1
    assert re.findall(r'^hv: cell "vticker" asked for a reset: restarting it \(restart (\d+)\)$',
                      out, re.M) == ["1"]
    assert len(re.findall(r"^\[vticker\] ticker: cpus=1 ", out, re.M)) == 2, out
    assert "[vticker] ticker: done, exit 0" in out
    for cell in ("manager", "vticker", "manager-b"):
        assert f'hv: cell "{cell}" stopped (exit code 0)' in out, cell
    assert out.rstrip().endswith("BULKHEAD: PASS")
