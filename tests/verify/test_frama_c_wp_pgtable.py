"""Frama-C WP on the arm64 table builder (arch/arm64/pgtable.c) and the stage-2
attributes (arch/arm64/stage2.c): index_at (an index stays inside its table and
is slot_index), leaf_entry (every bit of a leaf is the output address's, the
allowed attributes' or the type bits'), stage-2 leaf attributes (each BH_MEM_*
flag gives exactly its permission, memory type and execute-never, nothing
else), pt_map's argument checks (each refusal before anything is written) and
its leaf loop (the leaves tile [va, va + size) exactly, blocks only where both
addresses are aligned to the block's size, each leaf holds pa + offset and the
attributes asked for; the loop ends), and no run-time error in these functions
(RTE goals). As for EPT, the walk writes every entry through set_entry (no other
entry changes) and the assigns clauses name the pool's tables as one range, so
WP also proves what entry_at and pt_map write: only the pool's tables and its
next index, and ('frame') of the tables handed out before the call, an entry
changes only if it was invalid and at the slot of an address in [va, va + size) at
some level, and ('keeps_valid') no iteration of the leaf loop writes over a valid
entry of a table handed out when it starts; a refused call changes nothing. With
ghost labels per pool page (arm64/pgtable.h: the tree's root, the level, the
table's number there) and the invariant 'labelled' (the tables form a tree, each
serving the addresses of its label), WP also proves in which table each written
entry lies: pt_map's 'in_its_tree' (an entry of an old table changes only to a
link to a table the call made or to a leaf serving addresses in [va, va + size)
only) and 'new_tables' (the tables it makes hold only empty entries or such
ones), so an address outside the range reaches no leaf it did not reach before.
The goals proven are listed in verify/frama-c/pgtable_wp_proven.txt; one that
stops being proven fails, and each deliberate break must make a listed goal fail."""

import pathlib
import re
import shutil

import pytest

from wp_support import listed as listed_in, run_wp

REPO = pathlib.Path(__file__).resolve().parents[2]
PROVEN = REPO / "verify" / "frama-c" / "pgtable_wp_proven.txt"
SOURCES = ["arch/arm64/pgtable.c", "arch/arm64/stage2.c"]
INCLUDES = ["abi/include", "lib/include", "hv/include", "arch/arm64/include",
            "arch/arm64/common/include"]
CPP = "-cpp-extra-args=" + " ".join(f"-I{i}" for i in INCLUDES) + " -std=gnu11"
# Functions whose run-time-error conditions (RTE: indexes, pointer accesses, shifts,
# divisions) become WP goals: all but pt_init, which has no contract (its pool is checked, not
# assumed) and stage2.c's others, which index cell_tables by an id their callers checked.
RTE = "level_size,fits_bits,new_table,set_entry,page_phys,is_link,page_of_link,table_of," \
      "new_table_of,set_link,next_table,index_at,can_use_block,leaf_level,leaf_entry,entry_at," \
      "pt_map,pt_translate,leaf_attrs_of,stage2_map_region"
# The tree labels' goals are large: new_table_of's 'labelled' takes CVC4 ~650,000 steps.
STEPS = 1000000


def prove(root, tmp_path, functions=None, properties="-@assigns"):
    """WP's verdict on each goal: every function but pt_init (no contract), then every lemma
    (skipping a function leaves the lemmas out); with `functions`, only theirs and
    `properties` (by default all but the assigns clauses, which the breaks do not aim at: a
    short run suffices)."""
    if functions:
        only, lemmas = ["-wp-fct", functions, f"-wp-prop={properties}"], ()
    else:
        only, lemmas = ["-wp-skip-fct", "pt_init"], ["-wp-skip-fct=", "-wp-prop=@lemma"]
    # Z3 proves the lemma whole_tables_off and with it index_at's in_page (a concatenated
    # root's index modulo 512), which CVC4 does not; CVC4 the rest.
    return run_wp(root, tmp_path, [CPP, *SOURCES, "-rte", "-rte-select", RTE, "-then", "-wp",
                                   *only], provers="cvc4,z3", then=lemmas,
                  steps=STEPS)


