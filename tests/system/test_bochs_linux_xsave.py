"""Every Linux booted in Bochs keeps XSAVE's standard format (bochs.LINUX_XSAVE_ARGS): Bochs 2.7
lays out XSAVEC's and XSAVES's compacted area wrongly, and the Linux cell's processes segfaulted
under `bulkhead measure --linux`'s stress while the kernel used it. Host-only: the command lines
of the bochs-x86 systems with a Linux cell, of each `measure` phase, and of bare Linux."""

import re

from bulkhead_tools import bochs, paths
from bulkhead_tools.measure import bochs_runner, sysdesc
from bulkhead_tools.payload import bare_bochs

SYSTEM_DIRS = [paths.REPO / "config", paths.REPO / "tests" / "system" / "systems"]


def bochs_linux_systems():
    found = []
    for directory in SYSTEM_DIRS:
        for dts in sorted(directory.rglob("*.dts")):
            text = dts.read_text()
            if re.search(r'platform-name = "bochs-x86"', text) and sysdesc.has_linux(text):
                found.append((dts, text))
    return found


def test_every_bochs_linux_cell_keeps_the_standard_xsave_format():
    systems = bochs_linux_systems()
    # config/bochs-x86/linux-rt.dts, tests/system/systems/x86-linux-rt.dts and -pvh-rt.dts
    assert len(systems) >= 3, [str(dts) for dts, _ in systems]
    for dts, text in systems:
        for cell, info in sysdesc.cells(text).items():
            if not info["realtime"]:
                assert bochs.LINUX_XSAVE_ARGS in sysdesc.bootargs(text, cell).split(), (dts, cell)


def test_measure_phases_keep_the_standard_xsave_format():
    text = bochs_runner.LINUX_SYSTEM.read_text()
    settings = bochs_runner.Settings.for_mode(True, linux=True)
    for phase, (_, _, load) in settings.phases().items():
        if phase == "alone":
            continue
        system = bochs_runner._phase_system(text, "rt", phase, settings, load)
        assert bochs.LINUX_XSAVE_ARGS in sysdesc.bootargs(system, "linux").split(), phase


def test_bare_linux_in_bochs_keeps_the_standard_xsave_format():
    assert bochs.LINUX_XSAVE_ARGS in bare_bochs.BARE_CMDLINE.split()


def test_the_arguments_clear_both_compacting_instructions():
    # Linux's clearcpuid= takes the names of /proc/cpuinfo; XSAVES alone would leave XSAVEC.
    [names] = re.fullmatch(r"clearcpuid=(\S+)", bochs.LINUX_XSAVE_ARGS).groups()
    assert set(names.split(",")) == {"xsaves", "xsavec"}
