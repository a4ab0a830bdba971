"""Configuring and building the per-architecture Meson build folders (the
freestanding one, and the Linux user-space one where the arch has Linux
cells), then the example systems' images (they need the Linux payload from
apt and the realtime kernel, so bhcfg runs here rather than in Meson)."""

import subprocess
import sys

from . import paths, payload, systems

# Two host cores: more jobs only make the emulator runs that follow slower.
BUILD_JOBS = "2"


def meson_build(name, folder, cross, options=(), targets=()):
    """Configures `folder` with `cross` and `options` (first time only) and builds `targets`
    (default: everything); 0 on success."""
    if not (folder / "build.ninja").exists():
        print(f"build: configuring {name} in {folder}", flush=True)
        setup = ["meson", "setup", str(folder), "--cross-file", str(paths.REPO / cross),
                 *options]
        if subprocess.run(setup, cwd=paths.REPO).returncode != 0:
            print(f"build: meson setup failed for {name}", file=sys.stderr)
            return 1
    print(f"build: {name}", flush=True)
    if subprocess.run(["ninja", "-C", str(folder), "-j", BUILD_JOBS, *targets]).returncode != 0:
        print(f"build: {name} failed", file=sys.stderr)
        return 1
    return 0


def build(arches):
    for arch in arches:
        if meson_build(arch, paths.build_dir(arch), paths.ARCHES[arch][1]) != 0:
            return 1
        # Before the example images: the payload's initramfs takes bhctl from here.
        if arch in paths.LINUX_USERSPACE and meson_build(
                f"{arch} Linux user space", paths.linux_build_dir(arch),
                paths.LINUX_USERSPACE[arch][1]) != 0:
            return 1
        if arch == "arm64" and (build_example_images() != 0 or build_board_images() != 0):
            return 1
    return 0


def build_board_images():
    """The images a real board boots, built without semihosting (build/arm64-nosemi)."""
    _, cross, options = paths.ARM64_BOARD
    return meson_build("arm64 for boards (no semihosting)", paths.arm64_board_build_dir(),
                       cross, options, paths.BOARD_TARGETS)


def build_example_images():
    """config/qemu-arm64/*.dts -> build/arm64/config/qemu-arm64/NAME.img."""
    try:
        linux = payload.ensure_linux_payload()
    except payload.PayloadError as e:
        print(f"build: the Linux cell's payload: {e}", file=sys.stderr)
        return 1
    out_dir = paths.build_dir("arm64") / "config" / "qemu-arm64"
    for dts in sorted((paths.REPO / "config" / "qemu-arm64").glob("*.dts")):
        out = out_dir / f"{dts.stem}.img"
        try:
            systems.build_system_image(dts, out, image_dirs=[paths.build_dir("arm64")],
                                       image_files=[linux["image"], linux["initramfs"]])
        except RuntimeError as e:
            print(f"build: {e}", file=sys.stderr)
            return 1
        print(f"build: {out.relative_to(paths.build_root())}", flush=True)
    return 0
