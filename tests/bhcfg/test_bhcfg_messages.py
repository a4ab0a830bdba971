"""What bhcfg's messages say: a value of the wrong type is shown as given, a
channel's mapping is named by its channel, a wrapping range is the first
complaint, long node paths stay readable, and --help is not a usage error.
Each case starts from the default example (config/qemu-arm64/linux-rt.dts)."""

import re

import pytest

from bhcfg_support import example, mutate

BASE = "qemu-arm64/linux-rt.dts"

RT = "\t\trt {\n\t\t\tcpus = <2 3>;"
RT_RAM = "\t\t\t\tram {\n\t\t\t\t\thost-phys = <0x0 0x70000000>;"
LINUX_ENDPOINT = "\t\t\tlinux {\n\t\t\t\tguest-phys = <0x0 0x74000000>;\n\t\t\t\taccess = \"read\";"
CHANNEL = "\t\ttelemetry {\n\t\t\thost-phys = <0x0 0x74000000>;\n\t\t\tsize = <0x0 0x100000>;"
UART = "reg = <0x0 0x9000000 0x0 0x1000>;"


def check(tool, qemu_platform, *mutations):
    system = tool.write(mutate(example(BASE), *mutations))
    result = tool.run("check", system, "--platform", qemu_platform)
    errors = [l for l in result.stderr.splitlines() if ": error: " in l]
    return result, errors


