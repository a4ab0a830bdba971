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

/* Where page-table pages come from: zeroed, 4 KiB aligned, identity-addressed. */
struct pt_allocator {
	uint64_t *(*alloc_page)(void *ctx);
	void *ctx;
};

struct pt_table {
	uint64_t *root;
	unsigned int start_level; /* 0..2 */
	unsigned int root_pages; /* concatenated root tables (stage 2), 1..16 */
	unsigned int va_bits; /* input address size */
	unsigned int pa_bits; /* output address size: leaves end at or below 2^pa_bits */
	/* Largest block level allowed for leaves (1 = 1 GiB, 2 = 2 MiB, 3 = pages only). */
	unsigned int min_block_level;
	struct pt_allocator alloc;
};

/*@ // A table as pt_init leaves it (for Frama-C's WP, arch/arm64/pgtable.c).
    predicate shaped(struct pt_table *t) =
	\valid_read(t) && t->start_level <= 2 && 1 <= t->root_pages <= 16 &&
	t->va_bits <= 48 && t->pa_bits <= 48;
*/

/*
 * Initialises `t` for an input-address space of `va_bits` (25..48) and an
 * output-address space of `pa_bits` (32..48: a descriptor holds output bits
 * 47:12; the caller passes what TCR/VTCR's PS says, i.e. the CPU's PARange)
 * and allocates its root. Chooses the start level, concatenating up to 16
 * root tables as stage 2 allows, or refuses with -BH_EINVAL.
 */
int pt_init(struct pt_table *t, unsigned int va_bits, unsigned int pa_bits,
	    bool allow_concatenation, const struct pt_allocator *alloc);

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
 * or output address space), -BH_EEXIST (an entry is already there) or
 * -BH_ENOMEM (no page for a table, or one a descriptor cannot address).
 */
int pt_map(struct pt_table *t, uint64_t va, uint64_t pa, uint64_t size, uint64_t leaf_attrs);

/* Looks `va` up: 0 and the output address and leaf attributes, or -BH_EINVAL. */
int pt_translate(const struct pt_table *t, uint64_t va, uint64_t *pa, uint64_t *leaf_attrs,
		 unsigned int *level);

#endif
