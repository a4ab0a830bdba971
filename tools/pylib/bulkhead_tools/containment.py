"""`./bulkhead containment`: the attack catalogue (docs/containment.md).

One QEMU boot of tests/containment/systems/containment.dts: the hostile cell
(guests/tests/hostile/) runs every case of its catalogue, then the seeded
hypercall fuzzer, then floods hypercalls until its victims have stopped,
while a realtime cell takes 100,000 timer interrupts and counts its own
hypervisor entries. Each case line says what the attacker saw and how many
hypervisor entries the realtime CPU took meanwhile (the hypervisor's own
counters); here each case gets its invariant, its documented answer and a
verdict. A case is contained when the attacker got the documented answer,
the realtime CPU took no entry while it ran, the hypervisor answered after
it, and the victims' end-of-run checks hold.
"""

import dataclasses
import json
import re
import struct
import sys

from . import paths, systems
from .qemu import run_arm64

SYSTEM = paths.REPO / "tests" / "containment" / "systems" / "containment.dts"
# The catalogue of a direct (realtime) attacker: a second, shorter boot.
DIRECT_SYSTEM = paths.REPO / "tests" / "containment" / "systems" / "containment-direct.dts"
# hostile_params.catalogue: the virtual attacker's catalogue, or the direct one's.
CATALOGUE, CATALOGUE_DIRECT = 1, 2
TIMEOUT_S = 120
HOSTILE_MAGIC = b"BH-HOSTILE-PARM\0"
DEFAULT_SEED = 1
DEFAULT_CALLS = 100_000
# The victim's whole run (guests/tests/meson.build: ticker-long).
TICKER_INTERRUPTS = 100_000
# The flood must keep the attacker busy for the victim's whole run.
FLOOD_MIN_CALLS = 1000

ABORT = r"fault \(data abort, ESR 0x960000[15]0, FAR 0x{:x}\)"
ANY_ABORT = r"fault \(data abort, ESR 0x960000\w\w, FAR 0x\w+\)"
UNDEF = r"fault \(undefined instruction, ESR 0x2000000, FAR 0x\w+\)"
IGNORED = r"before (0x\w+), wrote 0x\w+, read back \1"
READS_ZERO = r"before 0x0, wrote 0x\w+, read back 0x0"
SMCCC_NOT_SUPPORTED = r"returned -1"
EXECUTED = r"executed, no fault"
EFAULT = r"returned -14 \(bad address\)"
ENOENT = r"returned -2 \(no such object\)"
HV, TICKER, HELLO, OWN_END = 0x40200000, 0x60000000, 0x50000000, 0x71000000


@dataclasses.dataclass
class Case:
    id: str
    invariant: str
    cls: str
    attack: str
    expected: str  # regular expression of the documented answer
    # What the answer's numbers must satisfy beyond the expression (its match).
    holds: object = None


def case(id, invariant, cls, attack, expected, holds=None):
    return Case(id, invariant, cls, attack, expected, holds)


