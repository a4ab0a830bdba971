"""Ready for a board (docs/arm64-install.md): the default system booted the way a board's
U-Boot boots it, the build without semihosting (build/arm64-nosemi), and the bare realtime
kernel taking its machine from the device tree and ending without semihosting.

The U-Boot runs use Debian's u-boot-qemu as QEMU's firmware (EL2, virtualization=on): its
distro boot finds boot.scr on a virtio disk laid out like a board's boot partition
(bulkhead_tools.uboot) and the script starts the hypervisor with booti. The default system
(config/qemu-arm64/linux-rt.dts) runs with Linux's idle and stress phases shortened to 2 s.
"""

import re
import subprocess

import pytest

from bulkhead_tools import paths, payload, systems, uboot
from bulkhead_tools.emulator import run_emulator
from bulkhead_tools.qemu import ARM64_CPU_MODEL, QEMU_ARM64, arm64_uboot_command, run_arm64_uboot

DEFAULT_SYSTEM = paths.REPO / "config" / "qemu-arm64" / "linux-rt.dts"
LINUX_BOOTARGS = 'rdinit=/init"'
SYSTEM_TIMEOUT_S = 150
BARE_TIMEOUT_S = 60


@pytest.fixture(scope="module")
def linux():
    return payload.ensure_linux_payload()


@pytest.fixture
def board_build():
    folder = paths.arm64_board_build_dir()
    missing = [t for t in paths.BOARD_TARGETS if not (folder / t).exists()]
    if missing:
        pytest.fail(f"{folder} lacks {missing}: run ./bulkhead build --arch arm64")
    return folder


@pytest.fixture
def firmware():
    if not uboot.UBOOT_QEMU_ARM64.exists():
        pytest.fail(f"{uboot.UBOOT_QEMU_ARM64} missing: ./bulkhead deps installs u-boot-qemu")
    return uboot.UBOOT_QEMU_ARM64


def short_default_system(log_dir, image_dir, linux):
    """The default system with 2 s phases, its realtime cell from `image_dir`."""
    text = DEFAULT_SYSTEM.read_text()
    assert LINUX_BOOTARGS in text
    dts = log_dir / "linux-rt-short.dts"
    dts.write_text(text.replace(LINUX_BOOTARGS, 'rdinit=/init bulkhead.duration=2"'))
    return systems.build_system_image(dts, log_dir / "system.img", image_dirs=[image_dir],
                                      image_files=[linux["image"], linux["initramfs"]])


def boot_through_uboot(log_dir, firmware, hv_image, system_image, semihosting):
    disk = uboot.make_bulkhead_disk(hv_image, system_image, log_dir)
    result = run_arm64_uboot(firmware, disk, log_dir / "qemu.log", timeout_s=SYSTEM_TIMEOUT_S,
                             semihosting=semihosting)
    assert not result.timed_out, result.describe()
    result.output = result.output.replace("\r\n", "\n")  # the UART's line ends
    return result


def assert_booted_by_uboot(out):
    assert "Found U-Boot script /boot.scr" in out, "distro boot did not find the script"
    assert "Moving Image from 0x40400000 to 0x40200000" in out, "booti did not place the image"
    assert "hv: device tree at 0x000000004fe00000" in out, "not the tree the script handed over"
    assert "hv: system image at [0x48000000, +0x" in out


def assert_default_system_ran_and_stopped(out):
    assert "linux-cell: scenario demo done; powering off" in out
    assert "[rt] rtcell: stopped by the mailbox" in out
    assert 'hv: cell "linux" stopped (exit code 0)' in out
    assert 'hv: cell "rt" stopped (exit code 0)' in out
    assert out.rstrip().endswith("BULKHEAD: PASS")


def test_uboot_booti_boots_the_default_system(arm64_build, linux, firmware, log_dir):
    image = short_default_system(log_dir, paths.build_dir("arm64"), linux)
    result = boot_through_uboot(log_dir, firmware, paths.arm64_hv_image(), image,
                                semihosting=True)
    out = result.output
    assert_booted_by_uboot(out)
    assert "cpu 3: online, MPIDR 0x3, EL2" in out
    assert_default_system_ran_and_stopped(out)
    assert result.returncode == 0, result.describe()


