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

/*@ // The bytes one entry of a level maps: 9 more address bits per level up.
    logic integer bytes_of(integer level) =
	level == 3 ? 0x1000 : level == 2 ? 0x200000 : level == 1 ? 0x40000000 : 0x8000000000;

    // How many tables the level's index spans: several concatenated ones at the root.
    logic integer tables_at(struct pt_table *t, integer level) =
	level == t->start_level ? t->root_pages : 1;
    logic integer slot_index(integer va, integer level, integer tables) =
	(va / bytes_of(level)) % (PT_ENTRIES * tables);

    // Whole tables taken off an index leave its place within a table.
    lemma whole_tables_off: \forall integer x, n; 0 <= x && 1 <= n ==>
	(x % (PT_ENTRIES * n)) % PT_ENTRIES == x % PT_ENTRIES;

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

    // No entry of the pool's first `used` pages differs between states A and B.
    predicate tables_unchanged{A, B}(struct pt_pool *p, integer used) =
	\forall integer k, i; 0 <= k < used && 0 <= i < PT_ENTRIES ==>
	\at(p->pages[k][i], A) == \at(p->pages[k][i], B);
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
 * that it writes only that page and the pool's next index.
 */
/*@ requires pool: pool_ok(p);
    assigns *p->next, p->pages[*p->next .. p->count - 1][0 .. PT_ENTRIES - 1];
    ensures pool_ok(p);
    ensures none_left: \result == \null ==> *p->next == \old(*p->next);
    ensures one_left: \old(*p->next) < p->count ==> \result != \null;
    ensures taken: \result != \null ==> \old(*p->next) < p->count &&
	*p->next == \old(*p->next) + 1 && \result == &p->pages[\old(*p->next)][0];
    ensures zeroed: \result != \null ==>
	\forall integer i; 0 <= i < PT_ENTRIES ==> \result[i] == 0;
    ensures others_kept: tables_unchanged{Pre, Post}(p, \old(*p->next));
    ensures none_written: \result == \null ==> tables_unchanged{Pre, Post}(p, p->count);
*/
static uint64_t *new_table(const struct pt_pool *p)
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

/*
 * The table a table descriptor points to, or NULL when it points outside the
 * pages handed out: the walk never leaves the pool, whatever the entries hold.
 */
