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

/*@ logic integer slot_index(integer guest, integer level) =
	(guest >> (12 + 9 * level)) & (EPT_ENTRIES - 1);

    // The pool as ept.h describes it; the tables never overlap the pool's own fields.
    predicate pool_ok(struct ept_pool *p) =
	\valid_read(p) && \valid(p->next) && *p->next <= p->count && p->count <= 1 << 20 &&
	\valid(p->pages + (0 .. p->count - 1)) &&
	p->phys_base % EPT_PAGE_BYTES == 0 &&
	p->phys_base + p->count * EPT_PAGE_BYTES <= 1ull << 52 &&
	\separated(p, p->next, p->pages + (0 .. p->count - 1));

    // A table in use: one of the pool's pages already handed out.
    predicate in_pool(struct ept_pool *p, uint64_t *table) =
	\exists integer k; 0 <= k < *p->next && table == &p->pages[k][0];

    // What the walk may write: an entry that was empty (no right), at guest's
    // slot of a level above the leaves.
    predicate walk_may_write(uint64_t before, integer i, integer guest) =
	(before & (EPT_READ | EPT_WRITE | EPT_EXEC)) == 0 &&
	(i == slot_index(guest, 1) || i == slot_index(guest, 2) || i == slot_index(guest, 3));

    // Entry i of some table is the slot of a guest address in [first, end) at some level.
    predicate slot_in_range(integer i, integer first, integer end) =
	\exists integer a; first <= a < end && (i == slot_index(a, 0) ||
	i == slot_index(a, 1) || i == slot_index(a, 2) || i == slot_index(a, 3));

    // An entry that grants nothing (not present): neither a leaf nor a link to a table. The
    // only kind ept_map writes over, so every mapping and link that existed stays as it was.
    predicate unused(uint64_t e) = (e & (EPT_READ | EPT_WRITE | EPT_EXEC)) == 0;

    // No entry of the pool's first `used` pages differs between states A and B.
    predicate tables_unchanged{A, B}(struct ept_pool *p, integer used) =
	\forall integer k, i; 0 <= k < used && 0 <= i < EPT_ENTRIES ==>
	\at(p->pages[k][i], A) == \at(p->pages[k][i], B);
*/

/*
 * WP proves in_table (the walk never indexes past a table's 512 entries); EVA
 * checks the requires at every call.
 */
/*@ requires level < EPT_LEVELS;
    assigns \nothing;
    ensures in_table: \result < EPT_ENTRIES;
    ensures slot: \result == slot_index(guest, level);
*/
static unsigned int index_at(uint64_t guest, unsigned int level)
{
	/* level 3 = PML4 ... level 0 = PT */
	return (unsigned int)((guest >> (12 + 9 * level)) & (EPT_ENTRIES - 1));
}

/*@ assigns \nothing;
    ensures \result <==> (entry & (EPT_READ | EPT_WRITE | EPT_EXEC)) != 0;
*/
static bool is_present(uint64_t entry)
{
	return (entry & (EPT_READ | EPT_WRITE | EPT_EXEC)) != 0;
}

/*
 * The next free page of the pool, zeroed, or NULL when none is left. WP proves
 * that it writes only that page and the pool's next index.
 */
/*@ requires pool: pool_ok(p);
    assigns *p->next, p->pages[*p->next .. p->count - 1][0 .. EPT_ENTRIES - 1];
    ensures pool_ok(p);
    ensures none_left: \result == \null ==> *p->next == \old(*p->next);
    ensures taken: \result != \null ==> \old(*p->next) < p->count &&
	*p->next == \old(*p->next) + 1 && \result == &p->pages[\old(*p->next)][0];
    ensures zeroed: \result != \null ==>
	\forall integer i; 0 <= i < EPT_ENTRIES ==> \result[i] == 0;
    ensures others_kept: tables_unchanged{Pre, Post}(p, \old(*p->next));
    ensures none_written: \result == \null ==> tables_unchanged{Pre, Post}(p, p->count);
*/
static uint64_t *new_table(const struct ept_pool *p)
{
	if (*p->next >= p->count)
		return NULL;
	uint64_t *table = p->pages[*p->next];

	/*@ loop invariant bound: 0 <= i <= EPT_ENTRIES;
	    loop invariant zeroed_so_far: \forall integer j; 0 <= j < i ==> table[j] == 0;
	    loop invariant others_kept: tables_unchanged{Pre, Here}(p, *p->next);
	    loop assigns i, table[0 .. EPT_ENTRIES - 1];
	    loop variant EPT_ENTRIES - i; */
	for (unsigned int i = 0; i < EPT_ENTRIES; i++)
		table[i] = 0;
	(*p->next)++;
	return table;
}