# (property, mutation, expected "NODE: PROPERTY: GIVEN given; expected ..." regex):
# every property parse.c reads, given a string where it takes cells or cells
# where it takes a string.
STRING = r'the string "{}" given; expected '
TYPE_CASES = [
    ("root_compatible", ('compatible = "bulkhead,system";', "compatible = <1>;"),
     r"/: compatible: <0x1> \(1 cell\) given; expected one non-empty string"),
    ("address_cells", ("#address-cells = <2>;", '#address-cells = "2";'),
     r"/: #address-cells: " + STRING.format("2") + "one 32-bit cell"),
    ("size_cells", ("#size-cells = <2>;", '#size-cells = "2";'),
     r"/: #size-cells: " + STRING.format("2") + "one 32-bit cell"),
    ("platform_name", ('platform-name = "qemu-arm64";', "platform-name = <0x1 0x2>;"),
     r"/platform: platform-name: <0x1 0x2> \(2 cells\) given; expected one non-empty string"),
    ("arch", ('arch = "arm64";', "arch = <64>;"),
     r"/platform: arch: <0x40> \(1 cell\) given; expected one non-empty string"),
    ("platform_compatible", ('compatible = "linux,dummy-virt";', "compatible = <7>;"),
     r"/platform: compatible: <0x7> \(1 cell\) given; expected one non-empty string"),
    ("hv_memory", ("memory = <0x0 0x40000000 0x0 0x2000000>;", 'memory = "0x40000000";'),
     r"/hypervisor: memory: " + STRING.format("0x40000000") + "<base-hi base-lo size-hi"),
    ("loader_area", ("loader-area = <0x0 0x48000000 0x0 0x8000000>;", 'loader-area = "low";'),
     r"/hypervisor: loader-area: " + STRING.format("low") + "<base-hi base-lo size-hi"),
    ("console", ('console = "/pl011@9000000";', "console = <0x9000000>;"),
     r"/hypervisor: console: <0x9000000> \(1 cell\) given; expected one non-empty string"),
    ("cpus", ("cpus = <2 3>;", 'cpus = "2 3";'),
     r"/cells/rt: cpus: " + STRING.format("2 3") + "a non-empty list of CPU hardware ids"),
    ("cpus_list", ("cpus = <2 3>;", 'cpus = "2", "3";'),
     r'/cells/rt: cpus: the strings "2", "3" given; expected a non-empty list'),
    ("boot_cpu", ("cpus = <2 3>;", 'cpus = <2 3>;\n\t\t\tboot-cpu = "3";'),
     r"/cells/rt: boot-cpu: " + STRING.format("3") + "one 32-bit cell"),
    ("boot_protocol", ('boot-protocol = "bulkhead";', "boot-protocol = <1>;"),
     r"/cells/rt: boot-protocol: <0x1> \(1 cell\) given; expected one non-empty string"),
    ("image", ('image = "rtcell/rtcell.bin";', "image = <0x0 0x70000000>;"),
     r"/cells/rt: image: <0x0 0x70000000> \(2 cells\) given; expected one non-empty string"),
    ("load_address", ("load-address = <0x0 0x70000000>;", 'load-address = "0x70000000";'),
     r"/cells/rt: load-address: " + STRING.format("0x70000000") + "<hi lo>"),
    ("entry", ("load-address = <0x0 0x70000000>;",
               'load-address = <0x0 0x70000000>;\n\t\t\tentry = "start";'),
     r"/cells/rt: entry: " + STRING.format("start") + "<hi lo>"),
    ("dtb_address", ("dtb-address = <0x0 0x5c000000>;", 'dtb-address = "0x5c000000";'),
     r"/cells/linux: dtb-address: " + STRING.format("0x5c000000") + "<hi lo>"),
    ("bootargs", ('bootargs = "console=ttyAMA0 earlycon=pl011,0x9000000 rdinit=/init";',
                  "bootargs = <1 2 3>;"),
     r"/cells/linux: bootargs: <0x1 0x2 0x3> \(3 cells\) given; expected one non-empty string"),
    ("initrd", ('initrd = "linux/initramfs.cpio.gz";', "initrd = <0x0 0x5c200000>;"),
     r"/cells/linux: initrd: <0x0 0x5c200000> \(2 cells\) given; expected one non-empty"),
    ("initrd_address", ("initrd-address = <0x0 0x5c200000>;", 'initrd-address = "high";'),
     r"/cells/linux: initrd-address: " + STRING.format("high") + "<hi lo>"),
    ("realtime", ("\t\t\trealtime;\n", '\t\t\trealtime = "yes";\n'),
     r'/cells/rt: realtime: a flag property takes no value; the string "yes" given'),
    ("stops_system", ("stops-system;", "stops-system = <1>;"),
     r"/cells/linux: stops-system: a flag property takes no value; <0x1> \(1 cell\) given"),
    ("region_host_phys", (RT_RAM, '\t\t\t\tram {\n\t\t\t\t\thost-phys = "0x70000000";'),
     r"/cells/rt/memory/ram: host-phys: " + STRING.format("0x70000000") + "<hi lo>"),
    ("region_guest_phys", (RT_RAM, RT_RAM + '\n\t\t\t\t\tguest-phys = "0x70000000";'),
     r"/cells/rt/memory/ram: guest-phys: " + STRING.format("0x70000000") + "<hi lo>"),
    ("region_size", ("size = <0x0 0x4000000>;", 'size = "64M";'),
     r"/cells/rt/memory/ram: size: " + STRING.format("64M") + "<hi lo>"),
    ("region_flags", ('size = <0x0 0x4000000>;\n\t\t\t\t\tflags = "read", "write", "exec";',
                      "size = <0x0 0x4000000>;\n\t\t\t\t\tflags = <7>;"),
     r"/cells/rt/memory/ram: flags: <0x7> \(1 cell\) given; expected a string list"),
    ("device_reg", (UART, 'reg = "0x9000000";'),
     r"/cells/linux/devices/uart: reg: " + STRING.format("0x9000000") + "<base-hi base-lo"),
    ("device_ports", (UART, 'ports = "0x3f8";'),
     r"/cells/linux/devices/uart: ports: " + STRING.format("0x3f8") + "<first-port count>"),
    ("device_interrupts", ("interrupts = <33>;", 'interrupts = "33";'),
     r"/cells/linux/devices/uart: interrupts: " + STRING.format("33") + "a list of interrupt"),
    ("channel_host_phys", ("host-phys = <0x0 0x74000000>;", 'host-phys = "shared";'),
     r"/channels/telemetry: host-phys: " + STRING.format("shared") + "<hi lo>"),
    ("channel_size", ("size = <0x0 0x100000>;", 'size = "1M";'),
     r"/channels/telemetry: size: " + STRING.format("1M") + "<hi lo>"),
    ("channel_doorbell", ("size = <0x0 0x100000>;", 'size = <0x0 0x100000>;\n\t\t\tdoorbell = "5";'),
     r"/channels/telemetry: doorbell: " + STRING.format("5") + "one 32-bit cell"),
    ("endpoint_guest_phys", (LINUX_ENDPOINT, LINUX_ENDPOINT.replace(
        "<0x0 0x74000000>", '"0x74000000"')),
     r"/channels/telemetry/linux: guest-phys: " + STRING.format("0x74000000") + "<hi lo>"),
    ("endpoint_access", (LINUX_ENDPOINT, LINUX_ENDPOINT.replace('"read"', "<1>")),
     r'/channels/telemetry/linux: access: <0x1> \(1 cell\) given; expected a string list'),
]


@pytest.mark.parametrize("mutation,expected", [c[1:] for c in TYPE_CASES],
                         ids=[c[0] for c in TYPE_CASES])
def test_type_mismatch_says_what_was_given_and_expected(tool, qemu_platform, mutation,
                                                        expected):
    result, errors = check(tool, qemu_platform, mutation)
    assert result.returncode == 1, result.stderr
    assert any(re.search(expected, l) for l in errors), result.stderr


