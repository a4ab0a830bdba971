"""The layout's rules (docs/design.md, "Layering rules"): each shared thing has one
home, and programs link it instead of reaching into another program."""

import re

from style_support import REPO, tracked_files

# A Meson file naming a source by a relative path that leaves its own folder.
RELATIVE_PATH = re.compile(r"""['"]\.\./""")
# Folders whose code must not see the hypervisor's private headers.
NOT_HYPERVISOR = ("rtcell/", "guests/", "tools/", "lib/", "abi/")
HV_INCLUDE = re.compile(r'#include\s*[<"](hv|arch)/')
ARCH_IN_CORE = re.compile(r"#\s*(if|ifdef|ifndef|elif)\b.*\b(__aarch64__|__x86_64__|__i386__|__arm__|ARCH_ARM64|ARCH_X86\w*)\b")


def relative(path):
    return str(path.relative_to(REPO))


def test_no_meson_file_compiles_sources_of_another_folder_by_relative_path():
    offenders = []
    for path in tracked_files():
        if path.name != "meson.build":
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if RELATIVE_PATH.search(line.split("#")[0]):
                offenders.append(f"{relative(path)}:{number}: {line.strip()}")
    assert not offenders, "link the library instead:\n" + "\n".join(offenders)


def test_only_the_hypervisor_includes_its_private_headers():
    offenders = []
    for path in tracked_files():
        rel = relative(path)
        if path.suffix not in (".c", ".h", ".S") or not rel.startswith(NOT_HYPERVISOR):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if HV_INCLUDE.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "hv/ headers outside the hypervisor:\n" + "\n".join(offenders)


def test_core_code_never_asks_which_architecture_it_runs_on():
    offenders = []
    for path in tracked_files():
        rel = relative(path)
        if path.suffix not in (".c", ".h") or not rel.startswith(("hv/", "rtcell/kernel/", "abi/", "lib/")):
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if ARCH_IN_CORE.search(line):
                offenders.append(f"{rel}:{number}: {line.strip()}")
    assert not offenders, "use an arch_* hook instead:\n" + "\n".join(offenders)
