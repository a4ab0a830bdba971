/*
 * EPT tables of one cell (SDM vol. 3 sec. 29.3): a 4-level walk, write-back
 * table memory, 2 MiB leaves where both addresses and the size allow, 4 KiB
 * leaves elsewhere. Built once at boot and never changed, so nothing here
 * takes a lock or invalidates. Pure table arithmetic: it also runs on the
 * host (tests/unit/test_ept.c), with a pool of its own.
 */
#ifndef VMX_EPT_H
#define VMX_EPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bulkhead/abi_types.h>

#define EPT_ENTRIES 512
#define EPT_PAGE_BYTES 4096ull
#define EPT_LEVELS 4
/* Guest-physical addresses a 4-level walk translates. */
#define EPT_GUEST_BITS 48

/* Entry bits (SDM vol. 3 table 29-3 .. 29-6). */
#define EPT_READ (1ull << 0)
#define EPT_WRITE (1ull << 1)
#define EPT_EXEC (1ull << 2) /* supervisor execute: mode-based control is off */
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_UC 0ull
#define EPT_MEMTYPE_WB 6ull
#define EPT_IGNORE_PAT (1ull << 6)
#define EPT_LEAF_2M (1ull << 7)
#define EPT_ADDRESS_MASK 0x000ffffffffff000ull
/* What a leaf's attributes may hold: bits 0-11 but the size bit (none above the address). */
#define EPT_LEAF_ATTRIBUTES 0xf7full

/*
 * Where table pages come from: a pool given as data, so that the walk follows
 * an entry to its table by index (and Frama-C's WP can follow it too, which it
 * cannot through function pointers or an integer turned into a pointer).
 * pages[*next ..] are free; the EPT builder takes them in order, other users
 * of the same pool may too.
 */
struct ept_pool {
	uint64_t (*pages)[EPT_ENTRIES];
	unsigned int count;
	unsigned int *next;
	uint64_t phys_base; /* physical address of pages[0], 4 KiB aligned */
};

struct ept_table {
	uint64_t *root; /* the PML4 */
	const struct ept_pool *pool;
	uint64_t host_limit; /* host-physical addresses must stay below */
};

/*
 * Which table each page of the pool is, for WP only (ghost; as arm64/pgtable.h
 * does for its tables): the root of the tree the page belongs to, its level + 1
 * (0: not a table; 4: a PML4) and its number at that level, which every guest
 * address it serves shares: guest / (the bytes one of its entries maps) / 512.
 */
//@ ghost uint64_t *ept_page_tree[1 << 20];
//@ ghost unsigned int ept_page_level[1 << 20];
//@ ghost uint64_t ept_page_number[1 << 20];

/* Creates the empty root; host addresses must lie below 2^host_bits. */
int ept_init(struct ept_table *t, unsigned int host_bits, const struct ept_pool *pool);

/*
 * Leaf bits for BH_MEM_* flags: read/write/exec rights, write-back memory or
 * uncacheable device memory (PAT ignored, so the guest cannot make a device
 * cacheable).
 */
uint64_t ept_leaf_bits(uint32_t bh_mem_flags);

/*
 * Maps [guest, +size) to [host, +size) with `leaf_bits`. 4 KiB alignment,
 * in range, not overlapping anything mapped: otherwise -BH_EINVAL and
 * nothing is mapped. -BH_ENOMEM when the pool runs out: part of the
 * range may then be mapped, and the caller stops the boot. -BH_EEXIST (as
 * ENOMEM) if an entry on the way is in use after all (a leaf where a table or
 * the new leaf goes, or a link leading outside the pages the pool handed out):
 * never after the overlap check, but no mapping or link is ever written over.
 */
int ept_map(struct ept_table *t, uint64_t guest, uint64_t host, uint64_t size_bytes,
	    uint64_t leaf_bits);

/* The EPTP for these tables: write-back walks, 4 levels, no A/D flags. */
uint64_t ept_pointer(const struct ept_table *t);

#endif