/*@ requires pool: pool_ok(p);
    assigns \nothing;
    ensures \result == \null || in_pool(p, \result);
*/
static uint64_t *table_of(const struct pt_pool *p, uint64_t entry)
{
	uint64_t phys = entry & PT_ADDR_MASK;

	if (phys < p->phys_base || (phys - p->phys_base) / PT_PAGE_BYTES >= *p->next)
		return NULL;
	return p->pages[(phys - p->phys_base) / PT_PAGE_BYTES];
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
	t->root = new_table(pool);
	if (!t->root)
		return -BH_ENOMEM;
	/* Concatenated roots are consecutive pages: the pool hands them out in order. */
	for (unsigned int i = 1; i < pages; i++)
		if (!new_table(pool))
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
 * The entry for va at `level`, walking from the root and making the tables
 * missing on the way; no entry when a table cannot be made (-BH_ENOMEM) or a
 * block already covers va above `level`, or a table entry leads outside the
 * pages the pool handed out (-BH_EEXIST). WP proves 'slot', 'root_slot' and
 * 'its_slot' (the entry is va's slot_index at that level), that the table
 * stays shaped, and 'frame': of the tables handed out before, an entry changes
 * only at one of va's slots (the link to a new table).
 */
/*@ requires walkable: shaped(t);
    requires level: t->start_level <= level <= 3;
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * PT_ENTRIES - 1];
    ensures pool: shaped(t) && \old(*t->pool->next) <= *t->pool->next;
    ensures frame: \forall integer k, i; 0 <= k < \old(*t->pool->next) && 0 <= i < PT_ENTRIES ==>
	t->pool->pages[k][i] == \old(t->pool->pages[k][i]) ||
	(walk_slot(i, va) && unused(\old(t->pool->pages[k][i])));
    ensures its_slot: \result.err == 0 ==> \forall integer k, i;
	0 <= k < t->pool->count && 0 <= i < PT_ENTRIES && \result.entry == &t->pool->pages[k][i] ==>
	i == slot_index(va, level, 1);
    ensures errors:
	\result.err == 0 || \result.err == -BH_ENOMEM || \result.err == -BH_EEXIST;
    ensures root_slot: \result.err == 0 && level == t->start_level ==>
	\result.entry == &t->root[slot_index(va, level, t->root_pages)];
    ensures slot: \result.err == 0 && level != t->start_level ==>
	\exists integer k; 0 <= k < *t->pool->next &&
	    \result.entry == &t->pool->pages[k][slot_index(va, level, 1)];
*/
static struct walk entry_at(struct pt_table *t, uint64_t va, unsigned int level)
{
	const struct pt_pool *p = t->pool;
	uint64_t *table = t->root;
	//@ ghost unsigned int first = *p->next;

	/*@ loop invariant levels: t->start_level <= l <= level;
	    loop invariant pool: shaped(t) && first <= *p->next;
	    loop invariant at_root: l == t->start_level ==> table == t->root;
	    loop invariant below: l != t->start_level ==> in_pool(p, table);
	    loop invariant frame: \forall integer k, i; 0 <= k < first && 0 <= i < PT_ENTRIES ==>
		p->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
		(walk_slot(i, va) && unused(\at(t->pool->pages[k][i], Pre)));
	    loop assigns l, table, *p->next, p->pages[0][0 .. p->count * PT_ENTRIES - 1];
	    loop variant level - l; */
	for (unsigned int l = t->start_level; l < level; l++) {
		uint64_t *entry = &table[index_at(t, l, va)];

		/*@ assert on_the_way: l == t->start_level ?
			entry == &t->root[slot_index(va, l, t->root_pages)] :
			(l == 1 || l == 2) && \exists integer k; 0 <= k < p->count &&
				entry == &p->pages[k][slot_index(va, l, 1)]; */
		/*@ assert only_its_slot: \forall integer k, i;
			0 <= k < p->count && 0 <= i < PT_ENTRIES && entry == &p->pages[k][i] ==>
			i == slot_index(va, l, 1); */
		if (!(*entry & PT_VALID)) {
			unsigned int k = *p->next;

			if (k >= p->count)
				return (struct walk){ NULL, -BH_ENOMEM };
			table = new_table(p);
			/*@ assert kept_by_new_table: \forall integer k, i; 0 <= k < first &&
				0 <= i < PT_ENTRIES ==>
				p->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
				(walk_slot(i, va) && unused(\at(t->pool->pages[k][i], Pre))); */
			/*@ assert was_unused: \forall integer k, i;
				0 <= k < first && 0 <= i < PT_ENTRIES &&
				entry == &p->pages[k][i] ==>
				unused(\at(t->pool->pages[k][i], Pre)); */
			set_entry(entry,
				  page_phys(p, k) | PT_VALID | PT_TABLE_OR_PAGE) /*@ ghost (t) */;
		} else if (!(*entry & PT_TABLE_OR_PAGE)) {
			/* A block already covers this address. */
			return (struct walk){ NULL, -BH_EEXIST };
		} else {
			table = table_of(p, *entry);
			if (!table)
				return (struct walk){ NULL, -BH_EEXIST };
		}
	}
	return (struct walk){ &table[index_at(t, level, va)], 0 };
}

/*
 * WP proves the argument checks (each refusal returns before anything is
 * written) and the leaf loop: the leaves tile [va, va + size) exactly, each
 * inside it, blocks only where va and pa are aligned to the block's size,
 * each holding pa + offset and the attributes asked for, written into the
 * slot entry_at returns for va + offset; the loop ends. And whatever the
 * outcome ('frame'), an entry of a table handed out before the call changes
 * only at an index that the walk of some address in [va, va + size) uses at
 * some level: not which table, nor that the leaves written stay in place.
 */
/*@ requires shaped: shaped(t);
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
	assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * PT_ENTRIES - 1];
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
	    loop invariant walkable: shaped(t);
	    loop invariant tiled: off <= size && off % PT_PAGE_BYTES == 0;
	    loop invariant grows: first <= *t->pool->next;
	    loop invariant frame: \forall integer k, i; 0 <= k < first && 0 <= i < PT_ENTRIES ==>
		t->pool->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
		(slot_in_range(i, va, va + off) && unused(\at(t->pool->pages[k][i], Pre)));
	    loop assigns off, *t->pool->next,
		t->pool->pages[0][0 .. t->pool->count * PT_ENTRIES - 1];
	    loop variant size - off; */
	for (uint64_t off = 0; off < size;) {
		/* The state each iteration starts from, for keeps_valid (WP only). */
	iteration:
		__attribute__((unused));
		unsigned int level =
			leaf_level(start, min_block_level, va + off, pa + off, size - off);
		/*@ assert inside: va + off + bytes_of(level) <= va + size; */
		/*@ assert block_aligned: level < 3 ==> (va + off) % bytes_of(level) == 0 &&
			(pa + off) % bytes_of(level) == 0; */
		struct walk w = entry_at(t, va + off, level);
		uint64_t *entry = w.entry;

		if (w.err)
			return w.err;
		if (*entry & PT_VALID)
			return -BH_EEXIST;
		/*@ assert walked: \forall integer k, j; 0 <= k < first && 0 <= j < PT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], Pre) ||
			(slot_in_range(j, va, va + off + 1) &&
			 unused(\at(t->pool->pages[k][j], Pre))); */
		set_entry(entry, leaf_entry(pa + off, leaf_attrs, level)) /*@ ghost (t) */;
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
