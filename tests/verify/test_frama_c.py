"""Frama-C EVA, for every input, on five subjects: the config and system-image
validator (abi/check/, harness verify/frama-c/config_check_eva.c, blobs of up
to 1 KiB), the same validator on system images of up to 12 KiB, whose items and
config item it then checks too (sysimage_eva.c), its printf engine (lib/format.c, format_eva.c), the arm64 stage-2
builder (arch/arm64/stage2.c and pgtable.c, stage2_eva.c) and the x86 EPT builder (arch/x86/vmx/ept.c, ept_eva.c). The
alarms EVA cannot rule out must be those listed, with their reasons, in the
subject's verify/frama-c/*_alarms.txt; a new or additional alarm fails. Each
subject is also shown to fail: an off-by-one put into a temporary copy of its
code raises an alarm the list does not hold. For the EPT and stage-2 builders, alarms at calls
and memory accesses that WP proves in the same run are not counted (WP_DISCHARGES),
and a break of such a property is shown to stay an alarm."""

import collections
import os
import pathlib
import re
import shutil
import subprocess

import pytest

from wp_support import run_wp

REPO = pathlib.Path(__file__).resolve().parents[2]
VERIFY = REPO / "verify" / "frama-c"
ALARM = re.compile(r"^\[eva:alarm\] ([^:]+):(\d+): Warning: *\n?\s*([^.\n]+)", re.M)
WP_PROPERTIES = ("postcondition", "loop invariant '", "assertion '")
# Table pages of the stage-2 harness live at absolute addresses (see stage2_eva.c).
POOL = "0x100000-0x117fff"

SUBJECTS = {
    "config_check": dict(
        sources=sorted(str(p.relative_to(REPO)) for p in (REPO / "abi" / "check").glob("*.c"))
        + ["lib/crc32.c", "verify/frama-c/format_stub.c"],
        includes=["abi/include", "lib/include"],
        # The equality and symbolic-locations domains keep a count read through the blob
        # equal to the count checked against its bound (150 alarms without them, 0 with), ~1 min.
        options=["-eva-split-return", "auto", "-eva-slevel", "5",
                 "-eva-domains", "symbolic-locations,equality"]),
    # The same validator through sysimage_check on images of up to 12 KiB: header, item table
    # and two 4 KiB-aligned items, so that EVA reads item payloads and checks the config item.
    # item_payload splits its states by an item's offset; -eva-interprocedural-splits keeps
    # them apart in its callers, so each config offset is checked on its own (1 alarm left
    # without history: the states of a refused config header joined into the passed ones;
    # a one-branch history kept through returns removes it), ~1 1/2 min of CPU, 3 1/2 here.
    "sysimage": dict(
        sources=sorted(str(p.relative_to(REPO)) for p in (REPO / "abi" / "check").glob("*.c"))
        + ["lib/crc32.c", "verify/frama-c/format_stub.c"],
        includes=["abi/include", "lib/include"],
        options=["-eva-split-return", "auto", "-eva-slevel", "5",
                 "-eva-domains", "symbolic-locations,equality", "-eva-interprocedural-splits",
                 "-eva-partition-history", "1", "-eva-interprocedural-history"]),
    "stage2": dict(
        sources=["arch/arm64/stage2.c", "arch/arm64/pgtable.c"],
        includes=["abi/include", "lib/include", "hv/include", "arch/arm64/include",
                  "arch/arm64/common/include"],
        # slevel 12 follows the walk's level loop (entry_at) to its end (8 leaves 2 shift alarms).
        # The walk's recursion (entry_at, at most 3 deep) followed call by call, as for EPT.
        options=["-absolute-valid-range", POOL, "-eva-split-return", "auto",
                 "-eva-slevel", "12", "-eva-unroll-recursive-calls", "4"]),
    "format": dict(
        sources=["lib/format.c"],
        includes=["lib/include"],
        options=["-eva-split-return", "auto", "-eva-slevel", "60"]),
    "ept": dict(
        sources=["arch/x86/vmx/ept.c"],
        includes=["abi/include", "lib/include", "arch/x86/vmx/include"],
        # The walk (entry_at) is a recursion at most 3 deep: followed call by call, not
        # through its contract, which EVA cannot evaluate (it would end every path there).
        options=["-eva-split-return", "auto", "-eva-slevel", "20",
                 "-eva-unroll-recursive-calls", "4"]),
}