def test_build_without_semihosting_boots_the_default_system_and_ends_by_psci(
        arm64_build, board_build, linux, firmware, log_dir):
    # No -semihosting-config at all: a semihosting call would be an undefined instruction.
    image = short_default_system(log_dir, board_build, linux)
    result = boot_through_uboot(log_dir, firmware, paths.arm64_hv_image(board=True), image,
                                semihosting=False)
    out = result.output
    assert_booted_by_uboot(out)
    assert "continues nowhere (no alternate channel on this platform)" in out
    # Linux's own console on the UART, then the hypervisor's again once Linux has stopped.
    handback = 'hv: cell "linux" has stopped: the console UART is the hypervisor\'s again'
    assert out.index("linux-cell: init started") < out.index(handback)
    assert "hv: entry statistics per CPU:" in out[out.index(handback):]
    assert_default_system_ran_and_stopped(out)
    # QEMU exits with status 0 on PSCI SYSTEM_OFF: the marker above is the verdict.
    assert result.returncode == 0, result.describe()


def dumped_dtb(log_dir, name, cpus=4, edit=None):
    """QEMU virt's own device tree (-machine dumpdtb), optionally edited as source."""
    dtb = log_dir / f"{name}.dtb"
    subprocess.run([QEMU_ARM64, "-M", f"virt,gic-version=3,dumpdtb={dtb}", "-cpu",
                    ARM64_CPU_MODEL, "-smp", str(cpus), "-m", "1G", "-nographic", "-nic", "none"],
                   check=True, capture_output=True)
    if edit:
        source = subprocess.run(["dtc", "-I", "dtb", "-O", "dts", "-q", str(dtb)], check=True,
                                capture_output=True, text=True).stdout
        (log_dir / f"{name}.dts").write_text(edit(source))
        subprocess.run(["dtc", "-I", "dts", "-O", "dtb", "-q", "-o", str(dtb),
                        str(log_dir / f"{name}.dts")], check=True, capture_output=True)
    return dtb


def probe(arm64_build, dtb):
    run = subprocess.run([str(arm64_build / "tests" / "rtcell" / "rtcell-dt-probe"), str(dtb)],
                         capture_output=True, text=True)
    return run.returncode, run.stdout


def replace_once(text, old, new):
    assert text.count(old) == 1, old
    return text.replace(old, new)


def moved_board(source):
    """Every address the bare kernel needs moved, as another board would have them: GIC
    frames, the console UART (named through an alias), the PSCI conduit and the CPU ids."""
    source = replace_once(source, "reg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 "
                          "0xf60000>;", "reg = <0x00 0x38800000 0x00 0x10000 0x00 0x38880000 "
                          "0x00 0x100000>;")
    source = replace_once(source, "reg = <0x00 0x9000000 0x00 0x1000>;",
                          "reg = <0x00 0x30860000 0x00 0x1000>;")
    source = replace_once(source, 'stdout-path = "/pl011@9000000";', 'stdout-path = "serial0:'
                          '115200n8";\n\t};\n\n\taliases {\n\t\tserial0 = "/pl011@9000000";')
    source = replace_once(source, 'method = "hvc";', 'method = "smc";')
    source, n = re.subn(r"(cpu@(\d+) \{\n(?:\t\t\t[^\n]*\n)*?\t\t\treg = <)0x[0-9a-f]+>",
                        lambda m: f"{m.group(1)}{0x100 + int(m.group(2)):#x}>", source)
    assert n == 4, source
    return source


def uart_on_soc(source):
    start = source.index("\tpl011@9000000 {")
    end = source.index("};\n", start) + 3
    uart = source[start:end].replace("reg = <0x00 0x9000000 0x00 0x1000>;",
                                     "reg = <0x9000000 0x1000>;")
    assert uart != source[start:end]
    soc = ("\tsoc {\n\t\tcompatible = \"simple-bus\";\n\t\t#address-cells = <0x01>;\n"
           "\t\t#size-cells = <0x01>;\n\t\tranges;\n\t" + uart.replace("\n\t", "\n\t\t") +
           "\t};\n")
    source = source[:start] + soc + source[end:]
    return replace_once(source, 'stdout-path = "/pl011@9000000";',
                        'stdout-path = "/soc/pl011@9000000";')


def test_bare_kernel_reads_gic_uart_psci_and_cpus_from_the_device_tree(arm64_build, log_dir):
    rc, out = probe(arm64_build, dumped_dtb(log_dir, "qemu-virt"))
    assert rc == 0 and out.splitlines() == [
        "gicd 0x8000000", "gicr 0x80a0000 0xf60000", "uart 0x9000000", "psci hvc",
        "cpu 0x0", "cpu 0x1", "cpu 0x2", "cpu 0x3"], out
    rc, out = probe(arm64_build, dumped_dtb(log_dir, "moved", edit=moved_board))
    assert rc == 0 and out.splitlines() == [
        "gicd 0x38800000", "gicr 0x38880000 0x100000", "uart 0x30860000", "psci smc",
        "cpu 0x100", "cpu 0x101", "cpu 0x102", "cpu 0x103"], out
    # A UART on a bus with one-cell addresses, as board trees put it under /soc.
    rc, out = probe(arm64_build, dumped_dtb(log_dir, "soc", edit=uart_on_soc))
    assert rc == 0 and "uart 0x9000000" in out.splitlines(), out
    # No GICv3, no machine: the kernel falls back rather than guessing from half a tree.
    rc, out = probe(arm64_build, dumped_dtb(log_dir, "no-gic", edit=lambda s: replace_once(
        s, 'compatible = "arm,gic-v3";', 'compatible = "arm,gic-400";')))
    assert rc == 1 and out.strip() == "refused", out


