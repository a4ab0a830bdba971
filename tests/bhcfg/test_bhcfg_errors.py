"""One test per error class of `bhcfg check`: each starts from the default
example (config/qemu-arm64/linux-rt.dts), makes one mistake, and expects a
non-zero exit and a message naming the node, the property and the values."""

import re
import subprocess

import pytest

from bhcfg_support import example, mutate

BASE = "qemu-arm64/linux-rt.dts"

HV_STATUS_FLAGS = 'flags = "read", "hv-status";'
RT_DEVICES = "\t\t\tmemory {\n\t\t\t\tram {\n\t\t\t\t\thost-phys = <0x0 0x70000000>;"

# (error class, replacements on linux-rt.dts, expected message regex)
CASES = [
    ("restart_on_a_realtime_cell",
     [("\t\t\trealtime;\n", "\t\t\trealtime;\n\t\t\trestart-on-reset;\n")],
     r'cell "rt": a realtime cell cannot restart on reset: nothing can force its CPUs out'),
    ("cpu_in_two_cells",
     [("\t\t\trealtime;\n", ""), ("cpus = <2 3>;", "cpus = <1 2>;")],
     r'/cells/rt: cpus: cell "rt": CPU 0x1 is also in cell "linux"$'),
    ("realtime_cell_shares_cpu",
     [("cpus = <2 3>;", "cpus = <1 2>;")],
     r"/cells/rt: cpus: .*CPU 0x1 is also in cell \"linux\"; a realtime cell's CPUs must be"),
    ("cpu_absent_from_platform",
     [("cpus = <2 3>;", "cpus = <2 7>;")],
     r"/cells/rt: cpus: CPU 7 is not a CPU of the platform .* \(it has 4\)"),
    ("boot_cpu_not_in_cell",
     [("cpus = <0 1>;", "cpus = <0 1>;\n\t\t\tboot-cpu = <3>;")],
     r"/cells/linux: boot-cpu: CPU 3 is not one of the cell's cpus"),
    ("cell_without_cpus",
     [("cpus = <0 1>;", "cpus;")],
     r"/cells/linux: cpus: no value given; expected a non-empty list"),
    ("memory_overlaps_other_cell",
     [("host-phys = <0x0 0x70000000>;",
       "host-phys = <0x0 0x6f000000>;\n\t\t\t\t\tguest-phys = <0x0 0x70000000>;")],
     r'/cells/rt/memory/ram: host-phys: cell "rt": region 0 \[0x6f000000, \+0x4000000\) '
     r'overlaps cell "linux" region 0 \[0x50000000, \+0x20000000\)'),
    ("memory_overlaps_own_region",
     [("\t\t\t\t};\n\t\t\t};\n\n\t\t\tdevices",
       "\t\t\t\t};\n\t\t\t\tmore {\n\t\t\t\t\thost-phys = <0x0 0x78000000>;\n"
       "\t\t\t\t\tguest-phys = <0x0 0x50100000>;\n\t\t\t\t\tsize = <0x0 0x100000>;\n"
       "\t\t\t\t\tflags = \"read\";\n\t\t\t\t};\n\t\t\t};\n\n\t\t\tdevices")],
     r'/cells/linux/memory/more: guest-phys: cell "linux": region 2 at guest '
     r'\[0x50100000, \+0x100000\) overlaps its region 0'),
    ("memory_overlaps_hypervisor",
     [("host-phys = <0x0 0x70000000>;",
       "host-phys = <0x0 0x41000000>;\n\t\t\t\t\tguest-phys = <0x0 0x70000000>;")],
     r"/cells/rt/memory/ram: host-phys: .*region 0 \[0x41000000, \+0x4000000\) overlaps "
     r"hypervisor memory \[0x40000000, \+0x2000000\)"),
    ("memory_overlaps_loader_area",
     [("host-phys = <0x0 0x70000000>;",
       "host-phys = <0x0 0x4c000000>;\n\t\t\t\t\tguest-phys = <0x0 0x70000000>;")],
     r"/cells/rt/memory/ram: host-phys: .*overlaps the loader area \[0x48000000, \+0x8000000\)"),
    ("memory_outside_ram",
     [("host-phys = <0x0 0x70000000>;",
       "host-phys = <0x0 0x90000000>;\n\t\t\t\t\tguest-phys = <0x0 0x70000000>;")],
     r"/cells/rt/memory/ram: host-phys: \[0x90000000, \+0x4000000\) is not inside the "
     r"platform's RAM"),
    ("memory_misaligned",
     [("size = <0x0 0x4000000>;", "size = <0x0 0x4000800>;")],
     r"/cells/rt/memory/ram: size: cell \"rt\": region 0 .* size 0x4000800: all three must be "
     r"multiples of 4 KiB"),
    ("memory_zero_size",
     [("size = <0x0 0x4000000>;", "size = <0x0 0x0>;")],
     r"/cells/rt/memory/ram: size: cell \"rt\": region 0 \[0x70000000, \+0x0\) is empty"),
    ("hypervisor_memory_outside_ram",
     [("memory = <0x0 0x40000000 0x0 0x2000000>;", "memory = <0x0 0x30000000 0x0 0x2000000>;")],
     r"/hypervisor: memory: \[0x30000000, \+0x2000000\) is not inside the platform's RAM"),
    ("device_not_in_platform",
     [("reg = <0x0 0x9000000 0x0 0x1000>;", "reg = <0x0 0x9100000 0x0 0x1000>;")],
     r"/cells/linux/devices/uart: reg: \[0x9100000, \+0x1000\) is not inside any device the "
     r"platform offers for assignment"),
    ("device_in_two_cells",
     [(RT_DEVICES, "\t\t\tdevices {\n\t\t\t\tuart2 {\n\t\t\t\t\treg = <0x0 0x9000000 0x0 0x1000>;"
       "\n\t\t\t\t};\n\t\t\t};\n" + RT_DEVICES)],
     r'/cells/rt/devices/uart2: reg: cell "rt": device "uart2" \[0x9000000, \+0x1000\) '
     r'overlaps device "uart" of cell "linux"'),
    ("device_misaligned",
     [("reg = <0x0 0x9000000 0x0 0x1000>;", "reg = <0x0 0x9000000 0x0 0x800>;")],
     r'/cells/linux/devices/uart: reg: .*\[0x9000000, \+0x800\) is not 4 KiB-aligned'),
    # Devices the hypervisor keeps, and ranges that are not inside one device
    # (docs: config/bindings.md, "Which devices a cell may have"). The UART's
    # interrupt is dropped where it would make today's interrupt check fail
    # for an unrelated reason.
    ("device_at_gicd",
     [("reg = <0x0 0x9000000 0x0 0x1000>;\n\t\t\t\t\tinterrupts = <33>;",
       "reg = <0x0 0x8000000 0x0 0x10000>;")],
     r"/cells/linux/devices/uart: reg: \[0x8000000, \+0x10000\) is the interrupt controller "
     r"\(/intc@8000000\): the hypervisor owns it"),
    ("device_at_gicr",
     [("reg = <0x0 0x9000000 0x0 0x1000>;\n\t\t\t\t\tinterrupts = <33>;",
       "reg = <0x0 0x80a0000 0x0 0x20000>;")],
     r"/cells/linux/devices/uart: reg: \[0x80a0000, \+0x20000\) is the interrupt controller "
     r"\(/intc@8000000\): the hypervisor owns it"),
    ("device_at_gic_its",
     [("reg = <0x0 0x9000000 0x0 0x1000>;\n\t\t\t\t\tinterrupts = <33>;",
       "reg = <0x0 0x8080000 0x0 0x20000>;")],
     r"/cells/linux/devices/uart: reg: \[0x8080000, \+0x20000\) is part of the interrupt "
     r"controller \(/intc@8000000/its@8080000\): the hypervisor owns it"),
    ("device_memory_region_at_gicd",
     [(HV_STATUS_FLAGS + "\n\t\t\t\t};",
       HV_STATUS_FLAGS + "\n\t\t\t\t};\n\n\t\t\t\tgicd {\n"
       "\t\t\t\t\thost-phys = <0x0 0x8000000>;\n\t\t\t\t\tsize = <0x0 0x10000>;\n"
       "\t\t\t\t\tflags = \"read\", \"write\", \"device\";\n\t\t\t\t};")],
     r"/cells/linux/memory/gicd: host-phys: \[0x8000000, \+0x10000\) is the interrupt "
     r"controller \(/intc@8000000\): the hypervisor owns it"),
    ("device_straddles_two_platform_devices",
     [("reg = <0x0 0x9000000 0x0 0x1000>;", "reg = <0x0 0x9000000 0x0 0x11000>;")],
     r"/cells/linux/devices/uart: reg: \[0x9000000, \+0x11000\) is not inside any device the "
     r"platform offers for assignment \(it spans (/pl031@9010000 and /pl011@9000000|"
     r"/pl011@9000000 and /pl031@9010000)\): it must lie within one reg entry of one platform "
     r"node"),
    ("device_at_fw_cfg",
     [("reg = <0x0 0x9000000 0x0 0x1000>;\n\t\t\t\t\tinterrupts = <33>;",
       "reg = <0x0 0x9020000 0x0 0x1000>;")],
     r"/cells/linux/devices/uart: reg: \[0x9020000, \+0x1000\) is QEMU's firmware "
     r"configuration device \(/fw-cfg@9020000\): no cell may have it"),
    ("device_overlaps_interrupt_controller",
     [("reg = <0x0 0x9000000 0x0 0x1000>;", "reg = <0x0 0x8000000 0x0 0x1000>;")],
     r"/cells/linux/devices/uart: reg: \[0x8000000, \+0x1000\) is the interrupt controller "
     r"\(/intc@8000000\): the hypervisor owns it"),
    ("interrupt_owned_twice",
     [(RT_DEVICES, "\t\t\tdevices {\n\t\t\t\trtc {\n\t\t\t\t\treg = <0x0 0x9010000 0x0 0x1000>;"
       "\n\t\t\t\t\tinterrupts = <33>;\n\t\t\t\t};\n\t\t\t};\n" + RT_DEVICES)],
     r'/cells/rt/devices/rtc: interrupts: cell "rt": interrupt 33 is also owned by cell "linux"'),
    ("interrupt_out_of_range",
     [("interrupts = <33>;", "interrupts = <5>;")],
     r'/cells/linux/devices/uart: interrupts: cell "linux": interrupt 5 is out of range: '
     r"expected a GIC SPI"),
    ("interrupt_not_of_device",
     [("interrupts = <33>;", "interrupts = <40>;")],
     r"/cells/linux/devices/uart: interrupts: interrupt 40 is not an interrupt of platform "
     r"device /pl011@9000000"),
    ("load_address_outside_memory",
     [("load-address = <0x0 0x70000000>;", "load-address = <0x0 0x7c000000>;")],
     r'/cells/rt: load-address: cell "rt": image load address 0x7c000000 is not inside one of '
     r"its own writable memory regions"),
    ("entry_outside_memory",
     [("load-address = <0x0 0x70000000>;",
       "load-address = <0x0 0x70000000>;\n\t\t\tentry = <0x0 0x10000000>;")],
     r'/cells/rt: entry: cell "rt": entry point 0x10000000 is not inside one of its own '
     r"executable memory regions"),
    ("dtb_address_outside_memory",
     [("dtb-address = <0x0 0x5c000000>;", "dtb-address = <0x0 0x74000000>;")],
     r'/cells/linux: dtb-address: cell "linux": DTB load address 0x74000000 is not inside'),
    ("channel_names_unknown_cell",
     [("\t\t\trt {\n\t\t\t\tguest-phys = <0x0 0x74000000>;",
       "\t\t\trtx {\n\t\t\t\tguest-phys = <0x0 0x74000000>;")],
     r'/channels/telemetry/rtx: channel endpoint names cell "rtx", but there is no such node'),
    ("channel_with_one_endpoint",
     [("\t\t\trt {\n\t\t\t\tguest-phys = <0x0 0x74000000>;\n\t\t\t\taccess = \"read\", \"write\";"
       "\n\t\t\t};\n", "")],
     r'/channels/telemetry: channel "telemetry" has 1 endpoint\(s\)'),
    ("channel_bad_access",
     [('access = "read";', 'access = "exec";')],
     r'/channels/telemetry/linux: access: "exec" is not an access flag here'),
    ("channel_doorbell_out_of_range",
     [("size = <0x0 0x100000>;", "size = <0x0 0x100000>;\n\t\t\tdoorbell = <40>;")],
     r'/channels/telemetry: doorbell: channel "telemetry": doorbell 40 is out of range: '
     r"expected an SGI"),
    ("unknown_property",
     [('boot-protocol = "linux-arm64";', 'boot-protocol = "linux-arm64";\n\t\t\tcolour = "blue";')],
     r"/cells/linux: colour: unknown property; expected one of: cpus, "),
    ("flag_property_with_value",
     [("stops-system;", "stops-system = <1>;")],
     r"/cells/linux: stops-system: a flag property takes no value"),
    ("unknown_node",
     [("\t\t\tdevices {", "\t\t\tgpus {\n\t\t\t};\n\n\t\t\tdevices {")],
     r"/cells/linux/gpus: unknown node; a cell has only"),
    ("missing_property",
     [("load-address = <0x0 0x70000000>;", "")],
     r"/cells/rt: load-address: missing; expected <hi lo>"),
    ("wrong_property_type",
     [("load-address = <0x0 0x70000000>;", "load-address = <0x70000000>;")],
     r"/cells/rt: load-address: <0x70000000> \(1 cell\) given; expected <hi lo>"),
    ("boot_protocol_wrong_arch",
     [('boot-protocol = "linux-arm64";', 'boot-protocol = "linux-x86";')],
     r'/cells/linux: boot-protocol: "linux-x86" cannot boot on platform arch arm64'),
    ("platform_mismatch",
     [('compatible = "linux,dummy-virt";', 'compatible = "acme,board";')],
     r'/platform: compatible: "acme,board" does not match the platform'),
    ("console_not_in_platform",
     [('console = "/pl011@9000000";', 'console = "/uart@1234";')],
     r'/hypervisor: console: "/uart@1234" is not a node of the platform'),
    ("hv_status_writable",
     [(HV_STATUS_FLAGS, 'flags = "read", "write", "hv-status";')],
     r'/cells/linux/memory/hv-status: flags: cell "linux": region 1 flags 0x23: the hypervisor '
     r"status region must be read-only"),
    ("hv_status_executable",
     [(HV_STATUS_FLAGS, 'flags = "read", "exec", "hv-status";')],
     r'/cells/linux/memory/hv-status: flags: cell "linux": region 1 flags 0x25: the hypervisor '
     r"status region must be read-only"),
    ("hv_status_device",
     [(HV_STATUS_FLAGS, 'flags = "read", "device", "hv-status";')],
     r'/cells/linux/memory/hv-status: flags: cell "linux": region 1 flags 0x29: the hypervisor '
     r"status region must be read-only"),
    ("hv_status_with_host_address",
     [(HV_STATUS_FLAGS, HV_STATUS_FLAGS + "\n\t\t\t\t\thost-phys = <0x0 0x76000000>;")],
     r'/cells/linux/memory/hv-status: host-phys: cell "linux": region 1: host address '
     r"0x76000000 given for the hypervisor status region, expected 0"),
    ("hv_status_without_guest_address",
     [("guest-phys = <0x0 0x75000000>;", "")],
     r"/cells/linux/memory/hv-status: guest-phys: missing; expected <hi lo>"),
    ("hv_status_empty",
     [("guest-phys = <0x0 0x75000000>;\n\t\t\t\t\tsize = <0x0 0x1000>;",
       "guest-phys = <0x0 0x75000000>;\n\t\t\t\t\tsize = <0x0 0x0>;")],
     r'/cells/linux/memory/hv-status: size: cell "linux": region 1 \[0x0, \+0x0\) is empty'),
    ("hv_status_overlaps_own_ram",
     [("guest-phys = <0x0 0x75000000>;", "guest-phys = <0x0 0x60000000>;")],
     r'/cells/linux/memory/hv-status: guest-phys: cell "linux": region 1 at guest '
     r"\[0x60000000, \+0x1000\) overlaps its region 0"),
    ("dts_syntax_error",
     [("cpus = <0 1>;", "cpus = <0 1>")],
     r"dtc could not compile this file"),
]


