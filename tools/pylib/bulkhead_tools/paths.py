"""Where things are: the repo, the build folders and the images in them."""

import os
import pathlib

REPO = pathlib.Path(__file__).resolve().parents[3]

# arch name used on the command line -> (build sub-folder, cross file)
ARCHES = {
    "arm64": ("arm64", "cross/arm64.ini"),
    "x86_64": ("x86_64", "cross/x86_64.ini"),
}

# arch -> (build sub-folder, cross file) of the Linux user-space programs (bhctl) that run
# inside a Linux cell on that arch. Same top-level meson.build; the cross file picks the arch.
LINUX_USERSPACE = {
    "arm64": ("arm64-linux", "cross/arm64-linux.ini"),
    "x86_64": ("x86_64-linux", "cross/x86_64-linux.ini"),
}


# The arm64 build for real boards (-Dsemihosting=false): only the images a board boots are
# built there (BOARD_TARGETS), beside the emulator build of everything in build_dir("arm64").
ARM64_BOARD = ("arm64-nosemi", "cross/arm64.ini", ["-Dsemihosting=false"])
BOARD_TARGETS = ["arch/arm64/bulkhead-hv.bin", "rtcell/rtcell.bin",
                 "rtcell/arch/arm64/rtcell-arm64.bin"]


def build_root() -> pathlib.Path:
    return pathlib.Path(os.environ.get("BULKHEAD_BUILD_DIR", REPO / "build")).resolve()


def build_dir(arch: str) -> pathlib.Path:
    return build_root() / ARCHES[arch][0]


def linux_build_dir(arch: str) -> pathlib.Path:
    return build_root() / LINUX_USERSPACE[arch][0]


def arm64_board_build_dir() -> pathlib.Path:
    return build_root() / ARM64_BOARD[0]


def arm64_hv_image(board=False) -> pathlib.Path:
    """The hypervisor image; `board`: the one built without semihosting."""
    folder = arm64_board_build_dir() if board else build_dir("arm64")
    return folder / "arch" / "arm64" / "bulkhead-hv.bin"


def x86_iso(name: str = "bulkhead.iso") -> pathlib.Path:
    return build_dir("x86_64") / "arch" / "x86" / name


def log_dir(*parts) -> pathlib.Path:
    path = build_root().joinpath("logs", *parts)
    path.mkdir(parents=True, exist_ok=True)
    return path
