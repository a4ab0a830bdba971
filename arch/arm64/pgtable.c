/*
 * VMSAv8-64 4 KiB-granule table builder (see arm64/pgtable.h). Each level
 * resolves 9 bits; level 3 entries are pages, levels 1 and 2 may hold blocks.
 * Table pointers are stored as physical addresses, which equal the hypervisor's
 * virtual addresses because it identity-maps its own memory.
 *
 * The ACSL contracts are proven by Frama-C's WP (tests/verify/test_frama_c_wp_pgtable.py,
 * goals in verify/frama-c/pgtable_wp_proven.txt); the walk through table
 * descriptors (entry_at) turns an entry back into a pointer, which WP does not
 * follow, so it has no contract and EVA (test_frama_c.py) covers it.
 */
#include <arm64/pgtable.h>

/* Every bit but the address field and the type bits 1:0 (lemma fields_apart). */
#define LEAF_ATTR_MASK 0xffff000000000ffcull

/*@ // The bytes one entry of a level maps: 9 more address bits per level up.
    logic integer bytes_of(integer level) =
	level == 3 ? 0x1000 : level == 2 ? 0x200000 : level == 1 ? 0x40000000 : 0x8000000000;

    // How many tables the level's index spans: several concatenated ones at the root.
    logic integer tables_at(struct pt_table *t, integer level) =
	level == t->start_level ? t->root_pages : 1;
    logic integer slot_index(integer va, integer level, integer tables) =
	(va / bytes_of(level)) % (PT_ENTRIES * tables);

    // A descriptor's address field, attribute bits and type bits 1:0 share no bit and
    // make up all 64.
    lemma fields_apart: (PT_ADDR_MASK & LEAF_ATTR_MASK) == 0 && (PT_ADDR_MASK & 3) == 0 &&
	(LEAF_ATTR_MASK & 3) == 0 && ((PT_ADDR_MASK | LEAF_ATTR_MASK | 3) & 0xffffffffffffffff) ==
	0xffffffffffffffff;
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

/* Can a table descriptor hold this table's address? Never masked (see pt_map). */
static bool table_addressable(const uint64_t *table)
{
	return ((uintptr_t)table & ~PT_ADDR_MASK) == 0;
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

int pt_init(struct pt_table *t, unsigned int va_bits, unsigned int pa_bits,
	    bool allow_concatenation, const struct pt_allocator *alloc)
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
	t->alloc = *alloc;
	t->root = alloc->alloc_page(alloc->ctx);
	if (!t->root || !table_addressable(t->root))
		return -BH_ENOMEM;
	for (unsigned int i = 1; i < pages; i++) {
		/* Concatenated roots must be contiguous: the allocator hands out pages in order. */
		uint64_t *next = alloc->alloc_page(alloc->ctx);

		if (next != t->root + i * PT_ENTRIES)
			return -BH_ENOMEM;
	}
	return 0;
}

