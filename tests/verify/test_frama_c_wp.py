"""Frama-C WP on the EPT builder (arch/x86/vmx/ept.c): the ACSL contracts of index_at,
ept_leaf_bits (each BH_MEM_* flag gives exactly its right and memory type, nothing else)
and leaf_entry (a leaf holds the host address's address field, the attributes and the 2
MiB size bit, nothing else: WP's bitwise tactics prove these); the walk over the pool
(new_table, table_of, set_entry, next_table, entry_at: the entry returned is guest's slot in
the table of the tree serving guest at that level, and of the tables handed out before, an
entry changes only if it was empty and is one of guest's slots, to a link to a table the
walk made); lookup_table and overlaps_mapping only look; ept_init readies a table ept_map
accepts, its root the root of a tree of its own (ghost labels, vmx/ept.h); and ept_map as a
whole: its leaf loop (the leaves tile [guest, +size) exactly, a 2 MiB leaf only where both
addresses are 2 MiB aligned, each leaf holds host + offset masked to the address field, with
the requested attributes; 'keeps_valid': no iteration writes over an entry in use of a table
handed out when it starts), a refused call changes nothing, and whatever the outcome an entry
of a table handed out before the call changes only if it was empty and at an index that the
walk of an address in [guest, +size) uses at some level ('frame'), the tables stay a tree
('labelled'), and an entry changes only to a link to a table the call made or to a leaf
serving addresses in [guest, +size) only, the tables made holding only empty entries or such
ones ('in_its_tree', 'new_tables'). The goals proven, and the lemmas, are listed in
verify/frama-c/ept_wp_proven.txt; one that stops being proven fails, and each deliberate
break must make a listed goal fail."""

import pathlib
import shutil

import pytest

from wp_support import listed as listed_in, run_wp

REPO = pathlib.Path(__file__).resolve().parents[2]
PROVEN = REPO / "verify" / "frama-c" / "ept_wp_proven.txt"


ALL = ("level_bytes,index_at,is_present,is_link,ept_leaf_bits,leaf_entry,use_2m,new_table,"
       "set_entry,page_phys,page_of_link,table_of,new_table_of,set_link,set_leaf,next_table,"
       "entry_at,lookup_table,overlaps_mapping,ept_map,ept_init")
# The tree labels' goals are large (as in test_frama_c_wp_pgtable.py).
STEPS = 1000000


def prove(root, tmp_path, functions=ALL, properties=None, rte=False, lemmas=None):
    """WP's verdict on each goal of `functions` (by default all, and then every lemma), or
    only of `properties`."""
    if lemmas is None:
        lemmas = functions == ALL and not properties
    return run_wp(root, tmp_path, [
        "-cpp-extra-args=-Iabi/include -Ilib/include -Iarch/x86/vmx/include -std=gnu11",
        "arch/x86/vmx/ept.c", "-wp", "-wp-fct", functions,
        *(["-wp-prop", properties] if properties else []), *(["-wp-rte"] if rte else []),
        # leaf_entry's address and attributes are equalities of bitwise terms: WP's own
        # tactics split them bit by bit (CVC4 alone does not), and bound their ranges.
        *(["-wp-auto", "wp:bitwised,wp:split,wp:bitrange"] if "leaf_entry" in functions
          else [])], provers="cvc4,z3", steps=STEPS,
        then=["-wp-fct=", "-wp-prop=@lemma", "-wp-auto="] if lemmas else ())


def listed():
    return listed_in(PROVEN)


def test_wp_proves_every_listed_goal(tmp_path):
    status = prove(REPO, tmp_path)
    proven = sorted(g for g, s in status.items() if s == "Valid")
    print(f"WP: {len(proven)} of {len(status)} goals proven (listed: {len(listed())})")
    lost = [g for g in listed() if status.get(g) != "Valid"]
    assert not lost, "WP no longer proves: " + ", ".join(f"{g} ({status.get(g)})" for g in lost)


