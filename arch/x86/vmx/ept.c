/*
 * The EPT builder (vmx/ept.h). A mapping is checked whole before any leaf is
 * written (alignment, range, no overlap with an existing leaf), so a refused
 * call maps nothing; only running out of table pages stops one midway, and
 * that stops the boot.
 */
#include <bulkhead/config.h>
#include <bulkhead/errno.h>
#include <vmx/ept.h>

#define EPT_2M_BYTES (2ull << 20)
#define EPTP_MEMTYPE_WB 6ull
#define EPTP_WALK_LENGTH_4 (3ull << 3)

/*
 * WP proves in_table (the walk never indexes past a table's 512 entries); EVA
 * checks the requires at every call.
 */
/*@ requires level < EPT_LEVELS;
    assigns \nothing;
    ensures in_table: \result < EPT_ENTRIES;
*/
static unsigned int index_at(uint64_t guest, unsigned int level)
{
	/* level 3 = PML4 ... level 0 = PT */
	return (unsigned int)(guest >> (12 + 9 * level)) & (EPT_ENTRIES - 1);
}

static bool is_present(uint64_t entry)
{
	return (entry & (EPT_READ | EPT_WRITE | EPT_EXEC)) != 0;
}

int ept_init(struct ept_table *t, unsigned int host_bits, const struct ept_allocator *alloc)
{
	if (host_bits < 32 || host_bits > 52)
		return -BH_EINVAL;
	t->alloc = alloc;
	t->host_limit = 1ull << host_bits;
	t->root = alloc->alloc(alloc->ctx);
	return t->root ? 0 : -BH_ENOMEM;
}

/*
 * The contract below is proven by Frama-C's WP (tests/verify/test_frama_c_wp.py):
 * every flag gives exactly its right, and nothing else is ever granted.
 */
/*@ assigns \nothing;
    ensures read: ((\result & EPT_READ) != 0) <==>
		  ((flags & (BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC)) != 0);
    ensures write: ((\result & EPT_WRITE) != 0) <==> ((flags & BH_MEM_WRITE) != 0);
    ensures exec: ((\result & EPT_EXEC) != 0) <==> ((flags & BH_MEM_EXEC) != 0);
    ensures memtype: (\result >> EPT_MEMTYPE_SHIFT & 7) ==
		     ((flags & BH_MEM_DEVICE) != 0 ? EPT_MEMTYPE_UC : EPT_MEMTYPE_WB);
    ensures pat: (\result & EPT_IGNORE_PAT) != 0;
    ensures nothing_else: (\result & ~(uint64_t)0x7f) == 0;
*/
uint64_t ept_leaf_bits(uint32_t flags)
{
	uint64_t bits = EPT_IGNORE_PAT;

	if (flags & BH_MEM_READ)
		bits |= EPT_READ;
	if (flags & BH_MEM_WRITE)
		bits |= EPT_WRITE | EPT_READ; /* write-only is a misconfiguration in EPT */
	if (flags & BH_MEM_EXEC)
		bits |= EPT_EXEC | EPT_READ; /* execute-only needs a capability we do not ask for */
	bits |= ((flags & BH_MEM_DEVICE) ? EPT_MEMTYPE_UC : EPT_MEMTYPE_WB) << EPT_MEMTYPE_SHIFT;
	return bits;
}

/*
 * The entry for `guest` at `level`, walking down from the root and creating
 * missing tables when `create`; NULL when a table is missing (or cannot be
 * made) or a 2 MiB leaf covers the way down.
 */
static uint64_t *entry_at(struct ept_table *t, uint64_t guest, unsigned int level, bool create)
{
	uint64_t *table = t->root;

	for (unsigned int l = EPT_LEVELS - 1; l > level; l--) {
		uint64_t *e = &table[index_at(guest, l)];

		if (!is_present(*e)) {
			if (!create)
				return NULL;
			uint64_t *next = t->alloc->alloc(t->alloc->ctx);

			if (!next)
				return NULL;
			/* Non-leaf entries grant everything; the leaf decides. */
			*e = t->alloc->phys_of(t->alloc->ctx, next) | EPT_READ | EPT_WRITE |
			     EPT_EXEC;
		} else if (*e & EPT_LEAF_2M) {
			return NULL;
		}
		table = t->alloc->page_at(t->alloc->ctx, *e & EPT_ADDRESS_MASK);
	}
	return &table[index_at(guest, level)];
}

/*
 * A leaf: the host address in the address field, the rights and memory type
 * asked for, the size bit. WP proves each_bit: every bit of the entry is set
 * exactly when it is set in host or leaf_bits or is the size bit of a 2 MiB
 * leaf. The requires are arithmetic so that ept_map's proof reaches them; with
 * them, address, attributes and a 4 KiB leaf's size follow, but each needs a
 * bit of host from host % 4096 == 0, which WP's bit encoding does not give
 * CVC4 (unproven goals, verify/frama-c/ept_wp_proven.txt).
 */