@pytest.mark.parametrize("mutations,expected", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_check_reports_error_class(tool, qemu_platform, mutations, expected):
    system = tool.write(mutate(example(BASE), *mutations))
    result = tool.run("check", system, "--platform", qemu_platform)
    assert result.returncode == 1, result.stdout + result.stderr
    # Every error line starts with the file it is about.
    lines = [l for l in result.stderr.splitlines() if ": error: " in l]
    assert lines and all(l.startswith(str(system)) for l in lines), result.stderr
    assert re.search(expected, result.stderr, re.M), result.stderr


def test_error_classes_are_at_least_twenty():
    assert len({c[0] for c in CASES}) >= 20


def test_duplicate_cell_names_in_a_hand_made_dtb(tool, qemu_platform, dtc):
    # dtc merges same-named nodes, so forge the duplicate in the binary.
    text = example(BASE).replace("\t\trt {", "\t\tlinuy {", 1)
    text = text.replace("\t\t\trt {\n\t\t\t\tguest-phys", "\t\t\tlinuy {\n\t\t\t\tguest-phys")
    dts = tool.write(text)
    dtb = tool.tmp / "dup.dtb"
    subprocess.run([dtc, "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)
    dtb.write_bytes(dtb.read_bytes().replace(b"linuy\0", b"linux\0"))
    result = tool.run("check", dtb, "--platform", qemu_platform)
    assert result.returncode == 1
    assert re.search(r'/cells/linux: cell name "linux" is used twice', result.stderr), \
        result.stderr


# 0xfffffff4 steps libfdt 1.6.1's tag walk back onto the same tag (it used
# to hang bhcfg); the others point before the tag or past the blob's end.
@pytest.mark.parametrize("length", [0xfffffff4, 0xfffffff0, 0x7fffffff, 0x100])
def test_dtb_with_a_property_length_outside_the_blob_is_refused(tool, qemu_platform, dtc,
                                                                length):
    dts = tool.write(example(BASE).replace("/ {", "/ {\n\tbulkhead-probe = <0x12345678>;", 1))
    dtb = tool.tmp / "bad-length.dtb"
    subprocess.run([dtc, "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)
    blob = dtb.read_bytes()
    prop = re.search(rb"\0\0\0\x03\0\0\0\x04.{4}\x12\x34\x56\x78", blob, re.S)
    assert prop, "the probe property is not in dtc's output"
    at = prop.start() + 4
    dtb.write_bytes(blob[:at] + length.to_bytes(4, "big") + blob[at + 4:])
    result = tool.run("check", dtb, "--platform", qemu_platform)
    assert result.returncode == 1
    assert f"{dtb}: error: not a valid device tree blob: FDT_ERR_" in result.stderr, \
        result.stderr


def test_image_larger_than_its_region_is_refused_by_build(tool, qemu_platform, images):
    text = mutate(example(BASE), ("size = <0x0 0x4000000>;", "size = <0x0 0x1000>;"))
    system = tool.write(text)
    result = tool.run("build", system, "--platform", qemu_platform, "-I", images,
                      "-o", tool.tmp / "out.img")
    assert result.returncode == 1
    assert re.search(r'/cells/rt: image: cell "rt": image "rt/rtcell.bin" of 0x1388 bytes at '
                     r"guest 0x70000000 does not fit inside one of its writable memory regions",
                     result.stderr), result.stderr
    assert not (tool.tmp / "out.img").exists()


def test_missing_image_file_is_named(tool, qemu_platform, tmp_path):
    system = tool.write(example(BASE))
    result = tool.run("build", system, "--platform", qemu_platform, "-I", tmp_path,
                      "-o", tool.tmp / "out.img")
    assert result.returncode == 1
    assert re.search(r'/cells/linux: image: file "linux/Image" not found', result.stderr)


def test_channel_mapping_may_overlap_between_its_cells(tool, qemu_platform):
    # The declared channel is shared memory on purpose: no overlap error.
    result = tool.run("check", CONFIG_FILE(BASE), "--platform", qemu_platform)
    assert result.returncode == 0, result.stderr
    assert "overlaps" not in result.stderr


def CONFIG_FILE(name):
    from bhcfg_support import CONFIG
    return CONFIG / name


# x86 I/O ports: a cell's range must lie inside one `bulkhead,ports` entry of
# one assignable node of config/bochs-x86/platform.dts.
X86 = "bochs-x86/rt-test.dts"
X86_TEST_MEMORY = "\t\t\tmemory {\n\t\t\t\tram {\n\t\t\t\t\thost-phys = <0x0 0x4000000>;"


def x86_with_ports(ports, interrupts=None):
    irq = f"\t\t\t\t\tinterrupts = <{interrupts}>;\n" if interrupts is not None else ""
    return mutate(example(X86), (X86_TEST_MEMORY,
                                 "\t\t\tdevices {\n\t\t\t\tio {\n"
                                 f"\t\t\t\t\tports = <{ports}>;\n{irq}"
                                 "\t\t\t\t};\n\t\t\t};\n\n" + X86_TEST_MEMORY))


X86_CASES = [
    # Touches COM1, but also covers ISA DMA, the PIC, the PIT, the reset line and CMOS.
    ("ports_first_kilobyte", "0x0 0x400",
     r"/cells/test/devices/io: ports: \[0x0, \+0x400\) overlaps the ISA DMA controller "
     r"\(/dma@0\): the hypervisor owns it"),
    ("ports_keyboard_reset", "0x64 0x1",
     r"/cells/test/devices/io: ports: \[0x64, \+0x1\) is the keyboard controller and reset "
     r"lines \(/keyboard@60\): the hypervisor owns it"),
    ("ports_pic", "0x20 0x2",
     r"/cells/test/devices/io: ports: \[0x20, \+0x2\) is the interrupt controller "
     r"\(/pic@20\): the hypervisor owns it"),
    ("ports_pci_config", "0xcf8 0x8",
     r"/cells/test/devices/io: ports: \[0xcf8, \+0x8\) is the PCI configuration ports "
     r"\(/pci@cf8\): the hypervisor owns it"),
    ("ports_bochs_shutdown", "0x8900 0x1",
     r"/cells/test/devices/io: ports: \[0x8900, \+0x1\) is Bochs' debug console and shutdown "
     r"port \(/bochs-debug@e9\): the hypervisor owns it"),
    # Touches COM1, but 0x3f0..0x3f7 belong to no device the platform offers.
    ("ports_past_com1", "0x3f0 0x10",
     r"/cells/test/devices/io: ports: \[0x3f0, \+0x10\) is not inside any device the platform "
     r"offers for assignment \(it reaches past /serial@3f8\)"),
    ("ports_past_com2", "0x2f8 0x10",
     r"/cells/test/devices/io: ports: \[0x2f8, \+0x10\) is not inside any device the platform "
     r"offers for assignment \(it reaches past /serial@2f8\)"),
    ("ports_unlisted", "0x1f0 0x8",
     r"/cells/test/devices/io: ports: \[0x1f0, \+0x8\) is not inside any device the platform "
     r"offers for assignment: it must lie within one bulkhead,ports entry"),
]


@pytest.mark.parametrize("ports,expected", [c[1:] for c in X86_CASES],
                         ids=[c[0] for c in X86_CASES])
def test_x86_port_range_outside_an_assignable_device_is_refused(tool, x86_platform, ports,
                                                                 expected):
    system = tool.write(x86_with_ports(ports))
    result = tool.run("check", system, "--platform", x86_platform)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(expected, result.stderr, re.M), result.stderr


def test_x86_cell_cannot_restart_on_reset_yet(tool, x86_platform):
    text = example(X86).replace("boot-protocol =", "restart-on-reset;\n\t\t\tboot-protocol =", 1)
    assert "restart-on-reset" in text
    result = tool.run("check", tool.write(text), "--platform", x86_platform)
    assert result.returncode == 1, result.stderr
    assert "restart on reset is not available on x86_64: a cell there has no way to ask for a " \
        "reset yet" in result.stderr, result.stderr


def test_x86_com2_can_be_given_to_a_cell(tool, x86_platform):
    result = tool.run("check", tool.write(x86_with_ports("0x2f8 0x8", 3)),
                      "--platform", x86_platform)
    assert result.returncode == 0, result.stderr


def test_x86_hypervisor_console_can_be_handed_to_a_cell(tool, x86_platform):
    # bindings.md: the hypervisor's console UART may be given to a cell.
    result = tool.run("check", tool.write(x86_with_ports("0x3f8 0x8", 4)),
                      "--platform", x86_platform)
    assert result.returncode == 0, result.stderr


SYSTEMS = sorted([*(CONFIG_FILE("qemu-arm64")).glob("*.dts"),
                  *(CONFIG_FILE("bochs-x86")).glob("*.dts"),
                  *(CONFIG_FILE("..") / "tests" / "system" / "systems").glob("*.dts"),
                  *(CONFIG_FILE("..") / "tests" / "containment" / "systems").glob("*.dts")])


def is_x86_system(system):
    return 'arch = "x86_64"' in system.read_text()


@pytest.mark.parametrize("system", [s for s in SYSTEMS if s.name != "platform.dts"],
                         ids=[f"{p.parent.name}/{p.name}" for p in SYSTEMS
                              if p.name != "platform.dts"])
def test_shipped_system_checks_clean(tool, qemu_platform, x86_platform, system):
    # Among them: the PL011 that is also the hypervisor's console, and one
    # virtio-mmio page holding eight 0x200-byte transports (sysgen's systems). Each
    # system is checked against the platform it names (x86: bochs-x86 or bochs-x86-4cpu).
    platform = qemu_platform
    if is_x86_system(system):
        name = re.search(r'platform-name = "([\w-]+)"', system.read_text()).group(1)
        platform = x86_platform.parent.parent / name / "platform.dts"
    result = tool.run("check", system, "--platform", platform)
    assert result.returncode == 0, result.stderr