# One deliberate break per subject: (file, original text, broken text, the alarm it must raise).
BREAKS = {
    # show_name copies one character more than its BH_NAME_LEN + 1 buffer holds with the NUL.
    # (A table check letting a table end 8 bytes past `size` cannot read outside the blob: the
    # record reads test their own bound, which RECORD_BREAK below breaks instead.)
    "config_check": ("abi/check/checker.c", "i < BH_NAME_LEN && name[i]",
                     "i <= BH_NAME_LEN && name[i]"),
    # An item may end 4 KiB past the image: its CRC then reads past the 12 KiB image.
    "sysimage": ("abi/check/check_sysimage.c", "(uint64_t)offset + bytes > h->total_size_bytes",
                 "(uint64_t)offset + bytes > h->total_size_bytes + 4096u"),
    # The closing NUL goes one past the buffer when the output fills it.
    "format": ("lib/format.c", "o.len < size ? o.len : size - 1", "o.len < size ? o.len : size"),
    # stage2_create lets cell id HV_MAX_CELLS through, one past its table array.
    "stage2": ("arch/arm64/stage2.c", "cell_id >= HV_MAX_CELLS", "cell_id > HV_MAX_CELLS"),
    # ept_init accepts a 64-bit host address size: 1 << 64 is undefined.
    "ept": ("arch/x86/vmx/ept.c", "host_bits > 52", "host_bits > 64"),
}


# The validator's record reads test each record's end against the blob's size (records.c);
# letting a record end 8 bytes past it must raise an alarm where the records are read, since
# a 1 KiB blob (the harness's largest) then reads past its end. A blob smaller than the array
# is not caught (EVA cannot tie a blob of variable size or place to the reads' bound).
RECORD_BREAK = ("abi/check/records.c", "at + record_size <= c->size",
                "at + record_size <= c->size + 8")


def listed_alarms(name):
    listed = {}
    for line in (VERIFY / f"{name}_alarms.txt").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        count, path, kind, reason = (f.strip() for f in line.split("|", 3))
        assert reason and "not yet triaged" not in reason, \
            f"{name}_alarms.txt: '{line}' gives no reason"
        assert (path, kind) not in listed, f"{name}_alarms.txt: {path} | {kind} listed twice"
        listed[(path, kind)] = int(count)
    return listed


# Alarms WP discharges: in these subjects' files, an alarm at a call (a precondition EVA
# cannot decide) or a memory access is accepted when WP, run on the same tree, proves that
# precondition at every call from the function holding the alarm, or every memory access of
# that function (-wp-rte). test_frama_c_wp.py and test_frama_c_wp_pgtable.py prove the
# contracts these goals rest on. Per subject: the files, and the functions WP looks at.
WP_DISCHARGES = {
    "ept": (["arch/x86/vmx/ept.c"],
            "entry_at,next_table,lookup_table,overlaps_mapping,set_entry,set_link,set_leaf,"
            "ept_map,table_of,new_table,new_table_of,ept_init"),
    "stage2": (["arch/arm64/pgtable.c", "arch/arm64/stage2.c"],
               "entry_at,next_table,new_table_of,set_link,set_leaf,pt_map,set_entry,index_at,"
               "new_table,table_of,stage2_map_region"),
}
PRECONDITION = re.compile(r"function (\w+): precondition(?: '(\w+)')? got status unknown")
DEFINITION = re.compile(r"^(?:static )?\w[\w ]*?\**(\w+)\([^;]*$", re.M)


def function_at(source, line):
    """The function whose definition starts last before `line` of C source."""
    starts = [(source.count("\n", 0, m.start()) + 1, m.group(1))
              for m in DEFINITION.finditer(source)]
    return max((s for s in starts if s[0] <= line), default=(0, None))[1]


def wp_goals_for(function, kind):
    """The WP goal names that prove an alarm of `kind` inside `function`."""
    pre = PRECONDITION.fullmatch(kind)
    if pre:
        # An unnamed precondition's goals are numbered, a named one's carry its name.
        name = rf"_{pre[2]}" if pre[2] else r"(_\d+)?"
        return re.compile(rf"typed_{function}_call_{pre[1]}(_\d+)?_requires{name}(_part\d+)?")
    if kind in ("out of bounds read", "out of bounds write"):
        return re.compile(rf"typed_{function}_assert_rte_mem_access(_\d+)?(_part\d+)?")
    return None


def discharged_by_wp(name, root, alarms, tmp_path):
    """The alarms (path, line, kind) that WP proves, run on the same tree."""
    if name not in WP_DISCHARGES:
        return set()
    paths, functions = WP_DISCHARGES[name]
    s = SUBJECTS[name]
    cpp = " ".join(f"-I{i}" for i in s["includes"]) + " -std=gnu11"
    status = run_wp(root, tmp_path, [f"-cpp-extra-args={cpp}", *paths, "-wp", "-wp-fct",
                                     functions, "-wp-prop", "rte,@requires", "-wp-rte"])
    sources = {path: (root / path).read_text() for path in paths}
    done = set()
    for alarm in alarms:
        goal = wp_goals_for(function_at(sources[alarm[0]], int(alarm[1])), alarm[2]) \
            if alarm[0] in sources else None
        goals = [s for g, s in status.items() if goal and goal.fullmatch(g)]
        if goals and all(s == "Valid" for s in goals):
            done.add(alarm)
    return done


