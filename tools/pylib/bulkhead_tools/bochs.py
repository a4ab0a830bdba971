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
import subprocess
import threading

from bulkhead_tools import paths, systems
from bulkhead_tools.emulator import RunResult, run_emulator

BIOS_IMAGE = "/usr/share/bochs/BIOS-bochs-latest"
VGA_BIOS_IMAGE = "/usr/share/vgabios/vgabios.bin"
CPU_MODEL = "corei7_skylake_x"  # EPT, unrestricted guest, VPID; see docs/emulators.md
GUEST_MEMORY_MB = 256

# Every Linux booted in Bochs (cells and bare) saves its vector registers in XSAVE's standard
# format. Bochs 2.7 (Debian 12's) writes XSAVEC's and XSAVES's compacted area from the wrong
# offset: it counts the AVX component from the SSE registers' offset in the legacy region (160 +
# 256 = 416) where XRSTOR, and the SDM, start it at 576, so each later component also lands 160
# bytes early (fixed upstream after 2.7: "XSAVEC/XSAVEC: don't allow 'compaction' of SSE
# state"). A task's AVX/AVX-512 registers then come back wrong after a context switch: in the
# Linux cell's stress, new processes segfaulted in glibc's start-up (a variable of the TLS block
# it had just copied read back as 0). Linux uses XSAVES, else XSAVEC (with XRSTOR), for the
# compacted format; without both it uses XSAVEOPT and the standard format, which Bochs gets right.
# (Bare Linux without them turns XSAVE off, Bochs' leaf 0xD.1 size being wrong; with them it
# has AVX-512 like the cell: docs/emulators.md.)
LINUX_XSAVE_ARGS = "clearcpuid=xsaves,xsavec"


IPS = 50_000_000  # cpu: ips=: Bochs ticks per emulated second (docs/measuring.md)

# Bochs' own debug line for every VM exit it emulates (cpu/vmx.cc), e.g.
# "00268677025d[CPU1  ] VMEXIT reason = 31 (RDMSR) qualification=0x0".
_VM_EXIT_LINE = re.compile(r"\[CPU(\d+)\s*\] VMEXIT reason = (\d+) ")
# ... and for every interrupt or exception a CPU delivers through its IDT (cpu/exception.cc
# interrupt()), e.g. "00022900925d[CPU1  ] interrupt(): vector = 40, TYPE = 0, EXT = 1";
# TYPE 0 is an external interrupt (the LAPIC's).
_INTERRUPT_LINE = re.compile(r"\[CPU(\d+)\s*\] interrupt\(\): vector = ([0-9a-fA-F]+), "
                             r"TYPE = (\d+)")
EXTERNAL_INTERRUPT = 0


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


# Its line for an MSR access that exits, before the reason line: "VMEXIT: WRMSR 0x00000830".
_MSR_EXIT_LINE = re.compile(r"\[CPU(\d+)\s*\] VMEXIT: (RDMSR|WRMSR) (0x[0-9a-fA-F]+)")


def msr_exits_per_cpu(bochs_log, access, msr):
    """{Bochs CPU number: VM exits for `access` ("RDMSR" or "WRMSR") of `msr`}, from Bochs' own
    log as vm_exits_per_cpu reads it."""
    counts = collections.Counter()
    with open(bochs_log, errors="replace") as log:
        for line in log:
            m = _MSR_EXIT_LINE.search(line)
            if m and m.group(2) == access and int(m.group(3), 16) == msr:
                counts[int(m.group(1))] += 1
    return dict(counts)


def exit_free_stretches(bochs_log, cpu, vector):
    """Bochs' own account of CPU `cpu` between VM exits, from a run made with
    log_vm_exits=True: for each stretch between two consecutive VM exits (in the
    log's order), the external interrupts of `vector` the CPU took in it, as a
    list (most first). A witness of "N timer interrupts without an exit" that
    does not come from the hypervisor's counters."""
    stretches, current = [], None
    with open(bochs_log, errors="replace") as log:
        for line in log:
            m = _VM_EXIT_LINE.search(line)
            if m and int(m.group(1)) == cpu:
                if current is not None:
                    stretches.append(current)
                current = 0
                continue
            m = _INTERRUPT_LINE.search(line)
            if (m and current is not None and int(m.group(1)) == cpu
                    and int(m.group(2), 16) == vector and int(m.group(3)) == EXTERNAL_INTERRUPT):
                current += 1
    return sorted(stretches, reverse=True)


def first_exit_tick(bochs_log, cpu):
    """The Bochs tick of CPU `cpu`'s first VM exit (its cell's start-up), or None."""
    with open(bochs_log, errors="replace") as log:
        for line in log:
            m = _VM_EXIT_LINE.search(line)
            if m and int(m.group(1)) == cpu:
                return int(line[:line.index("[")].rstrip("defip"))
    return None


