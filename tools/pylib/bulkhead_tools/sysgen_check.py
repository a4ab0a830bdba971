"""Verdicts on generated systems (sysgen.py), shared by the tests and
`bulkhead fuzz --generated`:

- boot_problems: a generated system, built by bhcfg and booted, must have
  every cell reach its entry, list exactly its regions and channels in its
  boot info, and finish;
- mutation_problems: a one-defect mutation that bhcfg accepts (and the
  generated system itself) must still isolate. Two oracles, both written from
  the invariants (docs/design.md, I2 and I3), not from the validator, so they
  can disagree with it:
  - isolation_breaches reads bhcfg's dump of the binary config it would ship;
  - stage2_breaches reads the stage-2 tables the hypervisor's own builder
    makes from that config (tests/s2dump, walked descriptor by descriptor)
    and checks them against the dump: every mapped host range is the cell's
    own and nobody else's, and the walked set is exactly the described one.
"""

import re
import subprocess
from pathlib import Path

from . import paths, sysgen, systems
from .qemu import run_arm64

BOOT_TIMEOUT_S = 60
# QEMU virt's interrupt controller frames: never a cell's (the hypervisor owns them).
HYPERVISOR_OWNED = [(0x8000000, 0x10000, "GIC distributor"), (0x8080000, 0x20000, "GIC ITS"),
                    (0x80a0000, 0xf60000, "GIC redistributors")]
# The arm64 stage-2 output size the hypervisor configures: nothing may lie above it.
PHYS_LIMIT = 1 << 48
# What s2dump is told about the machine: the platform DTB's cortex-a72 has a 44-bit
# PARange (the hypervisor's stage-2 size), CPUs 0-3, GICv3 redistributors at
# 0x80a0000, one 128 KiB frame pair per CPU in CPU order (QEMU virt).
S2_PA_BITS = 44
GICR_BASE, GICR_STRIDE, SGI_FRAME = 0x80a0000, 0x20000, 0x10000
S2_ARGS = ["--pa-bits", str(S2_PA_BITS), "--cpus", "0,1,2,3",
           "--gicr", f"0x{GICR_BASE:x},0xf60000,0x{GICR_STRIDE:x}"]

REGION = re.compile(r"^  region \d+: guest 0x([0-9a-f]+) host 0x([0-9a-f]+) size 0x([0-9a-f]+) "
                    r"(\S+)(?: channel \"([^\"]+)\")?")
DEVICE = re.compile(r"^  device \"[^\"]*\": mmio 0x([0-9a-f]+) \+0x([0-9a-f]+)")
CELL = re.compile(r"^cell \d+ \"([^\"]+)\"(.*?)(?:, cpus (.*))?$")
HV = re.compile(r"^(hypervisor memory|loader area): \[0x([0-9a-f]+), \+0x([0-9a-f]+)\)")
BOOT_REGION = re.compile(r"region \d+: \[0x([0-9a-f]+), \+0x([0-9a-f]+)\)")
BOOT_CHANNEL = re.compile(r"channel \d+: \S+ \[0x([0-9a-f]+), \+0x([0-9a-f]+)\)")


def _overlap(a, a_size, b, b_size):
    return a < b + b_size and b < a + a_size


def cell_lines(output, cell):
    return [line[len(cell) + 3:] for line in output.splitlines() if line.startswith(f"[{cell}] ")]


def hostile_attempts(output, cell="hostile"):
    """The hostile test cells' reports, "<cell>: <attempt>: <result>": attempt -> result."""
    found = {}
    for m in re.finditer(rf"^\[{cell}\] {cell}: (.+?): (.+)$", output, re.M):
        found[m.group(1)] = m.group(2)
    return found


def _listed(pattern, lines):
    return [(int(m.group(1), 16), int(m.group(2), 16))
            for m in (pattern.match(line) for line in lines) if m]