/*
 * Writes entry i of a table handed out. A function of its own so that WP
 * proves, in a small context, that every other entry keeps its value: inside
 * the walk's large goals the provers do not find it.
 */
/*@ requires table: pool_ok(p) && in_pool(p, table);
    requires index: i < EPT_ENTRIES;
    assigns table[i];
    ensures written: table[i] == value;
    ensures others_kept: \forall integer k, j; 0 <= k < p->count && 0 <= j < EPT_ENTRIES ==>
	&p->pages[k][j] == &table[i] || p->pages[k][j] == \old(p->pages[k][j]);
*/
static void set_entry(uint64_t *table, unsigned int i, uint64_t value)
/*@ ghost (const struct ept_pool *p) */
{
	table[i] = value;
}

/* The physical address of the pool's page k. */
/*@ requires pool_page: pool_ok(p) && k < p->count;
    assigns \nothing;
    ensures \result == p->phys_base + k * EPT_PAGE_BYTES;
*/
static uint64_t page_phys(const struct ept_pool *p, unsigned int k)
{
	return p->phys_base + (uint64_t)k * EPT_PAGE_BYTES;
}

/*
 * The table a non-leaf entry points to, or NULL when it points outside the
 * pages handed out: the walk never leaves the pool, whatever the entries hold.
 */
/*@ requires pool: pool_ok(p);
    assigns \nothing;
    ensures \result == \null || in_pool(p, \result);
*/
static uint64_t *table_of(const struct ept_pool *p, uint64_t entry)
{
	uint64_t phys = entry & EPT_ADDRESS_MASK;

	if (phys < p->phys_base || (phys - p->phys_base) / EPT_PAGE_BYTES >= *p->next)
		return NULL;
	return p->pages[(phys - p->phys_base) / EPT_PAGE_BYTES];
}

/*
 * WP proves that a table ept_init readies meets ept_map's preconditions, but
 * for the pool's own (pool_ok, which its caller builds) and host_limit <= 2^52
 * (1 << host_bits with host_bits <= 52: the provers do not bound a shift).
 */
/*@ requires pool: pool_ok(pool);
    requires apart: \valid(t) &&
	\separated(t, pool, pool->next, pool->pages + (0 .. pool->count - 1));
    assigns *t, *pool->next,
	pool->pages[*pool->next .. pool->count - 1][0 .. EPT_ENTRIES - 1];
    ensures ready: \result == 0 ==> t->pool == pool && in_pool(pool, t->root) &&
	32 <= host_bits <= 52 && t->host_limit == 1ull << host_bits;
*/
int ept_init(struct ept_table *t, unsigned int host_bits, const struct ept_pool *pool)
{
	if (host_bits < 32 || host_bits > 52)
		return -BH_EINVAL;
	t->pool = pool;
	t->host_limit = 1ull << host_bits;
	t->root = new_table(pool);
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
 * The table at `level` on guest's way down from the root, creating missing
 * tables when `create`; NULL when a table is missing (or cannot be made) or a
 * 2 MiB leaf covers the way down. guest's entry in it is at index_at(guest,
 * level). WP proves that the table is one the pool handed out, that the pool
 * stays well formed, and 'frame': of the tables handed out before, an entry
 * changes only if it was empty and is guest's slot at level 1, 2 or 3 (the
 * link to a new table); without `create` nothing changes.
 */
