"""What bhcfg accepts must boot: the hypervisor's limits and placement rules
(cell count, what the native boot info carries, writable load targets, the
boot info page, a realtime cell's redistributor frames) and the boot
protocols' own rules (everything loaded into a cell apart, arm64 Linux
alignment, the Image's declared size). Each case starts from the default
example, makes one mistake, and expects exit status 1 and the reason."""

import re
import struct
import subprocess

import pytest

from bhcfg_support import example, mutate

BASE = "qemu-arm64/linux-rt.dts"
RT_RAM = ("\t\t\t\tram {\n\t\t\t\t\thost-phys = <0x0 0x70000000>;\n"
          "\t\t\t\t\tsize = <0x0 0x4000000>;\n"
          "\t\t\t\t\tflags = \"read\", \"write\", \"exec\";\n\t\t\t\t};\n")
CHANNELS_END = "\t\t};\n\t};\n};\n"


def region(name, host, size=0x1000, flags='"read", "write"'):
    return (f"\t\t\t\t{name} {{\n\t\t\t\t\thost-phys = <0x0 {host:#x}>;\n"
            f"\t\t\t\t\tsize = <0x0 {size:#x}>;\n\t\t\t\t\tflags = {flags};\n\t\t\t\t}};\n")


def channel(name, host):
    return (f"\n\t\t{name} {{\n\t\t\thost-phys = <0x0 {host:#x}>;\n\t\t\tsize = <0x0 0x1000>;\n"
            f"\t\t\tlinux {{\n\t\t\t\tguest-phys = <0x0 {host:#x}>;\n"
            f"\t\t\t\taccess = \"read\";\n\t\t\t}};\n"
            f"\t\t\trt {{\n\t\t\t\tguest-phys = <0x0 {host:#x}>;\n"
            f"\t\t\t\taccess = \"read\", \"write\";\n\t\t\t}};\n\t\t}};\n")


# `bhcfg check`: rules on the description alone.
CHECK_CASES = [
    ("realtime_ram_over_redistributors",
     [("host-phys = <0x0 0x70000000>;",
       "host-phys = <0x0 0x70000000>;\n\t\t\t\t\tguest-phys = <0x0 0x8000000>;"),
      ("load-address = <0x0 0x70000000>;", "load-address = <0x0 0x8000000>;")],
     r'/cells/rt/memory/ram: guest-phys: cell "rt": region 0 at guest \[0x8000000, '
     r'\+0x4000000\) overlaps the GIC redistributor frames \[0x80a0000, \+0xf60000\), which '
     r"the hypervisor maps into a realtime cell itself"),
    ("only_ram_not_writable",
     [(RT_RAM, RT_RAM.replace('"read", "write", "exec"', '"read", "exec"'))],
     r'/cells/rt: load-address: cell "rt": image load address 0x70000000 is not inside one '
     r"of its own writable memory regions"),
    ("native_first_region_read_only",
     [(RT_RAM, region("rom", 0x76000000, 0x100000, '"read"') + RT_RAM)],
     r'/cells/rt: cell "rt": region 0 at guest \[0x76000000, \+0x100000\) flags 0x1 must be '
     r"readable and writable RAM: the hypervisor writes the native boot info into its last "
     r"4 KiB page"),
    ("native_nine_regions",
     [(RT_RAM, RT_RAM + "".join(region(f"extra{k}", 0x76000000 + k * 0x1000)
                                for k in range(7)))],
     r'/cells/rt: cell "rt" has 9 memory regions \(channels included\); the native boot '
     r"info carries at most 8"),
    ("native_five_channels",
     [(CHANNELS_END, "\t\t};\n" + "".join(channel(f"extra{k}", 0x74100000 + k * 0x1000)
                                         for k in range(4)) + "\t};\n};\n")],
     r'/cells/rt: cell "rt" has 5 channels; the native boot info carries at most 4'),
]


@pytest.mark.parametrize("mutations,expected", [c[1:] for c in CHECK_CASES],
                         ids=[c[0] for c in CHECK_CASES])
def test_check_refuses_what_the_hypervisor_would(tool, qemu_platform, mutations, expected):
    system = tool.write(mutate(example(BASE), *mutations))
    result = tool.run("check", system, "--platform", qemu_platform)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(expected, result.stderr, re.M), result.stderr


def arm64_image(text_offset, image_size, file_size=1 << 20):
    """A placeholder arm64 Linux Image: the header of booting.rst, zeros after."""
    header = struct.pack("<IIQQQQQQI", 0x14000010, 0, text_offset, image_size, 0xa, 0, 0, 0,
                         0x644d5241) + b"\0" * 4
    return header + b"\0" * (file_size - len(header))