# A channel's endpoints become regions the user never wrote: no message about
# them may name an internal region index.
CHANNEL_CASES = [
    ("host_range_overlaps_ram",
     [("host-phys = <0x0 0x74000000>;", "host-phys = <0x0 0x71000000>;")],
     [r'/channels/telemetry: host-phys: channel "telemetry" in cell "rt" '
      r'\[0x71000000, \+0x100000\) overlaps cell "rt" region 0',
      r'/cells/rt/memory/ram: host-phys: cell "rt": region 0 \[0x70000000, \+0x4000000\) '
      r'overlaps channel "telemetry" in cell "linux"']),
    ("guest_overlaps_own_ram",
     [(LINUX_ENDPOINT, LINUX_ENDPOINT.replace("0x74000000", "0x50000000"))],
     [r'/channels/telemetry/linux: guest-phys: channel "telemetry" in cell "linux" at guest '
      r'\[0x50000000, \+0x100000\) overlaps its region 0']),
    ("size_misaligned",
     [("size = <0x0 0x100000>;", "size = <0x0 0x100800>;")],
     [r'^[^ ]+: error: /channels/telemetry: size: channel "telemetry" '
      r'\[0x74000000, \+0x100800\) is not 4 KiB-aligned$']),
    ("guest_misaligned",
     [(LINUX_ENDPOINT, LINUX_ENDPOINT.replace("0x74000000", "0x74000800"))],
     [r'^[^ ]+: error: /channels/telemetry/linux: guest-phys: channel "telemetry": cell "linux" '
      r"guest address 0x74000800 is not 4 KiB-aligned"]),
    ("over_hypervisor_memory",
     [("host-phys = <0x0 0x74000000>;", "host-phys = <0x0 0x41000000>;")],
     [r'^[^ ]+: error: /channels/telemetry: host-phys: channel "telemetry" \[0x41000000, '
      r"\+0x100000\) overlaps hypervisor memory"]),
    ("outside_ram",
     [("host-phys = <0x0 0x74000000>;", "host-phys = <0x0 0x94000000>;")],
     [r'^[^ ]+: error: /channels/telemetry: host-phys: channel "telemetry" \[0x94000000, '
      r"\+0x100000\) is not inside the platform's RAM$"]),
    ("device_over_channel",
     [(UART, "reg = <0x0 0x74000000 0x0 0x1000>;")],
     [r'/cells/linux/devices/uart: reg: cell "linux": device "uart" \[0x74000000, \+0x1000\) '
      r'overlaps channel "telemetry" in cell "linux"$']),
]


@pytest.mark.parametrize("mutations,expected", [c[1:] for c in CHANNEL_CASES],
                         ids=[c[0] for c in CHANNEL_CASES])
def test_channel_mapping_problems_name_the_channel(tool, qemu_platform, mutations, expected):
    result, errors = check(tool, qemu_platform, *mutations)
    assert result.returncode == 1, result.stderr
    for pattern in expected:
        assert any(re.search(pattern, l) for l in errors), (pattern, result.stderr)
    # One mistake, one message per mapping at most, and never "region N" for a channel.
    for line in errors:
        if "/channels/" in line or 'channel "' in line:
            assert not re.search(r'(?<!cell "rt": )(?<!cell "rt" )region [1-9]', line), line
    if "misaligned" in expected[0] or "hypervisor" in expected[0] or "RAM" in expected[0]:
        assert len(errors) == 1, result.stderr
    # A device over a channel overlaps one host range, however many cells map it.
    assert len([l for l in errors if "device" in l and "overlaps channel" in l]) <= 1, \
        result.stderr


# A base/size pair that passes 2^64: the wrap is the first (and only) complaint,
# not the RAM, alignment, overlap or load-address rule that trips over it.
WRAP_CASES = [
    ("region", ("size = <0x0 0x4000000>;", "size = <0xffffffff 0xfff00000>;"),
     r"/cells/rt/memory/ram: size: host-phys 0x70000000 \+ size 0xfffffffffff00000 wraps"),
    ("region_misaligned_too", ("size = <0x0 0x4000000>;", "size = <0xffffffff 0xfff00800>;"),
     r"/cells/rt/memory/ram: size: host-phys 0x70000000 \+ size 0xfffffffffff00800 wraps"),
    ("region_guest", (RT_RAM, RT_RAM + "\n\t\t\t\t\tguest-phys = <0xffffffff 0xfe000000>;"),
     r"/cells/rt/memory/ram: size: guest-phys 0xfffffffffe000000 \+ size 0x4000000 wraps"),
    ("channel", (CHANNEL, CHANNEL.replace("<0x0 0x100000>", "<0xffffffff 0xfff00000>")),
     r"/channels/telemetry: size: host-phys 0x74000000 \+ size 0xfffffffffff00000 wraps"),
    ("endpoint", (LINUX_ENDPOINT, LINUX_ENDPOINT.replace("<0x0 0x74000000>",
                                                         "<0xffffffff 0xfff80000>")),
     r"/channels/telemetry/linux: guest-phys: guest-phys 0xfffffffffff80000 \+ size 0x100000 "
     r"wraps"),
    ("device", (UART, "reg = <0x0 0x9000000 0xffffffff 0xff000000>;"),
     r"/cells/linux/devices/uart: reg: base 0x9000000 \+ size 0xffffffffff000000 wraps"),
    ("hypervisor_memory", ("memory = <0x0 0x40000000 0x0 0x2000000>;",
                           "memory = <0x0 0x40000000 0xffffffff 0xf0000000>;"),
     r"/hypervisor: memory: base 0x40000000 \+ size 0xfffffffff0000000 wraps"),
    ("loader_area", ("loader-area = <0x0 0x48000000 0x0 0x8000000>;",
                     "loader-area = <0xffffffff 0xf8000000 0x0 0x10000000>;"),
     r"/hypervisor: loader-area: base 0xfffffffff8000000 \+ size 0x10000000 wraps"),
]