CASES = [
    # memory
    case("mem_foreign_ram_read", "I2", "memory", "read the realtime cell's RAM",
         ABORT.format(TICKER)),
    case("mem_foreign_ram_write", "I2", "memory", "write another cell's RAM",
         ABORT.format(HELLO)),
    case("mem_hypervisor_read", "I2", "memory", "read the hypervisor's image", ABORT.format(HV)),
    case("mem_hypervisor_write", "I2", "memory", "write the hypervisor's image",
         ABORT.format(HV + 0x1000)),
    case("mem_unassigned_write", "I2", "memory", "write memory no cell owns (flash at 0)",
         ABORT.format(0)),
    case("mem_foreign_uart", "I2", "memory", "read another cell's UART", ABORT.format(0x9000000)),
    case("mem_foreign_virtio", "I2", "memory", "read a device nobody was given",
         ABORT.format(0xa002e00)),
    case("mem_its_frame", "I2", "memory", "read the GIC ITS frame", ABORT.format(0x8080000)),
    case("mem_top_of_48bit_space", "I2", "memory", "read the last page of a 48-bit space",
         ANY_ABORT),
    case("mem_top_of_64bit_space", "I2", "memory", "read the last bytes of the 64-bit space",
         ANY_ABORT),
    case("mem_ldp_crossing_region_end", "I2", "memory",
         "pair load across the cell's last byte (no syndrome for the hypervisor)",
         ABORT.format(OWN_END)),
    case("mem_misaligned_crossing_region_end", "I2", "memory",
         "misaligned load across the cell's last byte", ABORT.format(OWN_END)),
    case("mem_exclusive_load_foreign", "I2", "memory", "exclusive load of foreign RAM",
         ABORT.format(TICKER)),
    case("mem_exclusive_load_gicd", "I3", "memory", "exclusive load of a trapped GICD page",
         ABORT.format(0x8000000)),
    case("mem_exclusive_store_gicd", "I3", "memory",
         "exclusive store to a trapped GICD page without a monitor",
         r"store status 1, no fault"),
    case("mem_pair_load_gicd", "I3", "memory", "pair load of a trapped GICD page",
         ABORT.format(0x8000100)),
    case("mem_dc_ivac_foreign", "I2", "memory",
         "invalidate foreign RAM by address (QEMU: no caches, a no-op)", EXECUTED + "|" + ANY_ABORT),
    case("mem_dc_civac_hypervisor", "I2", "memory",
         "clean+invalidate hypervisor RAM by address (QEMU: a no-op)", EXECUTED + "|" + ANY_ABORT),
    case("mem_dc_zva_foreign", "I2", "memory", "zero a block of foreign RAM (DC ZVA)",
         ABORT.format(HELLO)),
    # distributor
    case("gicd_isenabler_word_mixed", "I3", "gic",
         "enable INTIDs 64-95 at once (own 79 among foreign ones)",
         r"before 0x0, wrote 0xffffffff, read back 0x8000"),
    case("gicd_icenabler_word_foreign", "I3", "gic", "disable INTIDs 32-63 (hello's UART SPI 33)",
         READS_ZERO),
    case("gicd_isenabler_halfword_mixed", "I3", "gic", "halfword enable write, own and foreign",
         READS_ZERO),
    case("gicd_isenabler_byte_foreign", "I3", "gic", "byte enable write of foreign SPIs",
         READS_ZERO),
    case("gicd_ipriorityr_byte_foreign", "I3", "gic", "byte priority of foreign SPI 33",
         READS_ZERO),
    case("gicd_ipriorityr_byte_own", "I3", "gic", "byte priority of own SPI 79 (control)",
         r"before 0x\w+, wrote 0x20, read back 0x20"),
    case("gicd_ipriorityr_word_mixed", "I3", "gic", "word priority of SPIs 76-79 (79 own)",
         r"before 0x\w\w000000, wrote 0x40404040, read back 0x40000000"),
    case("gicd_ipriorityr_halfword_mixed", "I3", "gic", "halfword priority of SPIs 78-79",
         READS_ZERO),
    case("gicd_igroupr_foreign", "I3", "gic", "move foreign SPIs to Group 0 (FIQ)", IGNORED),
    case("gicd_igrpmodr_foreign", "I3", "gic", "make foreign SPIs Secure Group 1", READS_ZERO),
    case("gicd_icfgr_foreign", "I3", "gic", "make foreign SPIs edge-triggered", READS_ZERO),
    case("gicd_ispendr_foreign", "I3", "gic", "set foreign SPI 33 pending", READS_ZERO),
    case("gicd_isactiver_foreign", "I3", "gic", "set foreign SPI 33 active", READS_ZERO),
    case("gicd_icactiver_foreign", "I3", "gic", "clear foreign SPIs' active state", READS_ZERO),
    case("gicd_nsacr_foreign", "I3", "gic", "grant Non-secure access to foreign SPIs", READS_ZERO),
    case("gicd_sgir_broadcast", "I3", "gic", "legacy GICD_SGIR broadcast of SGI 15", READS_ZERO),
    case("gicd_typer_write", "I3", "gic", "write the read-only GICD_TYPER", IGNORED),
    case("gicd_ctlr_disable", "I3", "gic", "disable the distributor for everyone", IGNORED),
    case("gicd_irouter_foreign", "I3", "gic", "route foreign SPI 33 to the attacker", READS_ZERO),
    case("gicd_irouter_own_irm", "I3", "gic", "1-of-N routing (IRM) for own SPI 79", IGNORED),
    case("gicd_irouter_own_aff3", "I3", "gic", "Aff3 bits in own SPI 79's routing", IGNORED),
    case("gicd_irouter_own_foreign_cpu", "I3", "gic", "route own SPI 79 to the realtime CPU",
         IGNORED),
    case("gicd_beyond_frame", "I2", "gic", "read past the distributor's 64 KiB frame",
         ABORT.format(0x8010000)),
    # redistributors
    case("gicr_propbaser_hypervisor", "I2", "gic", "LPI property table in hypervisor RAM",
         READS_ZERO),
    case("gicr_pendbaser_hypervisor", "I2", "gic", "LPI pending table in hypervisor RAM",
         READS_ZERO),
    case("gicr_ctlr_enable_lpis", "I3", "gic", "enable LPIs in the own redistributor",
         READS_ZERO),
    case("gicr_foreign_waker_sleep", "I3", "gic", "put the realtime CPU's redistributor to sleep",
         ABORT.format(0x8100014)),
    case("gicr_foreign_disable_timer", "I3", "gic", "disable the realtime CPU's timer PPI",
         ABORT.format(0x8110180)),
    case("gicr_foreign_pend_sgi", "I3", "gic", "set an SGI pending on the realtime CPU",
         ABORT.format(0x8110200)),
    # SGIs
    case("sgi_foreign_target_list", "I3", "gic", "SGI 15 to every foreign CPU", EXECUTED),
    case("sgi_irm_all_but_self", "I3", "gic", "SGI 15 broadcast (IRM=1)", EXECUTED),
    case("sgi_hypervisor_kick_foreign", "I3", "gic", "the hypervisor's kick SGI 14 at foreign CPUs",
         EXECUTED),
    case("sgi_range_selector", "I3", "gic", "SGI to affinity range 1 (CPUs 16-31)", EXECUTED),
    case("sgi_other_affinity", "I3", "gic", "SGI to Aff3=1, Aff1=1 (no such CPUs)", EXECUTED),
    case("sgi_asgi1r", "I3", "gic", "Group 1 SGI for the other Security state", EXECUTED),
    case("sgi_sgi0r", "I3", "gic", "Group 0 SGI (FIQ) broadcast", EXECUTED),
    # CPUs and firmware
    case("psci_cpu_on_foreign", "I1", "cpu", "CPU_ON of the realtime CPU", r"returned -3"),
    case("psci_cpu_on_foreign_by_hvc", "I1", "cpu", "CPU_ON of another cell's CPU through HVC",
         r"returned -3"),
    case("psci_affinity_info_foreign", "I1", "cpu", "AFFINITY_INFO of the realtime CPU",
         r"returned -2"),
    case("psci_cpu_on_hypervisor_entry", "I2", "cpu", "own CPU started at the hypervisor's code",
         r"returned 0, cpu 1 faulted in this cell \(instruction abort\)"),
    case("psci_cpu_on_foreign_entry", "I2", "cpu", "own CPU started in the realtime cell's RAM",
         r"returned 0, cpu 1 faulted in this cell \(instruction abort\)"),
    case("psci_cpu_on_gicd_entry", "I2", "cpu", "own CPU started at the distributor's address",
         r"returned 0, cpu 1 faulted in this cell \(instruction abort\)"),
    case("psci_system_reset2", "I6", "cpu", "SYSTEM_RESET2 of the machine", SMCCC_NOT_SUPPORTED),
    case("psci_system_suspend", "I6", "cpu", "SYSTEM_SUSPEND resuming in the hypervisor",
         SMCCC_NOT_SUPPORTED),
    case("psci_mem_protect", "I6", "cpu", "MEM_PROTECT (firmware wipes RAM on reset)",
         SMCCC_NOT_SUPPORTED),
    case("psci_mem_protect_check_range", "I6", "cpu", "MEM_PROTECT_CHECK_RANGE of hypervisor RAM",
         SMCCC_NOT_SUPPORTED),
    case("psci_features_reset2", "I7", "cpu", "PSCI_FEATURES of SYSTEM_RESET2",
         SMCCC_NOT_SUPPORTED),
    case("smccc_version", "I7", "cpu", "SMCCC_VERSION", SMCCC_NOT_SUPPORTED),
    case("smccc_arch_features", "I7", "cpu", "SMCCC_ARCH_FEATURES of WORKAROUND_1",
         SMCCC_NOT_SUPPORTED),
    case("smccc_workaround_1", "I6", "cpu", "SMCCC_ARCH_WORKAROUND_1 (branch predictor)",
         SMCCC_NOT_SUPPORTED),
    case("smccc_workaround_2", "I6", "cpu", "SMCCC_ARCH_WORKAROUND_2 (SSBD off)",
         SMCCC_NOT_SUPPORTED),
    case("smccc_workaround_3", "I6", "cpu", "SMCCC_ARCH_WORKAROUND_3", SMCCC_NOT_SUPPORTED),
    case("smc_trusted_os", "I7", "cpu", "a Trusted OS call", SMCCC_NOT_SUPPORTED),
    case("hvc_oem_service", "I7", "cpu", "an OEM service call through HVC", SMCCC_NOT_SUPPORTED),
    case("psci_cpu_suspend_no_wakeup", "I6", "cpu",
         "CPU_SUSPEND with no wake-up source; the system must still stop",
         r"cpu 1 started \(0\), suspended"),
    # system registers
    case("sysreg_dc_cisw_storm", "I4", "sysreg", "10,000 clean+invalidate by set/way", EXECUTED),
    case("sysreg_tlbi_storm", "I4", "sysreg", "10,000 broadcast TLB invalidations", EXECUTED),
    case("sysreg_cntvoff_el2", "I2", "sysreg", "write the virtual counter offset (EL2)", UNDEF),
    case("sysreg_cnthctl_el2", "I2", "sysreg", "write the EL2 timer control", UNDEF),
    case("sysreg_cnthp_ctl_el2", "I2", "sysreg", "stop the hypervisor's timer", UNDEF),
    case("sysreg_hcr_el2_read", "I2", "sysreg", "read HCR_EL2", UNDEF),
    case("sysreg_vbar_el2", "I2", "sysreg", "move the hypervisor's vectors", UNDEF),
    case("pmu_count_el2_cycles", "I5", "sysreg",
         "cycle counter filtered to EL2 over 100 hypercalls (a channel into the hypervisor)",
         r"pmccfiltr read back 0x0, el2 cycles over 100 hypercalls: 0"),
    case("debug_breakpoint_control", "I2", "sysreg", "breakpoint on own code (control)",
         r"fault \(breakpoint, .*\)"),
    case("debug_watchpoint_control", "I2", "sysreg", "watchpoint on own data (control)",
         r"fault \(watchpoint, .*\)"),
    case("debug_hypervisor_addresses", "I2", "sysreg",
         "breakpoint and watchpoint at hypervisor addresses, then hypercalls",
         r"no debug exception, 0 of 100 hypercalls failed"),
    # hypercalls
    case("hc_every_number_wild_pointers", "I7", "hypercall",
         "every number 0-255 with hypervisor addresses as arguments (7, a restart, refused: "
         "the attacker is no manager)",
         r"1:-7 2:-2 3:-2 4:-2 5:0 7:-1 others:-38 x249"),
    case("hc_console_foreign", "I7", "hypercall", "console write from foreign RAM", EFAULT),
    case("hc_console_hypervisor", "I7", "hypercall", "console write from hypervisor RAM", EFAULT),
    case("hc_console_wrapping", "I7", "hypercall", "console buffer wrapping past 2^64", EFAULT),
    case("hc_console_crossing_region_end", "I7", "hypercall",
         "console buffer crossing the cell's last byte", EFAULT),
    case("hc_console_too_long", "I7", "hypercall", "console write of 257 bytes",
         r"returned -7 \(too large\)"),
    case("hc_console_page_crossing_control", "I7", "hypercall",
         "console buffer crossing a page inside the cell (control)", r"returned 15"),
    case("hc_console_buffer_rewritten_during_call", "I7", "hypercall",
         "console writes of a buffer the cell's other CPU rewrites meanwhile (letters and ESC)",
         r"cpu 1 started \(0\), returned 48 for 200 of 200 calls while it flipped the buffer "
         r"[1-9]\d* times, cpu 1 off again: yes"),
    case("hc_cell_info_hypervisor_buffer", "I7", "hypercall", "cell info into hypervisor RAM",
         EFAULT),
    case("hc_cell_info_wrapping_buffer", "I7", "hypercall", "cell info buffer wrapping past 2^64",
         EFAULT),
    case("hc_cell_info_huge_size", "I7", "hypercall", "cell info with size 2^64-1",
         r"returned 0, 0 byte\(s\) past the record changed"),
    case("hc_cell_info_id_high_bits", "I7", "hypercall", "cell id 0x1_0000_0001 (truncation)",
         ENOENT),
    case("hc_cpu_stats_cpu_high_bits", "I7", "hypercall", "cpu 0x1_0000_0003 (truncation)",
         ENOENT),
    case("hc_cpu_stats_foreign_buffer", "I7", "hypercall", "cpu stats into foreign RAM", EFAULT),
    case("hc_cpu_stats_crossing_region_end", "I7", "hypercall",
         "cpu stats buffer crossing the cell's last byte", EFAULT),
    case("hc_doorbell_not_a_channel", "I3", "hypercall", "doorbell of a cell with no channel",
         ENOENT),
    case("hc_doorbell_huge_index", "I3", "hypercall", "doorbell index 2^64-1", ENOENT),
    case("hc_mailbox_ack_unasked", "I7", "hypercall", "mailbox ack with nothing asked",
         r"returned 0"),
    case("hc_function_upper_bits", "I7", "hypercall", "function id with the upper 32 bits set",
         r"returned -38 \(not implemented\)"),
    # floods
    case("flood_stage2_faults", "I4", "flood", "10,000 stage-2 faults",
         r"10000 of 10000 reads faulted"),
    case("flood_gicd_traps", "I4", "flood", "10,000 trapped distributor writes",
         r"10000 distributor writes done"),
    case("flood_foreign_sgis", "I3", "flood", "10,000 SGIs at foreign CPUs",
         r"10000 sgi writes done"),
    case("flood_own_interrupts", "I4", "flood", "2,000 interrupts of the attacker's own device",
         r"2000 of 2000 interrupts taken"),
]