# Deliberate breaks of ept.c: (original text, broken text, the functions and properties
# whose proof must notice; only those are proven again, to keep the run short).
BREAKS = {
    "write_loses_read": ("bits |= EPT_WRITE | EPT_READ;", "bits |= EPT_WRITE;", "ept_leaf_bits",
                         None),
    "one_page_too_many": ("for (uint64_t off = 0; off < size_bytes;)",
                          "for (uint64_t off = 0; off <= size_bytes;)", "ept_map", "inside"),
    "wrong_attribute": ("leaf_entry(host + off, leaf_bits, big)",
                        "leaf_entry(host + off, leaf_bits | EPT_EXEC, big)", "ept_map", "leaf"),
    # The leaf keeps only the read right: the bitwise tactics must not prove attributes.
    "leaf_drops_rights": ("(host & EPT_ADDRESS_MASK) | leaf_bits |",
                          "(host & EPT_ADDRESS_MASK) | (leaf_bits & EPT_READ) |", "leaf_entry",
                          "attributes"),
    # The walk hands back the slot of the next page.
    "wrong_slot": ("{ &p->pages[next.page][index_at(guest, level)], 0 }",
                   "{ &p->pages[next.page][index_at(guest + EPT_PAGE_BYTES, level)], 0 }",
                   "entry_at", "slot,its_slot"),
    # The walk links a new table into the entry beside guest's.
    # set_link's precondition 'entry' (the entry is guest's slot) fails at the call.
    "link_in_neighbour_slot": ("set_link(t, entry, link)", "set_link(t, entry + 1, link)",
                               "next_table", "entry"),
    # The leaf is written whatever its entry holds: only the overlap check (which WP does not
    # relate to the entry) would keep a mapping from being written over.
    "leaf_over_an_entry_in_use": ("if (is_present(*entry))\n\t\t\treturn -BH_EEXIST;\n", "",
                                  "ept_map", "keeps_valid,frame,written"),
    # The walk links a new table in place of a 2 MiB leaf (present, not a link), not only
    # into an empty entry: the assertion 'made' (the entry was empty) fails.
    "link_over_a_leaf": ("if (is_present(*entry)) {", "if (is_link(*entry)) {", "next_table",
                         "link,kept,effect,made"),
    # The walk goes on in the table handed out last, not in the one the entry links to: the
    # tables would no longer be a tree (each table serving the addresses of its label).
    "walk_in_another_table": ("\t\treturn (struct step){ k, 0 };",
                              "\t\treturn (struct step){ *p->next - 1, 0 };", "next_table",
                              "serves_guest"),
    # ept_init labels its root as a table of level 2: the tree's labels would not match the
    # addresses its tables serve.
    "root_mislabelled": ("ghost (pool->pages[*pool->next], 3, 0)",
                         "ghost (pool->pages[*pool->next], 2, 0)", "ept_init", "labelled"),
    # A new table's zeroing writes one entry past it, into the next page of the pool.
    "extra_entry_written": ("i < EPT_ENTRIES; i++)\n\t\ttable[i] = 0;",
                            "i <= EPT_ENTRIES; i++)\n\t\ttable[i] = 0;", "new_table", None),
}


@pytest.mark.parametrize("name", BREAKS)
def test_wp_fails_on_a_deliberate_break(name, tmp_path):
    good, bad, functions, properties = BREAKS[name]
    shutil.copytree(REPO / "abi", tmp_path / "abi")
    shutil.copytree(REPO / "lib", tmp_path / "lib")
    shutil.copytree(REPO / "arch" / "x86", tmp_path / "arch" / "x86")
    ept = tmp_path / "arch" / "x86" / "vmx" / "ept.c"
    code = ept.read_text()
    assert code.count(good) == 1, f"ept.c: the text to break, '{good}', is not there once"
    ept.write_text(code.replace(good, bad))
    status = prove(tmp_path, tmp_path, functions, properties)
    lost = [g for g in listed() if g in status and status[g] != "Valid"]
    print(f"{name}: no longer proven: {', '.join(lost)}")
    assert lost, f"WP proved ept.c with the break '{bad}'"
