"""Fetching the payload's Debian packages (one architecture's: targets.py) into <build>/cache/debs/.

apt runs with its own state folders, so the host's dpkg database and architectures stay as they
are (no `dpkg --add-architecture`). Once the cache holds every package, nothing here touches the
network unless a refresh is asked for. Target.selected_file names the normal payload's packages,
Target.rt_selected_file Debian's PREEMPT_RT kernel (the baseline `bulkhead measure` compares
with). The .debs of all architectures share the folder: their names end in the architecture.
"""

import contextlib
import json
import os
import pathlib
import re
import subprocess

from .common import PayloadError, cache_dir, debs_dir
from .targets import Target

# Debian's PREEMPT_RT kernel (Target.rt_kernel_meta) is the baseline `bulkhead measure` compares
# the realtime cell with. It boots bare with the same initramfs (whose modules are the generic
# kernel's: modprobe fails quietly, and a bare emulator without devices needs none).
# Taken as the archive names them; libc6 and libnuma1 because rt-tests' programs are dynamic.
OTHER_PACKAGES = ("busybox-static", "rt-tests", "libc6", "libnuma1")


def _apt_options(state: pathlib.Path, debian: str):
    opts = {
        "APT::Architecture": debian,
        "APT::Architectures": debian,
        "Dir::State::Lists": state / "lists",
        "Dir::Cache": state / "cache",
        # An empty status file: the host's installed packages must not shape what is resolved.
        "Dir::State::Status": state / "status",
    }
    if os.geteuid() == 0:
        # root's apt downloads as user _apt, who cannot write into our cache folders.
        opts["APT::Sandbox::User"] = "root"
    return [arg for key, value in opts.items() for arg in ("-o", f"{key}={value}")]


def _apt_state(debian: str) -> pathlib.Path:
    state = cache_dir() / f"apt-{debian}"
    for sub in ("lists/partial", "cache/archives/partial"):
        (state / sub).mkdir(parents=True, exist_ok=True)
    (state / "status").touch()
    return state


def _run_apt(tool, args, state, cwd=None):
    # The state folder is named after the architecture (_apt_state).
    cmd = [tool, "-q", *_apt_options(state, state.name.removeprefix("apt-")), *args]
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    return result, " ".join([tool, *args])


def _failed_lines(text):
    return [line for line in text.splitlines() if line.startswith(("E:", "Err:", "W: Failed"))]


def _apt_update(state, debian):
    print(f"payload: apt-get update ({debian} package lists, own state folder)", flush=True)
    result, what = _run_apt("apt-get", ["update"], state)
    # apt-get update exits 0 when an index could not be fetched; its messages tell.
    failed = _failed_lines(result.stdout + result.stderr)
    if result.returncode != 0 or failed:
        detail = "\n  ".join(failed or (result.stderr.strip() or "no output").splitlines()[-5:])
        raise PayloadError(f"'{what}' for {debian} failed; is the Debian package archive "
                           f"reachable?\n  {detail}")
    if not list((state / "lists").glob(f"*binary-{debian}_Packages*")):
        raise PayloadError(f"'{what}' fetched no {debian} package list; "
                           "check /etc/apt/sources.list*")


def _resolve_kernel(state, meta, package) -> str:
    result, what = _run_apt("apt-cache", ["depends", meta], state)
    names = re.findall(r"^\s*Depends:\s*(\S+)", result.stdout, re.M)
    kernels = [name for name in names if package.match(name)]
    if result.returncode != 0 or not kernels:
        raise PayloadError(f"'{what}' named no package matching {package.pattern}:\n"
                           f"{result.stdout}{result.stderr}")
    return kernels[0]


def _deb_names(packages, state, debian):
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
        raise PayloadError(f"'{what}' offers no {debian} package named {' '.join(missing)}")
    return names


def fetch(refresh: bool, target: Target) -> dict:
    """Package -> cached .deb path; asks apt only when the cache lacks something or on refresh."""
    folder = debs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    selected_file = folder / target.selected_file
    if not refresh:
        with contextlib.suppress(OSError, ValueError):
            selected = json.loads(selected_file.read_text())  # package -> [file name, size]
            debs = {pkg: folder / name for pkg, (name, _) in selected.items()}
            has_kernel = any(target.kernel_package.match(pkg) for pkg in debs)
            if has_kernel and set(OTHER_PACKAGES) <= set(debs) and all(
                    path.is_file() and path.stat().st_size == selected[pkg][1]
                    for pkg, path in debs.items()):
                return debs
    state = _apt_state(target.debian)
    _apt_update(state, target.debian)
    packages = [_resolve_kernel(state, target.kernel_meta, target.kernel_package),
                *OTHER_PACKAGES]
    expected = _deb_names(packages, state, target.debian)
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
    _drop_superseded(folder, names, target)
    return {pkg: folder / names[pkg] for pkg in packages}


def _drop_superseded(folder, names, target):
    # Older versions of the packages just selected (other kernel ABIs included) are dead weight;
    # other architectures' packages are not ours to drop.
    keep = set(names.values())
    families = {pkg for pkg in names if not target.kernel_package.match(pkg)}
    for deb in folder.glob(f"*_{target.debian}.deb"):
        pkg = deb.name.split("_", 1)[0]
        if deb.name not in keep and (pkg in families or target.kernel_package.match(pkg)):
            deb.unlink()



# Debian's PREEMPT_RT kernel: its .deb sits in the same cache (selected-rt.json records which).
# The normal payload's selection and _drop_superseded never touch it (its name does not match
# Target.kernel_package).
def fetch_rt(refresh: bool, target: Target) -> pathlib.Path:
    """The cached PREEMPT_RT kernel .deb; asks apt only when it is missing or on refresh."""
    folder = debs_dir()
    folder.mkdir(parents=True, exist_ok=True)
    selected_file = folder / target.rt_selected_file
    if not refresh:
        with contextlib.suppress(OSError, ValueError):
            (pkg, (name, size)), = json.loads(selected_file.read_text()).items()
            if (folder / name).is_file() and (folder / name).stat().st_size == size:
                return folder / name
    state = _apt_state(target.debian)
    _apt_update(state, target.debian)
    pkg = _resolve_kernel(state, target.rt_kernel_meta, target.rt_kernel_package)
    name, size = _deb_names([pkg], state, target.debian)[pkg]
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
    for old in folder.glob(f"linux-image-*_{target.debian}.deb"):  # other rt ABIs: dead weight
        if old.name != name and target.rt_kernel_package.match(old.name.split("_", 1)[0]):
            old.unlink()
    return path