def boot_problems(seed, log_dir):
    """Builds and boots generated system `seed`; returns what went wrong (empty: nothing)."""
    system = sysgen.generate(seed)
    dts = log_dir / f"generated-{seed}.dts"
    dts.write_text(sysgen.to_dts(system))
    try:
        image = systems.build_system_image(dts, log_dir / f"generated-{seed}.img",
                                           image_dirs=[systems.test_cell_dir()])
    except RuntimeError as e:
        return [f"seed {seed}: a valid description was refused: {e}"]
    result = run_arm64(paths.arm64_hv_image(), log_dir / f"generated-{seed}.log",
                       timeout_s=BOOT_TIMEOUT_S, initrd=image)
    if result.returncode != 0:
        return [f"seed {seed}: the run failed: {result.describe()}"]
    problems = []
    for cell in system.cells:
        lines = cell_lines(result.output, cell.name)
        program = "ticker" if cell.name == "ticker" else "hello"
        if f"{program}: done, exit 0" not in lines:
            problems.append(f"seed {seed}: cell {cell.name} did not finish its program")
            continue
        if program != "hello":
            continue
        own = [(r.guest, r.size) for r in cell.regions]
        shared = [(ep.guest, ch.size) for ch in system.channels for ep in ch.endpoints
                  if ep.cell == cell.name]
        # Channel mappings are regions too, after the cell's own (bhcfg's order).
        if _listed(BOOT_REGION, lines) != own + shared:
            problems.append(f"seed {seed}: cell {cell.name} boot info regions "
                            f"{_listed(BOOT_REGION, lines)}, described {own + shared}")
        if _listed(BOOT_CHANNEL, lines) != shared:
            problems.append(f"seed {seed}: cell {cell.name} boot info channels "
                            f"{_listed(BOOT_CHANNEL, lines)}, described {shared}")
    return problems


def parse_dump(text):
    """{cell: {"regions": [(host, size, flags, channel)], "devices": [(base, size)]}}, hv ranges."""
    cells, hv, cell = {}, [], None
    for line in text.splitlines():
        if m := CELL.match(line):
            cell = cells.setdefault(m.group(1), {"regions": [], "devices": [], "mapped": []})
            cell["realtime"] = ", realtime" in m.group(2)
            cell["cpus"] = [int(c) for c in (m.group(3) or "").replace("(boot)", "").split()]
        elif m := HV.match(line):
            hv.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1)))
        elif (m := REGION.match(line)) and cell is not None:
            cell["regions"].append((int(m.group(2), 16), int(m.group(3), 16), m.group(4),
                                    m.group(5)))
            cell["mapped"].append((int(m.group(1), 16), int(m.group(2), 16),
                                   int(m.group(3), 16), m.group(4)))
        elif (m := DEVICE.match(line)) and cell is not None:
            cell["devices"].append((int(m.group(1), 16), int(m.group(2), 16)))
    return cells, hv


def isolation_breaches(dump_text):
    """What in bhcfg's dump of a binary config breaks I2/I3 (empty: nothing)."""
    cells, hv = parse_dump(dump_text)
    breaches, ranges = [], []   # ranges: (base, size, cell, channel or None)
    for name, cell in cells.items():
        for host, size, flags, channel in cell["regions"]:
            if "hv-status" not in flags:
                ranges.append((host, size, name, channel))
        for base, size in cell["devices"]:
            ranges.append((base, size, name, None))
            for owned, owned_size, what in HYPERVISOR_OWNED:
                if _overlap(base, size, owned, owned_size):
                    breaches.append(f"cell {name}: device [0x{base:x}, +0x{size:x}) "
                                    f"reaches the {what}")
    for base, size, name, _ in ranges:
        if base + size > PHYS_LIMIT:
            breaches.append(f"cell {name}: [0x{base:x}, +0x{size:x}) lies beyond the "
                            "48-bit stage-2 output")
        for hv_base, hv_size, what in hv:
            if _overlap(base, size, hv_base, hv_size):
                breaches.append(f"cell {name}: [0x{base:x}, +0x{size:x}) reaches the {what}")
    for i, (a, a_size, a_cell, a_ch) in enumerate(ranges):
        for b, b_size, b_cell, b_ch in ranges[:i]:
            if a_cell != b_cell and _overlap(a, a_size, b, b_size) and not (a_ch and a_ch == b_ch):
                breaches.append(f"cells {a_cell} and {b_cell} share memory at "
                                f"0x{max(a, b):x}")
    return breaches


S2_MAP = re.compile(r"^cell (\S+): ipa 0x([0-9a-f]+) -> pa 0x([0-9a-f]+) size 0x([0-9a-f]+) "
                    r"perms (.+)$")
S2_STATUS = re.compile(r"^status page: pa 0x([0-9a-f]+) size 0x([0-9a-f]+)")


