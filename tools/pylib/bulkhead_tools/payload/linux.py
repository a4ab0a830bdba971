"""The Linux cell's payload in <build>/linux/ (arm64) or <build>/linux-x86_64/: Debian's kernel
(arm64 Image, x86 bzImage) and a busybox initramfs with rt-tests, the listed modules,
guests/linux/init and bhctl, all of that architecture (targets.py).

Outputs are rebuilt only when an input changes (a .deb, a file of guests/linux/, the bhctl
binary, the payload code); payload.json is written last.
"""

import contextlib
import gzip
import hashlib
import json
import pathlib
import shutil
import subprocess
import tempfile

from .. import paths
from . import fetch, kernel, pvh
from .common import GUEST_DIR, PayloadError, cache_lock, output_dir, write_atomic
from .initramfs import Tree, add_modules, add_program
from .targets import Target, target

BZIMAGE = "bzImage"
PVH_IMAGE = "vmlinux.pvh"  # the bzImage's kernel, flat, for the PVH entry (payload/pvh.py)

# bhctl's sources; Meson builds them (cross/<arch>-linux.ini) into BHCTL_BINARY of that folder.
BHCTL_DIR = GUEST_DIR / "bhctl"
BHCTL_BINARY = pathlib.PurePath("guests", "linux", "bhctl", "bhctl")
# rt-tests programs copied into the initramfs together with the libraries they need.
RT_PROGRAMS = ("usr/bin/cyclictest", "usr/bin/hackbench")
# Mount points and the folders busybox --install fills at boot.
INITRAMFS_DIRS = ("bin", "sbin", "usr/bin", "usr/sbin", "etc/bulkhead", "proc", "sys", "dev",
                  "tmp", "run", "root", "mnt", "var/log")


def _bhctl(arch: str) -> bytes:
    """The static bhctl that `./bulkhead build` made in the arch's Linux user-space folder."""
    path = paths.linux_build_dir(arch) / BHCTL_BINARY
    try:
        return path.read_bytes()
    except OSError as error:
        raise PayloadError(f"no bhctl for the initramfs ({error.strerror}: {path}); "
                           f"run ./bulkhead build --arch {arch}") from None


def _build(debs: dict, bhctl: bytes, out: pathlib.Path, arch: Target) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.glob("payload-*"):  # left by a build that was killed
        shutil.rmtree(stale, ignore_errors=True)
    with tempfile.TemporaryDirectory(prefix="payload-", dir=out) as tmp:
        root = pathlib.Path(tmp)
        for deb in debs.values():
            result = subprocess.run(["dpkg-deb", "-x", str(deb), str(root)],
                                    capture_output=True, text=True)
            if result.returncode != 0:
                raise PayloadError(f"dpkg-deb -x {deb} failed: {result.stderr.strip()} "
                                   f"(delete it to fetch it again)")
        version, image = kernel.image(root, arch.debian)
        tree = Tree(root)
        for folder in INITRAMFS_DIRS:
            tree.dir(folder)
        # The kernel opens /dev/console for init before anything is mounted.
        tree.node("dev/console", 5, 1)
        tree.node("dev/null", 1, 3, 0o666)
        tree.copy("bin/busybox")
        tree.symlink("bin/sh", "busybox")
        tree.file("init", (GUEST_DIR / "init").read_bytes(), 0o755)
        modules = add_modules(tree, version)
        for program in RT_PROGRAMS:
            add_program(tree, program, arch.library_dirs)
        tree.file("bin/bhctl", bhctl, 0o755)
        versions = {pkg: deb.name.split("_")[1].replace("%3a", ":") for pkg, deb in debs.items()}
        info = [f"kernel={version}"] + [f"{pkg}={v}" for pkg, v in versions.items()]
        tree.file("etc/bulkhead/payload", "".join(line + "\n" for line in info).encode())
        cpio_gz = gzip.compress(tree.cpio(), compresslevel=9, mtime=0)
    write_atomic(out / arch.image_name, image)
    write_atomic(out / "initramfs.cpio.gz", cpio_gz)
    manifest = {"kernel_version": version, "packages": versions, "modules": modules}
    if arch.image_name == BZIMAGE:
        flat, load = pvh.flat_image(pvh.vmlinux_of(image))
        write_atomic(out / PVH_IMAGE, flat)
        manifest.update(pvh_load=load, pvh_entry=pvh.pvh_entry(pvh.vmlinux_of(image)))
    return manifest


def _inputs_key(debs: dict, bhctl: bytes) -> str:
    digest = hashlib.sha256()
    for deb in sorted(debs.values()):
        digest.update(f"{deb.name} {deb.stat().st_size}\n".encode())
    # The built binary stands for bhctl's sources and the ABI headers compiled into it.
    digest.update(b"bin/bhctl\0" + bhctl)
    inputs = sorted(p for p in GUEST_DIR.rglob("*") if p.is_file() and BHCTL_DIR not in p.parents)
    inputs += sorted(pathlib.Path(__file__).parent.glob("*.py"))  # the payload code itself
    for path in inputs:
        name = path.relative_to(paths.REPO).as_posix() if path.is_relative_to(paths.REPO) \
            else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _result(out: pathlib.Path, manifest: dict, arch: Target) -> dict:
    result = {"image": out / arch.image_name, "initramfs": out / "initramfs.cpio.gz",
              "kernel_version": manifest["kernel_version"], "dir": out,
              "packages": manifest["packages"]}
    if arch.image_name == BZIMAGE:  # the same kernel for the PVH entry (payload/pvh.py)
        result.update(pvh_image=out / PVH_IMAGE, pvh_load=manifest["pvh_load"],
                      pvh_entry=manifest["pvh_entry"])
    return result


def _outputs(arch: Target) -> tuple:
    return (arch.image_name, "initramfs.cpio.gz") + ((PVH_IMAGE,) if arch.image_name == BZIMAGE
                                                     else ())


def ensure_linux_payload(refresh: bool = False, arch: str = "arm64") -> dict:
    """Returns {"image", "initramfs", "kernel_version", "dir", "packages"}, building if needed.

    `arch` is Bulkhead's name (paths.ARCHES) of the Linux cell's architecture. Uses the cached
    .debs without any network access when all are there; `refresh` asks apt for newer ones
    first. Raises PayloadError with a message naming what failed.
    """
    what = target(arch)
    out = output_dir(arch)
    with cache_lock():
        debs = fetch.fetch(refresh, what)
        bhctl = _bhctl(arch)
        key = _inputs_key(debs, bhctl)
        manifest_path = out / "payload.json"
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads(manifest_path.read_text())
            current = manifest.get("inputs") == key and set(manifest["sizes"]) == set(
                _outputs(what))
            if current and all((out / name).stat().st_size == size
                               for name, size in manifest["sizes"].items()):
                return _result(out, manifest, what)
        print(f"payload: building {out}/{what.image_name} and initramfs.cpio.gz", flush=True)
        # No manifest while the outputs are being replaced: a failed build must not look done.
        manifest_path.unlink(missing_ok=True)
        manifest = _build(debs, bhctl, out, what)
        manifest["inputs"] = key
        manifest["sizes"] = {name: (out / name).stat().st_size
                             for name in _outputs(what)}
        write_atomic(manifest_path, (json.dumps(manifest, indent=1) + "\n").encode())
        return _result(out, manifest, what)