def run_selftest(log_dir, image, dtb=None):
    """The bare self-test by `qemu -kernel` (x0 = the DTB) on a machine without semihosting."""
    cmd = [QEMU_ARM64, "-M", "virt,gic-version=3", "-cpu", ARM64_CPU_MODEL, "-smp", "4",
           "-m", "1G", "-nographic", "-nic", "none", "-kernel", str(image)]
    if dtb:
        cmd += ["-dtb", str(dtb)]
    result = run_emulator(cmd, str(log_dir / "qemu.log"), BARE_TIMEOUT_S)
    assert not result.timed_out, result.describe()
    result.output = result.output.replace("\r\n", "\n")
    return result


def test_bare_kernel_without_semihosting_uses_the_boot_dtb_and_ends_by_psci(
        arm64_build, board_build, log_dir):
    # A tree listing 2 of the machine's 4 CPUs: the kernel counts what the tree says (probing
    # with PSCI, as it did without a tree, would find 4).
    def two_cpus(source):
        for cpu in (2, 3):
            start = source.index(f"\t\tcpu@{cpu} {{")
            source = source[:start] + source[source.index("};\n", start) + 3:]
        return source

    image = board_build / "rtcell" / "arch" / "arm64" / "rtcell-arm64.bin"
    result = run_selftest(log_dir, image, dumped_dtb(log_dir, "two-cpus", edit=two_cpus))
    out = result.output
    assert re.search(r"^rtcell: bare EL1 boot \(x0 [0-9a-f]+, entered at EL1\), 2 CPUs$", out,
                     re.M), out
    assert "rtcell: machine from the device tree at " in out
    assert "rtcell: GICD 8000000, GICR of cpu0 80a0000, PL011 9000000, PSCI by HVC" in out
    assert "rtcell: selftest passed" in out
    assert out.rstrip().endswith("rtcell: exit code 0")
    assert "unexpected exception" not in out
    assert result.returncode == 0, result.describe()  # PSCI SYSTEM_OFF


def test_semihosting_build_on_a_machine_without_it_powers_off_instead_of_recursing(
        arm64_build, log_dir):
    result = run_selftest(log_dir, arm64_build / "rtcell" / "arch" / "arm64" /
                          "rtcell-arm64.bin")
    out = result.output
    assert "rtcell: selftest passed" in out and "rtcell: exit code 0" in out
    # The HLT faults once; the handler's exit powers off instead of trying it again.
    assert len(re.findall(r"unexpected exception", out)) == 1, out
    assert out.rstrip().endswith("rtcell: powering off by PSCI SYSTEM_OFF")
    assert result.returncode == 0, result.describe()


def test_uboot_booti_starts_the_bare_realtime_kernel_with_its_tree(board_build, firmware, log_dir):
    # docs/arm64-install.md: the bare kernel booted as a board would, x0 = U-Boot's tree.
    cmd = log_dir / "boot.cmd"
    cmd.write_text("load ${devtype} ${devnum}:${distro_bootpart} ${kernel_addr_r} rtcell.bin\n"
                   "booti ${kernel_addr_r} - ${fdtcontroladdr}\n")
    disk = uboot.make_boot_disk({
        "boot.scr": uboot.make_boot_script(log_dir, cmd),
        "rtcell.bin": board_build / "rtcell" / "arch" / "arm64" / "rtcell-arm64.bin"},
        log_dir / "boot-disk.img")
    result = run_emulator(arm64_uboot_command(firmware, disk, semihosting=False),
                          str(log_dir / "qemu.log"), BARE_TIMEOUT_S)
    assert not result.timed_out, result.describe()
    out = result.output.replace("\r\n", "\n")
    assert "Moving Image from 0x40400000 to 0x40200000" in out, "booti did not place the image"
    m = re.search(r"^rtcell: bare EL1 boot \(x0 ([0-9a-f]+), entered at EL2\), 4 CPUs$", out, re.M)
    assert m and f"rtcell: machine from the device tree at {m.group(1)}" in out, out
    assert "PSCI by SMC" in out  # QEMU's /psci with virtualization=on
    assert "rtcell: selftest passed" in out
    assert out.rstrip().endswith("rtcell: exit code 0")
    assert result.returncode == 0, result.describe()