/*@ requires shaped(t) && level <= 3;
    assigns \nothing;
    ensures in_root: level == t->start_level ==> \result < PT_ENTRIES * t->root_pages;
    ensures in_table: level != t->start_level ==> \result < PT_ENTRIES;
    ensures slot: \result == slot_index(va, level, tables_at(t, level));
*/
static unsigned int index_at(const struct pt_table *t, unsigned int level, uint64_t va)
{
	/* The root level may span several concatenated tables. */
	unsigned int entries = PT_ENTRIES * (level == t->start_level ? t->root_pages : 1);
	uint64_t index = va / level_size(level);

	/*@ assert entries: PT_ENTRIES <= entries <= 16 * PT_ENTRIES &&
		entries == PT_ENTRIES * tables_at(t, level); */
	/*@ assert index: index == va / bytes_of(level); */
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
 * block already covers va above `level` (-BH_EEXIST).
 */
/*@ ensures errors:
	\result.err == 0 || \result.err == -BH_ENOMEM || \result.err == -BH_EEXIST;
*/
static struct walk entry_at(struct pt_table *t, uint64_t va, unsigned int level)
{
	uint64_t *table = t->root;

	for (unsigned int l = t->start_level; l < level; l++) {
		uint64_t *entry = &table[index_at(t, l, va)];

		if (!(*entry & PT_VALID)) {
			uint64_t *next = t->alloc.alloc_page(t->alloc.ctx);

			if (!next || !table_addressable(next))
				return (struct walk){ NULL, -BH_ENOMEM };
			*entry = ((uintptr_t)next & PT_ADDR_MASK) | PT_VALID | PT_TABLE_OR_PAGE;
		} else if (!(*entry & PT_TABLE_OR_PAGE)) {
			/* A block already covers this address. */
			return (struct walk){ NULL, -BH_EEXIST };
		}
		table = (uint64_t *)(uintptr_t)(*entry & PT_ADDR_MASK);
	}
	return (struct walk){ &table[index_at(t, level, va)], 0 };
}

/*
 * WP proves the argument checks (each refusal returns before anything is
 * written) and the leaf loop: the leaves tile [va, va + size) exactly, each
 * inside it, blocks only where va and pa are aligned to the block's size,
 * each holding pa + offset and the attributes asked for; the loop ends.
 * Which entry a leaf lands in is entry_at's, which WP does not follow.
 */
/*@ requires shaped: shaped(t);
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
	/* The walk may write anywhere WP knows of: the shape is read once, before it. */
	unsigned int start = t->start_level;
	unsigned int min_block_level = t->min_block_level;

	/*@ loop invariant fixed: va == \at(va, Pre) && pa == \at(pa, Pre) &&
		size == \at(size, Pre) && leaf_attrs == \at(leaf_attrs, Pre) &&
		start == \at(t->start_level, Pre) && start <= 2 &&
		va + size <= 1 << \at(t->va_bits, Pre) && pa + size <= 1 << \at(t->pa_bits, Pre) &&
		va + size <= UINT64_MAX && pa + size <= UINT64_MAX;
	    loop invariant tiled: off <= size && off % PT_PAGE_BYTES == 0;
	    loop variant size - off; */
	for (uint64_t off = 0; off < size;) {
		unsigned int level =
			leaf_level(start, min_block_level, va + off, pa + off, size - off);
		struct walk w = entry_at(t, va + off, level);
		uint64_t *entry = w.entry;

		if (w.err)
			return w.err;
		if (*entry & PT_VALID)
			return -BH_EEXIST;
		*entry = leaf_entry(pa + off, leaf_attrs, level);
		/*@ assert inside: va + off + bytes_of(level) <= va + size; */
		/*@ assert block_aligned: level < 3 ==> (va + off) % bytes_of(level) == 0 &&
			(pa + off) % bytes_of(level) == 0; */
		/*@ assert leaf: \forall integer k; 0 <= k < 64 ==> (((*entry >> k) & 1) != 0 <==>
			(((PT_ADDR_MASK >> k) & 1) != 0 && ((pa + off >> k) & 1) != 0) ||
			(((LEAF_ATTR_MASK >> k) & 1) != 0 && ((leaf_attrs >> k) & 1) != 0) ||
			(((level == 3 ? 3 : 1) >> k) & 1) != 0); */
		off += level_size(level);
	}
	return 0;
}

/*@ requires shaped(t); */
int pt_translate(const struct pt_table *t, uint64_t va, uint64_t *pa, uint64_t *leaf_attrs,
		 unsigned int *level_out)
{
	const uint64_t *table = t->root;

	if (t->va_bits < 64 && va >= (1ull << t->va_bits))
		return -BH_EINVAL;
	/*@ loop invariant t->start_level <= level <= 4;
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
		table = (const uint64_t *)(uintptr_t)(entry & PT_ADDR_MASK);
	}
	return -BH_EINVAL;
}
