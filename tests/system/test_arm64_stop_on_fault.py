"""The `stop-on-fault` cell flag on arm64: the hostile cell of hostile.dts with the
flag is stopped at its first access outside its stage 2 (instead of taking the
abort, as tests/system/test_arm64_hostile.py checks without it), and the other
cells run to their end. The x86 side is tests/system/test_x86_boot.py's
trespass test.
"""

import re

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64

SYSTEMS = paths.REPO / "tests" / "system" / "systems"
BOOT_PROTOCOL = '\t\t\tboot-protocol = "bulkhead";\n\t\t\timage = "hostile.bin";'


def test_arm64_stop_on_fault_stops_the_cell_at_its_first_foreign_access(arm64_build, log_dir):
    text = (SYSTEMS / "hostile.dts").read_text()
    assert BOOT_PROTOCOL in text, "hostile.dts changed: update this test"
    dts = log_dir / "hostile-stop-on-fault.dts"
    dts.write_text(text.replace(BOOT_PROTOCOL, "\t\t\tstop-on-fault;\n" + BOOT_PROTOCOL))
    image = systems.build_system_image(dts, log_dir / "hostile-stop-on-fault.img",
                                       image_dirs=[systems.test_cell_dir()])
    result = run_arm64(paths.arm64_hv_image(), log_dir / "run.log", timeout_s=90, initrd=image)
    out = result.output
    assert not result.timed_out, result.describe()

    assert re.search(r'^hv: cell "hostile" cpu \d+: stage-2 data abort at 0x50000000 '
                     r"\(ELR 0x[0-9a-f]+\); stopping the cell", out, re.M), out
    assert 'hv: cell "hostile" stopped (exit code 2)' in out, out
    # It got no further than that first attempt.
    assert "[hostile] hostile: read hello memory" not in out, out
    for victim in ("hello", "ticker"):
        assert f'hv: cell "{victim}" stopped (exit code 0)' in out, out
