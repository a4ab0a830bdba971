"""The trap configuration as data: the per-mode register values the hypervisor
programs (arm64/trap_config.h, vmx/trap_config.h, compiled here on the host)
against the table in docs/design.md ("Trap configuration"), bit by bit; and the
code that programs the registers uses exactly those constants."""

import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
DESIGN = REPO / "docs" / "design.md"
PROGRAM = pathlib.Path(__file__).with_name("trap_values.c")
ARM64 = REPO / "arch" / "arm64"
VMX = REPO / "arch" / "x86" / "vmx"
DASH = "—"

# table register -> the constant the code writes for (direct, virtual); None: not written
CONSTANTS = {
    "HCR_EL2": ("HCR_DIRECT", "HCR_VIRTUAL"),
    "ICH_HCR_EL2": ("ICH_HCR_DIRECT", "ICH_HCR_VIRTUAL"),
    "CNTHCTL_EL2": ("CNTHCTL_CELL", "CNTHCTL_CELL"),
    "CPTR_EL2": ("CPTR_CELL", "CPTR_CELL"),
    "MDCR_EL2": ("MDCR_DIRECT", "MDCR_VIRTUAL"),
    "pin-based": ("VMX_PIN_CELL", "VMX_PIN_CELL"),
    "processor-based": ("VMX_PROC_DIRECT", "VMX_PROC_VIRTUAL"),
    "secondary": ("VMX_PROC2_CELL", "VMX_PROC2_CELL"),
    "VM-exit": ("VMX_EXIT_CELL", "VMX_EXIT_CELL"),
    "VM-entry": ("VMX_ENTRY_CELL", "VMX_ENTRY_CELL"),
    "exception bitmap": ("VMX_EXCEPTION_BITMAP_CELL", "VMX_EXCEPTION_BITMAP_CELL"),
}
MODES = ("direct", "virtual")

# arm64 system register -> the constants its write_sysreg() calls may use
ARM64_WRITES = {
    "hcr_el2": {"HCR_DIRECT", "HCR_VIRTUAL"},
    "ich_hcr_el2": {"ICH_HCR_DIRECT", "ICH_HCR_VIRTUAL", "ICH_HCR_UIE"},
    "cnthctl_el2": {"CNTHCTL_CELL"},
    "cptr_el2": {"CPTR_CELL"},
    "mdcr_el2": {"MDCR_DIRECT", "MDCR_VIRTUAL"},
}


@pytest.fixture(scope="module")
def code_values(tmp_path_factory):
    """NAME -> value and the MSR pass-through rows, from the compiled headers."""
    gcc = shutil.which("gcc")
    assert gcc, "gcc is missing: ./bulkhead deps installs it"
    exe = tmp_path_factory.mktemp("traps") / "trap_values"
    cc = subprocess.run([gcc, "-std=gnu11", "-Wall", "-Wextra", "-Werror",
                         f"-I{ARM64 / 'include'}", f"-I{VMX / 'include'}", str(PROGRAM),
                         "-o", str(exe)], capture_output=True, text=True)
    assert cc.returncode == 0, f"trap_values.c does not build:\n{cc.stderr}"
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    values, msrs = {}, []
    for line in out.splitlines():
        f = line.split()
        if f[0] == "MSR":
            msrs.append((int(f[1], 16), int(f[2], 16), f[3] == "1", f[4] == "1"))
        else:
            values[f[0]] = int(f[1], 16)
    return values, msrs


def table_rows(header_start):
    """The rows of the design.md table whose header starts with `header_start`."""
    lines = DESIGN.read_text().splitlines()
    start = next((i for i, l in enumerate(lines) if l.startswith(header_start)), None)
    assert start is not None, f"docs/design.md has no table starting '{header_start}'"
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split("|")])
    return rows


def bit_range(text):
    first, _, last = text.partition("-")
    return range(int(first), int(last or first) + 1)


def documented_bits():
    """register -> mode -> {bit: '0' | '1' | '—'}, with the row's text for messages."""
    table = {}
    for reg, bits, field, direct, virtual, why in table_rows("| register | bits |"):
        assert why, f"{reg} {field}: the table must say why"
        for mode, value in zip(MODES, (direct, virtual)):
            assert value in ("0", "1", DASH), f"{reg} {field} {mode}: '{value}'"
            per_bit = table.setdefault(reg, {}).setdefault(mode, {})
            for bit in bit_range(bits):
                assert bit not in per_bit, f"{reg} bit {bit} is in the table twice"
                per_bit[bit] = value
    return table