# A direct attacker's storm at the virtual victim's CPU: "+N entries over P of its
# timer periods", where each period may cost the victim one entry of its own.
STORM = r"10000 SGI {} writes; victim cpu 2: \+(\d+) entries over (\d+) of its timer periods"


def costs_nothing(m):
    return int(m.group(1)) <= int(m.group(2))


def costs_at_most_one_entry_each(m):
    return int(m.group(1)) <= int(m.group(2)) + 10000


DIRECT_CASES = [
    case("direct_console_buffer_in_channel_rewritten_by_peer", "I7", "hypercall",
         "console writes of a buffer in a channel that the peer cell rewrites meanwhile",
         r"returned 48 for 200 of 200 calls while the peer cell flipped the buffer [1-9]\d* times"),
    case("direct_gicr_own_sgi_frame_control", "I3", "gic",
         "read its own CPU's redistributor SGI frame, mapped for a direct cell (control)",
         r"read 0x\w+, no fault"),
    case("direct_gicr_foreign_sgi_frame", "I3", "gic",
         "set an SGI pending in the direct victim's redistributor SGI frame",
         ABORT.format(0x8110200)),
    case("direct_gicr_virtual_victim_sgi_frame", "I3", "gic",
         "read the virtual victim's redistributor SGI frame", ABORT.format(0x80f0100)),
    case("direct_gicr_foreign_waker_sleep", "I3", "gic",
         "put the direct victim's redistributor to sleep", ABORT.format(0x8100014)),
    case("direct_gicd_foreign_spi_disable", "I3", "gic",
         "disable the virtual victim's SPI 79 through the distributor", READS_ZERO),
    case("direct_dir_foreign_spi", "I3", "gic",
         "ICC_DIR_EL1 of the virtual victim's SPI 79 (trapped by TDIR, refused)", EXECUTED),
    case("direct_sgi15_storm_at_virtual_cpu", "I3", "gic",
         "10,000 SGI 15 at a virtual cell's CPU (disabled in its redistributor: no entry)",
         STORM.format(15), costs_nothing),
    case("direct_sgi0_storm_at_virtual_cpu", "I3", "gic",
         "10,000 SGI 0 at a virtual cell's CPU (no entry)", STORM.format(0), costs_nothing),
    case("direct_kick_sgi_storm_at_virtual_cpu", "I6", "flood",
         "10,000 of the hypervisor's kick SGI 14 at a virtual cell's CPU (at most one entry "
         "each)", STORM.format(14), costs_at_most_one_entry_each),
    case("direct_sgis_at_direct_victim", "I3", "gic",
         "1,000 each of SGIs 15, 0 and 7 at the direct victim (documented trust: delivered, "
         "no entry; 0 and 7 are not enabled)", r"3000 sgi writes done \(SGI 15, 0, 7\)"),
]
DIRECT_SGIS_PER_INTID = 1000


