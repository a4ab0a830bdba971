"""A seeded generator of valid qemu-arm64 system descriptions, and of
one-defect mutations of them (the configuration issue's generative test).

A generated system uses the bare test cells, each linked for one address:
hello (0x50000000), hello-b (0x58000000) and ticker (0x60000000, realtime).
Each cell owns a 128 MiB slot of host memory starting at its link address;
within it the generator draws region 0 (the image, boot info in its last
page) and extra RAM regions with random rights and guest addresses. Devices
are whole pages of QEMU's virtio-mmio transports with some of their
interrupts; channels live between 0x68000000 and 0x70000000.

The same seed gives the same description (random.Random(seed)), so a failure
names its seed and `bulkhead fuzz --generated SEED` replays it.
"""

import dataclasses
import random

SLOT_BYTES = 0x8000000
MIB = 0x100000
PAGE = 0x1000
# image name -> (link address = slot base, may run in virtual mode)
CELL_IMAGES = {
    "hello": (0x50000000, True),
    "hello-b": (0x58000000, True),
    "ticker": (0x60000000, False),
}
CHANNEL_AREA = (0x68000000, 0x70000000)
VIRTIO_PAGES = 4                 # 0xa000000 + k * 0x1000, 8 transports each
VIRTIO_FIRST_INTID = 48          # SPI 16 + transport
DOORBELLS = (None, 5, 6, 7)      # SGIs no program here uses for itself


@dataclasses.dataclass
class Region:
    name: str
    host: int
    guest: int
    size: int
    flags: tuple


@dataclasses.dataclass
class Device:
    name: str
    base: int
    size: int
    irqs: tuple
    dma_unconfined: bool = False   # `dma = "unconfined"`: a DMA master (virtio-mmio)


@dataclasses.dataclass
class Cell:
    name: str
    cpus: list
    realtime: bool
    regions: list
    devices: list


@dataclasses.dataclass
class Endpoint:
    cell: str
    guest: int
    access: tuple


@dataclasses.dataclass
class Channel:
    name: str
    host: int
    size: int
    doorbell: object
    endpoints: list


@dataclasses.dataclass
class System:
    seed: int
    cells: list
    channels: list
    hv_memory: tuple = (0x40000000, 0x2000000)
    loader_area: tuple = (0x48000000, 0x8000000)

    def cell(self, name):
        return next(c for c in self.cells if c.name == name)


def _pages(rng, low_pages, high_pages):
    return rng.randint(low_pages, high_pages) * PAGE


def _cell_regions(rng, base):
    """Region 0 holds the image and the boot info; up to two more RAM regions
    sit above it in the slot, each at a random guest address in the slot."""
    size0 = rng.choice((1, 2, 4, 8, 16)) * MIB
    regions = [Region("ram", base, base, size0, ("read", "write", "exec"))]
    cursor = base + size0
    guest_taken = [(base, size0)]
    for index in range(rng.randint(0, 2)):
        cursor += _pages(rng, 0, 256)
        size = _pages(rng, 1, 512)
        if cursor + size > base + SLOT_BYTES // 2:
            break
        flags = tuple(f for f in ("read", "write", "exec") if rng.random() < 0.6) or ("read",)
        guest = cursor if rng.random() < 0.5 else _free_guest(rng, base, size, guest_taken)
        if guest is None:
            guest = cursor
        if any(_overlap(guest, size, g, s) for g, s in guest_taken):
            break
        guest_taken.append((guest, size))
        regions.append(Region(f"extra{index}", cursor, guest, size, flags))
        cursor += size
    return regions


def _overlap(a, a_size, b, b_size):
    return a < b + b_size and b < a + a_size


def _free_guest(rng, base, size, taken):
    """A guest address in the upper half of the slot (host regions use the lower)."""
    for _ in range(8):
        guest = base + SLOT_BYTES // 2 + _pages(rng, 0, (SLOT_BYTES // 2 - size) // PAGE)
        if not any(_overlap(guest, size, g, s) for g, s in taken):
            return guest
    return None