/*@ requires walkable: pool_ok(t->pool) && \valid_read(t) && in_pool(t->pool, t->root);
    requires apart: \separated(t, t->pool->pages + (0 .. t->pool->count - 1));
    requires level: level < EPT_LEVELS;
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1];
    ensures pool_ok(t->pool) && \old(*t->pool->next) <= *t->pool->next;
    ensures in_pool: \result == \null || in_pool(t->pool, \result);
    ensures frame: \forall integer k, i; 0 <= k < \old(*t->pool->next) && 0 <= i < EPT_ENTRIES ==>
	t->pool->pages[k][i] == \old(t->pool->pages[k][i]) ||
	walk_may_write(\old(t->pool->pages[k][i]), i, guest);
    ensures lookup_only: !create ==> *t->pool->next == \old(*t->pool->next) &&
	tables_unchanged{Pre, Post}(t->pool, t->pool->count);
*/
static uint64_t *table_at(struct ept_table *t, uint64_t guest, unsigned int level, bool create)
{
	const struct ept_pool *p = t->pool;
	uint64_t *table = t->root;
	//@ ghost unsigned int count = p->count;
	//@ ghost unsigned int first = *p->next;

	/*@ loop invariant levels: level <= l < EPT_LEVELS;
	    loop invariant in_pool: pool_ok(p) && p->count == count && first <= *p->next &&
		in_pool(p, table);
	    loop invariant frame: \forall integer k, i; 0 <= k < first && 0 <= i < EPT_ENTRIES ==>
		p->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
		walk_may_write(\at(t->pool->pages[k][i], Pre), i, guest);
	    loop invariant lookup_only: !create ==> *p->next == first &&
		tables_unchanged{Pre, Here}(p, count);
	    loop assigns l, table, *p->next, p->pages[0][0 .. count * EPT_ENTRIES - 1];
	    loop variant l; */
	for (unsigned int l = EPT_LEVELS - 1; l > level; l--) {
		unsigned int i = index_at(guest, l);
		uint64_t *e = &table[i];

		/*@ assert on_the_way: (l == 1 || l == 2 || l == 3) && \exists integer k;
			0 <= k < count && e == &p->pages[k][slot_index(guest, l)]; */
		/*@ assert only_its_slot: \forall integer k, i;
			0 <= k < count && 0 <= i < EPT_ENTRIES && e == &p->pages[k][i] ==>
			i == slot_index(guest, l); */
		if (!is_present(*e)) {
			if (!create)
				return NULL;
			unsigned int k = *p->next;
			uint64_t *next = new_table(p);

			if (!next)
				return NULL;
			/*@ assert kept_by_new_table: \forall integer k, i; 0 <= k < first &&
				0 <= i < EPT_ENTRIES ==>
				p->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
				walk_may_write(\at(t->pool->pages[k][i], Pre), i, guest); */
			/*@ assert was_empty: \forall integer k, i;
				0 <= k < first && 0 <= i < EPT_ENTRIES && e == &p->pages[k][i] ==>
				walk_may_write(\at(t->pool->pages[k][i], Pre), i, guest); */
			/* Non-leaf entries grant everything; the leaf decides. */
			set_entry(table, i, page_phys(p, k) | EPT_READ | EPT_WRITE | EPT_EXEC)
				/*@ ghost (p) */;
			table = next;
		} else if (*e & EPT_LEAF_2M) {
			return NULL;
		} else {
			table = table_of(p, *e);
			if (!table)
				return NULL;
		}
	}
	return table;
}

/*
 * A leaf: the host address in the address field, the rights and memory type
 * asked for, the size bit, nothing else. host is masked to the address field
 * (a no-op under the requires) so that WP proves address, attributes and size
 * by bit algebra alone: that host & EPT_ADDRESS_MASK == host follows from
 * host % 4096 == 0 && host < 2^52 is beyond the provers' encoding of bits.
 * aligned and in_field are what ept_map proves of its host addresses.
 */
/*@ requires aligned: host % EPT_PAGE_BYTES == 0;
    requires in_field: host < 1ull << 52;
    requires attribute_bits_only: (leaf_bits & ~EPT_LEAF_ATTRIBUTES) == 0;
    assigns \nothing;
    ensures each_bit: \forall integer k; 0 <= k < 64 ==>
	(((\result >> k) & 1) != 0 <==>
	 ((((host & EPT_ADDRESS_MASK) >> k) & 1) != 0 || ((leaf_bits >> k) & 1) != 0 ||
	  (big && k == 7)));
    ensures size: ((\result & EPT_LEAF_2M) != 0) <==> big;
    ensures address: (\result & EPT_ADDRESS_MASK) == (host & EPT_ADDRESS_MASK);
    ensures attributes: (\result & EPT_LEAF_ATTRIBUTES) == leaf_bits;
    ensures nothing_else: (\result & ~(EPT_ADDRESS_MASK | EPT_LEAF_ATTRIBUTES | EPT_LEAF_2M)) == 0;
*/
static uint64_t leaf_entry(uint64_t host, uint64_t leaf_bits, bool big)
{
	return (host & EPT_ADDRESS_MASK) | leaf_bits | (big ? EPT_LEAF_2M : 0);
}

