"""The Linux cell's payload: Debian 12's arm64 kernel Image and a busybox initramfs.

Debian arm64 packages are fetched with apt into <build>/cache/debs/ without touching the machine's
dpkg architectures; once there, builds need no network. Outputs in <build>/linux/ are rebuilt only
when an input changes (a .deb, a file of guests/linux/, this file); payload.json is written last.
Limits: arm64 only; the generic `-arm64` kernel for the cell, and (ensure_rt_kernel) Debian's
`-rt-arm64` PREEMPT_RT kernel as the measuring baseline. Python stdlib, apt-get and dpkg-deb.
"""

import argparse
import contextlib
import fcntl
import gzip
import hashlib
import json
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import tempfile

if __package__ in (None, ""):  # run as a plain script: python3 tools/pylib/bulkhead_tools/payload.py
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
    from bulkhead_tools import paths
    from bulkhead_tools.emulator import run_emulator
else:
    from . import paths
    from .emulator import run_emulator

GUEST_DIR = paths.REPO / "guests" / "linux"
# bhctl: a static aarch64 Linux program built here (not by meson, whose cross setup is
# freestanding) from guests/linux/bhctl/ and the ABI headers, installed as /bin/bhctl.
BHCTL_DIR = GUEST_DIR / "bhctl"
ABI_DIR = paths.REPO / "abi" / "include" / "bulkhead"
BHCTL_CC = "aarch64-linux-gnu-gcc"
# The warnings are the project's habit_c_args (top-level meson.build) too.
BHCTL_CFLAGS = ("-std=gnu11", "-O2", "-Wall", "-Wextra", "-Werror", "-Wshadow",
                "-Wmissing-prototypes", "-Wformat=2", "-Wstrict-prototypes", "-static", "-s")
# The metapackage that names the newest kernel ABI the archive offers.
KERNEL_META = "linux-image-arm64"
KERNEL_PACKAGE = re.compile(r"^linux-image-\d+\.\d+\.\d+-\d+-arm64$")
# Debian's PREEMPT_RT kernel: the baseline `bulkhead measure` compares the realtime cell with. It
# boots bare with the same initramfs (whose modules are the generic kernel's: modprobe fails
# quietly, and a bare QEMU without devices needs none).
RT_KERNEL_META = "linux-image-rt-arm64"
RT_KERNEL_PACKAGE = re.compile(r"^linux-image-\d+\.\d+\.\d+-\d+-rt-arm64$")
# Taken as the archive names them; libc6 and libnuma1 because rt-tests' programs are dynamic.
OTHER_PACKAGES = ("busybox-static", "rt-tests", "libc6", "libnuma1")
# rt-tests programs copied into the initramfs together with the libraries they need.
RT_PROGRAMS = ("usr/bin/cyclictest", "usr/bin/hackbench")
# Where Debian's arm64 loader looks without an ld.so.cache; libraries are searched here too.
LIBRARY_DIRS = ("lib/aarch64-linux-gnu", "usr/lib/aarch64-linux-gnu", "lib", "usr/lib")
# Mount points and the folders busybox --install fills at boot.
INITRAMFS_DIRS = ("bin", "sbin", "usr/bin", "usr/sbin", "etc/bulkhead", "proc", "sys", "dev",
                  "tmp", "run", "root", "mnt", "var/log")


class PayloadError(Exception):
    """Something the user can act on: the message names what failed and how."""


def cache_dir() -> pathlib.Path:
    return paths.build_root() / "cache"


def debs_dir() -> pathlib.Path:
    return cache_dir() / "debs"


def output_dir() -> pathlib.Path:
    return paths.build_root() / "linux"


# ---------------------------------------------------------------------------------------------
# Fetching: apt with its own state folders, so the host's dpkg database and architectures stay as
# they are (no `dpkg --add-architecture`).

def _apt_options(state: pathlib.Path):
    opts = {
        "APT::Architecture": "arm64",
        "APT::Architectures": "arm64",
        "Dir::State::Lists": state / "lists",
        "Dir::Cache": state / "cache",
        # An empty status file: the host's installed packages must not shape what is resolved.
        "Dir::State::Status": state / "status",
    }
    if os.geteuid() == 0:
        # root's apt downloads as user _apt, who cannot write into our cache folders.
        opts["APT::Sandbox::User"] = "root"
    return [arg for key, value in opts.items() for arg in ("-o", f"{key}={value}")]