def run_eva(name, root, tmp_path=None):
    frama_c = shutil.which("frama-c")
    if not frama_c:
        pytest.fail("frama-c is missing: ./bulkhead deps installs it (Debian package frama-c-base)")
    s = SUBJECTS[name]
    cpp = " ".join(f"-I{i}" for i in s["includes"]) + " -std=gnu11"
    run = subprocess.run(
        [frama_c, "-c11", "-machdep", "x86_64", f"-cpp-extra-args={cpp}", *s["sources"],
         f"verify/frama-c/{name}_eva.c", "-eva", "-eva-no-show-progress", *s["options"]],
        # Frama-C resolves relative file names against $PWD, not the working directory.
        cwd=root, env=dict(os.environ, PWD=str(root)), capture_output=True, text=True,
        timeout=900)
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "ANALYSIS SUMMARY" in out, f"frama-c failed:\n{out[-3000:]}"
    assert "0 errors" in out.split("ANALYSIS SUMMARY")[1] \
        or "No errors" in out.split("ANALYSIS SUMMARY")[1], "EVA reported errors"
    # Postconditions, loop invariants and assertions written for WP are WP's to prove
    # (test_frama_c_wp.py); EVA's own alarms and the preconditions at calls stay here,
    # but for those WP proves (WP_DISCHARGES).
    alarms = [(path, line, kind.strip()) for path, line, kind in ALARM.findall(out)
              if not any(w in kind for w in WP_PROPERTIES)]
    proven = discharged_by_wp(name, root, alarms, tmp_path) if tmp_path else set()
    return collections.Counter((path, kind) for path, line, kind in alarms
                               if (path, line, kind) not in proven)


def beyond_list(name, found):
    listed = listed_alarms(name)
    return {k: n for k, n in found.items() if n > listed.get(k, 0)}


@pytest.mark.parametrize("name", SUBJECTS)
def test_eva_finds_no_alarm_beyond_the_listed_ones(name, tmp_path):
    found = run_eva(name, REPO, tmp_path)
    print(f"EVA {name}: {sum(found.values())} alarms (listed: {sum(listed_alarms(name).values())})")
    new = beyond_list(name, found)
    assert not new, (f"EVA alarms beyond verify/frama-c/{name}_alarms.txt "
                     "(fix the code, or list them with a reason): "
                     + "; ".join(f"{p}: {n} x {k} (listed {listed_alarms(name).get((p, k), 0)})"
                                 for (p, k), n in sorted(new.items())))


# Breaks of a property WP would otherwise discharge (WP_DISCHARGES): the EPT overlap check reads
# the entry one past guest's, which is past the table for the last one; pt_map
# tests the entry one past the leaf's slot, past the pool when it is the last page's last.
WP_BREAKS = {
    "ept": ("arch/x86/vmx/ept.c", "if (pd[index_at(guest + off, 1)] & EPT_LEAF_2M)",
            "if (pd[index_at(guest + off, 1) + 1] & EPT_LEAF_2M)"),
    "stage2": ("arch/arm64/pgtable.c", "if (*entry & PT_VALID)\n\t\t\treturn -BH_EEXIST;",
               "if (entry[1] & PT_VALID)\n\t\t\treturn -BH_EEXIST;"),
}


def break_copy(tmp_path, path, good, bad):
    for part in ("abi", "lib", "hv", "arch", "verify"):
        shutil.copytree(REPO / part, tmp_path / part)
    code = (tmp_path / path).read_text()
    assert code.count(good) == 1, f"{path}: the text to break, '{good}', is not there once"
    (tmp_path / path).write_text(code.replace(good, bad))


@pytest.mark.parametrize("name", WP_BREAKS)
def test_wp_does_not_discharge_a_broken_precondition(name, tmp_path):
    break_copy(tmp_path, *WP_BREAKS[name])
    new = beyond_list(name, run_eva(name, tmp_path, tmp_path / "wp"))
    print(f"{name}: alarms WP does not discharge: {new}")
    assert new, f"EVA and WP missed the break '{WP_BREAKS[name][2]}'"


@pytest.mark.parametrize("name", SUBJECTS)
def test_eva_fails_on_a_deliberate_off_by_one(name, tmp_path):
    path, good, bad = BREAKS[name]
    break_copy(tmp_path, path, good, bad)
    new = beyond_list(name, run_eva(name, tmp_path, tmp_path / "wp"))
    assert new, f"EVA missed the break '{bad}' in {path}"


def test_eva_fails_when_a_validator_record_may_end_past_the_blob(tmp_path):
    path, good, bad = RECORD_BREAK
    break_copy(tmp_path, path, good, bad)
    new = beyond_list("config_check", run_eva("config_check", tmp_path, tmp_path / "wp"))
    reads = {p: n for (p, kind), n in new.items() if kind == "out of bounds read"}
    assert reads, f"EVA missed the break '{bad}' in {path}: beyond the list only {new}"
