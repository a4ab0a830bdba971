/*
 * FDT walker (see hv/fdt.h): reads only, but for removing a property in
 * place. Invariant: every pointer handed out points inside the structure or
 * strings block and every string handed out is NUL-terminated inside its
 * block.
 */
#include <lib/fdt.h>
#include <lib/string.h>

enum fdt_token {
	TOKEN_BEGIN_NODE = 1,
	TOKEN_END_NODE = 2,
	TOKEN_PROP = 3,
	TOKEN_NOP = 4,
	TOKEN_END = 9,
};

#define FDT_HEADER_SIZE 40u
#define FDT_MIN_VERSION 16u

static uint32_t be32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint32_t align4(uint32_t n)
{
	return (n + 3u) & ~3u;
}

uint32_t fdt_total_size(const void *blob)
{
	return be32((const uint8_t *)blob + 4);
}

int fdt_open(struct fdt *fdt, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;

	if (max_size < FDT_HEADER_SIZE)
		return FDT_ERR_TRUNCATED;
	if (be32(b) != FDT_MAGIC)
		return FDT_ERR_BADMAGIC;

	uint32_t total = be32(b + 4);
	uint32_t off_struct = be32(b + 8);
	uint32_t off_strings = be32(b + 12);
	uint32_t version = be32(b + 20);
	uint32_t strings_size = be32(b + 32);
	uint32_t struct_size = be32(b + 36);

	if (version < FDT_MIN_VERSION)
		return FDT_ERR_BADHEADER;
	if (total > max_size)
		return FDT_ERR_TRUNCATED;
	if (off_struct > total || struct_size > total - off_struct || (off_struct & 3))
		return FDT_ERR_BADHEADER;
	if (off_strings > total || strings_size > total - off_strings)
		return FDT_ERR_BADHEADER;

	fdt->structs = b + off_struct;
	fdt->struct_size = struct_size & ~3u;
	fdt->strings = (const char *)b + off_strings;
	fdt->strings_size = strings_size;
	return FDT_OK;
}

static int read_token(const struct fdt *fdt, uint32_t offset, uint32_t *token)
{
	if (offset > fdt->struct_size || fdt->struct_size - offset < 4)
		return FDT_ERR_BADSTRUCTURE;
	*token = be32(fdt->structs + offset);
	return FDT_OK;
}

/* Offset just past the NUL-terminated, 4-aligned name of a BEGIN_NODE. */
static int skip_node_name(const struct fdt *fdt, uint32_t offset, uint32_t *next)
{
	uint32_t start = offset + 4;
	size_t room = fdt->struct_size - start;
	size_t n = strnlen((const char *)fdt->structs + start, room);

	if (n == room)
		return FDT_ERR_BADSTRUCTURE;
	*next = start + align4((uint32_t)n + 1);
	return FDT_OK;
}

/* Offset just past a PROP token and its value; optionally the value itself. */
static int skip_prop(const struct fdt *fdt, uint32_t offset, uint32_t *next, uint32_t *len,
		     uint32_t *name_off)
{
	if (fdt->struct_size - offset < 12)
		return FDT_ERR_BADSTRUCTURE;
	uint32_t value_len = be32(fdt->structs + offset + 4);
	uint32_t value_off = offset + 12;

	if (value_len > fdt->struct_size - value_off)
		return FDT_ERR_BADSTRUCTURE;
	if (len)
		*len = value_len;
	if (name_off)
		*name_off = be32(fdt->structs + offset + 8);
	*next = value_off + align4(value_len);
	return FDT_OK;
}

/*
 * Given a node's BEGIN_NODE offset, finds the first token after its
 * properties: a child's BEGIN_NODE or the node's own END_NODE.
 */
static int skip_props(const struct fdt *fdt, uint32_t node, uint32_t *after)
{
	uint32_t offset;
	uint32_t token;
	int err = skip_node_name(fdt, node, &offset);

	while (!err) {
		err = read_token(fdt, offset, &token);
		if (err)
			break;
		if (token == TOKEN_PROP)
			err = skip_prop(fdt, offset, &offset, NULL, NULL);
		else if (token == TOKEN_NOP)
			offset += 4;
		else {
			*after = offset;
			return FDT_OK;
		}
	}
	return err;
}

/* Offset just past a node's END_NODE, skipping its whole subtree. */
static int skip_subtree(const struct fdt *fdt, uint32_t node, uint32_t *after)
{
	uint32_t offset;
	uint32_t token;
	unsigned int depth = 0;
	int err = skip_node_name(fdt, node, &offset);

	while (!err) {
		err = read_token(fdt, offset, &token);
		if (err)
			break;
		switch (token) {
		case TOKEN_BEGIN_NODE:
			depth++;
			err = skip_node_name(fdt, offset, &offset);
			break;
		case TOKEN_END_NODE:
			offset += 4;
			if (depth-- == 0) {
				*after = offset;
				return FDT_OK;
			}
			break;
		case TOKEN_PROP:
			err = skip_prop(fdt, offset, &offset, NULL, NULL);
			break;
		case TOKEN_NOP:
			offset += 4;
			break;
		default:
			return FDT_ERR_BADSTRUCTURE;
		}
	}
	return err;
}