def _cpu_sets(rng, count):
    """Disjoint, non-empty CPU lists for `count` cells out of CPUs 0-3."""
    cpus = [0, 1, 2, 3]
    rng.shuffle(cpus)
    cuts = sorted(rng.sample(range(1, 4), count - 1)) if count > 1 else []
    used = rng.randint(count, 4)
    chosen = cpus[:used]
    bounds = [0] + [min(c, used - (count - i - 1)) for i, c in enumerate(cuts)] + [used]
    sets = []
    for i in range(count):
        part = chosen[bounds[i]:max(bounds[i + 1], bounds[i] + 1)]
        sets.append(sorted(part))
    # Repair any overlap the clamping made: give each cell what is left.
    seen = set()
    for s in sets:
        s[:] = [c for c in s if c not in seen]
        seen.update(s)
    free = [c for c in range(4) if c not in seen]
    for s in sets:
        if not s:
            s.append(free.pop())
    return sets


def generate(seed):
    """A valid system description, drawn from `seed`."""
    rng = random.Random(seed)
    names = rng.sample(sorted(CELL_IMAGES), rng.randint(1, len(CELL_IMAGES)))
    cpu_sets = _cpu_sets(rng, len(names))
    pages = list(range(VIRTIO_PAGES))
    rng.shuffle(pages)
    cells = []
    for name, cpus in zip(names, cpu_sets):
        base, may_be_virtual = CELL_IMAGES[name]
        if name == "ticker":
            cpus = cpus[:1]
        devices = []
        if pages and rng.random() < 0.4:
            page = pages.pop()
            transports = rng.sample(range(8), rng.randint(0, 2))
            devices.append(Device("virtio", 0xa000000 + page * PAGE, PAGE,
                                  tuple(sorted(VIRTIO_FIRST_INTID + 8 * page + t
                                               for t in transports)), dma_unconfined=True))
        realtime = not may_be_virtual or rng.random() < 0.3
        cells.append(Cell(name, cpus, realtime, _cell_regions(rng, base), devices))
    channels = []
    host = CHANNEL_AREA[0]
    for index in range(rng.randint(0, 2) if len(cells) > 1 else 0):
        pair = rng.sample(cells, 2)
        size = rng.choice((PAGE, 16 * PAGE, MIB))
        endpoints = []
        for cell in pair:
            access = ("read", "write") if rng.random() < 0.6 else ("read",)
            endpoints.append(Endpoint(cell.name, host, access))
        channels.append(Channel(f"ch{index}", host, size, rng.choice(DOORBELLS), endpoints))
        host += max(size, MIB)
    return System(seed, cells, channels)


def _cells_prop(values):
    return " ".join(f"0x{v >> 32:x} 0x{v & 0xffffffff:x}" for v in values)


def _strings(values):
    return ", ".join(f'"{v}"' for v in values)


