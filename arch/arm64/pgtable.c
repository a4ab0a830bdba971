/*
 * VMSAv8-64 4 KiB-granule table builder (see arm64/pgtable.h). Each level
 * resolves 9 bits; level 3 entries are pages, levels 1 and 2 may hold blocks.
 * Table pointers are stored as physical addresses, which equal the hypervisor's
 * virtual addresses because it identity-maps its own memory.
 */
#include <arm64/pgtable.h>

#define LEAF_ATTR_MASK (~(PT_ADDR_MASK | PT_VALID | PT_TABLE_OR_PAGE))

static unsigned int level_shift(unsigned int level)
{
	return 12 + 9 * (3 - level);
}

static uint64_t level_size(unsigned int level)
{
	return 1ull << level_shift(level);
}

/* Can a table descriptor hold this table's address? Never masked (see pt_map). */
static bool table_addressable(const uint64_t *table)
{
	return ((uintptr_t)table & ~PT_ADDR_MASK) == 0;
}

/* Does [addr, addr + size) end at or below 2^bits? size > 0; false on a wrap. */
static bool fits_bits(uint64_t addr, uint64_t size, unsigned int bits)
{
	uint64_t last = addr + (size - 1);

	return last >= addr && (bits >= 64 || (last >> bits) == 0);
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

static unsigned int index_at(const struct pt_table *t, unsigned int level, uint64_t va)
{
	uint64_t index = va >> level_shift(level);

	/* The root level may span several concatenated tables. */
	if (level == t->start_level)
		return (unsigned int)(index & (PT_ENTRIES * t->root_pages - 1));
	return (unsigned int)(index & (PT_ENTRIES - 1));
}

static bool can_use_block(const struct pt_table *t, unsigned int level, uint64_t va, uint64_t pa,
			  uint64_t size)
{
	uint64_t block = level_size(level);

	if (level == 3)
		return true;
	if (level < t->min_block_level || level == 0)
		return false;
	return (va % block) == 0 && (pa % block) == 0 && size >= block;
}

static int map_one(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint64_t attrs,
		   uint64_t *mapped)
{
	uint64_t *table = t->root;

	for (unsigned int level = t->start_level;; level++) {
		uint64_t *entry = &table[index_at(t, level, va)];

		if (can_use_block(t, level, va, pa, size)) {
			if (*entry & PT_VALID)
				return -BH_EEXIST;
			uint64_t type = level == 3 ? PT_VALID | PT_TABLE_OR_PAGE : PT_VALID;

			*entry = (pa & PT_ADDR_MASK) | (attrs & LEAF_ATTR_MASK) | type;
			*mapped = level_size(level);
			return 0;
		}
		if (!(*entry & PT_VALID)) {
			uint64_t *next = t->alloc.alloc_page(t->alloc.ctx);

			if (!next || !table_addressable(next))
				return -BH_ENOMEM;
			*entry = ((uintptr_t)next & PT_ADDR_MASK) | PT_VALID | PT_TABLE_OR_PAGE;
		} else if (!(*entry & PT_TABLE_OR_PAGE)) {
			return -BH_EEXIST; /* a block already covers this address */
		}
		table = (uint64_t *)(uintptr_t)(*entry & PT_ADDR_MASK);
	}
}

int pt_map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_attrs)
{
	if ((va | pa | size) & (PT_PAGE_BYTES - 1) || size == 0)
		return -BH_EINVAL;
	/*
	 * Both ends are checked before any entry is written. The descriptor
	 * would keep output bits 47:12 only, so an unchecked pa of 2^48 + X
	 * would map X: for a cell, hypervisor or another cell's memory.
	 */
	if (!fits_bits(va, size, t->va_bits) || !fits_bits(pa, size, t->pa_bits))
		return -BH_ERANGE;
	while (size) {
		uint64_t mapped;
		int err = map_one(t, va, pa, size, leaf_attrs, &mapped);

		if (err)
			return err;
		va += mapped;
		pa += mapped;
		size -= mapped;
	}
	return 0;
}

int pt_translate(const struct pt_table *t, uint64_t va, uint64_t *pa, uint64_t *leaf_attrs,
		 unsigned int *level_out)
{
	const uint64_t *table = t->root;

	if (t->va_bits < 64 && va >= (1ull << t->va_bits))
		return -BH_EINVAL;
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
