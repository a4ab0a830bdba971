"""Debian's PREEMPT_RT kernel in <build>/linux-rt/ (arm64) or <build>/linux-rt-x86_64/, for
`bulkhead measure`'s baseline: its kernel image, and the normal payload's initramfs with the RT
kernel's modules appended. kernel.json is written last."""

import contextlib
import gzip
import hashlib
import json
import pathlib
import shutil
import subprocess
import tempfile

from . import fetch, kernel
from .common import GUEST_DIR, PayloadError, cache_lock, rt_output_dir, write_atomic
from .initramfs import Tree, add_modules
from .linux import ensure_linux_payload
from .targets import target


def ensure_rt_kernel(refresh: bool = False, arch: str = "arm64") -> dict:
    """Debian's PREEMPT_RT kernel beside the normal payload: {"image", "initramfs",
    "kernel_version", "package", "dir"}. Its initramfs is the normal payload's followed by a second
    cpio archive (the kernel unpacks both) with the listed modules of the RT kernel."""
    what = target(arch)
    normal = ensure_linux_payload(refresh, arch)
    out = rt_output_dir(arch)
    with cache_lock():
        deb = fetch.fetch_rt(refresh, what)
        base = normal["initramfs"].read_bytes()
        inputs = [deb.name, deb.stat().st_size, hashlib.sha256(base).hexdigest(),
                  hashlib.sha256((GUEST_DIR / "modules").read_bytes()).hexdigest()]
        manifest_path = out / "kernel.json"
        with contextlib.suppress(OSError, ValueError, KeyError):
            manifest = json.loads(manifest_path.read_text())
            sizes = manifest["sizes"].items()
            if manifest.get("inputs") == inputs and all(
                    (out / name).stat().st_size == size for name, size in sizes):
                return _rt_result(out, manifest, what.image_name)
        print(f"payload: unpacking {deb.name} into {out}/{what.image_name} and initramfs.cpio.gz",
              flush=True)
        out.mkdir(parents=True, exist_ok=True)
        manifest_path.unlink(missing_ok=True)
        for stale in out.glob("payload-rt-*"):  # left by an unpacking that was killed
            shutil.rmtree(stale, ignore_errors=True)
        with tempfile.TemporaryDirectory(prefix="payload-rt-", dir=out) as tmp:
            # The kernel image and its modules: extract boot/ and lib/modules/ only.
            result = subprocess.run(["sh", "-c", 'dpkg-deb --fsys-tarfile "$1" | '
                                     'tar -x -C "$2" ./boot ./lib/modules', "sh", str(deb), tmp],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise PayloadError(f"unpacking {deb} failed: {result.stderr.strip()} "
                                   f"(delete it to fetch it again)")
            version, image = kernel.image(pathlib.Path(tmp), what.debian)
            tree = Tree(pathlib.Path(tmp))
            modules = add_modules(tree, version)
            initramfs = base + gzip.compress(tree.cpio(), compresslevel=9, mtime=0)
        write_atomic(out / what.image_name, image)
        write_atomic(out / "initramfs.cpio.gz", initramfs)
        manifest = {"kernel_version": version, "package": deb.name.split("_")[0],
                    "version": deb.name.split("_")[1].replace("%3a", ":"), "inputs": inputs,
                    "modules": modules, "sizes": {what.image_name: len(image),
                                                  "initramfs.cpio.gz": len(initramfs)}}
        write_atomic(manifest_path, (json.dumps(manifest, indent=1) + "\n").encode())
        return _rt_result(out, manifest, what.image_name)


def _rt_result(out, manifest, image_name):
    return {"image": out / image_name, "initramfs": out / "initramfs.cpio.gz",
            "kernel_version": manifest["kernel_version"],
            "package": f"{manifest['package']}={manifest['version']}", "dir": out}