# `bhcfg build`: rules that need the items (sizes, the Image header).
BUILD_CASES = [
    ("boot_info_on_image_last_bytes",
     [("size = <0x0 0x4000000>;", "size = <0x0 0x2000>;")], None,
     r'/cells/rt: image: cell "rt": image at guest \[0x70000000, \+0x1388\) overlaps its '
     r"native boot info page at guest \[0x70001000, \+0x1000\)"),
    ("dtb_inside_kernel",
     [("dtb-address = <0x0 0x5c000000>;", "dtb-address = <0x0 0x50280000>;")], None,
     r'/cells/linux: dtb-address: cell "linux": DTB at guest \[0x50280000, \+0x\w+\) '
     r"overlaps its image at guest \[0x50200000, \+0x100000\)"),
    ("dtb_inside_kernel_bss",
     [("dtb-address = <0x0 0x5c000000>;", "dtb-address = <0x0 0x50400000>;")],
     arm64_image(0, 0x1000000),
     r'/cells/linux: dtb-address: cell "linux": DTB at guest \[0x50400000, \+0x\w+\) '
     r"overlaps its image at guest \[0x50200000, \+0x1000000\)"),
    ("image_declared_size_past_region",
     [("load-address = <0x0 0x50200000>;", "load-address = <0x0 0x6fe00000>;"),
      ("dtb-address = <0x0 0x5c000000>;", "dtb-address = <0x0 0x5d000000>;")],
     arm64_image(0, 0x1000000),
     r'/cells/linux: image: cell "linux": image "linux/Image" declares image_size 0x1000000 '
     r"\(BSS included\): \[0x6fe00000, \+0x1000000\) does not fit"),
    ("initrd_at_dtb_address",
     [("initrd-address = <0x0 0x5c200000>;", "initrd-address = <0x0 0x5c000000>;")], None,
     r'/cells/linux: initrd: cell "linux": initrd at guest \[0x5c000000, \+0x493e0\) overlaps '
     r"its DTB at guest \[0x5c000000, "),
    ("linux_image_not_2mib_aligned",
     [("load-address = <0x0 0x50200000>;", "load-address = <0x0 0x50201000>;")], None,
     r'/cells/linux: image: cell "linux": image load address 0x50201000 is not text_offset '
     r"0x0 above a 0x200000-aligned address, as the Linux arm64 boot protocol requires"),
    ("linux_image_text_offset_honoured",
     [], arm64_image(0x80000, 0x200000),
     r'/cells/linux: image: cell "linux": image load address 0x50200000 is not text_offset '
     r"0x80000 above a 0x200000-aligned address"),
    ("linux_dtb_not_8_byte_aligned",
     [("dtb-address = <0x0 0x5c000000>;", "dtb-address = <0x0 0x5c000004>;")], None,
     r'/cells/linux: dtb-address: cell "linux": DTB load address 0x5c000004 is not 8-byte '
     r"aligned, as the Linux arm64 boot protocol requires"),
]


@pytest.mark.parametrize("mutations,kernel,expected", [c[1:] for c in BUILD_CASES],
                         ids=[c[0] for c in BUILD_CASES])
def test_build_refuses_what_would_corrupt_a_cell(tool, qemu_platform, images, mutations, kernel,
                                                 expected):
    if kernel is not None:
        (images / "linux" / "Image").write_bytes(kernel)
    system = tool.write(mutate(example(BASE), *mutations))
    out = tool.tmp / "out.img"
    result = tool.run("build", system, "--platform", qemu_platform, "-I", images, "-o", out)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(expected, result.stderr, re.M), result.stderr
    assert not out.exists()


def test_image_with_a_header_that_fits_builds(tool, qemu_platform, images):
    (images / "linux" / "Image").write_bytes(arm64_image(0, 0x1000000))
    result = tool.run("build", example_path(), "--platform", qemu_platform, "-I", images,
                      "-o", tool.tmp / "out.img")
    assert result.returncode == 0, result.stderr


def example_path():
    from bhcfg_support import CONFIG
    return CONFIG / BASE


@pytest.fixture(scope="session")
def nine_cpu_platform(tmp_path_factory):
    out = tmp_path_factory.mktemp("platform9") / "qemu-arm64-9.dtb"
    subprocess.run(["qemu-system-aarch64", "-M", "virt,virtualization=on,gic-version=3",
                    "-cpu", "cortex-a72", "-smp", "9", "-m", "1G", "-nographic", "-nic", "none",
                    "-machine", f"dumpdtb={out}"], check=True, capture_output=True, timeout=30)
    return out


def nine_cells():
    cells = ""
    for k in range(9):
        base = 0x50000000 + k * 0x1000000
        cells += (f"\t\tc{k} {{\n\t\t\tcpus = <{k}>;\n\t\t\tboot-protocol = \"bulkhead\";\n"
                  f"\t\t\timage = \"guests/hello.bin\";\n"
                  f"\t\t\tload-address = <0x0 {base:#x}>;\n\t\t\tmemory {{\n"
                  f"\t\t\t\tram {{\n\t\t\t\t\thost-phys = <0x0 {base:#x}>;\n"
                  f"\t\t\t\t\tsize = <0x0 0x100000>;\n"
                  f"\t\t\t\t\tflags = \"read\", \"write\", \"exec\";\n\t\t\t\t}};\n"
                  f"\t\t\t}};\n\t\t}};\n")
    text = example(BASE)
    start = text.index("\tcells {\n")
    return text[:start] + "\tcells {\n" + cells + "\t};\n};\n"


def test_nine_cells_are_refused(tool, nine_cpu_platform):
    # The platform has nine CPUs, so only the cell limit can refuse this.
    system = tool.write(nine_cells())
    result = tool.run("check", system, "--platform", nine_cpu_platform)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(r"/cells/c8: more than 8 cells", result.stderr), result.stderr


def test_eight_cells_pass(tool, nine_cpu_platform):
    text = nine_cells()
    start = text.index("\t\tc8 {")
    text = text[:start] + "\t};\n};\n"
    result = tool.run("check", tool.write(text), "--platform", nine_cpu_platform)
    assert result.returncode == 0, result.stderr