/* From `offset`, skips NOPs and returns the next BEGIN_NODE, if any. */
static int node_at(const struct fdt *fdt, uint32_t offset, struct fdt_node *node)
{
	uint32_t token;

	for (;;) {
		int err = read_token(fdt, offset, &token);

		if (err)
			return err;
		if (token == TOKEN_NOP) {
			offset += 4;
			continue;
		}
		if (token != TOKEN_BEGIN_NODE)
			return FDT_ERR_NOTFOUND;
		node->offset = offset;
		return FDT_OK;
	}
}

int fdt_root(const struct fdt *fdt, struct fdt_node *root)
{
	int err = node_at(fdt, 0, root);

	return err == FDT_ERR_NOTFOUND ? FDT_ERR_BADSTRUCTURE : err;
}

int fdt_first_child(const struct fdt *fdt, struct fdt_node parent, struct fdt_node *child)
{
	uint32_t offset;
	int err = skip_props(fdt, parent.offset, &offset);

	return err ? err : node_at(fdt, offset, child);
}

int fdt_next_sibling(const struct fdt *fdt, struct fdt_node node, struct fdt_node *next)
{
	uint32_t offset;
	int err = skip_subtree(fdt, node.offset, &offset);

	return err ? err : node_at(fdt, offset, next);
}

const char *fdt_node_name(const struct fdt *fdt, struct fdt_node node)
{
	uint32_t unused;

	if (skip_node_name(fdt, node.offset, &unused))
		return "";
	return (const char *)fdt->structs + node.offset + 4;
}

static int find_child(const struct fdt *fdt, struct fdt_node parent, const char *name,
		      size_t name_len, struct fdt_node *out)
{
	struct fdt_node child;
	int err = fdt_first_child(fdt, parent, &child);

	while (!err) {
		const char *child_name = fdt_node_name(fdt, child);

		if (strncmp(child_name, name, name_len) == 0 && child_name[name_len] == '\0') {
			*out = child;
			return FDT_OK;
		}
		err = fdt_next_sibling(fdt, child, &child);
	}
	return err;
}

int fdt_find_path(const struct fdt *fdt, const char *path, struct fdt_node *node)
{
	struct fdt_node cur;
	int err = fdt_root(fdt, &cur);

	if (err)
		return err;
	if (*path != '/')
		return FDT_ERR_NOTFOUND;
	while (*path) {
		while (*path == '/')
			path++;
		if (!*path)
			break;
		size_t len = 0;

		while (path[len] && path[len] != '/')
			len++;
		err = find_child(fdt, cur, path, len, &cur);
		if (err)
			return err;
		path += len;
	}
	*node = cur;
	return FDT_OK;
}

const void *fdt_get_prop(const struct fdt *fdt, struct fdt_node node, const char *name,
			 uint32_t *len)
{
	uint32_t offset;
	uint32_t token;

	if (skip_node_name(fdt, node.offset, &offset))
		return NULL;
	while (!read_token(fdt, offset, &token)) {
		uint32_t value_len;
		uint32_t name_off;
		uint32_t value_off = offset + 12;

		if (token == TOKEN_NOP) {
			offset += 4;
			continue;
		}
		if (token != TOKEN_PROP)
			return NULL;
		if (skip_prop(fdt, offset, &offset, &value_len, &name_off))
			return NULL;
		if (name_off >= fdt->strings_size)
			return NULL;
		const char *prop_name = fdt->strings + name_off;
		size_t room = fdt->strings_size - name_off;

		if (strnlen(prop_name, room) == room)
			return NULL;
		if (strcmp(prop_name, name) == 0) {
			if (len)
				*len = value_len;
			return fdt->structs + value_off;
		}
	}
	return NULL;
}

bool fdt_prop_is(const struct fdt *fdt, struct fdt_node node, const char *name, const char *value)
{
	uint32_t len;
	const char *p = fdt_get_prop(fdt, node, name, &len);
	size_t want = strlen(value) + 1;

	return p && len >= want && memcmp(p, value, want) == 0;
}

uint32_t fdt_get_u32(const struct fdt *fdt, struct fdt_node node, const char *name,
		     uint32_t fallback)
{
	uint32_t len;
	const void *p = fdt_get_prop(fdt, node, name, &len);

	return p && len == 4 ? be32(p) : fallback;
}

uint64_t fdt_read_cells(const void *p, uint32_t cells)
{
	const uint8_t *b = p;
	uint64_t value = 0;

	for (uint32_t i = 0; i < cells; i++)
		value = value << 32 | be32(b + 4 * i);
	return value;
}

void fdt_remove_prop_in_place(const void *value, uint32_t len)
{
	/* fdt_get_prop's value follows its 12-byte header (token, length, name),
	 * and the value is padded to 4 bytes inside the structure block. */
	uint8_t *prop = (uint8_t *)value - 12;
	uint32_t bytes = 12 + align4(len);

	memset(prop, 0, bytes);
	for (uint32_t at = 0; at < bytes; at += 4)
		prop[at + 3] = TOKEN_NOP;
}
