"""bhcfg for a linux-x86 cell: the bzImage split into its protected-mode kernel, and the boot
parameters item (struct boot_params, command line, ACPI tables) derived from the configuration
(tools/bhcfg/emit_x86_boot.c, emit_x86_acpi.c). The bzImage is a synthetic one: a setup header
with the fields bhcfg reads, then a marked protected-mode part."""

import struct

from bhcfg_support import REPO

SYSTEM = REPO / "tests" / "system" / "systems" / "x86-linux-rt.dts"
SETUP_SECTS = 3
INIT_SIZE = 0x3000000
PROTECTED_MODE = b"protected-mode kernel" + bytes(3000)
PARAMS = 0x90000  # boot-params-address in SYSTEM
ACPI = PARAMS + 0x2000


def fake_bzimage(path):
    data = bytearray((SETUP_SECTS + 1) * 512)
    data[0x1f1] = SETUP_SECTS
    data[0x201] = 0x6a  # the setup header ends at 0x202 + this (0x26c)
    data[0x202:0x206] = b"HdrS"
    struct.pack_into("<H", data, 0x206, 0x020f)
    data[0x211] = 0x81  # LOADED_HIGH | CAN_USE_HEAP
    struct.pack_into("<I", data, 0x22c, 0x7fffffff)  # initrd_addr_max
    struct.pack_into("<I", data, 0x230, 0x200000)  # kernel_alignment
    data[0x234] = 1  # relocatable
    struct.pack_into("<I", data, 0x238, 2048)  # cmdline_size
    struct.pack_into("<I", data, 0x260, INIT_SIZE)
    path.write_bytes(bytes(data) + PROTECTED_MODE)


def build(tool, x86_platform, images, system_text=None):
    fake_bzimage(images / "bzImage")
    (images / "initramfs.cpio.gz").write_bytes(bytes(5000))
    (images / "rtcell-x86-short.bin").write_bytes(bytes(4096))
    system = tool.write(system_text) if system_text else SYSTEM
    out = tool.tmp / "x86-linux.img"
    dirs = tool.tmp / "params"
    dirs.mkdir(exist_ok=True)
    result = tool.run("build", system, "--platform", x86_platform, "-I", images, "-o", out,
                      "--dtb-dir", dirs)
    return result, out, dirs / "linux.bootparams"


def items(image):
    data = image.read_bytes()
    count = struct.unpack_from("<I", data, 16)[0]
    out = {}
    for k in range(count):
        _, _, name, off, size, _, _ = struct.unpack_from("<II32sIIII", data, 32 + 56 * k)
        out[name.rstrip(b"\0").decode()] = data[off:off + size]
    return out


def acpi_table(params, address):
    at = address - PARAMS
    length = struct.unpack_from("<I", params, at + 4)[0]
    table = params[at:at + length]
    assert sum(table) % 256 == 0, f"checksum of {table[:4]}"
    return table


def test_bzimage_becomes_its_protected_mode_kernel_and_boot_params(tool, x86_platform, images):
    result, image, _ = build(tool, x86_platform, images)
    assert result.returncode == 0, result.stderr
    parts = items(image)
    assert parts["linux/bzImage"] == PROTECTED_MODE
    bp = parts["linux/boot_params"]
    assert bp[0x202:0x206] == b"HdrS" and bp[0x210] == 0xff  # type_of_loader: undefined
    assert bp[0x211] == 0x01  # CAN_USE_HEAP cleared: no real-mode setup runs
    assert struct.unpack_from("<I", bp, 0x214)[0] == 0x1000000  # code32_start = load-address
    cmdline = struct.unpack_from("<I", bp, 0x228)[0]
    assert cmdline == PARAMS + 0x1000
    assert bp[0x1000:].split(b"\0")[0].startswith(b"console=ttyS1,115200 ")
    assert struct.unpack_from("<II", bp, 0x218) == (0x5800000, 5000)  # the initrd
    # e820: the cell's 96 MiB from guest 0, with the boot parameters' own pages reserved.
    e820 = [struct.unpack_from("<QQI", bp, 0x2d0 + 20 * k) for k in range(bp[0x1e8])]
    assert e820 == [(0, PARAMS, 1), (PARAMS, 0x3000, 2), (PARAMS + 0x3000,
                                                          0x6000000 - PARAMS - 0x3000, 1)]


