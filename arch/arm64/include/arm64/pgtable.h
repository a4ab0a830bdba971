/*
 * Builder for VMSAv8-64 translation tables with the 4 KiB granule, shared by
 * the EL2 stage-1 map and the cells' stage-2 maps. Tables are built once at
 * boot and never changed: mapping over an existing entry is an error, not an
 * update. Plain C with no arch dependencies, so tests/unit runs it on the host.
 */
#ifndef ARM64_PGTABLE_H
#define ARM64_PGTABLE_H

#include <bulkhead/errno.h>
#include <lib/types.h>

#define PT_PAGE_BYTES 4096ull
#define PT_ENTRIES 512u

/* Descriptor bits common to stage 1 and stage 2 leaves. */
#define PT_VALID (1ull << 0)
#define PT_TABLE_OR_PAGE (1ull << 1)
#define PT_AF (1ull << 10)
#define PT_SH_INNER (3ull << 8)
#define PT_ADDR_MASK 0x0000fffffffff000ull

/*
 * Where page-table pages come from, as data, so that a proof can follow a
 * table by index (arch/arm64/pgtable.c, as vmx/ept.h): `count` pages, of which
 * pages[0 .. *next - 1] are handed out. The builder takes pages[*next], zeroes
 * it and advances *next, which another user of the same pool (page_pool_alloc)
 * advances too. Tables are identity-addressed: phys_base is pages[0]'s
 * address as a descriptor holds it.
 */
struct pt_pool {
	uint64_t (*pages)[PT_ENTRIES];
	unsigned int count;
	unsigned int *next;
	uint64_t phys_base;
};

struct pt_table {
	uint64_t *root;
	unsigned int start_level; /* 0..2 */
	unsigned int root_pages; /* concatenated root tables (stage 2), 1..16 */
	unsigned int va_bits; /* input address size */
	unsigned int pa_bits; /* output address size: leaves end at or below 2^pa_bits */
	/* Largest block level allowed for leaves (1 = 1 GiB, 2 = 2 MiB, 3 = pages only). */
	unsigned int min_block_level;
	const struct pt_pool *pool;
};

/*
 * Which table each page of the pool is, for WP only (ghost; the hypervisor has
 * one pool): the root of the tree the page belongs to, its level + 1 (0: not a
 * table) and its number at that level, which every address it serves shares:
 * address / bytes_of(level) / 512.
 */
//@ ghost uint64_t *pt_page_tree[1 << 20];
//@ ghost unsigned int pt_page_level[1 << 20];
//@ ghost uint64_t pt_page_number[1 << 20];

/*@ // For Frama-C's WP (arch/arm64/pgtable.c): the pool as described above, its pages apart
    // from its own fields.
    predicate pool_ok(struct pt_pool *p) =
	\valid_read(p) && \valid(p->next) && *p->next <= p->count && p->count < 1 << 20 &&
	\valid(p->pages + (0 .. p->count - 1)) && p->phys_base % PT_PAGE_BYTES == 0 &&
	p->phys_base + p->count * PT_PAGE_BYTES <= 1 << 48 &&
	\separated(p, p->next, p->pages + (0 .. p->count - 1)) &&
	\separated(p, p->next, &pt_page_level[0 .. (1 << 20) - 1],
		   &pt_page_number[0 .. (1 << 20) - 1], &pt_page_tree[0 .. (1 << 20) - 1]) &&
	\separated(p->pages + (0 .. p->count - 1), &pt_page_number[0 .. (1 << 20) - 1]);

    // A table in use: one of the pool's pages already handed out.
    predicate in_pool(struct pt_pool *p, uint64_t *table) =
	\exists integer k; 0 <= k < *p->next && table == &p->pages[k][0];

    // A table as pt_init leaves it: its shape, its pool, its root tables handed out by the
    // pool, and the table's own fields apart from the pool.
    predicate shaped(struct pt_table *t) =
	\valid_read(t) && t->start_level <= 2 && 1 <= t->root_pages <= 16 &&
	t->va_bits <= 48 && t->pa_bits <= 48 && pool_ok(t->pool) &&
	\separated(t, t->pool, t->pool->next, t->pool->pages + (0 .. t->pool->count - 1)) &&
	\separated(t, &pt_page_level[0 .. (1 << 20) - 1], &pt_page_number[0 .. (1 << 20) - 1],
		   &pt_page_tree[0 .. (1 << 20) - 1]) &&
	\exists integer k; 0 <= k && k + t->root_pages <= *t->pool->next &&
	    t->root == &t->pool->pages[k][0];

    // The bytes one entry of a level maps: 9 more address bits per level up.
    logic integer bytes_of(integer level) =
	level == 3 ? 0x1000 : level == 2 ? 0x200000 : level == 1 ? 0x40000000 : 0x8000000000;
*/