def listed():
    return listed_in(PROVEN)


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
# notice, and optionally the properties; only those are proven again, to keep the run short).
BREAKS = {
    # BH_MEM_WRITE gives read instead of write permission.
    "lost_permission": ("arch/arm64/stage2.c", "BH_MEM_WRITE)\n\t\tattrs |= S2_WRITE;",
                        "BH_MEM_WRITE)\n\t\tattrs |= S2_READ;", "leaf_attrs_of"),
    "one_page_too_many": ("arch/arm64/pgtable.c", "for (uint64_t off = 0; off < size;)",
                          "for (uint64_t off = 0; off <= size;)", "pt_map", "inside"),
    # Every leaf gets execute-never bit 54 on top of the attributes asked for.
    "wrong_attribute": ("arch/arm64/pgtable.c", "leaf_entry(pa + off, leaf_attrs, level)",
                        "leaf_entry(pa + off, leaf_attrs | 1ull << 54, level)", "pt_map",
                        "leaf"),
    # The walk hands back the slot of the next page.
    "wrong_slot": ("arch/arm64/pgtable.c", "{ &p->pages[next.page][index_at(t, level, va)], 0 }",
                   "{ &p->pages[next.page][index_at(t, level, va + PT_PAGE_BYTES)], 0 }",
                   "entry_at", "slot,its_slot"),
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
    # The walk links a new table into the entry beside va's.
    "link_in_neighbour_slot": ("arch/arm64/pgtable.c", "set_link(t, entry, link)",
                               "set_link(t, entry + 1, link)", "next_table"),
    # The leaf is written whatever its entry holds: over a mapping or a link.
    "leaf_over_an_entry_in_use": ("arch/arm64/pgtable.c",
                                  "if (*entry & PT_VALID)\n\t\t\treturn -BH_EEXIST;\n", "",
                                  "pt_map", "keeps_valid,frame,written"),
    # The walk links a new table in place of a block (valid, not a table), not only into an
    # invalid entry: the assertion 'made' (the entry was unused) fails.
    "link_over_a_block": ("arch/arm64/pgtable.c", "if (*entry & PT_VALID) {",
                          "if (*entry & PT_TABLE_OR_PAGE) {", "next_table",
                          "link,kept,effect,made"),
    # The walk goes on in the table handed out last, not in the one the entry links to: t's
    # tables would no longer be a tree (each table serving the addresses of its label).
    "walk_in_another_table": ("arch/arm64/pgtable.c", "\t\treturn (struct step){ k, 0 };",
                              "\t\treturn (struct step){ *p->next - 1, 0 };", "next_table",
                              "serves_va"),
    # The leaf goes into the entry beside va's: for the last page, outside [va, va + size).
    # set_leaf's precondition 'entry' at the call fails (with it assumed, frame and written
    # would follow).
    "leaf_in_neighbour_slot": ("arch/arm64/pgtable.c", "set_leaf(t, entry, leaf_entry(",
                               "set_leaf(t, entry + 1, leaf_entry(", "pt_map", "entry"),
}


@pytest.mark.parametrize("name", BREAKS)
def test_wp_fails_on_a_deliberate_break(name, tmp_path):
    path, good, bad, *aim = BREAKS[name]
    for part in ("abi", "lib", "hv", "arch/arm64"):
        shutil.copytree(REPO / part, tmp_path / part)
    code = (tmp_path / path).read_text()
    assert code.count(good) == 1, f"{path}: the text to break, '{good}', is not there once"
    (tmp_path / path).write_text(code.replace(good, bad))
    status = prove(tmp_path, tmp_path, *aim)
    properties = {property_of(g) for g in listed()}
    lost = sorted(g for g, s in status.items() if s != "Valid" and property_of(g) in properties)
    print(f"{name}: no longer proven: {', '.join(lost)}")
    assert lost, f"WP proved {path} with the break '{bad}'"