def test_acpi_tables_list_only_the_cells_cpu_and_reduced_hardware(tool, x86_platform, images):
    result, image, _ = build(tool, x86_platform, images)
    assert result.returncode == 0, result.stderr
    bp = items(image)["linux/boot_params"]
    rsdp_addr = struct.unpack_from("<Q", bp, 0x070)[0]
    rsdp = bp[rsdp_addr - PARAMS:rsdp_addr - PARAMS + 36]
    assert rsdp[:8] == b"RSD PTR " and rsdp[15] == 2
    assert sum(rsdp[:20]) % 256 == 0 and sum(rsdp) % 256 == 0
    xsdt = acpi_table(bp, struct.unpack_from("<Q", rsdp, 24)[0])
    tables = {acpi_table(bp, a)[:4]: acpi_table(bp, a)
              for a in struct.unpack_from("<2Q", xsdt, 36)}
    assert set(tables) == {b"APIC", b"FACP"}
    madt = tables[b"APIC"]
    entries, at = [], 44
    while at < len(madt):
        entries.append(madt[at:at + madt[at + 1]])
        at += madt[at + 1]
    # CPU 0 only (the realtime cell has CPU 1); no IOAPIC: the cell owns no IOAPIC pin.
    assert [(e[0], struct.unpack_from("<III", e, 4)) for e in entries] == [(9, (0, 1, 0))]
    fadt = tables[b"FACP"]
    assert struct.unpack_from("<I", fadt, 112)[0] & (1 << 20)  # HW_REDUCED_ACPI
    dsdt = acpi_table(bp, struct.unpack_from("<Q", fadt, 140)[0])
    assert dsdt[:4] == b"DSDT"
    # ACPI power-off: the sleep control and status registers are the hypervisor's two I/O ports
    # (byte-wide Generic Address Structures), and _S5 names the sleep type it stops the cell on.
    assert fadt[244:256] == bytes([1, 8, 0, 1]) + struct.pack("<Q", 0xb00)
    assert fadt[256:268] == bytes([1, 8, 0, 1]) + struct.pack("<Q", 0xb01)
    s5 = b"\x08_S5_\x12\x49\x00\x04\x0a\x05\x0a\x05\x00\x00"  # Name(_S5, Package {5, 5, 0, 0})
    assert dsdt[36:36 + len(s5)] == s5
    # \\_SB_.U000: the cell's COM2 as a PNP0501 UART whose _CRS is its 8 ports and no interrupt
    # (Linux's 8250 driver then polls it).
    aml = dsdt[36 + len(s5):]
    assert aml[0] == 0x10 and aml[3:8] == b"\\_SB_"
    assert aml[8:10] == b"\x5b\x82" and aml[12:16] == b"U000"
    assert b"\x08_HID\x0c" + struct.pack("<I", 0x0105d041) in aml
    assert b"\x08_CRS\x11" in aml
    assert b"\x47\x01\xf8\x02\xf8\x02\x01\x08\x79\x00" in aml
    assert b"\x22" not in aml.split(b"_CRS")[1]  # no IRQ descriptor
    assert ACPI <= rsdp_addr < PARAMS + 0x3000


def test_refuses_a_load_address_without_room_for_init_size(tool, x86_platform, images):
    text = SYSTEM.read_text().replace("load-address = <0x0 0x1000000>;",
                                      "load-address = <0x0 0x5000000>;")
    result, _, _ = build(tool, x86_platform, images, text)
    assert result.returncode != 0
    assert ("load-address: 0x5000000: \"bzImage\" needs 0x3000000 bytes of RAM from its load "
            "address (init_size)") in result.stderr, result.stderr


PVH_IMAGE = b"flat vmlinux" + bytes(0x2000)
PVH_ENTRY = 0x1000850


def pvh_system(images):
    """x86-linux-rt.dts with a flat kernel for the PVH entry instead of the bzImage."""
    (images / "vmlinux.pvh").write_bytes(PVH_IMAGE)
    return SYSTEM.read_text().replace(
        'image = "bzImage";', f'image = "vmlinux.pvh";\n\t\t\tentry = <0x0 {PVH_ENTRY:#x}>;')


def test_flat_kernel_with_an_entry_gets_a_pvh_start_info(tool, x86_platform, images):
    result, image, _ = build(tool, x86_platform, images, pvh_system(images))
    assert result.returncode == 0, result.stderr
    parts = items(image)
    assert parts["linux/vmlinux.pvh"] == PVH_IMAGE  # loaded as it is
    si = parts["linux/boot_params"]
    magic, version, flags, nr_modules = struct.unpack_from("<IIII", si, 0)
    modlist, cmdline, rsdp, memmap = struct.unpack_from("<QQQQ", si, 16)
    entries = struct.unpack_from("<I", si, 48)[0]
    assert (magic, version, flags, nr_modules) == (0x336ec578, 1, 0, 1)
    assert cmdline == PARAMS + 0x1000
    assert si[0x1000:].split(b"\0")[0].startswith(b"console=ttyS1,115200 ")
    assert struct.unpack_from("<QQ", si, modlist - PARAMS) == (0x5800000, 5000)  # the initrd
    assert acpi_table(si, rsdp)[:8] == b"RSD PTR "
    e820 = [struct.unpack_from("<QQI", si, memmap - PARAMS + 24 * k) for k in range(entries)]
    assert e820 == [(0, PARAMS, 1), (PARAMS, 0x3000, 2), (PARAMS + 0x3000,
                                                          0x6000000 - PARAMS - 0x3000, 1)]