@dataclasses.dataclass
class Row:
    id: str
    invariant: str
    cls: str
    attack: str
    attacker: str
    victims: str
    verdict: str


def patched_hostile(run_dir, seed, calls, catalogue):
    """hostile.bin asked to run the catalogue (if `catalogue`) and `calls` fuzzer
    calls from `seed` (struct hostile_params, guests/tests/hostile/hostile.h)."""
    src = systems.test_cell_dir() / "hostile.bin"
    data = bytearray(src.read_bytes())
    at = data.find(HOSTILE_MAGIC)
    if at < 0:
        raise RuntimeError(f"{src}: no hostile_params (magic {HOSTILE_MAGIC!r})")
    struct.pack_into("<QQQ", data, at + len(HOSTILE_MAGIC), seed, calls, catalogue)
    images = run_dir / "images"
    images.mkdir(parents=True, exist_ok=True)
    (images / "hostile.bin").write_bytes(data)
    return images


def boot(run_dir, seed=DEFAULT_SEED, calls=DEFAULT_CALLS, catalogue=CATALOGUE, system=SYSTEM):
    """Boots the catalogue's system once; returns the emulator result."""
    run_dir.mkdir(parents=True, exist_ok=True)
    images = patched_hostile(run_dir, seed, calls, catalogue)
    image = systems.build_system_image(system, run_dir / "containment.img",
                                       image_dirs=[images, systems.test_cell_dir()])
    return run_arm64(paths.arm64_hv_image(), run_dir / "containment.log", timeout_s=TIMEOUT_S,
                     initrd=image)


