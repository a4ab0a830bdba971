"""Verdicts on generated systems (sysgen.py), shared by the tests and
`bulkhead fuzz --generated`:

- boot_problems: a generated system, built by bhcfg and booted, must have
  every cell reach its entry, list exactly its regions and channels in its
  boot info, and finish;
- mutation_problems: a one-defect mutation that bhcfg accepts must still
  isolate. The oracle reads bhcfg's dump of the binary config it would ship
  and is written from the invariants (docs/design.md, I2 and I3), not from
  the validator, so the two can disagree.
"""

import re
import subprocess

from . import paths, sysgen, systems
from .qemu import run_arm64

BOOT_TIMEOUT_S = 60
# QEMU virt's interrupt controller frames: never a cell's (the hypervisor owns them).
HYPERVISOR_OWNED = [(0x8000000, 0x10000, "GIC distributor"), (0x8080000, 0x20000, "GIC ITS"),
                    (0x80a0000, 0xf60000, "GIC redistributors")]
# The arm64 stage-2 output size the hypervisor configures: nothing may lie above it.
PHYS_LIMIT = 1 << 48

REGION = re.compile(r"^  region \d+: guest 0x([0-9a-f]+) host 0x([0-9a-f]+) size 0x([0-9a-f]+) "
                    r"(\S+)(?: channel \"([^\"]+)\")?")
DEVICE = re.compile(r"^  device \"[^\"]*\": mmio 0x([0-9a-f]+) \+0x([0-9a-f]+)")
CELL = re.compile(r"^cell \d+ \"([^\"]+)\"")
HV = re.compile(r"^(hypervisor memory|loader area): \[0x([0-9a-f]+), \+0x([0-9a-f]+)\)")
BOOT_REGION = re.compile(r"region \d+: \[0x([0-9a-f]+), \+0x([0-9a-f]+)\)")
BOOT_CHANNEL = re.compile(r"channel \d+: \S+ \[0x([0-9a-f]+), \+0x([0-9a-f]+)\)")


def _overlap(a, a_size, b, b_size):
    return a < b + b_size and b < a + a_size


def cell_lines(output, cell):
    return [line[len(cell) + 3:] for line in output.splitlines() if line.startswith(f"[{cell}] ")]


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
            cell = cells.setdefault(m.group(1), {"regions": [], "devices": []})
        elif m := HV.match(line):
            hv.append((int(m.group(2), 16), int(m.group(3), 16), m.group(1)))
        elif (m := REGION.match(line)) and cell is not None:
            cell["regions"].append((int(m.group(2), 16), int(m.group(3), 16), m.group(4),
                                    m.group(5)))
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


def mutation_problems(seed, mutation_seeds, work_dir, bhcfg, platform):
    """Mutates generated system `seed` once per mutation seed; returns the accepted
    mutants that break isolation, and the refusals that came without a message."""
    system = sysgen.generate(seed)
    problems = []
    for k in mutation_seeds:
        mutant, what = sysgen.mutate(system, k)
        dts = work_dir / f"mutant-{seed}-{k}.dts"
        dts.write_text(sysgen.to_dts(mutant))
        config = work_dir / f"mutant-{seed}-{k}.bin"
        check = subprocess.run([str(bhcfg), "check", str(dts), "--platform", str(platform),
                                "--config-out", str(config)], capture_output=True, text=True,
                               timeout=30)
        if check.returncode != 0:
            if "error" not in check.stderr:
                problems.append(f"seed {seed} mutation {k} ({what}): refused without a message")
            continue
        dump = subprocess.run([str(bhcfg), "dump", str(config)], capture_output=True, text=True,
                              timeout=30)
        breaches = isolation_breaches(dump.stdout) if dump.returncode == 0 else [dump.stderr]
        if breaches:
            problems.append(f"seed {seed} mutation {k} ({what}): accepted, but "
                            + "; ".join(breaches))
    return problems
