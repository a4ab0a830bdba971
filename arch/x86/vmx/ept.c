/*
 * The EPT builder (vmx/ept.h). A mapping is checked whole before any leaf is
 * written (alignment, range, no overlap with an existing leaf), so a refused
 * call maps nothing; only running out of table pages stops one midway, and
 * that stops the boot.
 *
 * Tables are pages of a pool given as data: a link holds the page's physical
 * address, and the walk finds the page again by its index in the pool
 * (table_of), so that Frama-C's WP can follow it. The ACSL contracts are
 * proven by WP (tests/verify/test_frama_c_wp.py, goals in
 * verify/frama-c/ept_wp_proven.txt) by arch/arm64/pgtable.c's method: every
 * entry is written by set_entry, the assigns clauses name the pool's tables as
 * one range, and ghost labels (vmx/ept.h) say which table of which tree each
 * page is, so that WP proves in which table each written entry lies.
 */
#include <bulkhead/config.h>
#include <bulkhead/errno.h>
#include <vmx/ept.h>

#define EPT_2M_BYTES (2ull << 20)
#define EPTP_MEMTYPE_WB 6ull
#define EPTP_WALK_LENGTH_4 (3ull << 3)
#define EPT_RIGHTS (EPT_READ | EPT_WRITE | EPT_EXEC)
#define EPT_LABELS (1 << 20)

/*@ // The bytes one entry of a level maps: 9 more address bits per level up (0: a PT).
    logic integer bytes_of(integer level) =
	level == 0 ? 0x1000 : level == 1 ? 0x200000 : level == 2 ? 0x40000000 : 0x8000000000;
    // guest's entry in its table of `level`.
    logic integer slot_index(integer guest, integer level) =
	(guest / bytes_of(level)) % EPT_ENTRIES;

    // The pool as ept.h describes it; the tables never overlap the pool's own fields or the
    // labels.
    predicate pool_ok(struct ept_pool *p) =
	\valid_read(p) && \valid(p->next) && *p->next <= p->count && p->count < EPT_LABELS &&
	\valid(p->pages + (0 .. p->count - 1)) &&
	p->phys_base % EPT_PAGE_BYTES == 0 &&
	p->phys_base + p->count * EPT_PAGE_BYTES <= 1ull << 52 &&
	\separated(p, p->next, p->pages + (0 .. p->count - 1)) &&
	\separated(p, p->next, &ept_page_level[0 .. EPT_LABELS - 1],
		   &ept_page_number[0 .. EPT_LABELS - 1], &ept_page_tree[0 .. EPT_LABELS - 1]) &&
	\separated(p->pages + (0 .. p->count - 1), &ept_page_number[0 .. EPT_LABELS - 1]);

    // A table in use: one of the pool's pages already handed out.
    predicate in_pool(struct ept_pool *p, uint64_t *table) =
	\exists integer k; 0 <= k < *p->next && table == &p->pages[k][0];

    // No page handed out is labelled as belonging to the tree of a page not yet handed out,
    // so a root taken now starts a tree of its own (ghost labels start null).
    predicate fresh_roots(struct ept_pool *p) =
	\forall integer k, j; 0 <= k < *p->next && *p->next <= j < p->count ==>
	    ept_page_tree[k] != &p->pages[j][0];

    // A table as ept_init leaves it: its pool, its root handed out by the pool, host addresses
    // inside the address field, and the table's own fields apart from the pool and labels.
    predicate shaped(struct ept_table *t) =
	\valid_read(t) && t->host_limit <= 1ull << 52 && pool_ok(t->pool) &&
	in_pool(t->pool, t->root) && fresh_roots(t->pool) &&
	\separated(t, t->pool, t->pool->next, t->pool->pages + (0 .. t->pool->count - 1)) &&
	\separated(t, &ept_page_level[0 .. EPT_LABELS - 1], &ept_page_number[0 .. EPT_LABELS - 1],
		   &ept_page_tree[0 .. EPT_LABELS - 1]);

    // An entry of a table above the PTs that leads to a table of the level below (a 2 MiB
    // leaf has the size bit), and the pool page whose address it holds.
    predicate ept_link(uint64_t e) = (e & EPT_RIGHTS) != 0 && (e & EPT_LEAF_2M) == 0;
    logic integer ept_target(struct ept_pool *p, uint64_t e) =
	((e & EPT_ADDRESS_MASK) - p->phys_base) / EPT_PAGE_BYTES;

    // Page k of t's pool is t's table `number` at `level`.
    predicate table_page(struct ept_table *t, integer k, integer level, integer number) =
	ept_page_tree[k] == t->root && ept_page_level[k] == level + 1 &&
	ept_page_number[k] == number;

    // t's tables form a tree (each table serves exactly the addresses of its label): the root
    // is table 0 of level 3; a link of one of its tables, entry i of table n at level l > 0,
    // leads to a page handed out that is its table n * 512 + i at level l - 1.
    predicate labelled(struct ept_table *t) =
	(\forall integer k; 0 <= k < *t->pool->next && &t->pool->pages[k][0] == t->root ==>
	    table_page(t, k, 3, 0)) &&
	(\forall integer k, i; 0 <= k < *t->pool->next && 0 <= i < EPT_ENTRIES &&
	    ept_page_tree[k] == t->root && 2 <= ept_page_level[k] <= 4 &&
	    ept_link(t->pool->pages[k][i]) ==>
	    t->pool->phys_base <= (t->pool->pages[k][i] & EPT_ADDRESS_MASK) &&
	    ept_target(t->pool, t->pool->pages[k][i]) < *t->pool->next &&
	    table_page(t, ept_target(t->pool, t->pool->pages[k][i]), ept_page_level[k] - 2,
		       ept_page_number[k] * EPT_ENTRIES + i));

    // Entry i of a table is guest's slot at some level (in the table's own 512 entries).
    predicate walk_slot(integer i, integer guest) =
	i == slot_index(guest, 0) || i == slot_index(guest, 1) || i == slot_index(guest, 2) ||
	i == slot_index(guest, 3);

    // Entry i of some table is the slot of an address in [first, end) at some level.
    predicate slot_in_range(integer i, integer first, integer end) =
	\exists integer a; first <= a < end && walk_slot(i, a);

    // An entry that neither maps nor links (invalid): the only kind the builder writes over,
    // so every mapping and every link to a table that existed stays as it was.
    predicate unused(uint64_t e) = (e & EPT_RIGHTS) == 0;

    // A link to a table made at or after the pool's page `first` (by this call), from page k.
    predicate new_link(integer base, integer k, uint64_t e, integer first) =
	2 <= ept_page_level[k] && ept_link(e) && base <= (e & EPT_ADDRESS_MASK) &&
	first <= ((e & EPT_ADDRESS_MASK) - base) / EPT_PAGE_BYTES;
    predicate link_to_new(struct ept_table *t, integer k, uint64_t e, integer first) =
	new_link(t->pool->phys_base, k, e, first);

    // No entry of the pool's first `used` pages differs between states A and B.
    predicate tables_unchanged{A, B}(struct ept_pool *p, integer used) =
	\forall integer k, i; 0 <= k < used && 0 <= i < EPT_ENTRIES ==>
	\at(p->pages[k][i], A) == \at(p->pages[k][i], B);
*/