def parse_s2dump(text):
    """s2dump's output as ([(cell, ipa, pa, size, attrs)], (status pa, size) or None)."""
    maps, status = [], None
    for line in text.splitlines():
        if m := S2_MAP.match(line):
            maps.append((m.group(1), int(m.group(2), 16), int(m.group(3), 16),
                         int(m.group(4), 16), m.group(5)))
        elif m := S2_STATUS.match(line):
            status = (int(m.group(1), 16), int(m.group(2), 16))
    return maps, status


def _merged(maps):
    """Sorted, with runs contiguous in both ipa and pa and equal in attrs joined:
    the one form both sides are compared in."""
    out = []
    for cell, ipa, pa, size, attrs in sorted(maps):
        if out:
            c, i, p, sz, a = out[-1]
            if c == cell and i + sz == ipa and p + sz == pa and a == attrs:
                out[-1] = (c, i, p, sz + size, a)
                continue
        out.append((cell, ipa, pa, size, attrs))
    return out


def _region_attrs(flags):
    """What stage2.c must make of BH_MEM_* flags (docs/design.md, I2): device
    memory is never executable."""
    device = "device" in flags.split(",")
    return (("r" if "read" in flags else "-") + ("w" if "write" in flags else "-")
            + ("x" if "exec" in flags and not device else "-")
            + (" device" if device else " normal"))


def _sgi_frames(cell):
    """A direct cell's own CPUs' redistributor SGI/PPI frames (cell_arch.c)."""
    if not cell.get("realtime"):
        return []
    return [(GICR_BASE + GICR_STRIDE * cpu + SGI_FRAME, SGI_FRAME) for cpu in cell["cpus"]]


def described_mappings(dump_text, status):
    """Every mapping the description asks for, in s2dump's terms."""
    cells, _ = parse_dump(dump_text)
    maps = []
    for name, cell in cells.items():
        for guest, host, size, flags in cell["mapped"]:
            if "hv-status" in flags.split(","):
                maps.append((name, guest, status[0], status[1], "r-- normal"))
            else:
                maps.append((name, guest, host, size, _region_attrs(flags)))
        for base, size in cell["devices"]:
            maps.append((name, base, base, size, "rw- device"))
        for frame, size in _sgi_frames(cell):
            maps.append((name, frame, frame, size, "rw- device"))
    return _merged(maps)


def _uncovered(base, size, ranges):
    """The parts of [base, +size) that no (b, s) in `ranges` covers."""
    parts = [(base, base + size)]
    for b, s in ranges:
        parts = [piece for lo, hi in parts
                 for piece in ((lo, min(hi, b)), (max(lo, b + s), hi)) if piece[0] < piece[1]]
    return [(lo, hi - lo) for lo, hi in parts]


def stage2_breaches(dump_text, s2dump_text):
    """What in the walked stage-2 tables (s2dump) breaks I2 against bhcfg's dump of
    the same config: a mapped host range outside the cell's own, on the hypervisor's
    memory, the loader area or another cell's unshared memory; a described mapping
    missing or one not described. Empty: nothing."""
    cells, hv = parse_dump(dump_text)
    walked, status = parse_s2dump(s2dump_text)
    if status is None:
        return ["s2dump gave no status page line"]
    breaches = []
    own, shared = {}, []   # shared: (base, size, cell, channel or None), host ranges
    for name, cell in cells.items():
        own[name] = [(h, s) for h, s, f, _ in cell["regions"] if "hv-status" not in f]
        own[name] += cell["devices"]
        shared += [(h, s, name, ch) for h, s, f, ch in cell["regions"] if "hv-status" not in f]
        shared += [(b, s, name, None) for b, s in cell["devices"]]
    for name, ipa, pa, size, attrs in walked:
        where = f"cell {name}: ipa 0x{ipa:x} -> pa 0x{pa:x} size 0x{size:x} {attrs}"
        if name not in cells:
            breaches.append(f"{where}: a cell the description does not have")
            continue
        if (pa, size) == status:
            if attrs != "r-- normal":
                breaches.append(f"{where}: the status page must be read-only, not executable")
            continue
        frames = _sgi_frames(cells[name])
        for lo, sz in _uncovered(pa, size, own[name] + frames):
            breaches.append(f"{where}: [0x{lo:x}, +0x{sz:x}) is none of the cell's own "
                            "host ranges")
        if pa + size > 1 << S2_PA_BITS:
            breaches.append(f"{where}: beyond the {S2_PA_BITS}-bit stage-2 output")
        for hv_base, hv_size, what in hv:
            if _overlap(pa, size, hv_base, hv_size):
                breaches.append(f"{where}: reaches the {what}")
        for owned, owned_size, what in HYPERVISOR_OWNED:
            for lo, sz in _uncovered(pa, size, frames):
                if _overlap(lo, sz, owned, owned_size):
                    breaches.append(f"{where}: reaches the {what}")
        for b, s, other, channel in shared:
            if other == name or not _overlap(pa, size, b, s):
                continue
            lo, hi = max(pa, b), min(pa + size, b + s)
            mine = [(h, sz) for h, sz, n, ch in shared
                    if n == name and channel is not None and ch == channel]
            if _uncovered(lo, hi - lo, mine):
                breaches.append(f"{where}: reaches cell {other}'s memory at 0x{lo:x}")
    described = described_mappings(dump_text, status)
    merged = _merged(walked)
    for m in described:
        if m not in merged:
            breaches.append("described, not mapped as such: cell {}: ipa 0x{:x} -> pa 0x{:x} "
                            "size 0x{:x} {}".format(*m))
    for m in merged:
        if m not in described:
            breaches.append("mapped, not described: cell {}: ipa 0x{:x} -> pa 0x{:x} "
                            "size 0x{:x} {}".format(*m))
    return breaches


