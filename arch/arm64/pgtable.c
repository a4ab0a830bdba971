/*
 * VMSAv8-64 4 KiB-granule table builder (see arm64/pgtable.h). Each level
 * resolves 9 bits; level 3 entries are pages, levels 1 and 2 may hold blocks.
 * Tables are pages of a pool given as data (pt_pool); a table descriptor holds
 * the page's physical address, and the walk finds the page again by its index
 * in the pool (table_of), so that Frama-C's WP can follow it.
 *
 * The ACSL contracts are proven by WP (tests/verify/test_frama_c_wp_pgtable.py,
 * goals in verify/frama-c/pgtable_wp_proven.txt). As in vmx/ept.c, the assigns
 * clauses name the pool's tables as one range, every entry is written by
 * set_entry, and postconditions ('frame') say which entries may differ.
 */
#include <arm64/pgtable.h>

/* Every bit but the address field and the type bits 1:0 (leaf_entry's fields_apart). */
#define LEAF_ATTR_MASK 0xffff000000000ffcull

/*@ // How many tables the level's index spans: several concatenated ones at the root.
    logic integer tables_at(struct pt_table *t, integer level) =
	level == t->start_level ? t->root_pages : 1;
    logic integer slot_index(integer va, integer level, integer tables) =
	(va / bytes_of(level)) % (PT_ENTRIES * tables);

    // Entry i of a table is va's slot at some level (in the table's own 512 entries).
    predicate walk_slot(integer i, integer va) =
	i == slot_index(va, 0, 1) || i == slot_index(va, 1, 1) || i == slot_index(va, 2, 1) ||
	i == slot_index(va, 3, 1);

    // Entry i of some table is the slot of an address in [first, end) at some level.
    predicate slot_in_range(integer i, integer first, integer end) =
	\exists integer a; first <= a < end && walk_slot(i, a);

    // An entry that neither maps nor links (invalid): the only kind the builder writes over,
    // so every mapping and every link to a table that existed stays as it was.
    predicate unused(uint64_t e) = (e & PT_VALID) == 0;

    // A link to a table made at or after the pool's page `first` (by this call), from page k.
    predicate new_link(integer base, integer k, uint64_t e, integer first) =
	pt_page_level[k] <= 3 && pt_link(e) && base <= (e & PT_ADDR_MASK) &&
	first <= ((e & PT_ADDR_MASK) - base) / PT_PAGE_BYTES;
    predicate link_to_new(struct pt_table *t, integer k, uint64_t e, integer first) =
	new_link(t->pool->phys_base, k, e, first);

    // No entry of the pool's first `used` pages differs between states A and B.
    predicate tables_unchanged{A, B}(struct pt_pool *p, integer used) =
	\forall integer k, i; 0 <= k < used && 0 <= i < PT_ENTRIES ==>
	\at(p->pages[k][i], A) == \at(p->pages[k][i], B);
*/

/* The names table_tree_proof.h gives the table and its ghost labels (arm64/pgtable.h). */
#define TREE_ENTRIES PT_ENTRIES
#define TREE_PAGE_TREE pt_page_tree
#define TREE_PAGE_LEVEL pt_page_level
#define TREE_PAGE_NUMBER pt_page_number
#include <lib/table_tree_proof.h>

/*@ // Whole tables taken off an index leave its place within a table.
    lemma whole_tables_off: \forall integer x, n; 0 <= x && 1 <= n ==>
	(x % (PT_ENTRIES * n)) % PT_ENTRIES == x % PT_ENTRIES;


    // An address below n whole units has fewer than n of them.
    lemma div_below: \forall integer a, n, u; 0 <= a && 0 < u && a < n * u ==> a / u < n;

    lemma index_below: \forall integer a, n, l; 0 <= a && 0 <= l <= 3 &&
	a < n * PT_ENTRIES * bytes_of(l) ==> a / bytes_of(l) < n * PT_ENTRIES;
    lemma mod_small: \forall integer x, m; 0 <= x < m ==> x % m == x;

    // The number at a level: a table's is shared by every address it serves.
    lemma number_below: \forall integer a, l; 0 <= a && 0 <= l <= 2 ==>
	a / bytes_of(l) == a / bytes_of(l + 1) / PT_ENTRIES;

    // A leaf's first address: its number at the level, whole units of the level's size.
    lemma div_exact: \forall integer a, l; 0 <= a && 0 <= l <= 3 && a % bytes_of(l) == 0 ==>
	a / bytes_of(l) * bytes_of(l) == a;
    lemma div_mod_whole: \forall integer a; 0 <= a ==>
	a / PT_ENTRIES * PT_ENTRIES + a % PT_ENTRIES == a;
*/