def boot_direct(run_dir):
    """Boots the direct attacker's system once (no fuzzing); returns the emulator result."""
    return boot(run_dir, 0, 0, CATALOGUE_DIRECT, DIRECT_SYSTEM)


def judge_direct(output):
    """Rows for every case of the direct attacker and its victims' checks."""
    rows, _, checks = judge(output, DIRECT_CASES, direct_victim_checks)
    return rows, checks


def case_lines(output):
    """id -> (attacker's result, realtime entries or None)."""
    found = {}
    for m in re.finditer(r"^\[hostile\] hostile: case (\w+): (.*?) \[rt_entries=(\w+)\]$",
                         output, re.M):
        found[m.group(1)] = (m.group(2), int(m.group(3)) if m.group(3).isdigit() else None)
    return found


def fuzz_summary(output):
    m = re.search(r"^\[hostile\] hostile: fuzz: seed (\d+) calls (\d+): (.*) faults=(\d+) "
                  r"first_bad=\"(.*)\" \[rt_entries=(\w+)\]$", output, re.M)
    if not m:
        return None
    kinds = dict(kv.split("=") for kv in m.group(3).split())
    return {"seed": int(m.group(1)), "calls": int(m.group(2)),
            "results": {k: int(v) for k, v in kinds.items()}, "faults": int(m.group(4)),
            "first_bad": m.group(5),
            "rt_entries": int(m.group(6)) if m.group(6).isdigit() else None}