def test_table_covers_every_programmed_register():
    assert set(documented_bits()) == set(CONSTANTS)


@pytest.mark.parametrize("reg", CONSTANTS)
@pytest.mark.parametrize("mode", MODES)
def test_register_value_matches_the_table_bit_by_bit(reg, mode, code_values):
    values, _ = code_values
    documented = documented_bits()[reg][mode]
    constant = CONSTANTS[reg][MODES.index(mode)]
    if constant is None:
        assert set(documented.values()) == {DASH}, (
            f"{reg} is not written for {mode} cells, but the table gives it bits")
        return
    assert DASH not in documented.values(), f"the code writes {reg} for {mode} cells ({constant})"
    code = values[constant]
    table = sum(1 << bit for bit, v in documented.items() if v == "1")
    wrong = [f"bit {b}: code {(code >> b) & 1}, table {documented.get(b, '0 (not listed)')}"
             for b in range(64) if (code >> b) & 1 != (table >> b) & 1]
    assert not wrong, (f"{reg} for {mode} cells ({constant} = {code:#x}) disagrees with "
                       f"docs/design.md (Trap configuration): " + "; ".join(wrong))


def test_msr_pass_through_matches_the_table(code_values):
    values, msrs = code_values
    assert values["VMX_BITMAP_ALL_EXIT"] == 0xff, "the bitmaps must start with every access exiting"
    documented = []
    for span, d_read, d_write, v_read, v_write, why in table_rows("| MSRs |"):
        assert why, f"MSRs {span}: the table must say why"
        assert v_read == v_write == "exit", f"MSRs {span}: a virtual cell's MSR accesses all exit"
        first, last = (int(x, 16) for x in span.split("-"))
        documented.append((first, last, d_read == "pass", d_write == "pass"))
    assert sorted(msrs) == sorted(documented), (
        f"vmx_direct_msr_pass {msrs} disagrees with docs/design.md {documented}")


def c_files(folder):
    return sorted(p for p in folder.rglob("*.c"))


def test_arm64_trap_registers_are_written_only_with_the_constants():
    seen = {reg: [] for reg in ARM64_WRITES}
    for path in c_files(ARM64):
        for reg, expr in re.findall(r"write_sysreg\(\s*(\w+)\s*,\s*([^;]*)\);", path.read_text()):
            if reg in ARM64_WRITES:
                names = set(re.findall(r"\b[A-Z][A-Z0-9_]+\b", expr))
                stray = names - ARM64_WRITES[reg]
                assert not stray, (f"{path.relative_to(REPO)} writes {reg} with {sorted(stray)}: "
                                   "put the value in arm64/trap_config.h and its bits in "
                                   "docs/design.md (Trap configuration)")
                assert names or "0" == expr.strip(), f"{reg} written with '{expr}'"
                seen[reg].append(path.name)
    for reg, allowed in ARM64_WRITES.items():
        if allowed:
            assert seen[reg], f"nothing writes {reg} any more: update the trap table and this test"
        else:
            assert not seen[reg], (f"{reg} is now written ({seen[reg]}): give it constants in "
                                   "arm64/trap_config.h, rows in docs/design.md and an entry here")


def test_vmx_controls_are_programmed_from_the_constants():
    setup = (VMX / "vmcs_setup.c").read_text()
    for msr, constant in (("PINBASED", "VMX_PIN_CELL"), ("PROCBASED", "proc_wanted"),
                          ("PROCBASED_CTLS2", "VMX_PROC2_CELL"), ("EXIT", "VMX_EXIT_CELL"),
                          ("ENTRY", "VMX_ENTRY_CELL")):
        assert re.search(rf"adjust\(MSR_IA32_VMX_{msr}(_CTLS)?\b[^;]*{constant}", setup), (
            f"vmcs_setup.c no longer asks for {constant} when adjusting {msr} controls")
    assert "VMX_PROC_DIRECT : VMX_PROC_VIRTUAL" in setup
    assert "vmwrite(VMCS_EXCEPTION_BITMAP, VMX_EXCEPTION_BITMAP_CELL)" in setup
    cell = (VMX / "cell_vmx.c").read_text()
    assert "vmx_direct_msr_pass" in cell
    assert len(re.findall(r"memset\(v->\w+_bitmap\w*, VMX_BITMAP_ALL_EXIT,", cell)) == 3
