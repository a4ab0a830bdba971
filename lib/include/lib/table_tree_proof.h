/*
 * The ACSL logic the table builders' proofs share (arch/arm64/pgtable.c,
 * arch/x86/vmx/ept.c): what one walk and one mapping may do to a tree of
 * tables in a pool, as folded predicates, and the lemmas that compose them.
 * For Frama-C's WP only: to the compiler the file is one comment.
 *
 * The file that includes it defines first:
 * - TREE_ENTRIES, the entries of a table, and TREE_PAGE_TREE, TREE_PAGE_LEVEL
 *   and TREE_PAGE_NUMBER, its ghost labels (each pool page's tree root, its
 *   level + 1 and its number at that level);
 * - the logic bytes_of(level), what one entry of a table of that level maps,
 *   and the predicates walk_slot(i, addr) (entry i is addr's slot at some
 *   level), unused(e) (the entry neither maps nor links) and
 *   new_link(base, k, e, first) (e, in page k, links to a table made at or
 *   after the pool's page `first`).
 * Its lemmas come before the including file's arithmetic ones: each lemma's
 * proof has the earlier ones in context, and with those the provers run out
 * of budget.
 */
#ifndef LIB_TABLE_TREE_PROOF_H
#define LIB_TABLE_TREE_PROOF_H