/*@ assigns \nothing;
    ensures \result <==> guest % EPT_2M_BYTES == 0 && host % EPT_2M_BYTES == 0 &&
			 left >= EPT_2M_BYTES;
*/
static bool use_2m(uint64_t guest, uint64_t host, uint64_t left)
{
	return guest % EPT_2M_BYTES == 0 && host % EPT_2M_BYTES == 0 && left >= EPT_2M_BYTES;
}

/*
 * Whether anything in [guest, +size) is already mapped (a leaf covers part of it).
 * WP proves that it only looks: table_at without `create` writes nothing.
 */
/*@ requires walkable: pool_ok(t->pool) && \valid_read(t) && in_pool(t->pool, t->root);
    requires apart: \separated(t, t->pool->pages + (0 .. t->pool->count - 1));
    requires whole_pages: size_bytes % EPT_PAGE_BYTES == 0 && size_bytes <= 1ull << EPT_GUEST_BITS;
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1];
    ensures lookup_only: *t->pool->next == \old(*t->pool->next) &&
	tables_unchanged{Pre, Post}(t->pool, t->pool->count);
*/
static bool overlaps_mapping(struct ept_table *t, uint64_t guest, uint64_t size_bytes)
{
	/*@ loop invariant pages: off <= size_bytes && off % EPT_PAGE_BYTES == 0;
	    loop invariant lookup_only: *t->pool->next == \at(*t->pool->next, Pre) &&
		pool_ok(t->pool) && tables_unchanged{Pre, Here}(t->pool, t->pool->count);
	    loop assigns off, *t->pool->next,
		t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1];
	    loop variant size_bytes - off; */
	for (uint64_t off = 0; off < size_bytes; off += EPT_PAGE_BYTES) {
		uint64_t *pd = table_at(t, guest + off, 1, false);

		if (!pd)
			continue; /* no table below the PDPT: nothing mapped here */
		if (pd[index_at(guest + off, 1)] & EPT_LEAF_2M)
			return true;
		uint64_t *pt = table_at(t, guest + off, 0, false);

		if (pt && is_present(pt[index_at(guest + off, 0)]))
			return true;
	}
	return false;
}

/*
 * WP proves the contract below and the leaf loop (tests/verify/test_frama_c_wp.py):
 * the leaves tile [guest, +size) exactly, each inside it, 2 MiB ones only where
 * both addresses are 2 MiB aligned, each holding (host + offset) & the address
 * mask with host + offset 4 KiB aligned below 2^52, leaf_bits and nothing else
 * (that the mask keeps host + offset whole is not proven); a refused
 * call changes nothing; and whatever the outcome, an entry of a table handed
 * out before the call changes only at an index that the walk of some address
 * in [guest, +size) uses at some level ('frame': not which table, nor that
 * the leaves written stay in place).
 */
