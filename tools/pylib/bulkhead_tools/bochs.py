"""Running Bulkhead's x86-64 ISO in Bochs (the only VMX-capable emulator here).

Bochs runs headless (RFB display that does not wait for a client, debugger
continued by an rc file) and ends when the hypervisor writes "Shutdown" to
port 0x8900. Bochs exits with status 1 on every path, so callers decide pass
or fail from the serial log, which becomes RunResult.output; Bochs' own
messages go to the run's log file.
"""

import collections
import pathlib
import re
import shutil

from bulkhead_tools.emulator import RunResult, run_emulator

BIOS_IMAGE = "/usr/share/bochs/BIOS-bochs-latest"
VGA_BIOS_IMAGE = "/usr/share/vgabios/vgabios.bin"
CPU_MODEL = "corei7_skylake_x"  # EPT, unrestricted guest, VPID; see docs/emulators.md
GUEST_MEMORY_MB = 256


# Bochs' own debug line for every VM exit it emulates (cpu/vmx.cc), e.g.
# "00268677025d[CPU1  ] VMEXIT reason = 31 (RDMSR) qualification=0x0".
_VM_EXIT_LINE = re.compile(r"\[CPU(\d+)\s*\] VMEXIT reason = (\d+) ")


def vm_exits_per_cpu(bochs_log):
    """{Bochs CPU number: VM exits} from a run made with log_vm_exits=True: a count of
    hypervisor entries that does not come from the hypervisor."""
    counts = collections.Counter()
    with open(bochs_log, errors="replace") as log:
        for line in log:
            m = _VM_EXIT_LINE.search(line)
            if m:
                counts[int(m.group(1))] += 1
    return dict(counts)


def bochsrc_text(iso, serial_log, cpus, cpu_model=CPU_MODEL, log_vm_exits=False,
                 com2_log=None):
    """The configuration for one headless run booting `iso` from CD; with
    `log_vm_exits`, every CPU's debug messages (among them one per VM exit) go to
    Bochs' log; with `com2_log`, COM2 (a cell's own UART) writes into that file."""
    debug = ", ".join(["action=ignore"] + [f"cpu{n}=report" for n in range(cpus)])
    return "\n".join([
        f"romimage: file={BIOS_IMAGE}",
        f"vgaromimage: file={VGA_BIOS_IMAGE}",
        f"memory: guest={GUEST_MEMORY_MB}, host={GUEST_MEMORY_MB}",
        f"cpu: model={cpu_model}, count={cpus}, ips=50000000, reset_on_triple_fault=0",
        'display_library: rfb, options="timeout=0"',
        "sound: waveoutdrv=dummy, waveindrv=dummy, midioutdrv=dummy",
        "speaker: enabled=0",
        "mouse: enabled=0",
        f"com1: enabled=1, mode=file, dev={serial_log}",
        f"com2: enabled=1, mode=file, dev={com2_log}" if com2_log else "",
        "port_e9_hack: enabled=1",
        f"ata0-master: type=cdrom, path={iso}, status=inserted",
        "boot: cdrom",
        "clock: sync=none",
        "panic: action=fatal",
        "error: action=report",
        f"debug: {debug}" if log_vm_exits else "",
        "",
    ])


def run_bochs(iso, work_dir, timeout_s=120, cpus=2, echo=False, cpu_model=CPU_MODEL,
              log_vm_exits=False, com2=False) -> RunResult:
    """Boots `iso` in Bochs with `cpus` CPUs of `cpu_model`; returns the serial log as output.

    work_dir receives bochsrc, the debugger rc file, serial.log (COM1) and
    bochs.log (Bochs' own output); with `com2`, also com2.log (COM2, enabled).
    """
    bochs = shutil.which("bochs")
    if bochs is None:
        raise FileNotFoundError("bochs is not installed (apt-get install bochs bochsbios vgabios)")
    work = pathlib.Path(work_dir).resolve()
    work.mkdir(parents=True, exist_ok=True)
    serial_log = work / "serial.log"
    com2_log = work / "com2.log" if com2 else None
    for log in (serial_log, com2_log):
        if log and log.exists():
            log.unlink()
    bochsrc = work / "bochsrc"
    bochsrc.write_text(bochsrc_text(pathlib.Path(iso).resolve(), serial_log, cpus, cpu_model,
                                    log_vm_exits, com2_log))
    rc_file = work / "debugger.rc"
    rc_file.write_text("c\n")  # Debian's Bochs has the debugger built in: continue at once
    command = [bochs, "-q", "-f", str(bochsrc), "-rc", str(rc_file)]
    # run_emulator's stdin is /dev/null: the debugger then never waits for input.
    result = run_emulator(command, str(work / "bochs.log"), timeout_s, echo=echo,
                          cwd=str(work))
    result.output = serial_log.read_text(errors="replace") if serial_log.exists() else ""
    if echo and result.output:
        print(result.output, end="")
    return result
