"""Where `bulkhead measure` runs: how to boot the hypervisor with a system image and how to boot a
kernel bare on the same machine. Only here may emulator options appear; the phases and the
realtime side know nothing of them.

`qemu-arm64` is the one platform implemented. A board (docs/measuring.md) needs the same two
operations done by its boot loader and a serial console capture.
"""

import dataclasses
import subprocess

from .. import paths
from ..emulator import run_emulator
from ..qemu import ARM64_CPU_MODEL, QEMU_ARM64, arm64_bare_command, run_arm64

# QEMU's deterministic mode: one instruction = 1 ns of virtual time, no sleeping, no alignment to
# the host clock (docs/measuring.md).
ICOUNT = ["-icount", "shift=0,align=off,sleep=off"]
# No QEMU randomness reaches a guest: no rng-seed/kaslr-seed in the DTB QEMU writes, and an RTC
# that starts at a fixed date and follows virtual time.
NO_RANDOMNESS_MACHINE = "dtb-randomness=off"
FIXED_RTC = ["-rtc", "base=2024-01-01T00:00:00,clock=vm"]
# So Linux's random number generator stays unready (the emulated CPU has no RNDR), and while it is,
# the random kernel-stack offset drawn at every system call's exit takes the unseeded path: ~9,600
# more instructions between cyclictest's wake-up and its clock read. A fixed seed would make the
# later random values depend on QEMU's vCPU interleaving, and the figures stop repeating. So the bare
# Linux runs without that randomisation (docs/measuring.md).
UNSEEDED_LINUX = "randomize_kstack_offset=off"


@dataclasses.dataclass
class QemuArm64:
    name: str = "qemu-arm64"
    cpus: int = 4
    bare_memory: str = "512M"
    emulator: bool = True
    cpu_model: str = ARM64_CPU_MODEL    # what every run emulates, the hypervisor's too
    # Models the bare kernels are also timed on under icount: a path length can depend on the
    # CPU features a kernel finds (Debian's PREEMPT_RT: docs/measuring.md).
    other_cpu_models: tuple = ("max",)
    # Boots the Linux payload bare with the cell's CPU count under icount (linuxcost.py).
    measures_linux_cost: bool = True

    def describe(self):
        version = subprocess.run([QEMU_ARM64, "--version"], capture_output=True, text=True)
        first = (version.stdout.splitlines() or ["qemu-system-aarch64 (version unknown)"])[0]
        return (f"{first}; TCG, `-M virt,gic-version=3 -cpu {self.cpu_model} -smp {self.cpus}`; "
                "an emulator: wall-clock timings are relative and indicative only")

    def run_hypervisor(self, system_image, log, timeout_s, int_log=None, icount=False,
                       disk=None):
        """Boots the hypervisor with `system_image`; `int_log`: also write QEMU's -d int log;
        `disk`: a raw image behind a virtio-blk device (the last virtio-mmio transport, which
        config/qemu-arm64/linux-rt.dts gives the Linux cell)."""
        extra = ["-d", "int", "-D", str(int_log)] if int_log else []
        return run_arm64(paths.arm64_hv_image(), log, timeout_s=timeout_s, initrd=system_image,
                         cpus=self.cpus,
                         extra=extra + _disk(disk) + (ICOUNT if icount else []))

    def bare_rtcell_command(self, image, load_address, cpus, icount=False, cpu_model=None):
        """The realtime kernel without the hypervisor: loaded where its cell would have it, on as
        many CPUs as its cell has, entered at EL1; it ends by semihosting exit."""
        return arm64_bare_command(image, load_address, cpus, ICOUNT if icount else [],
                                  cpu_model or self.cpu_model)

    def run_bare_rtcell(self, image, load_address, cpus, log, timeout_s, icount=False,
                        cpu_model=None):
        return run_emulator(self.bare_rtcell_command(image, load_address, cpus, icount,
                                                     cpu_model), str(log), timeout_s)

    def bare_linux_command(self, kernel, initramfs, append, icount=False, disk=None,
                           cpu_model=None, cpus=None):
        """`cpus`: as many as the cell being compared has (default: the whole machine's)."""
        machine = f"virt,gic-version=3,{NO_RANDOMNESS_MACHINE}"
        cmd = [QEMU_ARM64, "-M", machine, "-cpu", cpu_model or self.cpu_model,
               "-smp", str(cpus or self.cpus),
               "-m", self.bare_memory, "-nographic", "-nic", "none", *FIXED_RTC,
               "-kernel", str(kernel), "-initrd", str(initramfs),
               # nokaslr: no layout randomness even if a seed came from elsewhere.
               "-append", f"console=ttyAMA0 nokaslr {UNSEEDED_LINUX} {append}"]
        return cmd + _disk(disk) + (ICOUNT if icount else [])

    def run_bare_linux(self, kernel, initramfs, append, log, timeout_s, icount=False,
                       disk=None, cpu_model=None, cpus=None):
        return run_emulator(self.bare_linux_command(kernel, initramfs, append, icount, disk,
                                                    cpu_model, cpus), str(log), timeout_s)


def _disk(path):
    if not path:
        return []
    return ["-drive", f"file={path},if=none,format=raw,id=scratch",
            "-device", "virtio-blk-device,drive=scratch"]


PLATFORMS = {"qemu-arm64": QemuArm64}


def get(name):
    if name not in PLATFORMS:
        raise ValueError(f"platform {name!r} is not supported by `bulkhead measure` yet "
                         f"(supported: {', '.join(PLATFORMS)}); docs/measuring.md says how to "
                         "measure on a board by hand")
    return PLATFORMS[name]()
