"""What differs between the Linux payloads of the architectures with Linux cells: Debian's name
for the architecture and its kernel packages, where its libraries live, the kernel image format,
and the folders the payload is cached and built in. Everything else in the payload is shared."""

import dataclasses
import re


@dataclasses.dataclass(frozen=True)
class Target:
    arch: str              # Bulkhead's name (paths.ARCHES, paths.LINUX_USERSPACE)
    debian: str            # Debian's architecture name, the .deb file names' suffix
    kernel_meta: str       # the metapackage that names the newest kernel ABI
    kernel_package: re.Pattern
    rt_kernel_meta: str    # Debian's PREEMPT_RT kernel: the measuring baseline
    rt_kernel_package: re.Pattern
    library_dirs: tuple    # where the loader looks without an ld.so.cache
    image_name: str        # the kernel file in the output folder
    output: str            # <build>/<output>/ holds the kernel and the initramfs
    rt_output: str

    @property
    def selected_file(self) -> str:
        """The cache's record of the normal payload's packages (arm64 keeps its old name)."""
        return "selected.json" if self.debian == "arm64" else f"selected-{self.debian}.json"

    @property
    def rt_selected_file(self) -> str:
        return "selected-rt.json" if self.debian == "arm64" else f"selected-rt-{self.debian}.json"


def _kernel(flavour):
    return re.compile(rf"^linux-image-\d+\.\d+\.\d+-\d+-{flavour}$")


TARGETS = {
    "arm64": Target("arm64", "arm64", "linux-image-arm64", _kernel("arm64"),
                    "linux-image-rt-arm64", _kernel("rt-arm64"),
                    ("lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib", "usr/lib"),
                    "Image", "linux", "linux-rt"),
    "x86_64": Target("x86_64", "amd64", "linux-image-amd64", _kernel("amd64"),
                     "linux-image-rt-amd64", _kernel("rt-amd64"),
                     ("lib/x86_64-linux-gnu", "usr/lib/x86_64-linux-gnu", "lib64", "lib",
                      "usr/lib"),
                     "bzImage", "linux-x86_64", "linux-rt-x86_64"),
}


def target(arch: str) -> Target:
    try:
        return TARGETS[arch]
    except KeyError:
        raise ValueError(f"no Linux payload for arch {arch!r} (known: {', '.join(TARGETS)})") \
            from None
