"""Where `bulkhead measure` runs: how to boot the hypervisor with a system image and how to boot a
kernel bare on the same machine. Only here may emulator options appear; the phases and the
realtime side know nothing of them.

`qemu-arm64` runs the phases of runner.py; `bochs-x86` those of bochs_runner.py (latency in
Bochs' time). A board (docs/measuring.md) needs the same two operations done by its boot loader
and a serial console capture.
"""

import dataclasses
import pathlib
import subprocess

from .. import bochs, paths
from ..emulator import run_emulator
from ..qemu import ARM64_CPU_MODEL, QEMU_ARM64, arm64_bare_command, run_arm64
from .model import BOCHS

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
    default_system: pathlib.Path = paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts"
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

    # The Linux cell's device for the scratch disk: the virtio-mmio page whose last transport
    # (0xa003e00, SPI 47) the -device virtio-blk-device lands in. It masters DMA, which nothing
    # confines: the measured system trusts Linux with it (docs/design.md, DMA).
    disk_device = ("virtio", ("reg = <0x0 0xa003000 0x0 0x1000>;", "interrupts = <79>;",
                              'dma = "unconfined";'))

    def run_hypervisor(self, system_image, log, timeout_s, int_log=None, icount=False,
                       disk=None):
        """Boots the hypervisor with `system_image`; `int_log`: also write QEMU's -d int log;
        `disk`: a raw image behind a virtio-blk device (the last virtio-mmio transport: the
        system must give the Linux cell `disk_device`)."""
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


@dataclasses.dataclass
class BochsX86:
    """Debian's Bochs (the debugger build) with 2 CPUs of bochs.CPU_MODEL: every run boots an
    ISO made by arch/x86/mkiso.sh (GRUB, multiboot2) and writes Bochs' own log with every VM
    exit it emulates and every interrupt a CPU takes (the witness of the hypervisor's counts)."""
    name: str = "bochs-x86"
    default_system: pathlib.Path = paths.REPO / "tests" / "system" / "systems" / "x86-rtcell.dts"
    cpus: int = 2
    emulator: bool = True
    cpu_model: str = bochs.CPU_MODEL
    instrument: str = BOCHS

    @property
    def ns_per_tick(self):
        return 1_000_000_000 // bochs.IPS

    def describe(self):
        version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "bochs"],
                                 capture_output=True, text=True).stdout.strip() or "unknown"
        return (f"Bochs {version} (Debian's debugger build), `cpu: model={self.cpu_model}, "
                f"count={self.cpus}, ips={bochs.IPS}`, `clock: sync=none`: 1 tick = "
                f"{self.ns_per_tick} ns of emulated time, a running CPU executes one instruction "
                "per tick whatever the other CPU does; figures are deterministic "
                "(docs/measuring.md)")

    def iso(self, hypervisor, system_image, work):
        """An ISO booting arch/x86's `hypervisor` (bulkhead.elf, or bulkhead-irqexit.elf for the
        positive control) with `system_image` as its multiboot2 module."""
        iso = pathlib.Path(work) / "system.iso"
        subprocess.run([str(paths.REPO / "arch" / "x86" / "mkiso.sh"),
                        str(paths.build_dir("x86_64") / "arch" / "x86" / hypervisor), str(iso),
                        str(pathlib.Path(work) / "iso-stage"), "--module", str(system_image)],
                       check=True, stdout=subprocess.DEVNULL)
        return iso

    def run_hypervisor(self, iso, work, timeout_s, logged_cpus=True, com2=False):
        """`logged_cpus`: the CPUs whose VM exits Bochs' log witnesses (True: all; a Linux
        CPU's debug lines run to gigabytes over its boot); `com2`: a Linux cell's console."""
        return bochs.run_bochs(iso, work, timeout_s=timeout_s, cpus=self.cpus,
                               cpu_model=self.cpu_model, log_vm_exits=logged_cpus, com2=com2)

    def run_bare_rtcell(self, image, cpus, work, timeout_s):
        """The realtime kernel's ELF booted bare by GRUB (build/x86_64/rtcell/IMAGE.iso)."""
        iso = paths.build_dir("x86_64") / "rtcell" / f"{image}.iso"
        return bochs.run_bochs(iso, work, timeout_s=timeout_s, cpus=cpus,
                               cpu_model=self.cpu_model)


PLATFORMS = {"qemu-arm64": QemuArm64, "bochs-x86": BochsX86}


def get(name):
    if name not in PLATFORMS:
        raise ValueError(f"platform {name!r} is not supported by `bulkhead measure` yet "
                         f"(supported: {', '.join(PLATFORMS)}); docs/measuring.md says how to "
                         "measure on a board by hand")
    return PLATFORMS[name]()