/* The names table_tree_proof.h gives the table and its ghost labels (vmx/ept.h). */
#define TREE_ENTRIES EPT_ENTRIES
#define TREE_PAGE_TREE ept_page_tree
#define TREE_PAGE_LEVEL ept_page_level
#define TREE_PAGE_NUMBER ept_page_number
#include <lib/table_tree_proof.h>

/*@ // An address below n whole units has fewer than n of them.
    lemma div_below: \forall integer a, n, u; 0 <= a && 0 < u && a < n * u ==> a / u < n;

    lemma mod_small: \forall integer x, m; 0 <= x < m ==> x % m == x;

    // The number at a level: a table's is shared by every address it serves.
    lemma number_above: \forall integer a, l; 0 <= a && 0 <= l <= 2 ==>
	a / bytes_of(l + 1) == a / bytes_of(l) / EPT_ENTRIES;

    // A leaf's first address: its number at the level, whole units of the level's size.
    lemma div_exact: \forall integer a, l; 0 <= a && 0 <= l <= 3 && a % bytes_of(l) == 0 ==>
	a / bytes_of(l) * bytes_of(l) == a;
    lemma div_mod_whole: \forall integer a; 0 <= a ==>
	a / EPT_ENTRIES * EPT_ENTRIES + a % EPT_ENTRIES == a;*/

/*@ requires level < EPT_LEVELS;
    assigns \nothing;
    ensures pt: level == 0 ==> \result == 0x1000;
    ensures pd: level == 1 ==> \result == 0x200000;
    ensures pdpt: level == 2 ==> \result == 0x40000000;
    ensures pml4: level == 3 ==> \result == 0x8000000000;
*/
static uint64_t level_bytes(unsigned int level)
{
	return 1ull << (12 + 9 * level);
}

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
	uint64_t number = guest / level_bytes(level);

	/*@ assert number: number == guest / bytes_of(level); */
	return (unsigned int)(number % EPT_ENTRIES);
}

/*@ assigns \nothing;
    ensures \result <==> (entry & (EPT_READ | EPT_WRITE | EPT_EXEC)) != 0;
*/
static bool is_present(uint64_t entry)
{
	return (entry & EPT_RIGHTS) != 0;
}

/* Does an entry above the PTs lead to a table (present, not a 2 MiB leaf)? */
/*@ assigns \nothing;
    ensures \result <==> ept_link(entry);
*/
static bool is_link(uint64_t entry)
{
	return is_present(entry) && !(entry & EPT_LEAF_2M);
}

/*
 * The next free page of the pool, zeroed, or NULL when none is left. WP proves
 * that it writes only that page and the pool's next index, and labels the
 * page (ghost) as the table `number` at `level` of the tree rooted at `tree`.
 */
