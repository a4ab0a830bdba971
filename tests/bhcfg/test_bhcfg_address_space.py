"""Addresses the hypervisor cannot express must be refused, not truncated.

Stage 2 and the EL2 map keep output address bits 47:12 only; before these
rules a region flagged "device" at host 0x1_0000_4000_0000 passed the checker
and was mapped at 0x40000000, the hypervisor's own memory. Each case starts
from the default example and, where the platform itself must offer the
address (RAM, a device node), from QEMU's platform with one node added, so
that only the address-space rule can refuse it (docs/design.md, I2)."""

import re
import subprocess

import pytest

from bhcfg_support import example, mutate

BASE = "qemu-arm64/linux-rt.dts"

# 2^48 + 0x40000000: truncated to 48 bits this is the hypervisor's memory.
HIGH = "0x10000 0x40000000"
HIGH_HEX = "0x1000040000000"

RT_RAM_END = ("\t\t\t\t\tflags = \"read\", \"write\", \"exec\";\n\t\t\t\t};\n\t\t\t};\n"
              "\t\t};\n\t};\n\n\tchannels")


def rt_extra_region(name, body):
    """Adds a region to the realtime cell's memory node."""
    return (RT_RAM_END,
            "\t\t\t\t\tflags = \"read\", \"write\", \"exec\";\n\t\t\t\t};\n"
            f"\t\t\t\t{name} {{\n{body}\t\t\t\t}};\n\t\t\t}};\n\t\t}};\n\t}};\n\n\tchannels")


# Platform nodes beyond 2^48: RAM, and a device that is not RAM.
HIGH_RAM_NODE = ("\tmemory@1000040000000 {\n\t\tdevice_type = \"memory\";\n"
                 f"\t\treg = <{HIGH} 0x0 0x10000000>;\n\t}};\n")
HIGH_DEVICE_NODE = ("\tdevice@1000009000000 {\n\t\tcompatible = \"acme,far-device\";\n"
                    "\t\treg = <0x10000 0x9000000 0x0 0x1000>;\n\t};\n")

# (case, nodes added to the platform, replacements on linux-rt.dts, expected message)
CASES = [
    ("device_region_beyond_physical_address_space", "",
     [rt_extra_region("mmio", f"\t\t\t\t\thost-phys = <{HIGH}>;\n"
                              "\t\t\t\t\tguest-phys = <0x0 0x80000000>;\n"
                              "\t\t\t\t\tsize = <0x0 0x1000>;\n"
                              "\t\t\t\t\tflags = \"read\", \"write\", \"device\";\n")],
     rf'/cells/rt/memory/mmio: host-phys: cell "rt": region 1 host \[{HIGH_HEX}, \+0x1000\) '
     r"lies beyond the 48-bit physical address space"),
    ("ram_region_beyond_physical_address_space", HIGH_RAM_NODE,
     [("host-phys = <0x0 0x70000000>;",
       f"host-phys = <{HIGH}>;\n\t\t\t\t\tguest-phys = <0x0 0x70000000>;")],
     rf'/cells/rt/memory/ram: host-phys: cell "rt": region 0 host \[{HIGH_HEX}, \+0x4000000\) '
     r"lies beyond the 48-bit physical address space"),
    ("ram_region_beyond_guest_address_space", "",
     [("host-phys = <0x0 0x70000000>;",
       "host-phys = <0x0 0x70000000>;\n\t\t\t\t\tguest-phys = <0x10000 0x0>;"),
      ("load-address = <0x0 0x70000000>;", "load-address = <0x10000 0x0>;")],
     r'/cells/rt/memory/ram: guest-phys: cell "rt": region 0 guest \[0x1000000000000, '
     r"\+0x4000000\) lies beyond the 48-bit guest-physical address space"),
    ("device_node_beyond_physical_address_space", HIGH_DEVICE_NODE,
     [("reg = <0x0 0x9000000 0x0 0x1000>;\n\t\t\t\t\tinterrupts = <33>;",
       "reg = <0x10000 0x9000000 0x0 0x1000>;")],
     r'/cells/linux/devices/uart: reg: cell "linux": device "uart" '
     r"\[0x1000009000000, \+0x1000\) lies beyond the 48-bit physical address space"),
    ("channel_beyond_physical_address_space", HIGH_RAM_NODE,
     [("host-phys = <0x0 0x74000000>;", f"host-phys = <{HIGH}>;")],
     rf'/channels/telemetry: host-phys: channel "telemetry" host \[{HIGH_HEX}, \+0x100000\) '
     r"lies beyond the 48-bit physical address space"),
    ("channel_endpoint_beyond_guest_address_space", "",
     [("guest-phys = <0x0 0x74000000>;\n\t\t\t\taccess = \"read\", \"write\";",
       "guest-phys = <0x10000 0x74000000>;\n\t\t\t\taccess = \"read\", \"write\";")],
     r'/channels/telemetry: guest-phys: channel "telemetry": cell "rt" guest '
     r"\[0x1000074000000, \+0x100000\) lies beyond the 48-bit guest-physical address space"),
    ("hypervisor_memory_beyond_physical_address_space", HIGH_RAM_NODE,
     [("memory = <0x0 0x40000000 0x0 0x2000000>;", f"memory = <{HIGH} 0x0 0x2000000>;")],
     rf"/hypervisor: memory: hypervisor memory \[{HIGH_HEX}, \+0x2000000\) lies beyond the "
     r"48-bit physical address space"),
    ("loader_area_beyond_physical_address_space", HIGH_RAM_NODE,
     [("loader-area = <0x0 0x48000000 0x0 0x8000000>;",
       f"loader-area = <{HIGH} 0x0 0x8000000>;")],
     rf"/hypervisor: loader-area: loader area \[{HIGH_HEX}, \+0x8000000\) lies beyond the "
     r"48-bit physical address space"),
    # Not new: a range wrapping past 2^64 keeps its own message, before any limit.
    ("region_wrapping_past_2_64", "",
     [rt_extra_region("mmio", "\t\t\t\t\thost-phys = <0xffffffff 0xfffff000>;\n"
                              "\t\t\t\t\tguest-phys = <0x0 0x80000000>;\n"
                              "\t\t\t\t\tsize = <0x0 0x2000>;\n"
                              "\t\t\t\t\tflags = \"read\", \"write\", \"device\";\n")],
     # bhcfg reports the wrap while it reads the file, before any other rule.
     r"/cells/rt/memory/mmio: size: host-phys 0xfffffffffffff000 \+ size 0x2000 wraps past 2\^64"),
]


