"""Frama-C WP on the arm64 table builder (arch/arm64/pgtable.c) and the stage-2
attributes (arch/arm64/stage2.c): index_at (an index stays inside its table and
is slot_index), leaf_entry (every bit of a leaf is the output address's, the
allowed attributes' or the type bits'), stage-2 leaf attributes (each BH_MEM_*
flag gives exactly its permission, memory type and execute-never, nothing
else), pt_map's argument checks (each refusal before anything is written) and
its leaf loop (the leaves tile [va, va + size) exactly, blocks only where both
addresses are aligned to the block's size, each leaf holds pa + offset and the
attributes asked for; the loop ends), and no run-time error in these functions
(RTE goals). The goals proven are listed in verify/frama-c/pgtable_wp_proven.txt;
one that stops being proven fails, and each deliberate break must make a listed
goal fail."""

import os
import pathlib
import re
import shutil
import subprocess

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
PROVEN = REPO / "verify" / "frama-c" / "pgtable_wp_proven.txt"
GOAL = re.compile(r"^\[wp\] \[[^\]]+\] Goal (\S+) : (\w+)", re.M)
SOURCES = ["arch/arm64/pgtable.c", "arch/arm64/stage2.c"]
INCLUDES = ["abi/include", "lib/include", "hv/include", "arch/arm64/include",
            "arch/arm64/common/include"]
# Functions whose run-time-error conditions (RTE: indexes, pointer accesses, shifts,
# divisions) become WP goals: all but pt_init, which has no contract (its pool is checked, not
# assumed) and stage2.c's others, which index cell_tables by an id their callers checked.
RTE = "level_size,fits_bits,new_table,page_phys,table_of,index_at,can_use_block,leaf_level," \
      "leaf_entry,entry_at,pt_map,pt_translate,leaf_attrs_of,stage2_map_region"


def prove(root, tmp_path, functions=None):
    """WP's verdict on each goal: every function but pt_init (no contract) and every lemma;
    with `functions`, only theirs and no assigns clause (the breaks aim elsewhere; CVC4 runs
    the unproven assigns goals to the step limit, the longest part of a run)."""
    for tool in ("frama-c", "why3", "cvc4"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: ./bulkhead deps installs it")
    # WP reaches CVC4 through Why3, which needs a configuration naming it.
    conf = tmp_path / "why3.conf"
    subprocess.run(["why3", "-C", str(conf), "config", "detect"], check=True,
                   capture_output=True, timeout=120)
    cpp = " ".join(f"-I{i}" for i in INCLUDES) + " -std=gnu11"
    if functions:
        only = ["-wp-fct", functions, "-wp-prop=-@assigns"]
    else:
        only = ["-wp-skip-fct", "pt_init"]
    run = subprocess.run(
        ["frama-c", "-c11", "-machdep", "x86_64", f"-cpp-extra-args={cpp}", *SOURCES,
         "-rte", "-rte-select", RTE, "-then", "-wp", *only,
         "-wp-split", "-wp-split-depth", "8", "-wp-prover", "cvc4",
         # A step limit, not time, decides (the proofs take up to ~40,000 steps): the same
         # verdict on a busy machine; the timeout is only a backstop.
         "-wp-steps", "200000", "-wp-timeout", "120", "-wp-par", "2"],
        cwd=root, env=dict(os.environ, PWD=str(root), WHY3CONFIG=str(conf)),
        capture_output=True, text=True, timeout=900)
    out = run.stdout + run.stderr
    assert run.returncode == 0 and "Proved goals" in out, f"frama-c -wp failed:\n{out[-3000:]}"
    return dict(GOAL.findall(out))


def listed():
    return [line.strip() for line in PROVEN.read_text().splitlines()
            if line.strip() and not line.startswith("#")]


def property_of(goal):
    """A goal's property: WP numbers the parts of a split goal, and a break may renumber them."""
    return re.sub(r"_part\d+$", "", goal)


def test_wp_proves_every_listed_goal(tmp_path):
    status = prove(REPO, tmp_path)
    proven = sorted(g for g, s in status.items() if s == "Valid")
    print(f"WP: {len(proven)} of {len(status)} goals proven (listed: {len(listed())}); not: "
          + ", ".join(sorted(g for g, s in status.items() if s != "Valid")))
    lost = [g for g in listed() if status.get(g) != "Valid"]
    assert not lost, "WP no longer proves: " + ", ".join(f"{g} ({status.get(g)})" for g in lost)


# Deliberate breaks: (file, original text, broken text, the functions whose proof must
# notice; only those are proven again, to keep the run short).
BREAKS = {
    # BH_MEM_WRITE gives read instead of write permission.
    "lost_permission": ("arch/arm64/stage2.c", "BH_MEM_WRITE)\n\t\tattrs |= S2_WRITE;",
                        "BH_MEM_WRITE)\n\t\tattrs |= S2_READ;", "leaf_attrs_of"),
    "one_page_too_many": ("arch/arm64/pgtable.c", "for (uint64_t off = 0; off < size;)",
                          "for (uint64_t off = 0; off <= size;)", "pt_map"),
    # Every leaf gets execute-never bit 54 on top of the attributes asked for.
    "wrong_attribute": ("arch/arm64/pgtable.c", "leaf_entry(pa + off, leaf_attrs, level)",
                        "leaf_entry(pa + off, leaf_attrs | 1ull << 54, level)", "pt_map"),
    # The walk hands back the slot of the next page.
    "wrong_slot": ("arch/arm64/pgtable.c", "{ &table[index_at(t, level, va)], 0 }",
                   "{ &table[index_at(t, level, va + PT_PAGE_BYTES)], 0 }", "entry_at"),
    # index_at computes the next page's slot.
    "wrong_index": ("arch/arm64/pgtable.c", "uint64_t index = va / level_size(level);",
                    "uint64_t index = (va + PT_PAGE_BYTES) / level_size(level);", "index_at"),
    # A new table's zeroing writes one entry past it, into the next page of the pool.
    "extra_entry_written": ("arch/arm64/pgtable.c", "i < PT_ENTRIES; i++)\n\t\ttable[i] = 0;",
                            "i <= PT_ENTRIES; i++)\n\t\ttable[i] = 0;", "new_table"),
    # A block where only the input address is aligned to its size.
    "unaligned_block": ("arch/arm64/pgtable.c", "(va % block) == 0 && (pa % block) == 0",
                        "(va % block) == 0", "can_use_block"),
    # The output range is checked from its start only.
    "range_end_unchecked": ("arch/arm64/pgtable.c", "addr <= limit && size <= limit - addr",
                            "addr <= limit", "fits_bits"),
}


@pytest.mark.parametrize("name", BREAKS)
def test_wp_fails_on_a_deliberate_break(name, tmp_path):
    path, good, bad, functions = BREAKS[name]
    for part in ("abi", "lib", "hv", "arch/arm64"):
        shutil.copytree(REPO / part, tmp_path / part)
    code = (tmp_path / path).read_text()
    assert code.count(good) == 1, f"{path}: the text to break, '{good}', is not there once"
    (tmp_path / path).write_text(code.replace(good, bad))
    status = prove(tmp_path, tmp_path, functions)
    properties = {property_of(g) for g in listed()}
    lost = sorted(g for g, s in status.items() if s != "Valid" and property_of(g) in properties)
    print(f"{name}: no longer proven: {', '.join(lost)}")
    assert lost, f"WP proved {path} with the break '{bad}'"