def vm_exit_reasons(bochs_log, cpu):
    """{VMX basic exit reason: count} of CPU `cpu` from a run made with log_vm_exits=True."""
    counts = collections.Counter()
    with open(bochs_log, errors="replace") as log:
        for line in log:
            m = _VM_EXIT_LINE.search(line)
            if m and int(m.group(1)) == cpu:
                counts[int(m.group(2))] += 1
    return dict(counts)


# Its last line when the hypervisor's power-off ends the run: "04540588245i[SIM   ] quit_sim ...".
_QUIT_LINE = re.compile(r"^(\d+)i\[SIM\s*\] quit_sim called", re.M)


def end_tick(bochs_log):
    """The Bochs tick at which the run ended (its power-off), or None; read it before
    keep_witness_lines drops that line."""
    m = _QUIT_LINE.search(pathlib.Path(bochs_log).read_text(errors="replace"))
    return int(m.group(1)) if m else None


def keep_witness_lines(bochs_log):
    """Rewrites a log made with log_vm_exits to its VM-exit, MSR-exit and interrupt lines only
    (what the functions above read): a CPU's debug messages run to ~14 MB per
    emulated second, the witness lines to a few hundred kB."""
    path = pathlib.Path(bochs_log)
    kept = path.with_suffix(".witness")
    with open(path, errors="replace") as src, open(kept, "w") as dst:
        for line in src:
            if (_VM_EXIT_LINE.search(line) or _INTERRUPT_LINE.search(line)
                    or _MSR_EXIT_LINE.search(line)):
                dst.write(line)
    kept.replace(path)


def bochsrc_text(iso, serial_log, cpus, cpu_model=CPU_MODEL, log_vm_exits=False,
                 com2_log=None):
    """The configuration for one headless run booting `iso` from CD; with
    `log_vm_exits`, every CPU's debug messages (among them one per VM exit and one
    per interrupt taken) go to Bochs' log; a collection of CPU numbers there limits that to
    those CPUs (a busy CPU's debug messages make megabytes per emulated second); with
    `com2_log`, COM2 (a cell's own UART) writes into that file."""
    logged = range(cpus) if log_vm_exits is True else log_vm_exits or ()
    debug = ", ".join(["action=ignore"] + [f"cpu{n}=report" for n in logged])
    return "\n".join([
        f"romimage: file={BIOS_IMAGE}",
        f"vgaromimage: file={VGA_BIOS_IMAGE}",
        f"memory: guest={GUEST_MEMORY_MB}, host={GUEST_MEMORY_MB}",
        f"cpu: model={cpu_model}, count={cpus}, ips={IPS}, reset_on_triple_fault=0",
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


def system_iso(dts, work_dir, x86_build, image_dirs=(), platform="bochs-x86",
               hypervisor="bulkhead.elf"):
    """A system description -> its system image (bhcfg, test cells plus `image_dirs`) -> a GRUB
    ISO in `work_dir` that boots `hypervisor` from the x86_64 build with the image as its
    multiboot2 module. Returns the ISO's path; bhcfg's refusal raises RuntimeError."""
    work = pathlib.Path(work_dir)
    name = pathlib.Path(dts).stem
    image = systems.build_system_image(
        dts, work / f"{name}.img", image_dirs=[systems.test_cell_dir("x86_64"), *image_dirs],
        platform=platform)
    iso = work / f"{name}.iso"
    subprocess.run([str(paths.REPO / "arch" / "x86" / "mkiso.sh"),
                    str(pathlib.Path(x86_build) / "arch" / "x86" / hypervisor), str(iso),
                    str(work / "iso-stage"), "--module", str(image)], check=True)
    return iso


def run_bochs_following(iso, work_dir, timeout_s, echo, cpus=2):
    """run_bochs with COM2 enabled, passing what COM1 (stream "hv") and COM2 (stream "linux")
    gain to echo(data, stream) while Bochs runs (both are files Bochs writes: a thread reads
    their new bytes every half second). The result also has .linux, COM2's text."""
    work = pathlib.Path(work_dir).resolve()
    logs = {"hv": work / "serial.log", "linux": work / "com2.log"}
    for log in logs.values():
        if log.exists():
            log.unlink()
    done = threading.Event()

    def follow():
        offsets = dict.fromkeys(logs, 0)
        while True:
            finished = done.is_set()
            for stream, log in logs.items():
                try:
                    with open(log, "rb") as f:
                        f.seek(offsets[stream])
                        data = f.read()
                except FileNotFoundError:
                    continue
                offsets[stream] += len(data)
                if data:
                    echo(data, stream)
            if finished:
                return
            done.wait(0.5)

    follower = threading.Thread(target=follow, daemon=True)
    follower.start()
    try:
        result = run_bochs(iso, work, timeout_s=timeout_s, cpus=cpus, com2=True)
    finally:
        done.set()
        follower.join()
    linux = logs["linux"].read_text(errors="replace") if logs["linux"].exists() else ""
    result.linux = linux.replace("\r\n", "\n")
    return result
