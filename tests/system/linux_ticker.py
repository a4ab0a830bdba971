"""Booting tests/system/systems/linux-ticker.dts (Debian's kernel beside the direct "ticker" cell)
with one scenario of guests/linux/init: shared by test_linux_cell.py and test_bhctl.py. A helper
module, not conftest: test modules import it by name."""

from bulkhead_tools import paths, systems
from bulkhead_tools.qemu import run_arm64

SYSTEM = paths.REPO / "tests" / "system" / "systems" / "linux-ticker.dts"
BOOTARGS = 'bootargs = "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init'
RUN_TIMEOUT_S = 240


def boot_linux(linux, log_dir, scenario, more_args="", qemu_args=(), replace=()):
    """Boots the system with `bulkhead.scenario=scenario` (and `more_args`) on Linux's command
    line, `qemu_args` added to QEMU's and each (old, new) of `replace` applied to the description;
    `linux` is payload.ensure_linux_payload(). Fails the test on a timeout."""
    text = SYSTEM.read_text()
    assert BOOTARGS in text
    for old, new in replace:
        assert old in text, old
        text = text.replace(old, new)
    dts = log_dir / "system.dts"
    dts.write_text(text.replace(BOOTARGS, f"{BOOTARGS} bulkhead.scenario={scenario} {more_args}"))
    image = systems.build_system_image(dts, log_dir / "system.img",
                                       image_dirs=[systems.test_cell_dir()],
                                       image_files=[linux["image"], linux["initramfs"]])
    result = run_arm64(paths.arm64_hv_image(), log_dir / "qemu.log", timeout_s=RUN_TIMEOUT_S,
                       initrd=image, extra=list(qemu_args))
    assert not result.timed_out, result.describe()
    return result