/*@ requires pool: pool_ok(p);
    requires level: level <= 3;
    assigns *p->next,
	p->pages[*p->next .. (*p->next < p->count ? *p->next : p->count - 1)]
		[0 .. EPT_ENTRIES - 1],
	ept_page_tree[*p->next], ept_page_level[*p->next], ept_page_number[*p->next];
    ensures pool_ok(p);
    ensures none_left: \result == \null ==> *p->next == \old(*p->next);
    ensures one_left: \old(*p->next) < p->count ==> \result != \null;
    ensures taken: \result != \null ==> \old(*p->next) < p->count &&
	*p->next == \old(*p->next) + 1 && \result == &p->pages[\old(*p->next)][0];
    ensures zeroed: \result != \null ==>
	\forall integer i; 0 <= i < EPT_ENTRIES ==> \result[i] == 0;
    ensures others_kept: tables_unchanged{Pre, Post}(p, \old(*p->next));
    ensures none_written: \result == \null ==> tables_unchanged{Pre, Post}(p, p->count);
    ensures labelled: \result != \null ==> ept_page_tree[\old(*p->next)] == tree &&
	ept_page_level[\old(*p->next)] == level + 1 && ept_page_number[\old(*p->next)] == number;
*/
static uint64_t *new_table(const struct ept_pool *p)
/*@ ghost (uint64_t *tree, unsigned int level, uint64_t number) */
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
	//@ ghost ept_page_tree[*p->next] = tree;
	//@ ghost ept_page_level[*p->next] = level + 1;
	//@ ghost ept_page_number[*p->next] = number;
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
	0 <= k < t->pool->count && 0 <= j < EPT_ENTRIES ==> &t->pool->pages[k][j] == entry ||
	t->pool->pages[k][j] == \old(t->pool->pages[k][j]);