def ticker_line(output, cell):
    """A ticker's end of run: (interrupts, window entries, sgi15, spurious, unexpected)."""
    m = re.search(rf"^\[{cell}\] ticker: interrupts=(\d+) window_entries=(\d+) .*"
                  r"sgi15=(\d+) doorbells=\d+ spurious=(\d+) unexpected=(\d+)$", output, re.M)
    return tuple(map(int, m.groups())) if m else None


def attacker_end_checks(output):
    """The attacker's and the hypervisor's end of run, the same in both boots."""
    checks = []
    flood = re.search(r"hypercall flood until the other cells stopped: (\d+) calls", output)
    checks.append(("attacker flooded hypercalls for the victims' whole run",
                   bool(flood) and int(flood.group(1)) > FLOOD_MIN_CALLS,
                   f"{flood.group(1) if flood else 0} calls"))
    checks.append(("attacker stopped normally", 'hv: cell "hostile" stopped (exit code 0)' in output,
                   "exit code 0"))
    checks.append(("no unexpected exception anywhere", "unexpected" not in
                   re.sub(r"unexpected=0", "", output), ""))
    # Cells' console text is copied once and cleaned (hypercall.c); a control
    # byte here would have come from a buffer re-read after the cleaning.
    stray = re.search(r"^\[\w+\] .*?[\x00-\x08\x0b\x0c\x0e-\x1f]", output, re.M)
    checks.append(("no control byte from a cell reached the console", stray is None,
                   repr(stray.group(0)) if stray else ""))
    checks.append(("hypervisor powered off normally", output.rstrip().endswith("BULKHEAD: PASS"),
                   "BULKHEAD: PASS"))
    return checks


def ticker_checks(output, cell, who, sgis_ok, sgis_expected, direct=True):
    """A ticker victim's end of run: every interrupt taken, no hypervisor entry in its window
    (a direct one), and `sgis_ok(sgi15, unexpected)`, described by `sgis_expected`."""
    ticker = ticker_line(output, cell)
    if not ticker:
        return [(f"{who} reported", False, f"no {cell} result line")], None
    irqs, entries, sgi15, spurious, unexpected = ticker
    checks = [(f"{who} took every interrupt", irqs == TICKER_INTERRUPTS,
               f"{irqs} of {TICKER_INTERRUPTS}")]
    if direct:
        checks.append((f"{who}: no hypervisor entry in its window", entries == 0,
                       f"window_entries={entries}"))
    checks.append((f"{who}: {sgis_expected}", sgis_ok(sgi15, unexpected),
                   f"sgi15={sgi15} unexpected={unexpected} spurious={spurious}"))
    return checks, ticker


def no_sgi(sgi15, unexpected):
    return sgi15 == 0 and unexpected == 0


def victim_checks(output):
    """The victims' and the hypervisor's end of run: (name, ok, detail) each."""
    checks, _ = ticker_checks(output, "ticker", "realtime cell", no_sgi,
                              "no foreign SGI arrived")
    checks.append(("hello finished normally", "[hello] hello: done, exit 0" in output,
                   "hello: done, exit 0"))
    return checks + attacker_end_checks(output)


