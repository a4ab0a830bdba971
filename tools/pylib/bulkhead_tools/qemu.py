"""QEMU command lines for the arm64 platform (`qemu-arm64`).

Facts behind the options (docs/emulators.md): gic-version=3 is a
must with virtualization=on; cortex-a72 is fast (plain `max` emulates
pointer authentication slowly); -nic none avoids needing the network ROMs;
semihosting carries the exit code of a run.
"""

from .emulator import run_emulator

QEMU_ARM64 = "qemu-system-aarch64"
ARM64_CPU_MODEL = "cortex-a72"


def arm64_command(kernel, cpus=4, memory="1G", append=None, initrd=None, extra=(),
                  hv_console=None):
    """`hv_console`: file for the semihosting console the hypervisor switches to
    when a cell owns the UART (without it QEMU writes that to its stderr)."""
    semihosting = "enable=on,target=native"
    cmd = []
    if hv_console:
        cmd += ["-chardev", f"file,id=hvcon,path={hv_console}"]
        semihosting += ",chardev=hvcon"
    cmd = [QEMU_ARM64, *cmd,
           "-M", "virt,virtualization=on,gic-version=3",
           "-cpu", ARM64_CPU_MODEL,
           "-smp", str(cpus),
           "-m", memory,
           "-nographic", "-nic", "none",
           "-semihosting-config", semihosting,
           "-kernel", str(kernel)]
    if append:
        cmd += ["-append", append]
    if initrd:
        cmd += ["-initrd", str(initrd)]
    return cmd + list(extra)


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