def _apt_state() -> pathlib.Path:
    state = cache_dir() / "apt-arm64"
    for sub in ("lists/partial", "cache/archives/partial"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    (state / "status").touch()
    return state


def _run_apt(tool, args, state, cwd=None):
    cmd = [tool, "-q", *_apt_options(state), *args]
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return result, " ".join([tool, *args])


def _failed_lines(text):
    return [line for line in text.splitlines() if line.startswith(("E:", "Err:", "W: Failed"))]


def _apt_update(state):
    print("payload: apt-get update (arm64 package lists, own state folder)", flush=True)
    result, what = _run_apt("apt-get", ["update"], state)
    # apt-get update exits 0 when an index could not be fetched; its messages tell.
    failed = _failed_lines(result.stdout + result.stderr)
    if result.returncode != 0 or failed:
        detail = "\n  ".join(failed or (result.stderr.strip() or "no output").splitlines()[-5:])
        raise PayloadError(f"'{what}' for arm64 failed; is the Debian package archive reachable?"
                           f"\n  {detail}")
    if not list((state / "lists").glob("*binary-arm64_Packages*")):
        raise PayloadError(f"'{what}' fetched no arm64 package list; check /etc/apt/sources.list*")


def _resolve_kernel(state, meta=KERNEL_META, package=KERNEL_PACKAGE,
                    flavour="arm64") -> str:
    result, what = _run_apt("apt-cache", ["depends", meta], state)
    names = re.findall(r"^\s*Depends:\s*(\S+)", result.stdout, re.M)
    kernels = [name for name in names if package.match(name)]
    if result.returncode != 0 or not kernels:
        raise PayloadError(f"'{what}' named no linux-image-6.1.0-*-{flavour} package:\n"
                           f"{result.stdout}{result.stderr}")
    return kernels[0]


def _deb_names(packages, state):
    """Package -> (.deb file name, size in bytes) apt would download now, without downloading."""
    result, what = _run_apt("apt-get", ["download", "--print-uris", *packages], state)
    if result.returncode != 0:
        raise PayloadError(f"'{what}' failed:\n{result.stderr.strip()}")
    names = {}
    for line in result.stdout.splitlines():
        fields = line.split()  # 'URI' file-name size hash
        if len(fields) >= 3 and fields[0].startswith("'") and fields[2].isdigit():
            names[fields[1].split("_", 1)[0]] = (fields[1], int(fields[2]))
    missing = [p for p in packages if p not in names]
    if missing:
        raise PayloadError(f"'{what}' offers no arm64 package named {' '.join(missing)}")
    return names


def _fetch(refresh: bool) -> dict:
    """Package -> cached .deb path; asks apt only when the cache lacks something or on refresh."""
    folder = debs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    selected_file = folder / "selected.json"
    if not refresh:
        with contextlib.suppress(OSError, ValueError):
            selected = json.loads(selected_file.read_text())  # package -> [file name, size]
            debs = {pkg: folder / name for pkg, (name, _) in selected.items()}
            has_kernel = any(KERNEL_PACKAGE.match(pkg) for pkg in debs)
            if has_kernel and set(OTHER_PACKAGES) <= set(debs) and all(
                    path.is_file() and path.stat().st_size == selected[pkg][1]
                    for pkg, path in debs.items()):
                return debs
    state = _apt_state()
    _apt_update(state)
    packages = [_resolve_kernel(state), *OTHER_PACKAGES]
    expected = _deb_names(packages, state)
    names = {pkg: name for pkg, (name, _) in expected.items()}

    def complete(pkg):  # a download cut short leaves a file of the wrong size
        path = folder / names[pkg]
        return path.is_file() and path.stat().st_size == expected[pkg][1]

    wanted = [pkg for pkg in packages if not complete(pkg)]
    if wanted:
        print(f"payload: apt-get download {' '.join(wanted)}", flush=True)
        result, what = _run_apt("apt-get", ["download", *wanted], state, cwd=folder)
        if result.returncode != 0:
            detail = "\n  ".join(_failed_lines(result.stdout + result.stderr) or
                                 result.stderr.strip().splitlines()[-5:])
            raise PayloadError(f"'{what}' failed; is the Debian package archive reachable?"
                               f"\n  {detail}")
    for pkg in packages:
        if not complete(pkg):
            (folder / names[pkg]).unlink(missing_ok=True)
            raise PayloadError(f"apt-get download left no complete {names[pkg]} "
                               f"({expected[pkg][1]} bytes) in {folder}")
    selected_file.write_text(json.dumps({pkg: expected[pkg] for pkg in packages}, indent=1) + "\n")
    _drop_superseded(folder, names)
    return {pkg: folder / names[pkg] for pkg in packages}


def _drop_superseded(folder, names):
    # Older versions of the packages just selected (other kernel ABIs included) are dead weight.
    keep = set(names.values())
    families = {pkg for pkg in names if not KERNEL_PACKAGE.match(pkg)}
    for deb in folder.glob("*.deb"):
        pkg = deb.name.split("_", 1)[0]
        if deb.name not in keep and (pkg in families or KERNEL_PACKAGE.match(pkg)):
            deb.unlink()


# ---------------------------------------------------------------------------------------------
# ELF: just enough of ELF64 little-endian to read .modinfo, .interp and DT_NEEDED.

def _elf_sections(data: bytes, what: str) -> dict:
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise PayloadError(f"{what}: not a 64-bit little-endian ELF file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab_off = headers[shstrndx][4]
    sections = {}
    for name_off, _type, _flags, _addr, offset, size, link, *_ in headers:
        end = data.index(b"\0", strtab_off + name_off)
        name = data[strtab_off + name_off:end].decode()
        sections[name] = (offset, size, headers[link][4] if link < shnum else 0)
    return sections


def _section_bytes(data, sections, name):
    if name not in sections:
        return b""
    offset, size, _ = sections[name]
    return data[offset:offset + size]


def _modinfo(path: pathlib.Path) -> dict:
    data = path.read_bytes()
    raw = _section_bytes(data, _elf_sections(data, str(path)), ".modinfo")
    info = {}
    for item in raw.split(b"\0"):
        key, sep, value = item.decode(errors="replace").partition("=")
        if sep:
            info.setdefault(key, value)
    return info


def _elf_interp_and_needed(path: pathlib.Path):
    data = path.read_bytes()
    sections = _elf_sections(data, str(path))
    interp = _section_bytes(data, sections, ".interp").rstrip(b"\0").decode() or None
    needed = []
    if ".dynamic" in sections:
        offset, size, strtab = sections[".dynamic"]
        for pos in range(offset, offset + size, 16):
            tag, value = struct.unpack_from("<qQ", data, pos)
            if tag == 0:  # DT_NULL
                break
            if tag == 1:  # DT_NEEDED
                needed.append(data[strtab + value:data.index(b"\0", strtab + value)].decode())
    return interp, needed


# ---------------------------------------------------------------------------------------------
# The initramfs tree, kept as a dict: path inside the initramfs -> entry. Written as newc cpio
# with fixed owners and times so the same inputs give the same bytes.

class _Tree:
    def __init__(self, root: pathlib.Path):
        self.root = root  # the extracted packages
        self.entries = {}

    def dir(self, path):
        self.entries.setdefault(path, ("dir", 0o755, None))

    def file(self, path, data: bytes, mode=0o644):
        self.entries[path] = ("file", mode, data)

    def symlink(self, path, target):
        self.entries[path] = ("symlink", 0o777, target)

    def node(self, path, major, minor, mode=0o600):
        self.entries[path] = ("chr", mode, (major, minor))

    def copy(self, path) -> str:
        """Copies `path` of the extracted packages, keeping symlinks (and what they point to).

        Returns the path of the file finally copied. Symlinks are followed inside the extracted
        tree only: an absolute target means the package's root, never the host's.
        """
        source = self.root / path
        if source.is_symlink():
            target = os.readlink(source)
            self.symlink(path, target)
            inside = target.lstrip("/") if target.startswith("/") else \
                os.path.normpath(os.path.join(os.path.dirname(path), target))
            if inside.startswith(".."):
                raise PayloadError(f"{path} points outside the packages' tree ({target})")
            return self.copy(inside)
        if source.is_file():
            if path not in self.entries:
                self.file(path, source.read_bytes(), source.stat().st_mode & 0o7777)
            return path
        raise PayloadError(f"the fetched packages hold no {path}")

    def cpio(self) -> bytes:
        # Parents before children: the kernel's unpacker creates each path as it comes.
        for path in list(self.entries):
            parent = os.path.dirname(path)
            while parent:
                self.dir(parent)
                parent = os.path.dirname(parent)
        out = bytearray()
        for ino, path in enumerate(sorted(self.entries), start=1):
            kind, mode, payload = self.entries[path]
            kind_bits = {"dir": 0o040000, "file": 0o100000, "symlink": 0o120000, "chr": 0o020000}
            data = b""
            rdev = (0, 0)
            if kind == "file":
                data = payload
            elif kind == "symlink":
                data = payload.encode()
            elif kind == "chr":
                rdev = payload
            _cpio_entry(out, ino, kind_bits[kind] | mode, 2 if kind == "dir" else 1, path, data,
                        rdev)
        _cpio_entry(out, 0, 0, 1, "TRAILER!!!", b"", (0, 0))
        return bytes(out)


def _cpio_entry(out, ino, mode, nlink, name, data, rdev):
    name_bytes = name.encode() + b"\0"
    # newc: magic, then ino mode uid gid nlink mtime filesize devmajor devminor rdevmajor
    # rdevminor namesize check, each 8 hex digits; name and data each padded to 4 bytes.
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, rdev[0], rdev[1], len(name_bytes), 0)
    out += b"070701" + b"".join(b"%08X" % f for f in fields) + name_bytes
    out += b"\0" * (-len(out) % 4)
    out += data
    out += b"\0" * (-len(out) % 4)


def _module_list():
    lines = (GUEST_DIR / "modules").read_text().splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def _add_modules(tree: _Tree, version: str):
    """Copies the listed modules and their dependencies; writes a modules.dep for modprobe."""
    base = f"lib/modules/{version}"
    by_name = {}
    for ko in (tree.root / base / "kernel").rglob("*.ko"):
        by_name[ko.name[:-3].replace("-", "_")] = ko.relative_to(tree.root / base).as_posix()
    deps = {}  # module path -> direct dependency paths

    def visit(name, wanted_by):
        key = name.replace("-", "_")
        if key not in by_name:
            raise PayloadError(f"module {name} ({wanted_by}) is not in the {version} package")
        rel = by_name[key]
        if rel in deps:
            return rel
        deps[rel] = []
        info = _modinfo(tree.root / base / rel)
        for dep in filter(None, info.get("depends", "").split(",")):
            deps[rel].append(visit(dep, f"needed by {name}"))
        return rel

    for name in _module_list():
        visit(name, "listed in guests/linux/modules")

    def closure(rel, seen):
        # depmod's order: a module's needs first, and the needs of those after them.
        for dep in deps[rel]:
            if dep not in seen:
                seen.append(dep)
                closure(dep, seen)
        return seen

    lines = []
    for rel in sorted(deps):
        tree.copy(f"{base}/{rel}")
        lines.append(f"{rel}: {' '.join(closure(rel, []))}".rstrip() + "\n")
    tree.file(f"{base}/modules.dep", "".join(lines).encode())
    # modprobe of a built-in (virtio core is one) then succeeds quietly instead of failing.
    tree.copy(f"{base}/modules.builtin")
    tree.file("etc/bulkhead/modules", "".join(n + "\n" for n in _module_list()).encode())
    return sorted(deps)


def _add_program(tree: _Tree, program: str):
    """Copies a dynamic program with its loader and the closure of its DT_NEEDED libraries."""
    todo = [tree.copy(program)]
    seen = set()
    while todo:
        interp, needed = _elf_interp_and_needed(tree.root / todo.pop())
        if interp:
            tree.copy(interp.lstrip("/"))
        for soname in needed:
            if soname in seen:
                continue
            seen.add(soname)
            found = next((f"{d}/{soname}" for d in LIBRARY_DIRS
                          if os.path.lexists(tree.root / d / soname)), None)
            if found is None:
                raise PayloadError(f"{program} needs {soname}, which no fetched package holds")
            todo.append(tree.copy(found))


def _build_bhctl() -> bytes:
    """Compiles bhctl statically for aarch64 Linux with Debian's cross compiler and libc."""
    if not shutil.which(BHCTL_CC):
        raise PayloadError(f"{BHCTL_CC} is missing: apt-get install gcc-aarch64-linux-gnu "
                           "libc6-dev-arm64-cross (or ./bulkhead deps)")
    sources = sorted(str(path) for path in BHCTL_DIR.glob("*.c"))
    with tempfile.TemporaryDirectory(prefix="bhctl-") as tmp:
        out = pathlib.Path(tmp) / "bhctl"
        cmd = [BHCTL_CC, *BHCTL_CFLAGS, "-I", str(ABI_DIR.parent), *sources, "-o", str(out)]
        result = subprocess.run(cmd, capture_output=True, text=True)
        if result.returncode != 0:
            hint = " (is libc6-dev-arm64-cross installed?)" if "cannot find" in result.stderr \
                else ""
            raise PayloadError(f"building bhctl failed{hint}:\n  {' '.join(cmd)}\n"
                               f"{result.stderr.strip()}")
        return out.read_bytes()


def _kernel_image(root: pathlib.Path):
    images = sorted((root / "boot").glob("vmlinuz-*"))
    if len(images) != 1:
        raise PayloadError(f"expected one boot/vmlinuz-* in the kernel package, found {images}")
    version = images[0].name[len("vmlinuz-"):]
    data = images[0].read_bytes()
    if data[:2] == b"\x1f\x8b":  # other Debian releases ship it gzipped; QEMU and we want Image
        data = gzip.decompress(data)
    if data[0x38:0x3C] != b"ARM\x64":
        raise PayloadError(f"{images[0].name} is not an arm64 Image (no ARM\\x64 magic)")
    return version, data


def _build(debs: dict, out: pathlib.Path) -> dict:
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
        version, image = _kernel_image(root)
        tree = _Tree(root)
        for folder in INITRAMFS_DIRS:
            tree.dir(folder)
        # The kernel opens /dev/console for init before anything is mounted.
        tree.node("dev/console", 5, 1)
        tree.node("dev/null", 1, 3, 0o666)
        tree.copy("bin/busybox")
        tree.symlink("bin/sh", "busybox")
        tree.file("init", (GUEST_DIR / "init").read_bytes(), 0o755)
        modules = _add_modules(tree, version)
        for program in RT_PROGRAMS:
            _add_program(tree, program)
        tree.file("bin/bhctl", _build_bhctl(), 0o755)
        versions = {pkg: deb.name.split("_")[1].replace("%3a", ":") for pkg, deb in debs.items()}
        info = [f"kernel={version}"] + [f"{pkg}={v}" for pkg, v in versions.items()]
        tree.file("etc/bulkhead/payload", "".join(line + "\n" for line in info).encode())
        cpio_gz = gzip.compress(tree.cpio(), compresslevel=9, mtime=0)
    _write_atomic(out / "Image", image)
    _write_atomic(out / "initramfs.cpio.gz", cpio_gz)
    return {"kernel_version": version, "packages": versions, "modules": modules}


def _write_atomic(path: pathlib.Path, data: bytes):
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _inputs_key(debs: dict) -> str:
    digest = hashlib.sha256()
    for deb in sorted(debs.values()):
        digest.update(f"{deb.name} {deb.stat().st_size}\n".encode())
    # guests/linux/ holds bhctl's sources too; bhctl also compiles the ABI headers in.
    inputs = sorted(p for p in GUEST_DIR.rglob("*") if p.is_file())
    inputs += sorted(ABI_DIR.glob("*.h")) + [pathlib.Path(__file__)]
    for path in inputs:
        name = path.relative_to(paths.REPO).as_posix() if path.is_relative_to(paths.REPO) \
            else path.name
        digest.update(name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _result(out: pathlib.Path, manifest: dict) -> dict:
    return {"image": out / "Image", "initramfs": out / "initramfs.cpio.gz",
            "kernel_version": manifest["kernel_version"], "dir": out,
            "packages": manifest["packages"]}


def ensure_linux_payload(refresh: bool = False) -> dict:
    """Returns {"image", "initramfs", "kernel_version", "dir", "packages"}, building if needed.

    Uses the cached .debs without any network access when all are there; `refresh` asks apt for
    newer ones first. Raises PayloadError with a message naming what failed.
    """
    out = output_dir()
    cache_dir().mkdir(parents=True, exist_ok=True)
    # Two test runs at once must not fetch into, or build over, each other.
    with open(cache_dir() / ".payload.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        debs = _fetch(refresh)
        key = _inputs_key(debs)
        manifest_path = out / "payload.json"
        with contextlib.suppress(OSError, ValueError):
            manifest = json.loads(manifest_path.read_text())
            if manifest.get("inputs") == key and all(
                    (out / name).stat().st_size == size for name, size in manifest["sizes"].items()):
                return _result(out, manifest)
        print(f"payload: building {out}/Image and initramfs.cpio.gz", flush=True)
        # No manifest while the outputs are being replaced: a failed build must not look done.
        manifest_path.unlink(missing_ok=True)
        manifest = _build(debs, out)
        manifest["inputs"] = key
        manifest["sizes"] = {name: (out / name).stat().st_size
                             for name in ("Image", "initramfs.cpio.gz")}
        _write_atomic(manifest_path, (json.dumps(manifest, indent=1) + "\n").encode())
        return _result(out, manifest)


# ---------------------------------------------------------------------------------------------
# Debian's PREEMPT_RT kernel, for `bulkhead measure`'s baseline. Its .deb sits in the same cache
# (selected-rt.json records which); its Image goes to <build>/linux-rt/. The normal payload's
# selection and _drop_superseded never touch it (its name does not match KERNEL_PACKAGE).

def rt_output_dir() -> pathlib.Path:
    return paths.build_root() / "linux-rt"


def _fetch_rt(refresh: bool) -> pathlib.Path:
    folder = debs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    selected_file = folder / "selected-rt.json"
    if not refresh:
        with contextlib.suppress(OSError, ValueError):
            (pkg, (name, size)), = json.loads(selected_file.read_text()).items()
            if (folder / name).is_file() and (folder / name).stat().st_size == size:
                return folder / name
    state = _apt_state()
    _apt_update(state)
    pkg = _resolve_kernel(state, RT_KERNEL_META, RT_KERNEL_PACKAGE, "rt-arm64")
    name, size = _deb_names([pkg], state)[pkg]
    path = folder / name
    if not (path.is_file() and path.stat().st_size == size):
        print(f"payload: apt-get download {pkg}", flush=True)
        result, what = _run_apt("apt-get", ["download", pkg], state, cwd=folder)
        if result.returncode != 0 or not path.is_file() or path.stat().st_size != size:
            detail = "\n  ".join(_failed_lines(result.stdout + result.stderr) or
                                 result.stderr.strip().splitlines()[-5:])
            path.unlink(missing_ok=True)
            raise PayloadError(f"'{what}' left no complete {name} ({size} bytes); is the Debian "
                               f"package archive reachable?\n  {detail}")
    selected_file.write_text(json.dumps({pkg: [name, size]}, indent=1) + "\n")
    for old in folder.glob("linux-image-*-rt-arm64_*.deb"):  # other rt ABIs: dead weight
        if old.name != name:
            old.unlink()
    return path


def ensure_rt_kernel(refresh: bool = False) -> dict:
    """Debian's PREEMPT_RT kernel beside the normal payload: {"image", "initramfs",
    "kernel_version", "package", "dir"}. Its initramfs is the normal payload's followed by a second
    cpio archive (the kernel unpacks both) with the listed modules of the RT kernel."""
    normal = ensure_linux_payload(refresh)
    out = rt_output_dir()
    with open(cache_dir() / ".payload.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        deb = _fetch_rt(refresh)
        base = normal["initramfs"].read_bytes()
        inputs = [deb.name, deb.stat().st_size, hashlib.sha256(base).hexdigest(),
                  hashlib.sha256((GUEST_DIR / "modules").read_bytes()).hexdigest()]
        manifest_path = out / "kernel.json"
        with contextlib.suppress(OSError, ValueError, KeyError):
            manifest = json.loads(manifest_path.read_text())
            sizes = manifest["sizes"].items()
            if manifest.get("inputs") == inputs and all(
                    (out / name).stat().st_size == size for name, size in sizes):
                return _rt_result(out, manifest)
        print(f"payload: unpacking {deb.name} into {out}/Image and initramfs.cpio.gz", flush=True)
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
            version, image = _kernel_image(pathlib.Path(tmp))
            tree = _Tree(pathlib.Path(tmp))
            modules = _add_modules(tree, version)
            initramfs = base + gzip.compress(tree.cpio(), compresslevel=9, mtime=0)
        _write_atomic(out / "Image", image)
        _write_atomic(out / "initramfs.cpio.gz", initramfs)
        manifest = {"kernel_version": version, "package": deb.name.split("_")[0],
                    "version": deb.name.split("_")[1].replace("%3a", ":"), "inputs": inputs,
                    "modules": modules, "sizes": {"Image": len(image),
                                                  "initramfs.cpio.gz": len(initramfs)}}
        _write_atomic(manifest_path, (json.dumps(manifest, indent=1) + "\n").encode())
        return _rt_result(out, manifest)


def _rt_result(out, manifest):
    return {"image": out / "Image", "initramfs": out / "initramfs.cpio.gz",
            "kernel_version": manifest["kernel_version"],
            "package": f"{manifest['package']}={manifest['version']}", "dir": out}


def bare_qemu_command(payload: dict, append: str = "", cpus: int = 2, memory: str = "512M"):
    """QEMU virt with no hypervisor: the reference a Linux cell's behaviour is compared with."""
    return ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-cpu", "cortex-a72",
            "-smp", str(cpus), "-m", memory, "-nographic", "-nic", "none",
            "-kernel", str(payload["image"]), "-initrd", str(payload["initramfs"]),
            "-append", f"console=ttyAMA0 {append}".strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Fetch and build the Linux cell's kernel Image "
                                     "and initramfs into <build>/linux/.")
    parser.add_argument("--rt", action="store_true",
                        help="also fetch Debian's PREEMPT_RT kernel into <build>/linux-rt/")
    parser.add_argument("--refresh", action="store_true",
                        help="ask the package archive for newer packages first")
    parser.add_argument("--boot", metavar="SCENARIO",
                        help="then boot it in bare QEMU (no hypervisor) with this scenario")
    parser.add_argument("--append", default="",
                        help="more kernel command line for --boot, e.g. bulkhead.duration=5")
    parser.add_argument("--timeout", type=float, default=120, help="for --boot, in seconds")
    args = parser.parse_args(argv)
    try:
        result = ensure_linux_payload(refresh=args.refresh)
        print(f"payload: kernel {result['kernel_version']}")
        if args.rt:
            rt = ensure_rt_kernel(refresh=args.refresh)
            print(f"payload: PREEMPT_RT kernel {rt['kernel_version']}: {rt['image']}")
    except PayloadError as error:
        print(f"payload: {error}", file=sys.stderr)
        return 1
    for key in ("image", "initramfs"):
        path = result[key]
        print(f"payload: {key:9} {path} ({path.stat().st_size / 1e6:.1f} MB)", flush=True)
    if not args.boot:
        return 0
    command = bare_qemu_command(result, f"bulkhead.scenario={args.boot} {args.append}")
    # stdin stays ours so that `--boot shell` is interactive.
    run = run_emulator(command, str(paths.log_dir("linux") / "bare-qemu.log"), args.timeout,
                       echo=True, stdin=None)
    print(f"payload: {run.describe()}")
    return 0 if run.returncode == 0 and not run.timed_out else 1


if __name__ == "__main__":
    sys.exit(main())