def direct_victim_checks(output):
    """The direct attacker's boot: its victims' and the hypervisor's end of run."""
    # Documented trust (docs/design.md, "SGIs from a direct cell"): the forged SGI 15
    # arrives, coalesced; SGIs 0 and 7, which it never enabled, do nothing.
    checks, _ = ticker_checks(
        output, "ticker", "direct victim",
        lambda sgi15, unexpected: 1 <= sgi15 <= DIRECT_SGIS_PER_INTID and unexpected == 0,
        "forged SGI 15 delivered (trusted), 0 and 7 without effect")
    virtual, vticker = ticker_checks(output, "vticker", "virtual victim", no_sgi,
                                     "no forged SGI injected", direct=False)
    checks += virtual
    if vticker:
        irqs, entries = vticker[:2]
        # Its own timer costs one entry per interrupt; of the attacker's 30,000 SGIs only
        # the 10,000 kicks (SGI 14) can add any, at most one each (docs/design.md).
        checks.append(("virtual victim: the attacker's SGIs cost it at most one entry per kick",
                       irqs <= entries <= irqs + 10000,
                       f"window_entries={entries} for {irqs} timer interrupts"))
    checks.append(("the peer stopped when asked", 'hv: cell "peer" stopped (exit code 0)' in output,
                   "exit code 0"))
    refused = 'hv: cell "hostile" cpu 0: ICC_DIR_EL1 write of INTID 79 refused' in output
    checks.append(("the attacker's ICC_DIR_EL1 of the victim's SPI was refused", refused,
                   "INTID 79"))
    return checks + attacker_end_checks(output)


def judge(output, cases=None, victims=victim_checks):
    """Rows for every catalogue case, the fuzz summary and the victims' checks."""
    cases = CASES if cases is None else cases
    output = output.replace("\r\n", "\n")  # the UART's line ends, when no cell owns it
    found = case_lines(output)
    checks = victims(output)
    victims_ok = all(ok for _, ok, _ in checks)
    rows = []
    for c in cases:
        if c.id not in found:
            rows.append(Row(c.id, c.invariant, c.cls, c.attack, "(no result line)",
                            "hypervisor or attacker stopped answering", "NOT RUN"))
            continue
        attacker, entries = found[c.id]
        m = re.fullmatch(c.expected, attacker)
        answered = m is not None and (c.holds is None or c.holds(m))
        quiet = entries == 0
        victims = (f"rt cpu +{entries} entries" if entries is not None else "rt cpu unknown")
        victims += ", victims ok" if victims_ok else ", VICTIM CHECK FAILED"
        verdict = "contained" if answered and quiet and victims_ok else "BREACH"
        if not answered:
            attacker += f"  (documented: /{c.expected}/)"
        rows.append(Row(c.id, c.invariant, c.cls, c.attack, attacker, victims, verdict))
    unlisted = sorted(set(found) - {c.id for c in cases})
    for id in unlisted:
        rows.append(Row(id, "?", "?", "not in the host's catalogue", found[id][0], "", "UNKNOWN"))
    return rows, fuzz_summary(output), checks


def fuzz_ok(fuzz):
    return (fuzz is not None and fuzz["faults"] == 0 and fuzz["results"].get("unexpected") == 0
            and fuzz["rt_entries"] == 0)


def table(rows):
    head = ("case", "invariant", "attacker's result", "victims' result", "verdict")
    lines = [(r.id, r.invariant, r.attacker, r.victims, r.verdict) for r in rows]
    widths = [max(len(h), *(len(l[i]) for l in lines)) if lines else len(h)
              for i, h in enumerate(head)]
    widths[2] = min(widths[2], 70)
    fmt = "  ".join(f"{{:{w}.{w}}}" if i == 2 else f"{{:{w}}}" for i, w in enumerate(widths))
    out = [fmt.format(*head), fmt.format(*("-" * w for w in widths))]
    out += [fmt.format(*l) for l in lines]
    return "\n".join(out)


def markdown(rows, fuzz, checks, log):
    esc = lambda s: s.replace("|", "\\|")
    out = ["# Bulkhead containment report", "",
           f"Systems: `{SYSTEM.relative_to(paths.REPO)}` (log `{log.name}`) and, for the direct "
           f"attacker's cases, `{DIRECT_SYSTEM.relative_to(paths.REPO)}` (log "
           f"`direct/{log.name}`), on qemu-arm64.", "",
           f"{sum(r.verdict == 'contained' for r in rows)} of {len(rows)} cases contained.", "",
           "| case | invariant | class | attack | attacker's result | victims' result | verdict |",
           "|---|---|---|---|---|---|---|"]
    out += [f"| `{r.id}` | {r.invariant} | {r.cls} | {esc(r.attack)} | {esc(r.attacker)} | "
            f"{esc(r.victims)} | {r.verdict} |" for r in rows]
    out += ["", "## Victims and hypervisor at the end of the run", ""]
    out += [f"- {'ok' if ok else 'FAILED'}: {name} ({detail})" for name, ok, detail in checks]
    out += ["", "## Hypercall fuzzing", ""]
    if fuzz:
        out.append(f"Seed {fuzz['seed']}, {fuzz['calls']} calls: "
                   + ", ".join(f"{k} {v}" for k, v in fuzz["results"].items())
                   + f"; {fuzz['faults']} faults; realtime CPU +{fuzz['rt_entries']} entries; "
                   f"first bad: {fuzz['first_bad']}. Verdict: "
                   f"{'contained' if fuzz_ok(fuzz) else 'BREACH'}.")
    else:
        out.append("No fuzz summary line: the run did not get that far.")
    return "\n".join(out) + "\n"


