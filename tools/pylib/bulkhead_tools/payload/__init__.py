"""The Linux cell's payload: Debian 12's kernel and a busybox initramfs, for arm64 (the kernel
Image) and x86-64 (the bzImage); what differs between the two is in targets.py.

Debian packages are fetched with apt into <build>/cache/debs/ without touching the machine's
dpkg architectures (fetch.py); once there, builds need no network. Outputs in <build>/linux/
(arm64) or <build>/linux-x86_64/ are rebuilt only when an input changes (linux.py). bhctl comes
from the arch's Linux user-space build folder (<build>/arm64-linux/, <build>/x86_64-linux/),
which `./bulkhead build` builds first. Limits: the generic kernel flavour for the cell, and
(ensure_rt_kernel, rt.py) Debian's PREEMPT_RT kernel as the measuring baseline. Python stdlib,
apt-get and dpkg-deb.

This file only names what the rest of the front end and the tests use.
"""

from .command import bare_qemu_command, main
from .common import PayloadError, cache_dir, debs_dir, output_dir, rt_output_dir
from .linux import ensure_linux_payload
from .rt import ensure_rt_kernel

__all__ = ["PayloadError", "bare_qemu_command", "cache_dir", "debs_dir", "ensure_linux_payload",
           "ensure_rt_kernel", "main", "output_dir", "rt_output_dir"]