def test_refuses_a_pvh_entry_outside_the_flat_kernel(tool, x86_platform, images):
    text = pvh_system(images).replace(f"{PVH_ENTRY:#x}>", "0x5000000>")
    result, _, _ = build(tool, x86_platform, images, text)
    assert result.returncode != 0
    assert "entry: 0x5000000: the PVH entry must lie in \"vmlinux.pvh\"" in result.stderr, \
        result.stderr


HV_STATUS_REGION = """
				hv-status {
					guest-phys = <0x0 0x6000000>;
					size = <0x0 0x1000>;
					flags = "read", "hv-status";
				};
"""
TELEMETRY_CHANNEL = """
	channels {
		telemetry {
			host-phys = <0x0 0xa000000>;
			size = <0x0 0x100000>;
			linux { guest-phys = <0x0 0x6100000>; access = "read"; };
			rt { guest-phys = <0x0 0xa000000>; access = "read", "write"; };
		};
	};
};
"""


def test_oemb_table_lists_the_status_page_and_channels_for_bhctl(tool, x86_platform, images):
    """bhctl's way to the hypervisor in an x86 cell (bulkhead/acpi_regions.h): the XSDT's OEMB
    table with one 56-byte record per status page or channel mapping of the cell."""
    text = SYSTEM.read_text()
    ram_end = text.index('flags = "read", "write", "exec";\n\t\t\t\t};') + len(
        'flags = "read", "write", "exec";\n\t\t\t\t};')
    text = text[:ram_end] + HV_STATUS_REGION + text[ram_end:]
    text = text[:text.rstrip().rindex("};")] + TELEMETRY_CHANNEL
    result, image, _ = build(tool, x86_platform, images, text)
    assert result.returncode == 0, result.stderr
    bp = items(image)["linux/boot_params"]
    rsdp_addr = struct.unpack_from("<Q", bp, 0x070)[0]
    xsdt = acpi_table(bp, struct.unpack_from("<Q", bp, rsdp_addr - PARAMS + 24)[0])
    tables = {acpi_table(bp, a)[:4]: acpi_table(bp, a)
              for a in struct.unpack_from(f"<{(len(xsdt) - 36) // 8}Q", xsdt, 36)}
    assert set(tables) == {b"APIC", b"FACP", b"OEMB"}
    oemb = tables[b"OEMB"]
    assert oemb[8] == 1 and len(oemb) == 36 + 2 * 56
    records = [struct.unpack_from("<QQII32s", oemb, 36 + 56 * k) for k in range(2)]
    records = [(base, size, kind, flags, label.rstrip(b"\0")) for base, size, kind, flags, label
               in records]
    assert sorted(records) == [(0x6000000, 0x1000, 1, 1, b""),
                               (0x6100000, 0x100000, 2, 1, b"telemetry")]
    # Neither is RAM for Linux: the e820 map reserves both.
    e820 = [struct.unpack_from("<QQI", bp, 0x2d0 + 20 * k) for k in range(bp[0x1e8])]
    assert (0x6000000, 0x1000, 2) in e820 and (0x6100000, 0x100000, 2) in e820


def test_refuses_a_cell_owning_the_hypervisors_acpi_sleep_ports(tool, x86_platform):
    # A platform may well offer ports around 0xb00 (a PC's ACPI PM block); the hypervisor's
    # own sleep registers (BH_X86_SLEEP_CONTROL_PORT, 0xb00/0xb01, the FADT's S5 path) are
    # never a cell's, whatever the platform says.
    platform = tool.write(x86_platform.read_text().replace(
        "\tpci@cf8 {",
        "\tacpi-pm@b00 {\n\t\tcompatible = \"acpi,pm\";\n\t\tbulkhead,ports = <0xb00 0x10>;\n\t};\n\n"
        "\tpci@cf8 {"), name="platform.dts")
    for ports, port in (("0xb00 0x10", 0xb00), ("0xb01 0x1", 0xb01)):
        system = tool.write(SYSTEM.read_text().replace(
            "serial@2f8 {\n\t\t\t\t\tports = <0x2f8 0x8>;",
            f"serial@2f8 {{\n\t\t\t\t\tports = <0x2f8 0x8>;\n\t\t\t\t}};\n\t\t\t\tpm@b00 {{\n"
            f"\t\t\t\t\tports = <{ports}>;"))
        result = tool.run("check", system, "--platform", platform)
        assert result.returncode != 0, result.stderr
        errors = [line for line in result.stderr.splitlines() if ": error: " in line]
        assert len(errors) == 1, result.stderr
        assert errors[0].endswith(
            f'cell "linux": device "pm@b00" [{int(ports.split()[0], 16):#x}, '
            f'+{int(ports.split()[1], 16):#x}) includes port {port:#x}, one of the '
            "hypervisor's ACPI sleep control and status registers (the FADT's S5 path)"), errors
