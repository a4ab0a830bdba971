"""The x86-64 payload booted bare in Bochs (no hypervisor): the reference an x86 Linux cell's
behaviour and boot time are compared with.

GRUB boots the bzImage with its `linux` command (Linux's x86 boot protocol, GRUB as the boot
loader) and the initramfs with `initrd`, from a rescue ISO like the hypervisor's
(arch/x86/mkiso.sh). The guest's `poweroff -f` reaches Bochs' ACPI PM1a control register
(sleep type S5) through the BIOS' ACPI tables, which ends the run ("soft power off").
"""

import pathlib
import re
import shutil
import subprocess

from ..bochs import LINUX_XSAVE_ARGS, run_bochs
from .common import PayloadError

# What keeps a Debian kernel's boot in Bochs short: the console on COM1 only (no VGA text
# console to scroll), errors only (every console line is UART time), no KASLR (a fixed layout
# makes two runs the same), no CPU-bug mitigations to patch in, and XSAVE's standard format
# (bochs.LINUX_XSAVE_ARGS: Bochs 2.7 corrupts the compacted one).
BARE_CMDLINE = f"console=ttyS0,115200 loglevel=3 nokaslr mitigations=off {LINUX_XSAVE_ARGS}"

# Bochs' own line when the guest writes S5 to the PM1a control register (iodev/acpi.cc); its
# prefix is the Bochs tick it happened at.
# Bochs reports it as a panic, which bochsrc's `panic: action=fatal` turns into the end of the run:
# "06567200698p[ACPI  ] >>PANIC<< ACPI control: soft power off".
_POWER_OFF_LINE = re.compile(r"^(\d+)p\[ACPI\s*\] >>PANIC<< ACPI control: soft power off",
                             re.M)


def linux_iso(payload: dict, cmdline: str, out: pathlib.Path) -> pathlib.Path:
    """A GRUB rescue ISO at `out` that boots the payload's bzImage and initramfs bare."""
    stage = out.with_name(out.name + ".stage")
    shutil.rmtree(stage, ignore_errors=True)
    (stage / "boot" / "grub").mkdir(parents=True)
    shutil.copyfile(payload["image"], stage / "boot" / "bzImage")
    shutil.copyfile(payload["initramfs"], stage / "boot" / "initramfs.cpio.gz")
    (stage / "boot" / "grub" / "grub.cfg").write_text(
        "serial --unit=0 --speed=115200\n"
        "terminal_input serial\n"
        "terminal_output serial\n"
        "set timeout=0\n"
        f"linux /boot/bzImage {cmdline}\n"
        "initrd /boot/initramfs.cpio.gz\n"
        "boot\n")
    result = subprocess.run(["grub-mkrescue", "-o", str(out), str(stage)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise PayloadError(f"grub-mkrescue -o {out} failed:\n{result.stderr.strip()}")
    shutil.rmtree(stage, ignore_errors=True)
    return out


def power_off_tick(work_dir) -> int | None:
    """The Bochs tick of the guest's ACPI power-off in the run's bochs.log, if it powered off."""
    log = pathlib.Path(work_dir) / "bochs.log"
    m = _POWER_OFF_LINE.search(log.read_text(errors="replace")) if log.exists() else None
    return int(m.group(1)) if m else None


def run_bare(payload: dict, append: str, work_dir, cpus=2, timeout_s=600, echo=False):
    """Boots the payload bare in Bochs with BARE_CMDLINE + `append`; the RunResult's output is
    the serial console."""
    work = pathlib.Path(work_dir)
    work.mkdir(parents=True, exist_ok=True)
    iso = linux_iso(payload, f"{BARE_CMDLINE} {append}".strip(), work / "linux-bare.iso")
    return run_bochs(iso, work, timeout_s=timeout_s, cpus=cpus, echo=echo)