*/
static void set_entry(uint64_t *entry, uint64_t value) /*@ ghost (struct ept_table *t) */
{
	*entry = value;
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
 * The index of the pool page whose address a link holds, or UINT32_MAX when
 * it holds one below the pool.
 */
/*@ requires pool: pool_ok(p);
    assigns \nothing;
    ensures below: \result == UINT32_MAX <==> (entry & EPT_ADDRESS_MASK) < p->phys_base ||
	ept_target(p, entry) >= UINT32_MAX;
    ensures page: \result != UINT32_MAX ==> p->phys_base <= (entry & EPT_ADDRESS_MASK) &&
	\result == ept_target(p, entry);
*/
static unsigned int page_of_link(const struct ept_pool *p, uint64_t entry)
{
	uint64_t phys = entry & EPT_ADDRESS_MASK;

	if (phys < p->phys_base || (phys - p->phys_base) / EPT_PAGE_BYTES >= UINT32_MAX)
		return UINT32_MAX;
	return (unsigned int)((phys - p->phys_base) / EPT_PAGE_BYTES);
}

/*
 * The table a link points to, or NULL when it points outside the pages
 * handed out: the walk never leaves the pool, whatever the entries hold.
 */
/*@ requires pool: pool_ok(p);
    assigns \nothing;
    ensures \result == \null || in_pool(p, \result);
    ensures target: \result != \null ==> p->phys_base <= (entry & EPT_ADDRESS_MASK) &&
	ept_target(p, entry) < *p->next && \result == &p->pages[ept_target(p, entry)][0];
*/
static uint64_t *table_of(const struct ept_pool *p, uint64_t entry)
{
	unsigned int k = page_of_link(p, entry);

	if (k >= *p->next)
		return NULL;
	return p->pages[k];
}

/*
 * WP proves that a table ept_init readies meets ept_map's preconditions (shaped,
 * labelled: its root is table 0 of level 3 of a tree of its own), but for the
 * pool's own (pool_ok and fresh_roots, which its caller builds) and
 * host_limit <= 2^52 (1 << host_bits with host_bits <= 52: the provers do not
 * bound a shift).
 */
/*@ requires pool: pool_ok(pool) && fresh_roots(pool);
    requires apart: \valid(t) &&
	\separated(t, pool, pool->next, pool->pages + (0 .. pool->count - 1)) &&
	\separated(t, &ept_page_level[0 .. EPT_LABELS - 1],
		   &ept_page_number[0 .. EPT_LABELS - 1], &ept_page_tree[0 .. EPT_LABELS - 1]);
    assigns *t, *pool->next,
	pool->pages[*pool->next .. (*pool->next < pool->count ? *pool->next : pool->count - 1)]
		   [0 .. EPT_ENTRIES - 1],
	ept_page_tree[*pool->next], ept_page_level[*pool->next], ept_page_number[*pool->next];
    ensures ready: \result == 0 ==> t->pool == pool && in_pool(pool, t->root) &&
	32 <= host_bits <= 52 && t->host_limit == 1ull << host_bits;
    ensures labelled: \result == 0 ==> fresh_roots(pool) && labelled(t);
*/
int ept_init(struct ept_table *t, unsigned int host_bits, const struct ept_pool *pool)
{
	if (host_bits < 32 || host_bits > 52)
		return -BH_EINVAL;
	t->pool = pool;
	t->host_limit = 1ull << host_bits;
	/* The root is table 0 of level 3 of the tree it roots (ghost labels, WP). */
	t->root = new_table(pool) /*@ ghost (pool->pages[*pool->next], 3, 0) */;
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

/* Where a walk ended: the entry (err 0), or why it stopped. */
struct walk {
	uint64_t *entry;
	int err;
};

/* One step down a walk: the pool index of the next table, or why there is none. */
struct step {
	unsigned int page;
	int err;
};

/*
 * new_table for t's tree, when a page is left: the new page is t's table
 * `number` at `level` (ghost), and t stays labelled (the page is empty, no
 * label below it changes).
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: level <= 2;
    requires one_left: *t->pool->next < t->pool->count;
    assigns *t->pool->next, t->pool->pages[*t->pool->next][0 .. EPT_ENTRIES - 1],
	ept_page_tree[*t->pool->next], ept_page_level[*t->pool->next],
	ept_page_number[*t->pool->next];
    ensures pool: shaped(t) && labelled(t);
    ensures taken: \result != \null && *t->pool->next == \old(*t->pool->next) + 1 &&
	\result == &t->pool->pages[\old(*t->pool->next)][0] &&
	table_page(t, \old(*t->pool->next), level, number) &&
	\forall integer i; 0 <= i < EPT_ENTRIES ==> \result[i] == 0;
    ensures others_kept: tables_unchanged{Pre, Post}(t->pool, \old(*t->pool->next));
*/
static uint64_t *new_table_of(struct ept_table *t)
/*@ ghost (unsigned int level, uint64_t number) */
{
	return new_table(t->pool) /*@ ghost (t->root, level, number) */;
}

/*
 * Writes a link into entry `slot` of t's table page `page` (ghost): to page k,
 * which is labelled as the table that entry leads to, so t stays labelled.
 * Only the contract and the ghost code read t (as guest and l in next_table).
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires entry: page < *t->pool->next && slot < EPT_ENTRIES &&
	entry == &t->pool->pages[page][slot] && ept_page_tree[page] == t->root &&
	2 <= ept_page_level[page] <= 4;
    requires link: ept_link(link) && t->pool->phys_base <= (link & EPT_ADDRESS_MASK) &&
	ept_target(t->pool, link) == k && k < *t->pool->next &&
	table_page(t, k, ept_page_level[page] - 2, ept_page_number[page] * EPT_ENTRIES + slot);
    assigns *entry;
    ensures pool: shaped(t) && labelled(t);
    ensures written: *entry == link;
    ensures others_kept: \forall integer k2, j;
	0 <= k2 < t->pool->count && 0 <= j < EPT_ENTRIES ==> &t->pool->pages[k2][j] == entry ||
	t->pool->pages[k2][j] == \old(t->pool->pages[k2][j]);
*/
static void set_link(struct ept_table *t __attribute__((unused)), uint64_t *entry, uint64_t link)
/*@ ghost (unsigned int page, unsigned int slot, unsigned int k) */
{
	set_entry(entry, link) /*@ ghost (t) */;
}

/*
 * Writes a leaf into entry `slot` of t's table page `page` (ghost), the slot
 * serving `addr` at `level`: a 4 KiB leaf in a PT, where no entry is a link,
 * or a 2 MiB leaf, whose size bit makes it no link, so t stays labelled. WP
 * proves that the entry serves [addr, addr + bytes_of(level)) only, inside
 * [lo, hi).
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: level <= 1;
    requires entry: page < *t->pool->next && slot == slot_index(addr, level) &&
	entry == &t->pool->pages[page][slot] &&
	table_page(t, page, level, addr / bytes_of(level) / EPT_ENTRIES);
    requires not_a_link: level == 0 || (leaf & EPT_LEAF_2M) != 0;
    requires serves: addr % bytes_of(level) == 0 && lo <= addr &&
	addr + bytes_of(level) <= hi;
    assigns *entry;
    ensures pool: shaped(t) && labelled(t);
    ensures written: *entry == leaf;
    ensures others_kept: \forall integer k, j;
	0 <= k < t->pool->count && 0 <= j < EPT_ENTRIES ==> &t->pool->pages[k][j] == entry ||
	t->pool->pages[k][j] == \old(t->pool->pages[k][j]);
    ensures inside: ept_page_tree[page] == t->root && inside_range(page, slot, lo, hi);
*/
static void set_leaf(struct ept_table *t __attribute__((unused)), uint64_t *entry, uint64_t leaf)
/*@ ghost (unsigned int page, unsigned int slot, uint64_t addr, unsigned int level,
	   uint64_t lo, uint64_t hi) */
{
	/*@ assert index: ept_page_number[page] * EPT_ENTRIES + slot == addr / bytes_of(level); */
	/*@ assert first: addr / bytes_of(level) * bytes_of(level) == addr; */
	/*@ assert end: (addr / bytes_of(level) + 1) * bytes_of(level) == addr + bytes_of(level); */
	/*@ assert serves:
		(ept_page_number[page] * EPT_ENTRIES + slot) * bytes_of(level) == addr; */
	set_entry(entry, leaf) /*@ ghost (t) */;
}

/*
 * The table that `entry`, guest's slot at level l (1 to 3) in t's table page
 * `page` (ghost), leads to: made and linked there when the entry is empty;
 * -BH_EEXIST when a leaf covers guest or the link leads outside the pages the
 * pool handed out; -BH_ENOMEM when no page is left. WP proves that only the
 * entry, from empty to a link to the new table, and the new table (all
 * empty, labelled as t's table at l - 1 serving guest) are written, that the
 * tables stay labelled, and that the table returned is the one serving guest.
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: 1 <= l <= 3;
    requires entry: page < *t->pool->next &&
	entry == &t->pool->pages[page][slot_index(guest, l)] &&
	table_page(t, page, l, guest / bytes_of(l) / EPT_ENTRIES);
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1],
	ept_page_tree[*t->pool->next], ept_page_level[*t->pool->next],
	ept_page_number[*t->pool->next];
    ensures pool: shaped(t) && labelled(t);
    ensures grows: *t->pool->next == \old(*t->pool->next) ||
	*t->pool->next == \old(*t->pool->next) + 1;
    ensures link: *entry == \old(*entry) ||
	(unused(\old(*entry)) && link_to_new(t, page, *entry, \old(*t->pool->next)));
    ensures new_table: *t->pool->next != \old(*t->pool->next) ==>
	ept_page_tree[\old(*t->pool->next)] == t->root &&
	ept_page_level[\old(*t->pool->next)] == l &&
	\forall integer i; 0 <= i < EPT_ENTRIES ==> t->pool->pages[\old(*t->pool->next)][i] == 0;
    ensures errors: \result.err == 0 || \result.err == -BH_ENOMEM || \result.err == -BH_EEXIST;
    ensures fields_kept: t->pool->phys_base == \old(t->pool->phys_base) &&
	labels_kept{Pre, Post}(\old(*t->pool->next));
    ensures effect: walk_effect{Pre, Post}(t->pool->pages, t->pool->next, t->root,
	t->pool->phys_base, guest, \old(*t->pool->next));
    ensures failed_changes_nothing: \result.err != 0 ==>
	*t->pool->next == \old(*t->pool->next) && *entry == \old(*entry);
    ensures kept: \forall integer k, i; 0 <= k < \old(*t->pool->next) && 0 <= i < EPT_ENTRIES ==>
	t->pool->pages[k][i] == \old(t->pool->pages[k][i]) ||
	(&t->pool->pages[k][i] == entry && unused(\old(t->pool->pages[k][i])) &&
	 ept_page_tree[k] == t->root &&
	 link_to_new(t, k, t->pool->pages[k][i], \old(*t->pool->next)));
    ensures made: \forall integer k, i;
	\old(*t->pool->next) <= k < *t->pool->next && 0 <= i < EPT_ENTRIES ==>
	ept_page_tree[k] == t->root && 1 <= ept_page_level[k] <= 4 && t->pool->pages[k][i] == 0;
    ensures serves_guest: \result.err == 0 ==> \result.page < *t->pool->next &&
	table_page(t, \result.page, l - 1, guest / bytes_of(l - 1) / EPT_ENTRIES);
*/
static struct step next_table(struct ept_table *t, uint64_t *entry,
			      uint64_t guest __attribute__((unused)),
			      unsigned int l __attribute__((unused)))
/*@ ghost (unsigned int page) */
{
	const struct ept_pool *p = t->pool;

	if (is_present(*entry)) {
		if (!is_link(*entry))
			return (struct step){ 0, -BH_EEXIST }; /* a leaf covers guest */
		unsigned int k = page_of_link(p, *entry);

		if (k >= *p->next)
			return (struct step){ 0, -BH_EEXIST };
		return (struct step){ k, 0 };
	}
	unsigned int k = *p->next;

	if (k >= p->count)
		return (struct step){ 0, -BH_ENOMEM };
	/* Links grant everything; the leaf decides. */
	uint64_t link = page_phys(p, k) | EPT_RIGHTS;

	/* Always true: checked so that WP need not derive the bits from the address. */
	if (!is_link(link) || page_of_link(p, link) != k)
		return (struct step){ 0, -BH_ENOMEM };
	/*@ assert link_made: ept_link(link) && p->phys_base <= (link & EPT_ADDRESS_MASK) &&
		ept_target(p, link) == k; */
	/* guest's number at l: the new table's at l - 1, and its slot (ghost). */
	/*@ ghost uint64_t number =
		guest / (l == 3 ? 0x8000000000ull : l == 2 ? 0x40000000ull : 0x200000ull); */
	new_table_of(t) /*@ ghost (l - 1, number) */;
	/*@ assert made: *p->next == k + 1 && ept_target(p, link) == k && unused(*entry); */
	/*@ assert link_labels: table_page(t, k, ept_page_level[page] - 2,
		ept_page_number[page] * EPT_ENTRIES + slot_index(guest, l)); */
	set_link(t, entry, link) /*@ ghost (page, (unsigned int)(number % EPT_ENTRIES), k) */;
	/* The effect, part by part (whole, it is beyond the provers' step limit). */
	/*@ assert one_written: \forall integer k2, j; 0 <= k2 < k && 0 <= j < EPT_ENTRIES ==>
		only_one_written{Pre, Here}(p->pages, page, slot_index(guest, l), k2, j); */
	/*@ assert linked: *entry == link && unused(\at(*entry, Pre)) &&
		new_link(p->phys_base, page, link, k); */
	/*@ assert old_effect: effect_old{Pre, Here}(p->pages, t->root, p->phys_base, guest, k); */
	/*@ assert new_effect:
		effect_new{Pre, Here}(p->pages, p->next, t->root, p->phys_base, k); */
	return (struct step){ k, 0 };
}

/*
 * guest's entry at `level`, walking from the root and making the tables
 * missing on the way; no entry when a table cannot be made (-BH_ENOMEM) or a
 * leaf already covers guest above `level`, or a link leads outside the pages
 * the pool handed out (-BH_EEXIST). WP proves 'slot' and 'its_slot' (the entry
 * is guest's slot_index at that level), 'in_guest_table' (it lies in the table
 * of t's tree that serves guest at that level), that the tables stay shaped and
 * labelled, and 'effect': of the tables handed out before, an entry changes
 * only at one of guest's slots, from empty to a link to a table made by the
 * call; the tables it makes are t's, each entry empty or such a link.
 */
/*@ requires walkable: shaped(t) && labelled(t);
    requires level: level <= 3;
    requires input: guest < 1ull << EPT_GUEST_BITS;
    decreases 3 - level;
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1],
	ept_page_tree[*t->pool->next .. EPT_LABELS - 1],
	ept_page_level[*t->pool->next .. EPT_LABELS - 1],
	ept_page_number[*t->pool->next .. EPT_LABELS - 1];
    ensures pool: shaped(t) && \old(*t->pool->next) <= *t->pool->next;
    ensures labelled: labelled(t);
    ensures fields_kept: t->pool->phys_base == \old(t->pool->phys_base) &&
	\old(*t->pool->next) <= *t->pool->next;
    ensures effect: walk_effect{Pre, Post}(t->pool->pages, t->pool->next, t->root,
	t->pool->phys_base, guest, \old(*t->pool->next));
    ensures its_slot: \result.err == 0 ==> \forall integer k, i;
	0 <= k < t->pool->count && 0 <= i < EPT_ENTRIES &&
	\result.entry == &t->pool->pages[k][i] ==>
	i == slot_index(guest, level);
    ensures in_guest_table: \result.err == 0 ==> \forall integer k, i;
	0 <= k < t->pool->count && 0 <= i < EPT_ENTRIES &&
	\result.entry == &t->pool->pages[k][i] ==>
	k < *t->pool->next && table_page(t, k, level, guest / bytes_of(level) / EPT_ENTRIES);
    ensures errors:
	\result.err == 0 || \result.err == -BH_ENOMEM || \result.err == -BH_EEXIST;
    ensures slot: \result.err == 0 ==>
	\exists integer k; 0 <= k < *t->pool->next &&
	    \result.entry == &t->pool->pages[k][slot_index(guest, level)];
*/
/* Recursive, but at most 3 deep (3 - level), each frame a few words. */
// NOLINTNEXTLINE(misc-no-recursion)
static struct walk entry_at(struct ept_table *t, uint64_t guest, unsigned int level)
{
	const struct ept_pool *p = t->pool;

	/* At or (against the contract) above the root: never recurses past level 3. */
	if (level >= EPT_LEVELS - 1) {
		/* The root's page in the pool (ghost). */
		/*@ ghost unsigned int r =
			(unsigned int)((t->root - &p->pages[0][0]) / EPT_ENTRIES); */
		/*@ assert root_is: t->root == &p->pages[r][0] && r < *p->next; */
		/*@ assert below_root: guest / bytes_of(3) < EPT_ENTRIES &&
			guest / bytes_of(3) / EPT_ENTRIES == 0; */
		/*@ assert root_page: &t->root[slot_index(guest, 3)] ==
			&p->pages[r][slot_index(guest, 3)] && table_page(t, r, 3, 0); */
		return (struct walk){ &t->root[index_at(guest, EPT_LEVELS - 1)], 0 };
	}
	/* The walk down to the level above, then one step (bounded: at most 3 deep). */
	struct walk above = entry_at(t, guest, level + 1);

	if (above.err)
		return above;
	/* The pool index of the page holding the entry (ghost). */
	/*@ ghost unsigned int page =
		(unsigned int)((above.entry - &p->pages[0][0]) / EPT_ENTRIES); */
	struct step next = next_table(t, above.entry, guest, level + 1) /*@ ghost (page) */;

	if (next.err)
		return (struct walk){ NULL, next.err };
	return (struct walk){ &p->pages[next.page][index_at(guest, level)], 0 };
}

/*
 * The table at `level` on guest's way down from the root, or NULL when a
 * table is missing or a leaf covers the way down. Only looks.
 */
/*@ requires walkable: pool_ok(t->pool) && \valid_read(t) && in_pool(t->pool, t->root);
    requires level: level < EPT_LEVELS;
    assigns \nothing;
    ensures in_pool: \result == \null || in_pool(t->pool, \result);
*/
static uint64_t *lookup_table(const struct ept_table *t, uint64_t guest, unsigned int level)
{
	uint64_t *table = t->root;

	/*@ loop invariant levels: level <= l < EPT_LEVELS;
	    loop invariant in_pool: in_pool(t->pool, table);
	    loop assigns l, table;
	    loop variant l; */
	for (unsigned int l = EPT_LEVELS - 1; l > level; l--) {
		uint64_t entry = table[index_at(guest, l)];

		if (!is_link(entry))
			return NULL; /* nothing below, or a leaf covers the way down */
		table = table_of(t->pool, entry);
		if (!table)
			return NULL;
	}
	return table;
}

/*
 * Whether anything in [guest, +size) is already mapped (a leaf covers part of
 * it). WP proves that it only looks.
 */
/*@ requires walkable: pool_ok(t->pool) && \valid_read(t) && in_pool(t->pool, t->root);
    requires whole_pages: size_bytes % EPT_PAGE_BYTES == 0 && size_bytes <= 1ull << EPT_GUEST_BITS;
    assigns \nothing;
*/
static bool overlaps_mapping(const struct ept_table *t, uint64_t guest, uint64_t size_bytes)
{
	/*@ loop invariant pages: off <= size_bytes && off % EPT_PAGE_BYTES == 0;
	    loop assigns off;
	    loop variant size_bytes - off; */
	for (uint64_t off = 0; off < size_bytes; off += EPT_PAGE_BYTES) {
		const uint64_t *pd = lookup_table(t, guest + off, 1);

		if (!pd)
			continue; /* no table below the PDPT: nothing mapped here */
		if (pd[index_at(guest + off, 1)] & EPT_LEAF_2M)
			return true;
		const uint64_t *pt = lookup_table(t, guest + off, 0);

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
 * (that the mask keeps host + offset whole is not proven), each written into the
 * slot entry_at returns for guest + offset; a refused call changes nothing. And
 * whatever the outcome ('frame'), an entry of a table handed out before the call
 * changes only if it was empty, at an index that the walk of some address in
 * [guest, +size) uses at some level; the tables stay a tree ('labelled'); and
 * ('in_its_tree', 'new_tables') an entry changes only to a link to a table the
 * call made or to a leaf serving addresses in [guest, +size) only, and the
 * tables made hold only empty entries or such ones. So an address outside the
 * range reaches no leaf it did not reach before.
 */
/*@ requires shaped: shaped(t);
    requires labelled: labelled(t);
    assigns *t->pool->next, t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1],
	ept_page_tree[*t->pool->next .. EPT_LABELS - 1],
	ept_page_level[*t->pool->next .. EPT_LABELS - 1],
	ept_page_number[*t->pool->next .. EPT_LABELS - 1];
    ensures pool: shaped(t) && labelled(t) && \old(*t->pool->next) <= *t->pool->next;
    ensures outcome: \result == 0 || \result == -BH_EINVAL || \result == -BH_ENOMEM ||
	\result == -BH_EEXIST;
    ensures refused_changes_nothing: \result == -BH_EINVAL ==>
	*t->pool->next == \old(*t->pool->next) &&
	tables_unchanged{Pre, Post}(t->pool, t->pool->count);
    ensures in_its_tree: map_old{Pre, Post}(t->pool->pages, t->root, t->pool->phys_base,
	\old(*t->pool->next), guest, guest + size_bytes);
    ensures new_tables: map_new{Post}(t->pool->pages, t->root, t->pool->phys_base,
	\old(*t->pool->next), *t->pool->next, guest, guest + size_bytes);
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
	/*@ loop invariant fixed: guest == \at(guest, Pre) && host == \at(host, Pre) &&
		size_bytes == \at(size_bytes, Pre) && leaf_bits == \at(leaf_bits, Pre) &&
		guest + size_bytes <= 1ull << EPT_GUEST_BITS &&
		host + size_bytes <= t->host_limit;
	    loop invariant walkable: shaped(t) && labelled(t);
	    loop invariant tiled: off <= size_bytes && off % EPT_PAGE_BYTES == 0;
	    loop invariant grows: first <= *t->pool->next;
	    loop invariant frame: \forall integer k, i; 0 <= k < first && 0 <= i < EPT_ENTRIES ==>
		t->pool->pages[k][i] == \at(t->pool->pages[k][i], Pre) ||
		(slot_in_range(i, guest, guest + off) && unused(\at(t->pool->pages[k][i], Pre)));
	    loop invariant in_its_tree: map_old{Pre, Here}(t->pool->pages, t->root,
		t->pool->phys_base, first, guest, guest + size_bytes);
	    loop invariant new_tables: map_new{Here}(t->pool->pages, t->root, t->pool->phys_base,
		first, *t->pool->next, guest, guest + size_bytes);
	    loop assigns off, *t->pool->next,
		t->pool->pages[0][0 .. t->pool->count * EPT_ENTRIES - 1],
		ept_page_tree[first .. EPT_LABELS - 1], ept_page_level[first .. EPT_LABELS - 1],
		ept_page_number[first .. EPT_LABELS - 1];
	    loop variant size_bytes - off; */
	for (uint64_t off = 0; off < size_bytes;) {
		/* The state each iteration starts from, for keeps_valid (WP only). */
	iteration:
		__attribute__((unused));
		uint64_t addr = guest + off;
		/*@ assert addr: addr == guest + off; */
		bool big = use_2m(addr, host + off, size_bytes - off);
		unsigned int level = big ? 1 : 0;
		/*@ assert inside: guest + off + (big ? EPT_2M_BYTES : EPT_PAGE_BYTES) <=
			guest + size_bytes <= 1 << EPT_GUEST_BITS; */
		/*@ assert big_aligned: big ==> (guest + off) % EPT_2M_BYTES == 0 &&
			(host + off) % EPT_2M_BYTES == 0; */
		struct walk w = entry_at(t, addr, level);
		uint64_t *entry = w.entry;

		/*@ assert walk_kept: map_old{Pre, Here}(t->pool->pages, t->root,
				t->pool->phys_base, first, guest, guest + size_bytes) &&
			map_new{Here}(t->pool->pages, t->root, t->pool->phys_base, first,
				*t->pool->next, guest, guest + size_bytes); */
		if (w.err)
			return w.err;
		/*
		 * overlaps_mapping found no leaf in the range, so the entry is empty (a link
		 * here leads to a table the map that made it wrote a leaf into). Checked
		 * again where the leaf is written, so that WP proves there, without the
		 * whole history, that no mapping or link is ever written over. The entry
		 * is not NULL: WP proves entry_at's 'slot' (no error: a slot of a pool
		 * page); clang's analyzer loses that through the recursion.
		 */
		/* NOLINTNEXTLINE(clang-analyzer-core.NullDereference) */
		if (is_present(*entry))
			return -BH_EEXIST;
		/*@ assert walked: \forall integer k, j; 0 <= k < first && 0 <= j < EPT_ENTRIES ==>
			t->pool->pages[k][j] == \at(t->pool->pages[k][j], Pre) ||
			(slot_in_range(j, guest, guest + off + 1) &&
			 unused(\at(t->pool->pages[k][j], Pre))); */
		/* The leaf's page and slot (ghost): t's table serving guest + off at its level. */
		/*@ ghost unsigned int page =
			(unsigned int)((entry - &t->pool->pages[0][0]) / EPT_ENTRIES); */
		/*@ ghost unsigned int slot =
			(unsigned int)((entry - &t->pool->pages[0][0]) % EPT_ENTRIES); */
		/*@ assert leaf_found: \exists integer k; 0 <= k < *t->pool->next &&
			entry == &t->pool->pages[k][slot_index(addr, level)]; */
		/*@ assert leaf_address: slot < EPT_ENTRIES && entry ==
			&t->pool->pages[page][slot]; */
		/*@ assert leaf_entry: page < *t->pool->next && slot == slot_index(addr, level); */
		/*@ assert leaf_table: table_page(t, page, level,
			addr / bytes_of(level) / EPT_ENTRIES); */
		/*@ assert leaf_aligned: addr % bytes_of(level) == 0; */
		/*@ assert leaf_walk_slot: walk_slot(slot, addr); */
		/*@ assert leaf_slot: slot_in_range(slot, guest, guest + off + 1); */
		/*@ assert leaf_was_unused: \forall integer k, j; k == page && j == slot &&
			k < first ==>
			unused(\at(t->pool->pages[k][j], Pre)); */
	walked_to:
		__attribute__((unused));
		set_leaf(t, entry, leaf_entry(host + off, leaf_bits, big))
			/*@ ghost (page, slot, addr, level, guest, guest + size_bytes) */;
		/*@ assert leaf_inside: map_entry(t->pool->pages, t->root, t->pool->phys_base,
				first, guest, guest + size_bytes, page, slot); */
		/*@ assert labels_same: first <= *t->pool->next &&
			labels_kept{walked_to, Here}(*t->pool->next); */
		/*@ assert one_written: \forall integer k, j; 0 <= k < *t->pool->next &&
			0 <= j < EPT_ENTRIES ==>
			only_one_written{walked_to, Here}(t->pool->pages, page, slot, k, j); */
		/*@ assert leaf_kept: map_old{Pre, Here}(t->pool->pages, t->root,
				t->pool->phys_base, first, guest, guest + size_bytes) &&
			map_new{Here}(t->pool->pages, t->root, t->pool->phys_base, first,
				*t->pool->next, guest, guest + size_bytes); */
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
		/*@ assert leaf:
			(*entry & EPT_ADDRESS_MASK) == ((host + off) & EPT_ADDRESS_MASK) &&
			(*entry & EPT_LEAF_ATTRIBUTES) == leaf_bits &&
			(*entry & ~(EPT_ADDRESS_MASK | EPT_LEAF_ATTRIBUTES | EPT_LEAF_2M)) == 0 &&
			(((*entry & EPT_LEAF_2M) != 0) <==> big); */
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
