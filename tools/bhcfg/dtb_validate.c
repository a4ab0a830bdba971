/*
 * The gate every untrusted DTB passes before bhcfg reads it with libfdt:
 * a file named on the command line or a fuzzer's input.
 */
#include <stdint.h>
#include <string.h>
#include <libfdt.h>

#include "bhcfg.h"

static size_t tag_align(size_t offset)
{
	return (offset + FDT_TAGSIZE - 1) & ~(size_t)(FDT_TAGSIZE - 1);
}

/* Where a node's name ends, or 0 when it runs off the structure block. */
static size_t node_name_end(const uint8_t *block, size_t size, size_t offset)
{
	const uint8_t *nul = memchr(block + offset, '\0', size - offset);

	return nul ? (size_t)(nul - block) + 1 : 0;
}

/*
 * libfdt 1.6.1's fdt_next_tag() adds a property's length to an int offset
 * without checking it: a length of 0xfffffff4 lands back on the same tag and
 * fdt_check_full() loops for ever (found by fuzz_system_dtb). Walk the
 * structure block once with checked sizes so such a blob is refused first.
 * Needs a header that fdt_check_header() accepted and a buffer of at least
 * fdt_totalsize() bytes.
 */
static int dtb_check_structure_walk(const void *blob)
{
	const uint8_t *block = (const uint8_t *)blob + fdt_off_dt_struct(blob);
	size_t size = fdt_version(blob) >= 17 ? fdt_size_dt_struct(blob)
					      : fdt_totalsize(blob) - fdt_off_dt_struct(blob);
	size_t offset = 0;

	while (offset <= size && size - offset >= FDT_TAGSIZE) {
		uint32_t tag = fdt32_ld((const fdt32_t *)(block + offset));
		uint32_t length;

		offset += FDT_TAGSIZE;
		switch (tag) {
		case FDT_BEGIN_NODE:
			offset = node_name_end(block, size, offset);
			if (offset == 0)
				return -FDT_ERR_TRUNCATED;
			break;
		case FDT_PROP:
			if (size - offset < 2 * sizeof(fdt32_t))
				return -FDT_ERR_TRUNCATED;
			length = fdt32_ld((const fdt32_t *)(block + offset));
			offset += 2 * sizeof(fdt32_t); /* length, name offset */
			if (length > size - offset)
				return -FDT_ERR_TRUNCATED;
			offset += length;
			break;
		case FDT_END_NODE:
		case FDT_NOP:
			break;
		case FDT_END:
			return 0;
		default:
			return -FDT_ERR_BADSTRUCTURE;
		}
		offset = tag_align(offset);
	}
	return -FDT_ERR_TRUNCATED;
}

int dtb_validate(const void *blob, size_t size)
{
	/*
	 * libfdt 1.6.1's fdt_check_full() dereferences NULL on some version-2
	 * blobs (found by fuzz_system_dtb): accept only versions 16 and 17, as
	 * dtc and QEMU write, before handing the blob to libfdt.
	 */
	if (size < sizeof(struct fdt_header))
		return -FDT_ERR_TRUNCATED;
	if (fdt_magic(blob) != FDT_MAGIC)
		return -FDT_ERR_BADMAGIC;
	if (fdt_version(blob) < 16 || fdt_last_comp_version(blob) > 17)
		return -FDT_ERR_BADVERSION;
	int err = fdt_check_header(blob);
	if (err)
		return err;
	if (size < fdt_totalsize(blob))
		return -FDT_ERR_TRUNCATED;
	err = dtb_check_structure_walk(blob);
	return err ? err : fdt_check_full(blob, size);
}