/*@ // Entry i of table page k serves only addresses in [first, end): those whose number at the
    // page's level is the table's number * 512 + i.
    predicate inside_range(integer k, integer i, integer first, integer end) =
	first <= (TREE_PAGE_NUMBER[k] * TREE_ENTRIES + i) * bytes_of(TREE_PAGE_LEVEL[k] - 1) &&
	(TREE_PAGE_NUMBER[k] * TREE_ENTRIES + i + 1) * bytes_of(TREE_PAGE_LEVEL[k] - 1) <= end;

    // The labels of the pages below k are the same in states A and B.
    predicate labels_kept{A, B}(integer k) = \forall integer j; 0 <= j < k ==>
	\at(TREE_PAGE_TREE[j], A) == \at(TREE_PAGE_TREE[j], B) &&
	\at(TREE_PAGE_LEVEL[j], A) == \at(TREE_PAGE_LEVEL[j], B) &&
	\at(TREE_PAGE_NUMBER[j], A) == \at(TREE_PAGE_NUMBER[j], B);


    // What a walk for addr may have done between states A and B to a pool (its pages, next index,
    // physical base) and the tree rooted at `root`, of whose pages `first` were handed out in
    // A: the labels of those kept; of their entries, only unused ones at one of addr's slots
    // changed, each to a link to a table handed out since; the tables handed out since are
    // the tree's, each entry empty or such a link.
    predicate effect_old{A, B}(uint64_t (*pages)[TREE_ENTRIES], uint64_t *root, integer base,
			       integer addr, integer first) =
	\forall integer k, i; 0 <= k < first && 0 <= i < TREE_ENTRIES ==>
	    \at(pages[k][i], B) == \at(pages[k][i], A) ||
	    (walk_slot(i, addr) && unused(\at(pages[k][i], A)) &&
	     \at(TREE_PAGE_TREE[k], B) == root &&
	     new_link{B}(base, k, \at(pages[k][i], B), first));
    predicate new_entry{L}(uint64_t (*pages)[TREE_ENTRIES], uint64_t *root, integer base,
			   integer first, integer k, integer i) =
	TREE_PAGE_TREE[k] == root && 1 <= TREE_PAGE_LEVEL[k] <= 4 &&
	(pages[k][i] == 0 || new_link(base, k, pages[k][i], first));
    predicate effect_new{A, B}(uint64_t (*pages)[TREE_ENTRIES], unsigned int *next, uint64_t *root,
			       integer base, integer first) =
	\forall integer k, i; first <= k < \at(*next, B) && 0 <= i < TREE_ENTRIES ==>
	    new_entry{B}(pages, root, base, first, k, i);
    predicate walk_effect{A, B}(uint64_t (*pages)[TREE_ENTRIES], unsigned int *next, uint64_t *root,
				integer base, integer addr, integer first) =
	labels_kept{A, B}(first) && effect_old{A, B}(pages, root, base, addr, first) &&
	effect_new{A, B}(pages, next, root, base, first);

    // pt_map's effect so far, between the call's state A and state B, on the tree rooted at
    // `root`, of whose pages `first` were handed out in A: an entry of those changed only to
    // a link to a table made since or to a leaf serving addresses in [lo, hi) only; the tables
    // made since are the tree's, each entry empty or one of those.
    predicate map_entry{L}(uint64_t (*pages)[TREE_ENTRIES], uint64_t *root, integer base,
			   integer first, integer lo, integer hi, integer k, integer i) =
	TREE_PAGE_TREE[k] == root &&
	(new_link(base, k, pages[k][i], first) || inside_range(k, i, lo, hi));
    predicate map_old_at{A, B}(uint64_t (*pages)[TREE_ENTRIES], uint64_t *root, integer base,
			       integer first, integer lo, integer hi, integer k, integer i) =
	\at(pages[k][i], B) == \at(pages[k][i], A) ||
	map_entry{B}(pages, root, base, first, lo, hi, k, i);
    predicate map_old{A, B}(uint64_t (*pages)[TREE_ENTRIES], uint64_t *root, integer base,
			    integer first, integer lo, integer hi) =
	\forall integer k, i; 0 <= k < first && 0 <= i < TREE_ENTRIES ==>
	    map_old_at{A, B}(pages, root, base, first, lo, hi, k, i);
    predicate map_new_at{L}(uint64_t (*pages)[TREE_ENTRIES], uint64_t *root, integer base,
			    integer first, integer lo, integer hi, integer k, integer i) =
	pages[k][i] == 0 || map_entry(pages, root, base, first, lo, hi, k, i);
    predicate map_new{L}(uint64_t (*pages)[TREE_ENTRIES], uint64_t *root, integer base,
			 integer first, integer count, integer lo, integer hi) =
	\forall integer k, i; first <= k < count && 0 <= i < TREE_ENTRIES ==>
	    map_new_at(pages, root, base, first, lo, hi, k, i);

    // Between states W and E, entry i of page k is as it was unless it is entry i0 of page k0.
    predicate only_one_written{W, E}(uint64_t (*pages)[TREE_ENTRIES], integer k0, integer i0,
				     integer k, integer i) =
	\at(pages[k][i], E) == \at(pages[k][i], W) || (k == k0 && i == i0);

    // Lemmas, each proven from those before it (later ones in context slow the provers).
    lemma new_link_older: \forall integer base, k, f1, f2, uint64_t e;
	new_link(base, k, e, f2) && f1 <= f2 ==> new_link(base, k, e, f1);
    lemma map_entry_kept{B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, first, lo, hi, f, k, i;
	map_entry{B}(pages, root, base, first, lo, hi, k, i) && labels_kept{B, C}(f) &&
	0 <= k < f &&
	\at(pages[k][i], C) == \at(pages[k][i], B) ==>
	map_entry{C}(pages, root, base, first, lo, hi, k, i);
    lemma map_old_walk_at{P, L, W}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, addr, first, lo, hi, n, k, i;
	map_old{P, L}(pages, root, base, first, lo, hi) &&
	effect_old{L, W}(pages, root, base, addr, n) &&
	labels_kept{L, W}(n) && 0 <= first <= n && 0 <= k < first && 0 <= i < TREE_ENTRIES ==>
	map_old_at{P, W}(pages, root, base, first, lo, hi, k, i);
    lemma map_old_walk{P, L, W}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, addr, first, lo, hi, n;
	map_old{P, L}(pages, root, base, first, lo, hi) &&
	effect_old{L, W}(pages, root, base, addr, n) &&
	labels_kept{L, W}(n) && 0 <= first <= n ==>
	\forall integer k, i; 0 <= k < first && 0 <= i < TREE_ENTRIES ==>
	    map_old_at{P, W}(pages, root, base, first, lo, hi, k, i);
    lemma map_new_lower{L, W}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, addr, first, lo, hi, n, k, i;
	map_new{L}(pages, root, base, first, n, lo, hi) &&
	effect_old{L, W}(pages, root, base, addr, n) && labels_kept{L, W}(n) && 0 <= first <= n &&
	first <= k < n && 0 <= i < TREE_ENTRIES ==>
	map_new_at{W}(pages, root, base, first, lo, hi, k, i);
    lemma map_new_upper{L, W}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, first, lo, hi, n, k, i;
	effect_new{L, W}(pages, next, root, base, n) && 0 <= first <= n &&
	n <= k < \at(*next, W) && 0 <= i < TREE_ENTRIES ==>
	map_new_at{W}(pages, root, base, first, lo, hi, k, i);
    lemma map_new_walk_at{L, W}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, addr, first, lo, hi, n, c, k, i;
	map_new{L}(pages, root, base, first, n, lo, hi) &&
	walk_effect{L, W}(pages, next, root, base, addr, n) && 0 <= first <= n &&
	c == \at(*next, W) &&
	first <= k < c && 0 <= i < TREE_ENTRIES ==>
	map_new_at{W}(pages, root, base, first, lo, hi, k, i);
    lemma map_new_walk{L, W}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, addr, first, lo, hi, n, c;
	map_new{L}(pages, root, base, first, n, lo, hi) &&
	walk_effect{L, W}(pages, next, root, base, addr, n) && 0 <= first <= n &&
	c == \at(*next, W) ==>
	\forall integer k, i; first <= k < c && 0 <= i < TREE_ENTRIES ==>
	    map_new_at{W}(pages, root, base, first, lo, hi, k, i);
    lemma map_old_leaf_at{P, W, E}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, first, lo, hi, f, k0, i0, k, i;
	map_old{P, W}(pages, root, base, first, lo, hi) && labels_kept{W, E}(f) && first <= f &&
	only_one_written{W, E}(pages, k0, i0, k, i) &&
	map_entry{E}(pages, root, base, first, lo, hi, k0, i0) && 0 <= k < first &&
	0 <= i < TREE_ENTRIES ==>
	map_old_at{P, E}(pages, root, base, first, lo, hi, k, i);
    lemma map_old_leaf{P, W, E}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, first, lo, hi, f, k0, i0;
	map_old{P, W}(pages, root, base, first, lo, hi) && labels_kept{W, E}(f) && first <= f &&
	(\forall integer k, i; 0 <= k < f && 0 <= i < TREE_ENTRIES ==>
	    only_one_written{W, E}(pages, k0, i0, k, i)) &&
	map_entry{E}(pages, root, base, first, lo, hi, k0, i0) ==>
	\forall integer k, i; 0 <= k < first && 0 <= i < TREE_ENTRIES ==>
	    map_old_at{P, E}(pages, root, base, first, lo, hi, k, i);
    lemma map_new_leaf_at{W, E}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, first, c, lo, hi, f, k0, i0, k, i;
	map_new{W}(pages, root, base, first, c, lo, hi) && labels_kept{W, E}(f) && c <= f &&
	only_one_written{W, E}(pages, k0, i0, k, i) &&
	map_entry{E}(pages, root, base, first, lo, hi, k0, i0) && 0 <= first <= k < c &&
	0 <= i < TREE_ENTRIES ==>
	map_new_at{E}(pages, root, base, first, lo, hi, k, i);
    lemma map_new_leaf{W, E}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, first, c, lo, hi, f, k0, i0;
	map_new{W}(pages, root, base, first, c, lo, hi) && labels_kept{W, E}(f) && c <= f &&
	0 <= first && (\forall integer k, i; 0 <= k < f && 0 <= i < TREE_ENTRIES ==>
	    only_one_written{W, E}(pages, k0, i0, k, i)) &&
	map_entry{E}(pages, root, base, first, lo, hi, k0, i0) ==>
	\forall integer k, i; first <= k < c && 0 <= i < TREE_ENTRIES ==>
	    map_new_at{E}(pages, root, base, first, lo, hi, k, i);
    // Two walks' effects, one after the other, are a walk's effect: part by part, then whole.
    lemma labels_compose{A, B, C}: \forall integer f1, f2;
	labels_kept{A, B}(f1) && labels_kept{B, C}(f2) && f1 <= f2 ==> labels_kept{A, C}(f1);
    lemma old_compose{A, B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, addr, f1, f2;
	effect_old{A, B}(pages, root, base, addr, f1) &&
	effect_old{B, C}(pages, root, base, addr, f2) &&
	labels_kept{B, C}(f2) && f1 <= f2 ==> effect_old{A, C}(pages, root, base, addr, f1);
    lemma new_link_kept{B, C}: \forall integer base, k, f, g, uint64_t e;
	labels_kept{B, C}(f) && 0 <= k < f && new_link{B}(base, k, e, g) ==>
	new_link{C}(base, k, e, g);
    lemma new_entry_kept{B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, f1, f2, k, i;
	new_entry{B}(pages, root, base, f1, k, i) && labels_kept{B, C}(f2) && 0 <= k < f2 &&
	f1 <= f2 && (\at(pages[k][i], C) == \at(pages[k][i], B) ||
		     new_link{C}(base, k, \at(pages[k][i], C), f2)) ==>
	new_entry{C}(pages, root, base, f1, k, i);
    lemma new_entry_older{L}: \forall uint64_t (*pages)[TREE_ENTRIES], uint64_t *root,
	integer base, f1, f2, k, i;
	new_entry(pages, root, base, f2, k, i) && f1 <= f2 ==>
	new_entry(pages, root, base, f1, k, i);
    lemma new_compose_lower{A, B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, addr, f1, f2, k, i;
	effect_new{A, B}(pages, next, root, base, f1) &&
	effect_old{B, C}(pages, root, base, addr, f2) &&
	labels_kept{B, C}(f2) && 0 <= f1 <= f2 && f2 == \at(*next, B) && f1 <= k < f2 &&
	0 <= i < TREE_ENTRIES ==> new_entry{C}(pages, root, base, f1, k, i);
    lemma new_compose_upper{B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, f1, f2, k, i;
	effect_new{B, C}(pages, next, root, base, f2) && f1 <= f2 && f2 <= k < \at(*next, C) &&
	0 <= i < TREE_ENTRIES ==> new_entry{C}(pages, root, base, f1, k, i);
    lemma new_compose_at{A, B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, addr, f1, f2, k, i;
	effect_new{A, B}(pages, next, root, base, f1) &&
	effect_old{B, C}(pages, root, base, addr, f2) &&
	effect_new{B, C}(pages, next, root, base, f2) && labels_kept{B, C}(f2) && 0 <= f1 <= f2 &&
	f2 == \at(*next, B) && f1 <= k < \at(*next, C) && 0 <= i < TREE_ENTRIES ==>
	new_entry{C}(pages, root, base, f1, k, i);
    lemma new_compose{A, B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, addr, f1, f2;
	effect_new{A, B}(pages, next, root, base, f1) &&
	effect_old{B, C}(pages, root, base, addr, f2) &&
	effect_new{B, C}(pages, next, root, base, f2) && labels_kept{B, C}(f2) && 0 <= f1 <= f2 &&
	f2 == \at(*next, B) ==>
	\forall integer k, i; f1 <= k < \at(*next, C) && 0 <= i < TREE_ENTRIES ==>
	    new_entry{C}(pages, root, base, f1, k, i);
    lemma walk_effect_compose{A, B, C}: \forall uint64_t (*pages)[TREE_ENTRIES], unsigned int *next,
	uint64_t *root, integer base, addr, f1, f2;
	walk_effect{A, B}(pages, next, root, base, addr, f1) &&
	walk_effect{B, C}(pages, next, root, base, addr, f2) && 0 <= f1 <= f2 &&
	f2 == \at(*next, B) ==>
	walk_effect{A, C}(pages, next, root, base, addr, f1);
*/

#endif
