"""The Linux cell's payload: Debian 12's arm64 kernel Image and a busybox initramfs.

Debian arm64 packages are fetched with apt into <build>/cache/debs/ without touching the machine's
dpkg architectures (fetch.py); once there, builds need no network. Outputs in <build>/linux/ are
rebuilt only when an input changes (linux.py). bhctl comes from the Linux user-space build folder
(<build>/arm64-linux/), which `./bulkhead build` builds first. Limits: arm64 only; the generic
`-arm64` kernel for the cell, and (ensure_rt_kernel, rt.py) Debian's `-rt-arm64` PREEMPT_RT kernel
as the measuring baseline. Python stdlib, apt-get and dpkg-deb.

This file only names what the rest of the front end and the tests use.
"""

from .command import bare_qemu_command, main
from .common import PayloadError, cache_dir, debs_dir, output_dir, rt_output_dir
from .linux import ensure_linux_payload
from .rt import ensure_rt_kernel

__all__ = ["PayloadError", "bare_qemu_command", "cache_dir", "debs_dir", "ensure_linux_payload",
           "ensure_rt_kernel", "main", "output_dir", "rt_output_dir"]