def report_dir():
    path = paths.build_root() / "containment"
    path.mkdir(parents=True, exist_ok=True)
    return path


def main(report=False, seed=DEFAULT_SEED, calls=DEFAULT_CALLS):
    run_dir = report_dir()
    print(f"containment: booting {SYSTEM.name} ({len(CASES)} cases, fuzz seed {seed}, "
          f"{calls} calls; log {run_dir / 'containment.log'})", flush=True)
    result = boot(run_dir, seed, calls)
    if result.timed_out:
        print(f"containment: no end of run within {TIMEOUT_S} s", file=sys.stderr)
    rows, fuzz, checks = judge(result.output)
    print(f"containment: booting {DIRECT_SYSTEM.name} ({len(DIRECT_CASES)} cases of a direct "
          f"attacker; log {run_dir / 'direct' / 'containment.log'})", flush=True)
    direct = boot_direct(run_dir / "direct")
    if direct.timed_out:
        print(f"containment: no end of the direct run within {TIMEOUT_S} s", file=sys.stderr)
    direct_rows, direct_checks = judge_direct(direct.output)
    rows += direct_rows
    checks += [(f"direct attacker's run: {n}", o, d) for n, o, d in direct_checks]
    print(table(rows))
    for name, ok, detail in checks:
        print(f"victims: {'ok    ' if ok else 'FAILED'} {name} ({detail})")
    if fuzz:
        print(f"fuzz: seed {fuzz['seed']}, {fuzz['calls']} calls, {fuzz['faults']} faults, "
              f"{fuzz['results'].get('unexpected')} unexpected answers, realtime CPU "
              f"+{fuzz['rt_entries']} entries: {'contained' if fuzz_ok(fuzz) else 'BREACH'}")
    contained = sum(r.verdict == "contained" for r in rows)
    ok = (contained == len(rows) and fuzz_ok(fuzz) and all(c[1] for c in checks)
          and not result.timed_out and not direct.timed_out)
    print(f"containment: {contained} of {len(rows)} cases contained"
          f"{'' if ok else '; FAILED'}")
    if report:
        (run_dir / "report.md").write_text(markdown(rows, fuzz, checks,
                                                    run_dir / "containment.log"))
        (run_dir / "report.json").write_text(json.dumps({
            "system": str(SYSTEM.relative_to(paths.REPO)),
            "direct_system": str(DIRECT_SYSTEM.relative_to(paths.REPO)), "platform": "qemu-arm64",
            "cases": [dataclasses.asdict(r) for r in rows], "fuzz": fuzz,
            "victims": [{"check": n, "ok": o, "detail": d} for n, o, d in checks],
            "contained": contained, "total": len(rows), "ok": ok}, indent=2) + "\n")
        print(f"containment: report in {run_dir / 'report.md'} and {run_dir / 'report.json'}")
    return 0 if ok else 1


def fuzz_main(seed, calls):
    """`./bulkhead fuzz --hypercalls`: one seeded in-cell fuzzing run, victims checked."""
    run_dir = report_dir() / f"fuzz-{seed}"
    result = boot(run_dir, seed, calls, catalogue=0)
    fuzz = fuzz_summary(result.output)
    checks = victim_checks(result.output)
    for name, ok, detail in checks:
        print(f"fuzz: victims: {'ok    ' if ok else 'FAILED'} {name} ({detail})")
    if not fuzz:
        print("fuzz: hypercalls: no summary line (log "
              f"{run_dir / 'containment.log'})", file=sys.stderr)
        return 1
    print(f"fuzz: hypercalls from a cell: seed {seed}, {fuzz['calls']} calls: "
          + " ".join(f"{k}={v}" for k, v in fuzz["results"].items())
          + f" faults={fuzz['faults']} rt_entries={fuzz['rt_entries']} "
          f"first_bad={fuzz['first_bad']}: {'OK' if fuzz_ok(fuzz) else 'FAILED'}")
    return 0 if fuzz_ok(fuzz) and all(c[1] for c in checks) else 1