/*@ requires aligned: host % EPT_PAGE_BYTES == 0;
    requires in_field: host < 1ull << 52;
    requires bits_outside_address_and_size: (leaf_bits & (EPT_ADDRESS_MASK | EPT_LEAF_2M)) == 0;
    assigns \nothing;
    ensures each_bit: \forall integer k; 0 <= k < 64 ==>
	(((\result >> k) & 1) != 0 <==>
	 (((host >> k) & 1) != 0 || ((leaf_bits >> k) & 1) != 0 || (big && k == 7)));
    ensures size: ((\result & EPT_LEAF_2M) != 0) <==> big;
    ensures address: (\result & EPT_ADDRESS_MASK) == host;
    ensures attributes: (\result & ~EPT_ADDRESS_MASK & ~EPT_LEAF_2M) == leaf_bits;
*/
static uint64_t leaf_entry(uint64_t host, uint64_t leaf_bits, bool big)
{
	return host | leaf_bits | (big ? EPT_LEAF_2M : 0);
}

/*@ assigns \nothing;
    ensures \result <==> guest % EPT_2M_BYTES == 0 && host % EPT_2M_BYTES == 0 &&
			 left >= EPT_2M_BYTES;
*/
static bool use_2m(uint64_t guest, uint64_t host, uint64_t left)
{
	return guest % EPT_2M_BYTES == 0 && host % EPT_2M_BYTES == 0 && left >= EPT_2M_BYTES;
}

/* Whether anything in [guest, +size) is already mapped (a leaf covers part of it). */
static bool overlaps_mapping(struct ept_table *t, uint64_t guest, uint64_t size_bytes)
{
	for (uint64_t off = 0; off < size_bytes; off += EPT_PAGE_BYTES) {
		uint64_t *pd_entry = entry_at(t, guest + off, 1, false);

		if (!pd_entry)
			continue; /* no table below the PDPT: nothing mapped here */
		if (*pd_entry & EPT_LEAF_2M)
			return true;
		uint64_t *pt_entry = entry_at(t, guest + off, 0, false);

		if (pt_entry && is_present(*pt_entry))
			return true;
	}
	return false;
}

/*
 * WP proves the leaf loop (tests/verify/test_frama_c_wp.py): the leaves tile
 * [guest, +size) exactly, each inside it, 2 MiB ones only where both addresses
 * are 2 MiB aligned, each holding host + offset and leaf_bits (from leaf_entry's
 * contract). Not proven: that entry_at returns the slot of guest + off (the
 * walk goes through the allocator's callbacks) and that no other entry changes.
 */
/*@ requires limit: \valid_read(t) && t->host_limit <= 1ull << 52; // as ept_init sets it */
int ept_map(struct ept_table *t, uint64_t guest, uint64_t host, uint64_t size_bytes,
	    uint64_t leaf_bits)
{
	if (guest % EPT_PAGE_BYTES || host % EPT_PAGE_BYTES || size_bytes % EPT_PAGE_BYTES ||
	    size_bytes == 0)
		return -BH_EINVAL;
	/* Written so that nothing wraps: WP proves the loop's sums from these tests. */
	if (guest > (1ull << EPT_GUEST_BITS) || size_bytes > (1ull << EPT_GUEST_BITS) - guest ||
	    host > t->host_limit || size_bytes > t->host_limit - host)
		return -BH_EINVAL;
	/* The size bit is ept_map's to set: from a caller it would make a 4 KiB leaf 2 MiB. */
	if (!(leaf_bits & (EPT_READ | EPT_WRITE | EPT_EXEC)) ||
	    (leaf_bits & (EPT_ADDRESS_MASK | EPT_LEAF_2M)))
		return -BH_EINVAL;
	if (overlaps_mapping(t, guest, size_bytes))
		return -BH_EINVAL;
	/*
	 * WP havocs every variable of a loop without 'loop assigns' (entry_at's writes to the
	 * tables cannot be named in ACSL), so 'fixed' carries the checked arguments through.
	 */
	/*@ loop invariant fixed: guest == \at(guest, Pre) && host == \at(host, Pre) &&
		size_bytes == \at(size_bytes, Pre) && leaf_bits == \at(leaf_bits, Pre);
	    loop invariant tiled: off <= size_bytes && off % EPT_PAGE_BYTES == 0;
	    loop variant size_bytes - off; */
	for (uint64_t off = 0; off < size_bytes;) {
		bool big = use_2m(guest + off, host + off, size_bytes - off);
		uint64_t *e = entry_at(t, guest + off, big ? 1 : 0, true);

		if (!e)
			return -BH_ENOMEM;
		*e = leaf_entry(host + off, leaf_bits, big);
		/*@ assert inside: guest + off + (big ? EPT_2M_BYTES : EPT_PAGE_BYTES) <=
			guest + size_bytes <= 1 << EPT_GUEST_BITS; */
		/*@ assert big_aligned: big ==> (guest + off) % EPT_2M_BYTES == 0 &&
			(host + off) % EPT_2M_BYTES == 0; */
		/*@ assert leaf: (*e & EPT_ADDRESS_MASK) == host + off &&
			(*e & ~EPT_ADDRESS_MASK & ~EPT_LEAF_2M) == leaf_bits &&
			(((*e & EPT_LEAF_2M) != 0) <==> big);
		*/
		off += big ? EPT_2M_BYTES : EPT_PAGE_BYTES;
	}
	return 0;
}

uint64_t ept_pointer(const struct ept_table *t)
{
	return t->alloc->phys_of(t->alloc->ctx, t->root) | EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
}