/*@ requires limit: \valid_read(t) && t->host_limit <= 1ull << 52; // as ept_init sets it
    requires walkable: pool_ok(t->pool) && in_pool(t->pool, t->root);
    requires apart: \separated(t, t->pool->pages + (0 .. t->pool->count - 1));
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1];
    ensures pool: pool_ok(t->pool) && in_pool(t->pool, t->root) &&
	\old(*t->pool->next) <= *t->pool->next;
    ensures outcome: \result == 0 || \result == -BH_EINVAL || \result == -BH_ENOMEM ||
	\result == -BH_EEXIST;
    ensures refused_changes_nothing: \result == -BH_EINVAL ==>
	*t->pool->next == \old(*t->pool->next) &&
	tables_unchanged{Pre, Post}(t->pool, t->pool->count);
    ensures frame: \forall integer k, i;
	0 <= k < \old(*t->pool->next) && 0 <= i < EPT_ENTRIES ==>
	t->pool->pages[k][i] == \old(t->pool->pages[k][i]) ||
	(slot_in_range(i, guest, guest + size_bytes) && unused(\old(t->pool->pages[k][i])));
*/
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
	/*
	 * Attribute bits only. The size bit is ept_map's to set: from a caller it would
	 * make a 4 KiB leaf 2 MiB; bits above the address (ignored, suppress #VE) are never set.
	 */
	if (!(leaf_bits & (EPT_READ | EPT_WRITE | EPT_EXEC)) || (leaf_bits & ~EPT_LEAF_ATTRIBUTES))
		return -BH_EINVAL;
	if (overlaps_mapping(t, guest, size_bytes))
		return -BH_EINVAL;
	//@ ghost unsigned int first = *t->pool->next;
	/*@ loop invariant tiled: off <= size_bytes && off % EPT_PAGE_BYTES == 0;
	    loop invariant pool: pool_ok(t->pool) && in_pool(t->pool, t->root) &&
		first <= *t->pool->next;
	    loop invariant frame: \forall integer k, i; 0 <= k < first && 0 <= i < EPT_ENTRIES ==>
		t->pool->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
		(slot_in_range(i, guest, guest + off) && unused(\at(t->pool->pages[k][i], Pre)));
	    loop assigns off, *t->pool->next,
		t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1];
	    loop variant size_bytes - off; */
	for (uint64_t off = 0; off < size_bytes;) {
		/* The state each iteration starts from, for keeps_valid (WP only). */
	iteration:
		__attribute__((unused));
		bool big = use_2m(guest + off, host + off, size_bytes - off);
		unsigned int level = big ? 1 : 0;
		uint64_t *table = table_at(t, guest + off, level, true);

		if (!table)
			return -BH_ENOMEM;
		unsigned int i = index_at(guest + off, level);

		/*
		 * overlaps_mapping found no leaf in the range, so the entry is empty (a link
		 * here leads to a table the map that made it wrote a leaf into). Checked
		 * again where the leaf is written, so that WP proves there, without the
		 * whole history, that no mapping or link is ever written over.
		 */
		if (is_present(table[i]))
			return -BH_EEXIST;
		/*@ assert walked: \forall integer k, j; 0 <= k < first && 0 <= j < EPT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], Pre) ||
			(slot_in_range(j, guest, guest + off + 1) &&
			 unused(\at(t->pool->pages[k][j], Pre))); */
		set_entry(table, i, leaf_entry(host + off, leaf_bits, big)) /*@ ghost (t->pool) */;
		/* No iteration writes over an entry in use of any table handed out when
		 * it starts, those it or earlier ones made included: the leaves already
		 * written stay. */
		/*@ assert keeps_valid: \forall integer k, j;
			0 <= k < \at(*t->pool->next, iteration) && 0 <= j < EPT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], iteration) ||
			unused(\at(t->pool->pages[k][j], iteration)); */
		/*@ assert written: \forall integer k, j; 0 <= k < first && 0 <= j < EPT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], Pre) ||
			(slot_in_range(j, guest, guest + off + 1) &&
			 unused(\at(t->pool->pages[k][j], Pre))); */
		/*@ assert inside: guest + off + (big ? EPT_2M_BYTES : EPT_PAGE_BYTES) <=
			guest + size_bytes <= 1 << EPT_GUEST_BITS; */
		/*@ assert big_aligned: big ==> (guest + off) % EPT_2M_BYTES == 0 &&
			(host + off) % EPT_2M_BYTES == 0; */
		/*@ assert leaf:
			(table[i] & EPT_ADDRESS_MASK) == ((host + off) & EPT_ADDRESS_MASK) &&
			(table[i] & EPT_LEAF_ATTRIBUTES) == leaf_bits &&
			(table[i] & ~(EPT_ADDRESS_MASK | EPT_LEAF_ATTRIBUTES | EPT_LEAF_2M)) == 0 &&
			(((table[i] & EPT_LEAF_2M) != 0) <==> big); */
		/*@ assert host_page: (host + off) % EPT_PAGE_BYTES == 0 &&
			host + off < 1ull << 52; */
		off += big ? EPT_2M_BYTES : EPT_PAGE_BYTES;
	}
	return 0;
}

uint64_t ept_pointer(const struct ept_table *t)
{
	return page_phys(t->pool, (unsigned int)(t->root - t->pool->pages[0]) / EPT_ENTRIES) |
	       EPTP_MEMTYPE_WB | EPTP_WALK_LENGTH_4;
}