def to_dts(system):
    """The description as bhcfg reads it (config/bindings.md)."""
    out = ["/dts-v1/;", "", "/ {", '\tcompatible = "bulkhead,system";',
           "\t#address-cells = <2>;", "\t#size-cells = <2>;", "",
           "\tplatform {", '\t\tplatform-name = "qemu-arm64";', '\t\tarch = "arm64";',
           '\t\tcompatible = "linux,dummy-virt";', "\t};", "",
           "\thypervisor {", f"\t\tmemory = <{_cells_prop(system.hv_memory)}>;",
           f"\t\tloader-area = <{_cells_prop(system.loader_area)}>;",
           '\t\tconsole = "/pl011@9000000";', "\t};", "", "\tcells {"]
    for cell in system.cells:
        base = CELL_IMAGES[cell.name][0]
        out += [f"\t\t{cell.name} {{", f"\t\t\tcpus = <{' '.join(map(str, cell.cpus))}>;"]
        if cell.realtime:
            out.append("\t\t\trealtime;")
        out += ['\t\t\tboot-protocol = "bulkhead";', f'\t\t\timage = "{cell.name}.bin";',
                f"\t\t\tload-address = <{_cells_prop([base])}>;", "\t\t\tmemory {"]
        for r in cell.regions:
            out += [f"\t\t\t\t{r.name} {{", f"\t\t\t\t\thost-phys = <{_cells_prop([r.host])}>;",
                    f"\t\t\t\t\tguest-phys = <{_cells_prop([r.guest])}>;",
                    f"\t\t\t\t\tsize = <{_cells_prop([r.size])}>;",
                    f"\t\t\t\t\tflags = {_strings(r.flags)};", "\t\t\t\t};"]
        out.append("\t\t\t};")
        if cell.devices:
            out.append("\t\t\tdevices {")
            for d in cell.devices:
                out += [f"\t\t\t\t{d.name} {{", f"\t\t\t\t\treg = <{_cells_prop([d.base, d.size])}>;"]
                if d.irqs:
                    out.append(f"\t\t\t\t\tinterrupts = <{' '.join(map(str, d.irqs))}>;")
                if d.dma_unconfined:
                    out.append('\t\t\t\t\tdma = "unconfined";')
                out.append("\t\t\t\t};")
            out.append("\t\t\t};")
        out.append("\t\t};")
    out.append("\t};")
    if system.channels:
        out.append("\tchannels {")
        for ch in system.channels:
            out += [f"\t\t{ch.name} {{", f"\t\t\thost-phys = <{_cells_prop([ch.host])}>;",
                    f"\t\t\tsize = <{_cells_prop([ch.size])}>;"]
            if ch.doorbell is not None:
                out.append(f"\t\t\tdoorbell = <{ch.doorbell}>;")
            for ep in ch.endpoints:
                out += [f"\t\t\t{ep.cell} {{", f"\t\t\t\tguest-phys = <{_cells_prop([ep.guest])}>;",
                        f"\t\t\t\taccess = {_strings(ep.access)};", "\t\t\t};"]
            out.append("\t\t};")
        out.append("\t};")
    out.append("};")
    return "\n".join(out) + "\n"


# ---- one-defect mutations ----

def _mutate_region_host(rng, system):
    cell = rng.choice(system.cells)
    region = rng.choice(cell.regions)
    others = [c for c in system.cells if c is not cell]
    targets = [system.hv_memory[0], system.loader_area[0], 0x40000000 + rng.randint(0, 0x3fff) * PAGE]
    targets += [rng.choice(c.regions).host for c in others]
    region.host = rng.choice(targets)
    return f'cell "{cell.name}" region "{region.name}" host moved to 0x{region.host:x}'


def _mutate_region_size(rng, system):
    cell = rng.choice(system.cells)
    region = rng.choice(cell.regions)
    region.size = rng.choice((0, region.size + PAGE * rng.randint(1, 0x20000), 1 << 63,
                              region.size + 0x800))
    return f'cell "{cell.name}" region "{region.name}" size 0x{region.size:x}'


def _mutate_device(rng, system):
    cell = rng.choice(system.cells)
    base = rng.choice((0x8000000, 0x80a0000, 0x8080000, 0x9000000, 0x9020000, 0x40000000,
                       0x100004000_0000 if rng.random() < 0.2 else 0xa000000))
    cell.devices.append(Device("extra", base, rng.choice((PAGE, 0x10000)), ()))
    return f'cell "{cell.name}" device at 0x{base:x}'


def _mutate_cpus(rng, system):
    cell = rng.choice(system.cells)
    cell.cpus = cell.cpus + [rng.randint(0, 7)]
    return f'cell "{cell.name}" cpus {cell.cpus}'


def _mutate_channel(rng, system):
    if not system.channels:
        return _mutate_region_host(rng, system)
    ch = rng.choice(system.channels)
    ch.host = rng.choice((system.hv_memory[0], system.cells[0].regions[0].host,
                          ch.host + 0x800))
    return f'channel "{ch.name}" host 0x{ch.host:x}'


MUTATIONS = (_mutate_region_host, _mutate_region_size, _mutate_device, _mutate_cpus,
             _mutate_channel)


def mutate(system, seed):
    """A copy of `system` with one defect drawn from `seed`; returns (system, what)."""
    rng = random.Random(seed)
    copy = generate(system.seed)
    what = rng.choice(MUTATIONS)(rng, copy)
    return copy, what