/*@ // A descriptor that leads to a next-level table (below level 3; at level 3 the same bits
    // make a page), and the pool page whose address it holds.
    predicate pt_link(uint64_t e) = (e & PT_VALID) != 0 && (e & PT_TABLE_OR_PAGE) != 0;
    logic integer pt_target(struct pt_pool *p, uint64_t e) =
	((e & PT_ADDR_MASK) - p->phys_base) / PT_PAGE_BYTES;

    // Page k of t's pool is t's table `number` at `level`.
    predicate table_page(struct pt_table *t, integer k, integer level, integer number) =
	pt_page_tree[k] == t->root && pt_page_level[k] == level + 1 &&
	pt_page_number[k] == number;

    // t's tables form a tree (each table serves exactly the addresses of its label): the root
    // tables are numbered 0.. at the start level and cover the input range; a link of one of
    // its tables, entry i of table n at level l, leads to a page handed out that is its table
    // n * 512 + i at level l + 1.
    predicate labelled(struct pt_table *t) =
	(1 << t->va_bits) <= t->root_pages * PT_ENTRIES * bytes_of(t->start_level) &&
	(\forall integer k, j; 0 <= k < *t->pool->next && 0 <= j < t->root_pages &&
	    &t->pool->pages[k][0] == t->root + j * PT_ENTRIES ==>
	    table_page(t, k, t->start_level, j)) &&
	(\forall integer k, i; 0 <= k < *t->pool->next && 0 <= i < PT_ENTRIES &&
	    pt_page_tree[k] == t->root && 1 <= pt_page_level[k] <= 3 &&
	    pt_link(t->pool->pages[k][i]) ==>
	    t->pool->phys_base <= (t->pool->pages[k][i] & PT_ADDR_MASK) &&
	    pt_target(t->pool, t->pool->pages[k][i]) < *t->pool->next &&
	    table_page(t, pt_target(t->pool, t->pool->pages[k][i]), pt_page_level[k],
		       pt_page_number[k] * PT_ENTRIES + i));
*/

/*
 * Initialises `t` for an input-address space of `va_bits` (25..48) and an
 * output-address space of `pa_bits` (32..48: a descriptor holds output bits
 * 47:12; the caller passes what TCR/VTCR's PS says, i.e. the CPU's PARange)
 * and takes its root from `pool`. Chooses the start level, concatenating up to
 * 16 root tables as stage 2 allows, or refuses with -BH_EINVAL; -BH_ENOMEM when
 * the pool is out of pages or lies where a descriptor cannot address it.
 */
int pt_init(struct pt_table *t, unsigned int va_bits, unsigned int pa_bits,
	    bool allow_concatenation, const struct pt_pool *pool);

/*
 * Maps [va, va+size) to [pa, pa+size) with `leaf_attrs` (everything but the
 * address and the descriptor type bits). Uses 1 GiB / 2 MiB blocks where
 * both addresses and the remaining size allow, 4 KiB pages elsewhere.
 * All three values must be 4 KiB aligned. Fails without partial effect only
 * in the argument checks; an allocation or overlap error mid-way leaves the
 * already-made entries (callers build into a fresh table and drop it whole).
 * An input range beyond 2^va_bits or an output range beyond 2^pa_bits (or
 * wrapping past 2^64) is refused, never masked: dropping the high bits would
 * map some other, lower address (docs/design.md, I2).
 * Returns 0, -BH_EINVAL (misaligned or empty), -BH_ERANGE (beyond the input
 * or output address space), -BH_EEXIST (an entry is already there, or a
 * table entry leads outside the pages the pool handed out) or
 * -BH_ENOMEM (no page left in the pool for a table).
 */
int pt_map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_attrs);

/* Looks `va` up: 0 and the output address and leaf attributes, or -BH_EINVAL. */
int pt_translate(const struct pt_table *t, uint64_t va, uint64_t *pa, uint64_t *leaf_attrs,
		 unsigned int *level);

#endif
