/*
 * A small read-only flattened-device-tree walker for the hypervisor. Every
 * offset and length taken from the blob is bounds-checked against the
 * header's sizes, so a corrupt or hostile blob yields an error, never an
 * out-of-bounds read. Host tools use libfdt instead.
 */
#ifndef BH_LIB_FDT_H
#define BH_LIB_FDT_H

#include <lib/types.h>

#define FDT_MAGIC 0xd00dfeedu

enum fdt_error {
	FDT_OK = 0,
	FDT_ERR_BADMAGIC = -1,
	FDT_ERR_BADHEADER = -2,
	FDT_ERR_TRUNCATED = -3,
	FDT_ERR_BADSTRUCTURE = -4,
	FDT_ERR_NOTFOUND = -5,
};

struct fdt {
	const uint8_t *structs;
	uint32_t struct_size;
	const char *strings;
	uint32_t strings_size;
};

/* A node is the offset of its BEGIN_NODE token inside the structure block. */
struct fdt_node {
	uint32_t offset;
};

/* Checks the header; `max_size` bounds the blob when the caller knows it. */
int fdt_open(struct fdt *fdt, const void *blob, size_t max_size);

/* Total size the header claims, for callers that must reserve the blob. */
uint32_t fdt_total_size(const void *blob);

int fdt_root(const struct fdt *fdt, struct fdt_node *root);

/* Finds an absolute path such as "/chosen" or "/cpus"; unit addresses must match. */
int fdt_find_path(const struct fdt *fdt, const char *path, struct fdt_node *node);

/* Child iteration: FDT_ERR_NOTFOUND when there is no (further) child. */
int fdt_first_child(const struct fdt *fdt, struct fdt_node parent, struct fdt_node *child);
int fdt_next_sibling(const struct fdt *fdt, struct fdt_node node, struct fdt_node *next);

/* The node's name with unit address ("cpu@1"); "" for the root. */
const char *fdt_node_name(const struct fdt *fdt, struct fdt_node node);

/* A property's value and length, or NULL when absent or malformed. */
const void *fdt_get_prop(const struct fdt *fdt, struct fdt_node node, const char *name,
			 uint32_t *len);

/* Whether a string property equals `value` (first string of a string list). */
bool fdt_prop_is(const struct fdt *fdt, struct fdt_node node, const char *name, const char *value);

/* Reads a u32 property (e.g. #address-cells), or `fallback` when absent. */
uint32_t fdt_get_u32(const struct fdt *fdt, struct fdt_node node, const char *name,
		     uint32_t fallback);

/* Reads a big-endian number of `cells` 32-bit cells (1 or 2) at `p`. */
uint64_t fdt_read_cells(const void *p, uint32_t cells);

/*
 * The one in-place edit, for a blob the caller may write (a cell's DTB after
 * loading, the boot DTB): zeroes the property whose value fdt_get_prop()
 * returned and turns it into NOP tokens, so readers no longer see it. The
 * blob's size and layout do not change.
 */
void fdt_remove_prop_in_place(const void *value, uint32_t len);

#endif