/*@ requires level <= 3;
    assigns \nothing;
    ensures page: level == 3 ==> \result == 0x1000;
    ensures block_2m: level == 2 ==> \result == 0x200000;
    ensures block_1g: level == 1 ==> \result == 0x40000000;
    ensures level_0: level == 0 ==> \result == 0x8000000000;
*/
static uint64_t level_size(unsigned int level)
{
	/* WP proves level <= 3 at every call; clang's analyzer loses leaf_level's bound on a path
	 * through the recursive walk. */
	/* NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
	return 1ull << (12 + 9 * (3 - level));
}

/*
 * Does [addr, addr + size) end at or below 2^bits? Written so that nothing
 * wraps: a range wrapping past 2^64 ends above 2^bits too.
 */
/*@ requires bits <= 48;
    assigns \nothing;
    ensures \result <==> addr + size <= (1 << bits);
    ensures no_wrap: \result ==> addr + size <= UINT64_MAX;
*/
static bool fits_bits(uint64_t addr, uint64_t size, unsigned int bits)
{
	uint64_t limit = 1ull << bits;

	return addr <= limit && size <= limit - addr;
}

/*
 * The pool's next free page, zeroed, or NULL when none is left. WP proves
 * that it writes only that page and the pool's next index, and labels the
 * page (ghost) as the table `number` at `level` of the tree rooted at `tree`.
 */
/*@ requires pool: pool_ok(p);
    requires level: level <= 3;
    assigns *p->next,
	p->pages[*p->next .. (*p->next < p->count ? *p->next : p->count - 1)][0 .. PT_ENTRIES - 1],
	pt_page_tree[*p->next], pt_page_level[*p->next], pt_page_number[*p->next];
    ensures pool_ok(p);
    ensures none_left: \result == \null ==> *p->next == \old(*p->next);
    ensures one_left: \old(*p->next) < p->count ==> \result != \null;
    ensures taken: \result != \null ==> \old(*p->next) < p->count &&
	*p->next == \old(*p->next) + 1 && \result == &p->pages[\old(*p->next)][0];
    ensures zeroed: \result != \null ==>
	\forall integer i; 0 <= i < PT_ENTRIES ==> \result[i] == 0;
    ensures others_kept: tables_unchanged{Pre, Post}(p, \old(*p->next));
    ensures none_written: \result == \null ==> tables_unchanged{Pre, Post}(p, p->count);
    ensures labelled: \result != \null ==> pt_page_tree[\old(*p->next)] == tree &&
	pt_page_level[\old(*p->next)] == level + 1 && pt_page_number[\old(*p->next)] == number;
*/
static uint64_t *new_table(const struct pt_pool *p)
/*@ ghost (uint64_t *tree, unsigned int level, uint64_t number) */
{
	if (*p->next >= p->count)
		return NULL;
	uint64_t *table = p->pages[*p->next];

	/*@ loop invariant bound: 0 <= i <= PT_ENTRIES;
	    loop invariant zeroed_so_far: \forall integer j; 0 <= j < i ==> table[j] == 0;
	    loop invariant others_kept: tables_unchanged{Pre, Here}(p, *p->next);
	    loop assigns i, table[0 .. PT_ENTRIES - 1];
	    loop variant PT_ENTRIES - i; */
	for (unsigned int i = 0; i < PT_ENTRIES; i++)
		table[i] = 0;
	//@ ghost pt_page_tree[*p->next] = tree;
	//@ ghost pt_page_level[*p->next] = level + 1;
	//@ ghost pt_page_number[*p->next] = number;
	(*p->next)++;
	return table;
}

/*
 * Writes one entry. A function of its own so that WP proves, in a small
 * context, that every other entry of the pool keeps its value: inside the
 * walk's large goals the provers do not find it.
 */
/*@ requires entry: \valid(entry);
    requires apart: \separated(entry, t, t->pool, t->pool->next);
    assigns *entry;
    ensures written: *entry == value;
    ensures others_kept: \forall integer k, j;
	0 <= k < t->pool->count && 0 <= j < PT_ENTRIES ==> &t->pool->pages[k][j] == entry ||
	t->pool->pages[k][j] == \old(t->pool->pages[k][j]);
*/
static void set_entry(uint64_t *entry, uint64_t value) /*@ ghost (struct pt_table *t) */
{
	*entry = value;
}

/* The address a descriptor holds for the pool's page k. */
/*@ requires pool_page: pool_ok(p) && k < p->count;
    assigns \nothing;
    ensures \result == p->phys_base + k * PT_PAGE_BYTES;
*/
static uint64_t page_phys(const struct pt_pool *p, unsigned int k)
{
	return p->phys_base + (uint64_t)k * PT_PAGE_BYTES;
}

/* Does a descriptor above level 3 lead to a table (valid, bit 1 set)? */
/*@ assigns \nothing;
    ensures \result <==> pt_link(entry);
*/
static bool is_link(uint64_t entry)
{
	return (entry & PT_VALID) && (entry & PT_TABLE_OR_PAGE);
}

/*
 * The index of the pool page whose address a table descriptor holds, or
 * UINT32_MAX when it holds one below the pool.
 */
/*@ requires pool: pool_ok(p);
    assigns \nothing;
    ensures below: \result == UINT32_MAX <==> (entry & PT_ADDR_MASK) < p->phys_base ||
	pt_target(p, entry) >= UINT32_MAX;
    ensures page: \result != UINT32_MAX ==> p->phys_base <= (entry & PT_ADDR_MASK) &&
	\result == pt_target(p, entry);
*/
static unsigned int page_of_link(const struct pt_pool *p, uint64_t entry)
{
	uint64_t phys = entry & PT_ADDR_MASK;

	if (phys < p->phys_base || (phys - p->phys_base) / PT_PAGE_BYTES >= UINT32_MAX)
		return UINT32_MAX;
	return (unsigned int)((phys - p->phys_base) / PT_PAGE_BYTES);
}

/*
 * The table a table descriptor points to, or NULL when it points outside the
 * pages handed out: the walk never leaves the pool, whatever the entries hold.
 */
/*@ requires pool: pool_ok(p);
    assigns \nothing;
    ensures \result == \null || in_pool(p, \result);
    ensures target: \result != \null ==> p->phys_base <= (entry & PT_ADDR_MASK) &&
	pt_target(p, entry) < *p->next && \result == &p->pages[pt_target(p, entry)][0];
*/
static uint64_t *table_of(const struct pt_pool *p, uint64_t entry)
{
	unsigned int k = page_of_link(p, entry);

	if (k >= *p->next)
		return NULL;
	return p->pages[k];
}

int pt_init(struct pt_table *t, unsigned int va_bits, unsigned int pa_bits,
	    bool allow_concatenation, const struct pt_pool *pool)
{
	if (va_bits < 25 || va_bits > 48 || pa_bits < 32 || pa_bits > 48)
		return -BH_EINVAL;
	/* Level L covers 12 + 9 * (4 - L) bits with one table. */
	unsigned int level = 0;

	while (level < 2 && 12 + 9 * (4 - (level + 1)) >= va_bits)
		level++;
	unsigned int pages = 1;

	/* Stage 2 may start one level lower with up to 16 concatenated tables. */
	if (allow_concatenation && level == 0 && va_bits <= 39 + 4) {
		unsigned int covered = 39; /* by one level-1 table */

		level = 1;
		while (covered < va_bits) {
			pages *= 2;
			covered++;
		}
	}
	t->start_level = level;
	t->root_pages = pages;
	t->va_bits = va_bits;
	t->pa_bits = pa_bits;
	t->min_block_level = 1;
	t->pool = pool;
	/* Every page the pool may hand out must be addressable by a descriptor. */
	if (pool->phys_base % PT_PAGE_BYTES || pool->phys_base > (1ull << 48) ||
	    pool->count > ((1ull << 48) - pool->phys_base) / PT_PAGE_BYTES)
		return -BH_ENOMEM;
	/* The roots are the tables 0.. of their level in the tree (ghost labels, WP). */
	t->root = new_table(pool) /*@ ghost (pool->pages[*pool->next], level, 0) */;
	if (!t->root)
		return -BH_ENOMEM;
	/* Concatenated roots are consecutive pages: the pool hands them out in order. */
	for (unsigned int i = 1; i < pages; i++)
		if (!new_table(pool) /*@ ghost (t->root, level, i) */)
			return -BH_ENOMEM;
	return 0;
}

/*@ requires shaped(t) && level <= 3;
    assigns \nothing;
    ensures in_root: level == t->start_level ==> \result < PT_ENTRIES * t->root_pages;
    ensures in_table: level != t->start_level ==> \result < PT_ENTRIES;
    ensures slot: \result == slot_index(va, level, tables_at(t, level));
    ensures in_page: \result % PT_ENTRIES == slot_index(va, level, 1);
*/
static unsigned int index_at(const struct pt_table *t, unsigned int level, uint64_t va)
{
	/* The root level may span several concatenated tables. */
	unsigned int entries = PT_ENTRIES * (level == t->start_level ? t->root_pages : 1);
	uint64_t index = va / level_size(level);

	/*@ assert entries: PT_ENTRIES <= entries <= 16 * PT_ENTRIES &&
		entries == PT_ENTRIES * tables_at(t, level); */
	/*@ assert index: index == va / bytes_of(level); */
	/* Concatenated tables: the index within a table is the index modulo 512. */
	/*@ assert in_page: (index % entries) % PT_ENTRIES == index % PT_ENTRIES; */
	return (unsigned int)(index % entries);
}

/*@ requires level <= 3;
    assigns \nothing;
    ensures pages: level == 3 ==> \result;
    ensures blocks: \result && level < 3 ==> 1 <= level && min_block_level <= level &&
	va % bytes_of(level) == 0 && pa % bytes_of(level) == 0 && size >= bytes_of(level);
*/
static bool can_use_block(unsigned int min_block_level, unsigned int level, uint64_t va,
			  uint64_t pa, uint64_t size)
{
	uint64_t block = level_size(level);

	if (level == 3)
		return true;
	if (level < min_block_level || level == 0)
		return false;
	return (va % block) == 0 && (pa % block) == 0 && size >= block;
}

/*
 * The level of the leaf for va: the first one from the root where a block (or
 * a page, at level 3) fits. Depends on the addresses only, not on the tables.
 */
/*@ requires start <= 2;
    assigns \nothing;
    ensures range: start <= \result <= 3 && 1 <= \result;
    ensures block_fits: \result < 3 ==> min_block_level <= \result &&
	va % bytes_of(\result) == 0 && pa % bytes_of(\result) == 0 && size >= bytes_of(\result);
*/
static unsigned int leaf_level(unsigned int start, unsigned int min_block_level, uint64_t va,
			       uint64_t pa, uint64_t size)
{
	unsigned int level = start;

	/*@ loop invariant start <= level <= 3;
	    loop assigns level;
	    loop variant 3 - level; */
	while (!can_use_block(min_block_level, level, va, pa, size))
		level++;
	return level;
}

/*
 * A leaf at `level`: output address bits 47:12 from pa, the attribute bits
 * from attrs, valid, and bit 1 set for a level-3 page, clear for a block.
 */
/*@ requires level: 1 <= level <= 3;
    assigns \nothing;
    ensures each_bit: \forall integer k; 0 <= k < 64 ==> (((\result >> k) & 1) != 0 <==>
	(((PT_ADDR_MASK >> k) & 1) != 0 && ((pa >> k) & 1) != 0) ||
	(((LEAF_ATTR_MASK >> k) & 1) != 0 && ((attrs >> k) & 1) != 0) ||
	(((level == 3 ? 3 : 1) >> k) & 1) != 0);
    ensures block_type: level < 3 ==> (\result & PT_TABLE_OR_PAGE) == 0;
*/
static uint64_t leaf_entry(uint64_t pa, uint64_t attrs, unsigned int level)
{
	uint64_t type = level == 3 ? PT_VALID | PT_TABLE_OR_PAGE : PT_VALID;

	/* The address field, the attribute bits and bits 1:0 share no bit and make up all 64. */
	/*@ assert fields_apart: (PT_ADDR_MASK & LEAF_ATTR_MASK) == 0 && (PT_ADDR_MASK & 3) == 0 &&
		(LEAF_ATTR_MASK & 3) == 0 &&
		((PT_ADDR_MASK | LEAF_ATTR_MASK | 3) & 0xffffffffffffffff) == 0xffffffffffffffff; */

	return (pa & PT_ADDR_MASK) | (attrs & LEAF_ATTR_MASK) | type;
}

/* Where a walk ended: the entry (err 0), or why it stopped. */
struct walk {
	uint64_t *entry;
	int err;
};

/*
 * new_table for t's tree, when a page is left: the new page is t's table
 * `number` at `level` (ghost), and t stays labelled (the page is empty, no
 * label below it changes).
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: 1 <= level <= 3;
    requires one_left: *t->pool->next < t->pool->count;
    assigns *t->pool->next, t->pool->pages[*t->pool->next][0 .. PT_ENTRIES - 1],
	pt_page_tree[*t->pool->next], pt_page_level[*t->pool->next],
	pt_page_number[*t->pool->next];
    ensures pool: shaped(t) && labelled(t);
    ensures taken: \result != \null && *t->pool->next == \old(*t->pool->next) + 1 &&
	\result == &t->pool->pages[\old(*t->pool->next)][0] &&
	table_page(t, \old(*t->pool->next), level, number) &&
	\forall integer i; 0 <= i < PT_ENTRIES ==> \result[i] == 0;
    ensures others_kept: tables_unchanged{Pre, Post}(t->pool, \old(*t->pool->next));
*/
static uint64_t *new_table_of(struct pt_table *t)
/*@ ghost (unsigned int level, uint64_t number) */
{
	return new_table(t->pool) /*@ ghost (t->root, level, number) */;
}

/*
 * Writes a link into entry `slot` of t's table page `page` (ghost): to page k,
 * which is labelled as the table that entry leads to, so t stays labelled.
 * Only the contract and the ghost code read t (as va and l in next_table).
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires entry: page < *t->pool->next && slot < PT_ENTRIES &&
	entry == &t->pool->pages[page][slot] && pt_page_tree[page] == t->root &&
	1 <= pt_page_level[page] <= 3;
    requires link: pt_link(link) && t->pool->phys_base <= (link & PT_ADDR_MASK) &&
	pt_target(t->pool, link) == k && k < *t->pool->next &&
	table_page(t, k, pt_page_level[page], pt_page_number[page] * PT_ENTRIES + slot);
    assigns *entry;
    ensures pool: shaped(t) && labelled(t);
    ensures written: *entry == link;
    ensures others_kept: \forall integer k2, j;
	0 <= k2 < t->pool->count && 0 <= j < PT_ENTRIES ==> &t->pool->pages[k2][j] == entry ||
	t->pool->pages[k2][j] == \old(t->pool->pages[k2][j]);
*/
static void set_link(struct pt_table *t __attribute__((unused)), uint64_t *entry, uint64_t link)
/*@ ghost (unsigned int page, unsigned int slot, unsigned int k) */
{
	set_entry(entry, link) /*@ ghost (t) */;
}

/*
 * Writes a leaf into entry `slot` of t's table page `page` (ghost), the slot
 * serving `addr` at `level`: a page at level 3, where the same bits would not
 * be a link, or a block, which is not a link, so t stays labelled. WP proves
 * that the entry serves [addr, addr + bytes_of(level)) only, inside [lo, hi).
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: 1 <= level <= 3;
    requires entry: page < *t->pool->next && slot == slot_index(addr, level, 1) &&
	entry == &t->pool->pages[page][slot] &&
	table_page(t, page, level, addr / bytes_of(level) / PT_ENTRIES);
    requires not_a_link: level == 3 || (leaf & PT_TABLE_OR_PAGE) == 0;
    requires serves: addr % bytes_of(level) == 0 && lo <= addr &&
	addr + bytes_of(level) <= hi;
    assigns *entry;
    ensures pool: shaped(t) && labelled(t);
    ensures written: *entry == leaf;
    ensures others_kept: \forall integer k, j;
	0 <= k < t->pool->count && 0 <= j < PT_ENTRIES ==> &t->pool->pages[k][j] == entry ||
	t->pool->pages[k][j] == \old(t->pool->pages[k][j]);
    ensures inside: pt_page_tree[page] == t->root && inside_range(page, slot, lo, hi);
*/
static void set_leaf(struct pt_table *t __attribute__((unused)), uint64_t *entry, uint64_t leaf)
/*@ ghost (unsigned int page, unsigned int slot, uint64_t addr, unsigned int level,
	   uint64_t lo, uint64_t hi) */
{
	/*@ assert index: pt_page_number[page] * PT_ENTRIES + slot == addr / bytes_of(level); */
	/*@ assert first: addr / bytes_of(level) * bytes_of(level) == addr; */
	/*@ assert end: (addr / bytes_of(level) + 1) * bytes_of(level) == addr + bytes_of(level); */
	/*@ assert serves: (pt_page_number[page] * PT_ENTRIES + slot) * bytes_of(level) == addr; */
	set_entry(entry, leaf) /*@ ghost (t) */;
}

/* One step down a walk: the pool index of the next table, or why there is none. */
struct step {
	unsigned int page;
	int err;
};

/*
 * The table that `entry`, va's slot at level l in t's table page `page`
 * (ghost), leads to: made and linked there when the entry is unused;
 * -BH_EEXIST when a block covers va or the link leads outside the pages the
 * pool handed out; -BH_ENOMEM when no page is left. WP proves that only the
 * entry, from unused to a link to the new table, and the new table (all
 * empty, labelled as t's table at l + 1 serving va) are written, that the
 * tables stay labelled, and that the table returned is the one serving va.
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: l <= 2;
    requires entry: page < *t->pool->next &&
	entry == &t->pool->pages[page][slot_index(va, l, 1)] &&
	table_page(t, page, l, va / bytes_of(l) / PT_ENTRIES);
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * PT_ENTRIES - 1],
	pt_page_tree[*t->pool->next], pt_page_level[*t->pool->next],
	pt_page_number[*t->pool->next];
    ensures pool: shaped(t) && labelled(t);
    ensures grows: *t->pool->next == \old(*t->pool->next) ||
	*t->pool->next == \old(*t->pool->next) + 1;
    ensures link: *entry == \old(*entry) ||
	(unused(\old(*entry)) && link_to_new(t, page, *entry, \old(*t->pool->next)));
    ensures new_table: *t->pool->next != \old(*t->pool->next) ==>
	pt_page_tree[\old(*t->pool->next)] == t->root &&
	pt_page_level[\old(*t->pool->next)] == l + 2 &&
	\forall integer i; 0 <= i < PT_ENTRIES ==> t->pool->pages[\old(*t->pool->next)][i] == 0;
    ensures errors: \result.err == 0 || \result.err == -BH_ENOMEM || \result.err == -BH_EEXIST;
    ensures fields_kept: t->pool->phys_base == \old(t->pool->phys_base) &&
	labels_kept{Pre, Post}(\old(*t->pool->next));
    ensures effect: walk_effect{Pre, Post}(t->pool->pages, t->pool->next, t->root,
	t->pool->phys_base, va, \old(*t->pool->next));
    ensures failed_changes_nothing: \result.err != 0 ==>
	*t->pool->next == \old(*t->pool->next) && *entry == \old(*entry);
    ensures kept: \forall integer k, i; 0 <= k < \old(*t->pool->next) && 0 <= i < PT_ENTRIES ==>
	t->pool->pages[k][i] == \old(t->pool->pages[k][i]) ||
	(&t->pool->pages[k][i] == entry && unused(\old(t->pool->pages[k][i])) &&
	 pt_page_tree[k] == t->root &&
	 link_to_new(t, k, t->pool->pages[k][i], \old(*t->pool->next)));
    ensures made: \forall integer k, i;
	\old(*t->pool->next) <= k < *t->pool->next && 0 <= i < PT_ENTRIES ==>
	pt_page_tree[k] == t->root && 1 <= pt_page_level[k] <= 4 && t->pool->pages[k][i] == 0;
    ensures serves_va: \result.err == 0 ==> \result.page < *t->pool->next &&
	table_page(t, \result.page, l + 1, va / bytes_of(l + 1) / PT_ENTRIES);
*/
static struct step next_table(struct pt_table *t, uint64_t *entry,
			      uint64_t va __attribute__((unused)),
			      unsigned int l __attribute__((unused)))
/*@ ghost (unsigned int page) */
{
	const struct pt_pool *p = t->pool;

	if (*entry & PT_VALID) {
		if (!(*entry & PT_TABLE_OR_PAGE))
			return (struct step){ 0, -BH_EEXIST }; /* a block covers va */
		unsigned int k = page_of_link(p, *entry);

		if (k >= *p->next)
			return (struct step){ 0, -BH_EEXIST };
		return (struct step){ k, 0 };
	}
	unsigned int k = *p->next;

	if (k >= p->count)
		return (struct step){ 0, -BH_ENOMEM };
	uint64_t link = page_phys(p, k) | PT_VALID | PT_TABLE_OR_PAGE;

	/* Always true: checked so that WP need not derive the bits from the address. */
	if (!is_link(link) || page_of_link(p, link) != k)
		return (struct step){ 0, -BH_ENOMEM };
	/*@ assert link_made: pt_link(link) && p->phys_base <= (link & PT_ADDR_MASK) &&
		pt_target(p, link) == k; */
	/* va's number at l: the new table's at l + 1, and its slot (ghost). */
	/*@ ghost uint64_t number =
		va / (l == 0 ? 0x8000000000ull : l == 1 ? 0x40000000ull : 0x200000ull); */
	new_table_of(t) /*@ ghost (l + 1, number) */;
	/*@ assert made: *p->next == k + 1 && pt_target(p, link) == k && unused(*entry); */
	/*@ assert link_labels: table_page(t, k, pt_page_level[page],
		pt_page_number[page] * PT_ENTRIES + slot_index(va, l, 1)); */
	set_link(t, entry, link) /*@ ghost (page, (unsigned int)(number % PT_ENTRIES), k) */;
	return (struct step){ k, 0 };
}

/*
 * The entry for va at `level`, walking from the root and making the tables
 * missing on the way; no entry when a table cannot be made (-BH_ENOMEM) or a
 * block already covers va above `level`, or a table entry leads outside the
 * pages the pool handed out (-BH_EEXIST). WP proves 'slot', 'root_slot' and
 * 'its_slot' (the entry is va's slot_index at that level), 'in_va_table' (it
 * lies in the table of t's tree that serves va at that level), that the table
 * stays shaped and labelled, and 'frame' and 'links_only': of the tables handed
 * out before, an entry changes only at one of va's slots, from unused to a link
 * to a table made by the call; and 'new_tables': the tables it makes are t's,
 * each entry empty or such a link.
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: t->start_level <= level <= 3;
    requires input: va < 1 << t->va_bits;
    decreases level;
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * PT_ENTRIES - 1],
	pt_page_tree[*t->pool->next .. (1 << 20) - 1],
	pt_page_level[*t->pool->next .. (1 << 20) - 1],
	pt_page_number[*t->pool->next .. (1 << 20) - 1];
    ensures pool: shaped(t) && \old(*t->pool->next) <= *t->pool->next;
    ensures labelled: labelled(t);
    ensures fields_kept: t->pool->phys_base == \old(t->pool->phys_base) &&
	\old(*t->pool->next) <= *t->pool->next;
    ensures effect: walk_effect{Pre, Post}(t->pool->pages, t->pool->next, t->root,
	t->pool->phys_base, va, \old(*t->pool->next));
    ensures its_slot: \result.err == 0 ==> \forall integer k, i;
	0 <= k < t->pool->count && 0 <= i < PT_ENTRIES && \result.entry == &t->pool->pages[k][i] ==>
	i == slot_index(va, level, 1);
    ensures in_va_table: \result.err == 0 ==> \forall integer k, i;
	0 <= k < t->pool->count && 0 <= i < PT_ENTRIES && \result.entry == &t->pool->pages[k][i] ==>
	k < *t->pool->next && table_page(t, k, level, va / bytes_of(level) / PT_ENTRIES);
    ensures errors:
	\result.err == 0 || \result.err == -BH_ENOMEM || \result.err == -BH_EEXIST;
    ensures root_slot: \result.err == 0 && level == t->start_level ==>
	\result.entry == &t->root[slot_index(va, level, t->root_pages)];
    ensures slot: \result.err == 0 ==>
	\exists integer k; 0 <= k < *t->pool->next &&
	    \result.entry == &t->pool->pages[k][slot_index(va, level, 1)];
*/
/* Recursive, but at most 3 deep (level - start_level), each frame a few words. */
// NOLINTNEXTLINE(misc-no-recursion)
static struct walk entry_at(struct pt_table *t, uint64_t va, unsigned int level)
{
	const struct pt_pool *p = t->pool;

	/* At or (against the contract) above the root: never recurses below level 0. */
	if (level <= t->start_level) {
		/* The root's concatenated tables are consecutive pages of the pool (ghost). */
		//@ ghost unsigned int r = (unsigned int)((t->root - &p->pages[0][0]) / PT_ENTRIES);
		/*@ assert root_is: t->root == &p->pages[r][0] && r + t->root_pages <= *p->next; */
		/*@ assert covered: va < (1 << t->va_bits) && (1 << t->va_bits) <=
			t->root_pages * PT_ENTRIES * bytes_of(t->start_level); */
		/*@ assert below_roots:
			va < t->root_pages * PT_ENTRIES * bytes_of(t->start_level) &&
			va / bytes_of(t->start_level) < t->root_pages * PT_ENTRIES; */
		/*@ assert whole_index: slot_index(va, level, t->root_pages) ==
			va / bytes_of(level); */
		/*@ assert root_page: &t->root[va / bytes_of(level)] ==
			&p->pages[r + va / bytes_of(level) / PT_ENTRIES]
				 [slot_index(va, level, 1)] &&
			table_page(t, r + va / bytes_of(level) / PT_ENTRIES, level,
				   va / bytes_of(level) / PT_ENTRIES); */
		return (struct walk){ &t->root[index_at(t, level, va)], 0 };
	}
	/* The walk down to the level above, then one step (bounded: at most 3 deep). */
	struct walk above = entry_at(t, va, level - 1);

	if (above.err)
		return above;
	/* The pool index of the page holding the entry (ghost). */
	/*@ ghost unsigned int page =
		(unsigned int)((above.entry - &p->pages[0][0]) / PT_ENTRIES); */
	struct step next = next_table(t, above.entry, va, level - 1) /*@ ghost (page) */;

	if (next.err)
		return (struct walk){ NULL, next.err };
	return (struct walk){ &p->pages[next.page][index_at(t, level, va)], 0 };
}

/*
 * WP proves the argument checks (each refusal returns before anything is
 * written) and the leaf loop: the leaves tile [va, va + size) exactly, each
 * inside it, blocks only where va and pa are aligned to the block's size,
 * each holding pa + offset and the attributes asked for, written into the
 * slot entry_at returns for va + offset; the loop ends. And whatever the
 * outcome ('frame'), an entry of a table handed out before the call changes
 * only if it was unused, at an index that the walk of some address in
 * [va, va + size) uses at some level; the tables stay a tree ('labelled');
 * and ('in_its_tree', 'new_tables') an entry changes only to a link to a
 * table the call made or to a leaf serving addresses in [va, va + size) only,
 * and the tables made hold only empty entries or such ones. So an address
 * outside the range reaches no leaf it did not reach before.
 */
/*@ requires shaped: shaped(t);
    requires labelled: labelled(t);
    ensures labelled: labelled(t);
    ensures in_its_tree: map_old{Pre, Post}(t->pool->pages, t->root, t->pool->phys_base,
	\old(*t->pool->next), va, va + size);
    ensures new_tables: map_new{Post}(t->pool->pages, t->root, t->pool->phys_base,
	\old(*t->pool->next), *t->pool->next, va, va + size);
    ensures refused_changes_nothing: \result == -BH_EINVAL || \result == -BH_ERANGE ==>
	*t->pool->next == \old(*t->pool->next) &&
	tables_unchanged{Pre, Post}(t->pool, t->pool->count);
    ensures frame: \forall integer k, i;
	0 <= k < \old(*t->pool->next) && 0 <= i < PT_ENTRIES ==>
	t->pool->pages[k][i] == \old(t->pool->pages[k][i]) ||
	(slot_in_range(i, va, va + size) && unused(\old(t->pool->pages[k][i])));
    behavior unaligned_or_empty:
	assumes va % PT_PAGE_BYTES != 0 || pa % PT_PAGE_BYTES != 0 ||
		size % PT_PAGE_BYTES != 0 || size == 0;
	assigns \nothing;
	ensures \result == -BH_EINVAL;
    behavior out_of_range:
	assumes va % PT_PAGE_BYTES == 0 && pa % PT_PAGE_BYTES == 0 &&
		size % PT_PAGE_BYTES == 0 && size != 0;
	assumes va + size > (1 << t->va_bits) || pa + size > (1 << t->pa_bits);
	assigns \nothing;
	ensures \result == -BH_ERANGE;
    behavior in_range:
	assumes va % PT_PAGE_BYTES == 0 && pa % PT_PAGE_BYTES == 0 &&
		size % PT_PAGE_BYTES == 0 && size != 0;
	assumes va + size <= (1 << t->va_bits) && pa + size <= (1 << t->pa_bits);
	assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * PT_ENTRIES - 1],
	    pt_page_tree[*t->pool->next .. (1 << 20) - 1],
	    pt_page_level[*t->pool->next .. (1 << 20) - 1],
	    pt_page_number[*t->pool->next .. (1 << 20) - 1];
	ensures \result == 0 || \result == -BH_EEXIST || \result == -BH_ENOMEM;
    complete behaviors;
    disjoint behaviors;
*/
int pt_map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_attrs)
{
	if (va % PT_PAGE_BYTES || pa % PT_PAGE_BYTES || size % PT_PAGE_BYTES || size == 0)
		return -BH_EINVAL;
	/*
	 * Both ends are checked before any entry is written. The descriptor
	 * would keep output bits 47:12 only, so an unchecked pa of 2^48 + X
	 * would map X: for a cell, hypervisor or another cell's memory.
	 */
	if (!fits_bits(va, size, t->va_bits) || !fits_bits(pa, size, t->pa_bits))
		return -BH_ERANGE;
	unsigned int start = t->start_level;
	unsigned int min_block_level = t->min_block_level;
	//@ ghost unsigned int first = *t->pool->next;

	/*@ loop invariant fixed: va == \at(va, Pre) && pa == \at(pa, Pre) &&
		size == \at(size, Pre) && leaf_attrs == \at(leaf_attrs, Pre) &&
		start == t->start_level && start <= 2 &&
		va + size <= 1 << t->va_bits && pa + size <= 1 << t->pa_bits &&
		va + size <= UINT64_MAX && pa + size <= UINT64_MAX;
	    loop invariant walkable: shaped(t) && labelled(t);
	    loop invariant tiled: off <= size && off % PT_PAGE_BYTES == 0;
	    loop invariant at_page: (va + off) % PT_PAGE_BYTES == 0;
	    loop invariant grows: first <= *t->pool->next;
	    loop invariant frame: \forall integer k, i; 0 <= k < first && 0 <= i < PT_ENTRIES ==>
		t->pool->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
		(slot_in_range(i, va, va + off) && unused(\at(t->pool->pages[k][i], Pre)));
	    loop invariant in_its_tree: map_old{Pre, Here}(t->pool->pages, t->root,
		t->pool->phys_base, first, va, va + size);
	    loop invariant new_tables: map_new{Here}(t->pool->pages, t->root, t->pool->phys_base,
		first, *t->pool->next, va, va + size);
	    loop assigns off, *t->pool->next,
		t->pool->pages[0][0 .. t->pool->count * PT_ENTRIES - 1],
		pt_page_tree[first .. (1 << 20) - 1], pt_page_level[first .. (1 << 20) - 1],
		pt_page_number[first .. (1 << 20) - 1];
	    loop variant size - off; */
	for (uint64_t off = 0; off < size;) {
		/* The state each iteration starts from, for keeps_valid (WP only). */
	iteration:
		__attribute__((unused));
		uint64_t addr = va + off;
		/*@ assert addr: addr == va + off; */
		unsigned int level = leaf_level(start, min_block_level, addr, pa + off, size - off);
		/*@ assert inside: va + off + bytes_of(level) <= va + size; */
		/*@ assert block_aligned: level < 3 ==> (va + off) % bytes_of(level) == 0 &&
			(pa + off) % bytes_of(level) == 0; */
		struct walk w = entry_at(t, addr, level);
		uint64_t *entry = w.entry;

		/*@ assert walk_kept: map_old{Pre, Here}(t->pool->pages, t->root,
				t->pool->phys_base, first, va, va + size) &&
			map_new{Here}(t->pool->pages, t->root, t->pool->phys_base, first,
				*t->pool->next, va, va + size); */
		if (w.err)
			return w.err;
		if (*entry & PT_VALID)
			return -BH_EEXIST;
		/*@ assert walked: \forall integer k, j; 0 <= k < first && 0 <= j < PT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], Pre) ||
			(slot_in_range(j, va, va + off + 1) &&
			 unused(\at(t->pool->pages[k][j], Pre))); */
		/* The leaf's page and slot (ghost): t's table serving va + off at its level. */
		/*@ ghost unsigned int page =
			(unsigned int)((entry - &t->pool->pages[0][0]) / PT_ENTRIES); */
		/*@ ghost unsigned int slot =
			(unsigned int)((entry - &t->pool->pages[0][0]) % PT_ENTRIES); */
		/*@ assert leaf_found: \exists integer k; 0 <= k < *t->pool->next &&
			entry == &t->pool->pages[k][slot_index(addr, level, 1)]; */
		/*@ assert leaf_address: slot < PT_ENTRIES && entry ==
			&t->pool->pages[page][slot]; */
		/*@ assert leaf_entry: page < *t->pool->next &&
			slot == slot_index(addr, level, 1); */
		/*@ assert leaf_table: table_page(t, page, level,
			addr / bytes_of(level) / PT_ENTRIES); */
		/*@ assert leaf_aligned: addr % bytes_of(level) == 0; */
		/*@ assert leaf_walk_slot: walk_slot(slot, addr); */
		/*@ assert leaf_slot: slot_in_range(slot, va, va + off + 1); */
		/*@ assert leaf_was_unused: \forall integer k, j; k == page && j == slot &&
			k < first ==>
			unused(\at(t->pool->pages[k][j], Pre)); */
	walked_to:
		__attribute__((unused));
		set_leaf(t, entry, leaf_entry(pa + off, leaf_attrs, level))
			/*@ ghost (page, slot, addr, level, va, va + size) */;
		/*@ assert leaf_inside: map_entry(t->pool->pages, t->root, t->pool->phys_base,
				first, va, va + size, page, slot); */
		/*@ assert labels_same: first <= *t->pool->next &&
			labels_kept{walked_to, Here}(*t->pool->next); */
		/*@ assert one_written: \forall integer k, j; 0 <= k < *t->pool->next &&
			0 <= j < PT_ENTRIES ==>
			only_one_written{walked_to, Here}(t->pool->pages, page, slot, k, j); */
		/*@ assert leaf_kept: map_old{Pre, Here}(t->pool->pages, t->root,
				t->pool->phys_base, first, va, va + size) &&
			map_new{Here}(t->pool->pages, t->root, t->pool->phys_base, first,
				*t->pool->next, va, va + size); */
		/* No iteration writes over an entry in use of any table handed out when
		 * it starts, those it or earlier ones made included: the leaves already
		 * written stay. */
		/*@ assert keeps_valid: \forall integer k, j;
			0 <= k < \at(*t->pool->next, iteration) && 0 <= j < PT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], iteration) ||
			unused(\at(t->pool->pages[k][j], iteration)); */
		/*@ assert written: \forall integer k, j; 0 <= k < first && 0 <= j < PT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], Pre) ||
			(slot_in_range(j, va, va + off + 1) &&
			 unused(\at(t->pool->pages[k][j], Pre))); */
		/*@ assert leaf: \forall integer k; 0 <= k < 64 ==> (((*entry >> k) & 1) != 0 <==>
			(((PT_ADDR_MASK >> k) & 1) != 0 && ((pa + off >> k) & 1) != 0) ||
			(((LEAF_ATTR_MASK >> k) & 1) != 0 && ((leaf_attrs >> k) & 1) != 0) ||
			(((level == 3 ? 3 : 1) >> k) & 1) != 0); */
		off += level_size(level);
	}
	return 0;
}

