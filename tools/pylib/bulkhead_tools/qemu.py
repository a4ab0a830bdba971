"""QEMU command lines for the arm64 platform (`qemu-arm64`).

Facts behind the options (docs/emulators.md): gic-version=3 is a
must with virtualization=on; cortex-a72 is fast (plain `max` emulates
pointer authentication slowly); -nic none avoids needing the network ROMs;
semihosting carries the exit code of a run.
"""

from .emulator import run_emulator

QEMU_ARM64 = "qemu-system-aarch64"
ARM64_CPU_MODEL = "cortex-a72"


def _arm64_machine(cpus, memory, hv_console, semihosting):
    """The machine every hypervisor run uses; `semihosting` False: as a board (no exit code)."""
    cmd = []
    if semihosting:
        config = "enable=on,target=native"
        if hv_console:
            cmd += ["-chardev", f"file,id=hvcon,path={hv_console}"]
            config += ",chardev=hvcon"
        cmd += ["-semihosting-config", config]
    return [QEMU_ARM64, *cmd,
            "-M", "virt,virtualization=on,gic-version=3",
            "-cpu", ARM64_CPU_MODEL,
            "-smp", str(cpus),
            "-m", memory,
            "-nographic", "-nic", "none"]


def arm64_command(kernel, cpus=4, memory="1G", append=None, initrd=None, extra=(),
                  hv_console=None, semihosting=True):
    """`hv_console`: file for the semihosting console the hypervisor switches to
    when a cell owns the UART (without it QEMU writes that to its stderr)."""
    cmd = _arm64_machine(cpus, memory, hv_console, semihosting) + ["-kernel", str(kernel)]
    if append:
        cmd += ["-append", append]
    if initrd:
        cmd += ["-initrd", str(initrd)]
    return cmd + list(extra)


def arm64_uboot_command(firmware, boot_disk, cpus=4, memory="1G", hv_console=None,
                        semihosting=True):
    """U-Boot as the machine's firmware (EL2, virtualization=on), the hypervisor and the system
    image on `boot_disk` (uboot.make_bulkhead_disk), which U-Boot finds as a virtio disk."""
    return _arm64_machine(cpus, memory, hv_console, semihosting) + [
        "-bios", str(firmware),
        "-drive", f"if=none,format=raw,readonly=on,id=boot,file={boot_disk}",
        "-device", "virtio-blk-device,drive=boot"]


def arm64_bare_command(image, load_address=0x70000000, cpus=2, extra=(),
                       cpu_model=ARM64_CPU_MODEL):
    """A bare-metal image (the realtime kernel without the hypervisor) loaded by QEMU's generic
    loader at `load_address` and entered there at EL1 on CPU 0; it ends by semihosting exit."""
    return [QEMU_ARM64, "-M", "virt,gic-version=3", "-cpu", cpu_model, "-smp", str(cpus),
            "-m", "1G", "-nographic", "-nic", "none",
            "-semihosting-config", "enable=on,target=native",
            "-device", f"loader,file={image},addr={load_address:#x}",
            "-device", f"loader,addr={load_address:#x},cpu-num=0", *extra]


def run_arm64(kernel, log_path, timeout_s=60, echo=False, **kwargs):
    """Boots `kernel`; the result's output is the serial log followed by the
    hypervisor's semihosting console (kept beside the log as *.hv.log)."""
    hv_console = str(log_path) + ".hv.log"
    return run_emulator(arm64_command(kernel, hv_console=hv_console, **kwargs), str(log_path),
                        timeout_s, echo=echo, side_log=hv_console)


def run_arm64_uboot(firmware, boot_disk, log_path, timeout_s=60, semihosting=True, **kwargs):
    """Boots through U-Boot (arm64_uboot_command); output as run_arm64's. Without
    `semihosting` the serial log is all there is."""
    hv_console = str(log_path) + ".hv.log" if semihosting else None
    cmd = arm64_uboot_command(firmware, boot_disk, hv_console=hv_console,
                              semihosting=semihosting, **kwargs)
    return run_emulator(cmd, str(log_path), timeout_s, side_log=hv_console)
