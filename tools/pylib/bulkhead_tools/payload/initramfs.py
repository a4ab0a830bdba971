"""The initramfs, kept as a dict (path inside the initramfs -> entry) and written as newc cpio
with fixed owners and times, so the same inputs give the same bytes. Files come from the
extracted packages: kernel modules with their dependencies, dynamic programs with their loader
and libraries."""

import os
import pathlib

from . import elf, kernel
from .common import GUEST_DIR, PayloadError

class Tree:
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


def add_modules(tree: Tree, version: str):
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
        info = kernel.modinfo(tree.root / base / rel)
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


def add_program(tree: Tree, program: str, library_dirs):
    """Copies a dynamic program with its loader and the closure of its DT_NEEDED libraries,
    searched in `library_dirs` (where the architecture's loader looks without ld.so.cache)."""
    todo = [tree.copy(program)]
    seen = set()
    while todo:
        interp, needed = elf.interp_and_needed(tree.root / todo.pop())
        if interp:
            tree.copy(interp.lstrip("/"))
        for soname in needed:
            if soname in seen:
                continue
            seen.add(soname)
            found = next((f"{d}/{soname}" for d in library_dirs
                          if os.path.lexists(tree.root / d / soname)), None)
            if found is None:
                raise PayloadError(f"{program} needs {soname}, which no fetched package holds")
            todo.append(tree.copy(found))