/*@ requires shaped(t);
    requires out: \valid(pa) && \valid(leaf_attrs) && (level_out == \null || \valid(level_out));
*/
int pt_translate(const struct pt_table *t, uint64_t va, uint64_t *pa, uint64_t *leaf_attrs,
		 unsigned int *level_out)
{
	const uint64_t *table = t->root;

	if (t->va_bits < 64 && va >= (1ull << t->va_bits))
		return -BH_EINVAL;
	/*@ loop invariant t->start_level <= level <= 4;
	    loop invariant at_root: level == t->start_level ==> table == t->root;
	    loop invariant below: level != t->start_level ==> in_pool(t->pool, (uint64_t *)table);
	    loop assigns level, table; */
	for (unsigned int level = t->start_level; level <= 3; level++) {
		uint64_t entry = table[index_at(t, level, va)];

		if (!(entry & PT_VALID))
			return -BH_EINVAL;
		bool leaf = level == 3 || !(entry & PT_TABLE_OR_PAGE);

		if (leaf) {
			uint64_t offset = va & (level_size(level) - 1);

			*pa = (entry & PT_ADDR_MASK & ~(level_size(level) - 1)) + offset;
			*leaf_attrs = entry & LEAF_ATTR_MASK;
			if (level_out)
				*level_out = level;
			return 0;
		}
		table = table_of(t->pool, entry);
		if (!table)
			return -BH_EINVAL;
	}
	return -BH_EINVAL;
}