@pytest.mark.parametrize("mutation,expected", [c[1:] for c in WRAP_CASES],
                         ids=[c[0] for c in WRAP_CASES])
def test_wrapping_range_is_reported_first(tool, qemu_platform, mutation, expected):
    result, errors = check(tool, qemu_platform, mutation)
    assert result.returncode == 1, result.stderr
    assert errors and re.search(expected + r" past 2\^64$", errors[0]), result.stderr
    for line in errors:
        assert not re.search(r"aligned|overlaps|not inside|empty", line), result.stderr


def test_long_node_path_is_printed_in_full(tool, qemu_platform):
    name = "r" * 200  # the whole path still fits: no shortening
    result, errors = check(tool, qemu_platform,
                           (RT_RAM, f"\t\t\t\t{name} {{\n\t\t\t\t\tcolour;\n"
                                    "\t\t\t\t\thost-phys = <0x0 0x70000000>;"))
    assert result.returncode == 1
    assert any(f"/cells/rt/memory/{name}: colour: unknown property" in l for l in errors), \
        result.stderr


@pytest.mark.parametrize("length", [300, 3000])
def test_too_long_node_path_is_shortened_visibly(tool, qemu_platform, length):
    name = "r" * (length - 8) + "-the-end"
    result, errors = check(tool, qemu_platform,
                           (RT_RAM, f"\t\t\t\t{name} {{\n\t\t\t\t\tcolour;\n"
                                    "\t\t\t\t\thost-phys = <0x0 0x70000000>;"))
    assert result.returncode == 1
    assert errors and all(": ?: " not in l for l in errors), result.stderr
    line = next(l for l in errors if "colour: unknown property" in l)
    path = line.split(": error: ", 1)[1].split(": colour: ")[0]
    # The start (where) and the end (which node) survive around a visible "...".
    assert path.startswith("/") and "..." in path and path.endswith("r-the-end"), line
    assert len(path) <= 255, line


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["check", "--help"]])
def test_help_prints_usage_to_stdout_and_exits_0(tool, args):
    result = tool.run(*args)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: bhcfg check"), result.stdout
    assert result.stderr == ""


@pytest.mark.parametrize("args", [[], ["frobnicate", "x.dts"], ["check"], ["check", "--bogus"]])
def test_usage_errors_exit_2_with_usage_on_stderr(tool, args):
    result = tool.run(*args)
    assert result.returncode == 2
    assert "usage: bhcfg" in result.stderr and result.stdout == ""


@pytest.mark.parametrize("sgi,reason", [(0, "the realtime kernel's reschedule SGI"),
                                        (14, "the hypervisor's kick SGI"),
                                        (15, "the mailbox doorbell SGI")])
def test_doorbell_on_bulkheads_own_sgi_is_refused(tool, qemu_platform, sgi, reason):
    result, errors = check(tool, qemu_platform,
                           ("size = <0x0 0x100000>;",
                            f"size = <0x0 0x100000>;\n\t\t\tdoorbell = <{sgi}>;"))
    assert result.returncode == 1, result.stderr
    assert any(re.search(rf'/channels/telemetry: doorbell: channel "telemetry": doorbell {sgi} '
                         rf"is {reason}.*; expected an SGI, INTID 1\.\.13", l)
               for l in errors), result.stderr


@pytest.mark.parametrize("sgi", [1, 5, 8, 13])
def test_doorbell_on_a_free_sgi_is_accepted(tool, qemu_platform, sgi):
    result, errors = check(tool, qemu_platform,
                           ("size = <0x0 0x100000>;",
                            f"size = <0x0 0x100000>;\n\t\t\tdoorbell = <{sgi}>;"))
    assert result.returncode == 0 and not errors, result.stderr
