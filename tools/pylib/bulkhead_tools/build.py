"""Configuring and building the per-architecture Meson build folders."""

import subprocess
import sys

from . import paths

# Two host cores: more jobs only make the emulator runs that follow slower.
BUILD_JOBS = "2"


def build(arches):
    for arch in arches:
        folder = paths.build_dir(arch)
        cross = paths.REPO / paths.ARCHES[arch][1]
        if not (folder / "build.ninja").exists():
            print(f"build: configuring {arch} in {folder}", flush=True)
            setup = ["meson", "setup", str(folder), "--cross-file", str(cross)]
            if subprocess.run(setup, cwd=paths.REPO).returncode != 0:
                print(f"build: meson setup failed for {arch}", file=sys.stderr)
                return 1
        print(f"build: {arch}", flush=True)
        if subprocess.run(["ninja", "-C", str(folder), "-j", BUILD_JOBS]).returncode != 0:
            print(f"build: {arch} failed", file=sys.stderr)
            return 1
    return 0