def s2dump_path():
    """tests/s2dump/s2dump of the arm64 build folder (BULKHEAD_BUILD_DIR or build/)."""
    return paths.build_dir("arm64") / "tests" / "s2dump" / "s2dump"


def config_problems(config, bhcfg, s2dump=None):
    """Both oracles over binary config `config` (one bhcfg accepted); [] when it isolates."""
    s2dump = Path(s2dump or s2dump_path())
    if not s2dump.exists():
        return [f"{s2dump} is not built: run ./bulkhead build --arch arm64"]
    dump = subprocess.run([str(bhcfg), "dump", str(config)], capture_output=True, text=True,
                          timeout=30)
    if dump.returncode != 0:
        return [f"bhcfg dump failed: {dump.stderr.strip()}"]
    problems = isolation_breaches(dump.stdout)
    walk = subprocess.run([str(s2dump), str(config), *S2_ARGS], capture_output=True, text=True,
                          timeout=60)
    if walk.returncode != 0:
        # bhcfg accepted what the hypervisor would refuse at boot (or s2dump broke).
        return problems + [f"s2dump exit {walk.returncode}: "
                           f"{(walk.stdout + walk.stderr).strip()[-400:]}"]
    return problems + stage2_breaches(dump.stdout, walk.stdout)


def _bhcfg_check(bhcfg, platform, system, dts, config):
    """Writes `system` to `dts` and runs `bhcfg check` on it, keeping the binary config."""
    dts.write_text(sysgen.to_dts(system))
    return subprocess.run([str(bhcfg), "check", str(dts), "--platform", str(platform),
                           "--config-out", str(config)], capture_output=True, text=True,
                          timeout=30)


def mutation_problems(seed, mutation_seeds, work_dir, bhcfg, platform, s2dump=None):
    """Checks generated system `seed` and one mutation of it per mutation seed;
    returns what breaks isolation in the system or an accepted mutant (both
    oracles), and the refusals that came without a message."""
    system = sysgen.generate(seed)
    config = work_dir / f"generated-{seed}.bin"
    check = _bhcfg_check(bhcfg, platform, system, work_dir / f"generated-{seed}.dts", config)
    if check.returncode != 0:
        return [f"seed {seed}: a valid description was refused: {check.stderr.strip()}"]
    problems = [f"seed {seed} (unmutated): {p}" for p in config_problems(config, bhcfg, s2dump)]
    for k in mutation_seeds:
        mutant, what = sysgen.mutate(system, k)
        config = work_dir / f"mutant-{seed}-{k}.bin"
        check = _bhcfg_check(bhcfg, platform, mutant, work_dir / f"mutant-{seed}-{k}.dts",
                             config)
        if check.returncode != 0:
            if "error" not in check.stderr:
                problems.append(f"seed {seed} mutation {k} ({what}): refused without a message")
            continue
        breaches = config_problems(config, bhcfg, s2dump)
        if breaches:
            problems.append(f"seed {seed} mutation {k} ({what}): accepted, but "
                            + "; ".join(breaches))
    return problems
