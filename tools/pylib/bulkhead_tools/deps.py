"""The Debian packages Bulkhead needs, and installing the missing ones.

One list for everything (`./bulkhead deps`); every other subcommand calls
ensure() first, so a fresh Debian 12 machine needs nothing but this repo.
"""

import os
import subprocess
import sys

# package -> why we need it (shown when not root, so the user knows what for)
PACKAGES = {
    "meson": "build system",
    "ninja-build": "build backend",
    "pkgconf": "finds cmocka and libfdt for host code",
    "gcc": "host tools, host tests and the x86-64 hypervisor",
    "libc6-dev": "host tools and tests; static libc for the x86-64 bhctl in its initramfs",
    "gcc-aarch64-linux-gnu": "arm64 cross compiler",
    "binutils-aarch64-linux-gnu": "arm64 objcopy",
    "libc6-dev-arm64-cross": "static aarch64 libc for bhctl in the Linux cell's initramfs",
    "nasm": "x86 assembly",
    "device-tree-compiler": "dtc for device trees",
    "libfdt-dev": "bhcfg's device tree library",
    "libcmocka-dev": "host unit test framework",
    "python3-pytest": "system test runner",
    "qemu-system-arm": "arm64 emulator (qemu-system-aarch64)",
    "u-boot-qemu": "U-Boot for QEMU virt: the board-style boot test (booti)",
    "u-boot-tools": "mkimage for that test's U-Boot boot script",
    "bochs": "x86-64 emulator with VMX",
    "bochsbios": "Bochs BIOS",
    "vgabios": "Bochs VGA BIOS",
    "bochs-term": "a display library Bochs needs to start",
    "grub-pc-bin": "GRUB for the x86 boot ISO",
    "grub-common": "grub-mkrescue",
    "xorriso": "ISO writer for grub-mkrescue",
    "mtools": "EFI image tools for grub-mkrescue",
    "clang-format": "the formatting test (tests/style/test_format.py)",
    "clang": "libFuzzer targets (./bulkhead fuzz)",
    "libclang-rt-14-dev": "libFuzzer and sanitizer runtimes for clang",
    "cppcheck": "static analysis test (tests/analysis): cppcheck over the project's C",
    "clang-tidy": "static analysis test (tests/analysis): clang-tidy checks (.clang-tidy)",
    "spin": "model checker for the rt_mutex PI protocol model (verify/pi, tests/verify)",
    "frama-c-base": "Frama-C EVA and WP on the validator and page-table builders (verify/frama-c)",
    "why3": "the prover platform through which Frama-C's WP reaches CVC4 (tests/verify)",
    "cvc4": "SMT prover for Frama-C's WP goals on the EPT leaf encoding (tests/verify)",
    "z3": "second SMT prover for WP on the arm64 table builder: a modulo CVC4 misses (tests/verify)",
}


def missing_packages():
    result = subprocess.run(
        ["dpkg-query", "-W", "-f=${Package} ${db:Status-Status}\n", *PACKAGES],
        capture_output=True, text=True)
    installed = {line.split()[0] for line in result.stdout.splitlines()
                 if line.endswith(" installed")}
    return [p for p in PACKAGES if p not in installed]


def ensure(quiet=False):
    """Installs what is missing; exits with a clear message when it cannot."""
    missing = missing_packages()
    if not missing:
        if not quiet:
            print("deps: all packages installed")
        return
    line = "apt-get install -y --no-install-recommends " + " ".join(missing)
    if os.geteuid() != 0:
        print("bulkhead: these Debian packages are missing:", file=sys.stderr)
        for p in missing:
            print(f"  {p:28} {PACKAGES[p]}", file=sys.stderr)
        print(f"as root run:\n  apt-get update && {line}", file=sys.stderr)
        sys.exit(1)
    print(f"deps: installing {' '.join(missing)}", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for cmd in (["apt-get", "update", "-q"], line.split() + ["-q"]):
        if subprocess.run(cmd, env=env).returncode != 0:
            print(f"bulkhead: '{' '.join(cmd)}' failed; is the package archive reachable?",
                  file=sys.stderr)
            sys.exit(1)
    still = missing_packages()
    if still:
        print(f"bulkhead: still missing after install: {' '.join(still)}", file=sys.stderr)
        sys.exit(1)