@pytest.fixture(scope="session")
def qemu_platform_dts(qemu_platform, dtc):
    return subprocess.run([dtc, "-q", "-I", "dtb", "-O", "dts", str(qemu_platform)], check=True,
                          capture_output=True, text=True, timeout=30).stdout


def platform_with(tool, qemu_platform, qemu_platform_dts, nodes):
    if not nodes:
        return qemu_platform
    # The root node's closing brace is the last one of the file.
    head, _, tail = qemu_platform_dts.rpartition("};")
    return tool.write(head + nodes + "};" + tail, "platform.dts")


@pytest.mark.parametrize("platform_nodes,mutations,expected",
                         [pytest.param(n, m, e, id=c) for c, n, m, e in CASES])
def test_address_beyond_what_the_hypervisor_maps_is_refused(tool, qemu_platform,
                                                            qemu_platform_dts, platform_nodes,
                                                            mutations, expected):
    platform = platform_with(tool, qemu_platform, qemu_platform_dts, platform_nodes)
    system = tool.write(mutate(example(BASE), *mutations))
    result = tool.run("check", system, "--platform", platform)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(expected, result.stderr, re.MULTILINE), result.stderr


@pytest.mark.parametrize("nodes", [HIGH_RAM_NODE, HIGH_DEVICE_NODE], ids=["ram", "device"])
def test_platform_nodes_beyond_the_limit_do_not_disturb_a_valid_system(
        tool, qemu_platform, qemu_platform_dts, nodes):
    """The added platform nodes are harmless unless a description uses them."""
    platform = platform_with(tool, qemu_platform, qemu_platform_dts, nodes)
    result = tool.run("check", tool.write(example(BASE)), "--platform", platform)
    assert result.returncode == 0, result.stderr


# QEMU's cortex-a72 has a 44-bit PARange, and the hypervisor's stage 2 takes
# its sizes from it: below the 48-bit architecture limit, yet out of reach.
A72_CASES = [
    ("device_region_beyond_the_cpus_pa_range",
     [rt_extra_region("mmio", "\t\t\t\t\thost-phys = <0x1000 0x0>;\n"
                              "\t\t\t\t\tguest-phys = <0x0 0x80000000>;\n"
                              "\t\t\t\t\tsize = <0x0 0x1000>;\n"
                              "\t\t\t\t\tflags = \"read\", \"write\", \"device\";\n")],
     r"/cells/rt/memory/mmio: host-phys: \[0x100000000000, \+0x1000\) lies beyond the 44-bit "
     r"physical address space of the platform's CPUs \(arm,cortex-a72\)"),
    ("channel_endpoint_beyond_the_cpus_pa_range",
     [("guest-phys = <0x0 0x74000000>;\n\t\t\t\taccess = \"read\", \"write\";",
       "guest-phys = <0x1000 0x0>;\n\t\t\t\taccess = \"read\", \"write\";")],
     r"/channels/telemetry/rt: guest-phys: guest \[0x100000000000, \+0x100000\) lies beyond "
     r"the 44-bit guest-physical address space of the platform's CPUs \(arm,cortex-a72\)"),
]


@pytest.mark.parametrize("mutations,expected", [pytest.param(m, e, id=c) for c, m, e in A72_CASES])
def test_address_beyond_the_platform_cpus_pa_range_is_refused(tool, qemu_platform, mutations,
                                                              expected):
    system = tool.write(mutate(example(BASE), *mutations))
    result = tool.run("check", system, "--platform", qemu_platform)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(expected, result.stderr, re.MULTILINE), result.stderr


def test_unknown_cpu_leaves_only_the_architecture_limit(tool, qemu_platform_dts):
    """A core bhcfg has no PARange for: 2^44 passes, the hypervisor judges at boot.
    The platform offers a device there, so only the address rules could refuse it."""
    device_at_2_44 = ("\tdevice@100000000000 {\n\t\tcompatible = \"acme,far-device\";\n"
                      "\t\treg = <0x1000 0x0 0x0 0x1000>;\n\t};\n")
    platform_dts = qemu_platform_dts.replace('"arm,cortex-a72"', '"acme,core"')
    platform_dts = platform_dts[:platform_dts.rindex("};")] + device_at_2_44 + "};\n"
    platform = tool.write(platform_dts, "platform.dts")
    system = tool.write(mutate(example(BASE), *A72_CASES[0][1]))
    result = tool.run("check", system, "--platform", platform)
    assert result.returncode == 0, result.stderr
