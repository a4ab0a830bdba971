/*
 * The system image: header and item table, every item's bounds and CRC, the
 * config item (checked by config_check's rules), then that each cell's image,
 * DTB and initrd references name an item of the right kind and cell, used
 * exactly once, that fits the cell's memory at its load address.
 */
#include "checker.h"
#include <bulkhead/bootinfo.h>
#include <bulkhead/sysimage.h>
#include <lib/crc32.h>
#include <lib/string.h>

/* What an index past the item table reads: no kind (0), which every rule refuses. */
static const struct bh_sysimage_item no_item;

/*
 * Item i of the image's item table. As for config records (records.c), the
 * index and the item's bytes are tested where it is read, although
 * check_image_header admitted the whole table: a rule cannot read outside the
 * image, and EVA sees it.
 */
static const struct bh_sysimage_item *image_item(const void *image, uint32_t i)
{
	const struct bh_sysimage_header *h = image;
	uint64_t at = (uint64_t)h->item_table_offset_bytes +
		      (uint64_t)i * sizeof(struct bh_sysimage_item);

	if (i < h->item_count && at + sizeof(struct bh_sysimage_item) <= h->total_size_bytes)
		return (const void *)((const uint8_t *)image + at);
	return &no_item;
}

/*
 * The payload of item `it`, its size in *size: NULL unless it starts 4 KiB-
 * aligned past the item table and ends inside the image. Every payload read
 * goes through it. Its states are split by the offset (a few aligned values
 * in any image EVA is given), so that EVA bounds the size for each offset:
 * its intervals cannot relate offset + size <= total_size_bytes.
 */
static const uint8_t *item_payload(const uint8_t *image, const struct bh_sysimage_item *it,
				   uint32_t *size)
{
	const struct bh_sysimage_header *h = (const void *)image;
	uint64_t table_end = (uint64_t)h->item_table_offset_bytes +
			     (uint64_t)h->item_count * sizeof(struct bh_sysimage_item);
	uint32_t offset = it->offset_bytes;
	uint32_t bytes = it->size_bytes;

	if ((offset & (BH_SYSIMAGE_ALIGN_BYTES - 1)) || offset < table_end ||
	    offset > h->total_size_bytes)
		return NULL;
	/*@ split offset; */
	if ((uint64_t)offset + bytes > h->total_size_bytes)
		return NULL;
	*size = bytes;
	return image + offset;
}

static const char *item_kind_name(uint32_t kind)
{
	switch (kind) {
	case BH_ITEM_CONFIG:
		return "config";
	case BH_ITEM_IMAGE:
		return "image";
	case BH_ITEM_DTB:
		return "dtb";
	case BH_ITEM_INITRD:
		return "initrd";
	default:
		return "unknown";
	}
}

static bool check_image_header(struct checker *c, const uint8_t *image, size_t size)
{
	const struct bh_sysimage_header *h = (const void *)image;

	if (((uintptr_t)image & 7) != 0) {
		check_problem(c, CONFIG_E_ALIGN, CONFIG_AT_HEADER, 0, "magic",
			      "system image at %p is not 8-byte aligned", (const void *)image);
		return false;
	}
	if (size < sizeof(*h)) {
		check_problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
			      "system image is %zu bytes, shorter than its %zu-byte header", size,
			      sizeof(*h));
		return false;
	}
	if (h->magic != BH_SYSIMAGE_MAGIC) {
		check_problem(c, CONFIG_E_MAGIC, CONFIG_AT_HEADER, 0, "magic",
			      "system image magic is 0x%08x, expected 0x%08x (\"BHSI\")", h->magic,
			      BH_SYSIMAGE_MAGIC);
		return false;
	}
	if (h->version != BH_SYSIMAGE_VERSION) {
		check_problem(c, CONFIG_E_VERSION, CONFIG_AT_HEADER, 0, "version",
			      "system image version is %u, this build understands version %u",
			      h->version, BH_SYSIMAGE_VERSION);
		return false;
	}
	if (h->total_size_bytes > size || h->total_size_bytes < sizeof(*h)) {
		check_problem(c, CONFIG_E_TRUNCATED, CONFIG_AT_HEADER, 0, "total_size_bytes",
			      "system image says it is %u bytes, but %zu bytes are available",
			      h->total_size_bytes, size);
		return false;
	}
	uint64_t table_end = (uint64_t)h->item_table_offset_bytes +
			     (uint64_t)h->item_count * sizeof(struct bh_sysimage_item);
	if (h->item_size_bytes != sizeof(struct bh_sysimage_item) || h->item_count == 0 ||
	    h->item_count > BH_SYSIMAGE_MAX_ITEMS || (h->item_table_offset_bytes & 7) ||
	    h->item_table_offset_bytes < sizeof(*h) || table_end > h->total_size_bytes ||
	    h->reserved) {
		check_problem(
			c, CONFIG_E_LAYOUT, CONFIG_AT_HEADER, 0, "item_count",
			"system image item table: %u items of %u bytes at 0x%x do not fit the "
			"%u-byte image (expected 1..%u items of %zu bytes)",
			h->item_count, h->item_size_bytes, h->item_table_offset_bytes,
			h->total_size_bytes, BH_SYSIMAGE_MAX_ITEMS,
			sizeof(struct bh_sysimage_item));
		return false;
	}
	struct bh_sysimage_header copy;
	memcpy(&copy, h, sizeof(copy));
	copy.crc32 = 0;
	uint32_t crc = crc32_ieee(&copy, sizeof(copy));
	crc = crc32_ieee_update(crc, image + sizeof(copy), (size_t)table_end - sizeof(copy));
	if (crc != h->crc32) {
		check_problem(c, CONFIG_E_CRC, CONFIG_AT_HEADER, 0, "crc32",
			      "system image header CRC is 0x%08x, but header and item table give "
			      "0x%08x: corrupted",
			      h->crc32, crc);
		return false;
	}
	return true;
}

/* Returns the CONFIG item index, or -1 after reporting. */
static int check_image_items(struct checker *c, const uint8_t *image)
{
	const struct bh_sysimage_header *h = (const void *)image;
	int config = -1;
	bool ok = true;

	for (uint32_t i = 0; i < h->item_count; i++) {
		const struct bh_sysimage_item *it = image_item(image, i);
		struct shown_name item_name = show_name(it->name);
		const char *name = item_name.text;

		if (it->kind < BH_ITEM_CONFIG || it->kind > BH_ITEM_INITRD ||
		    !name_valid(it->name) || it->reserved) {
			check_problem(c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "kind",
				      "system image item %u \"%s\": kind %u unknown, or name or "
				      "reserved field invalid",
				      i, name, it->kind);
			ok = false;
			continue;
		}
		uint32_t size = 0;
		const uint8_t *payload = item_payload(image, it, &size);
		if (!payload) {
			check_problem(
				c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "offset_bytes",
				"system image item %u \"%s\" [0x%x, +0x%x) is not 4 KiB-aligned, "
				"overlaps the item table or ends past the image's %u bytes",
				i, name, it->offset_bytes, it->size_bytes, h->total_size_bytes);
			ok = false;
			continue;
		}
		for (uint32_t k = 0; k < i; k++) {
			const struct bh_sysimage_item *o = image_item(image, k);

			if (it->size_bytes && o->size_bytes &&
			    ranges_overlap(it->offset_bytes, it->size_bytes, o->offset_bytes,
					   o->size_bytes)) {
				check_problem(c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "offset_bytes",
					      "system image item %u \"%s\" overlaps item %u", i,
					      name, k);
				ok = false;
			}
		}
		uint32_t crc = crc32_ieee(payload, size);
		if (crc != it->crc32) {
			check_problem(
				c, CONFIG_E_CRC, CONFIG_AT_ITEM, i, "crc32",
				"system image item %u \"%s\": CRC is 0x%08x, but its %u bytes give "
				"0x%08x: corrupted",
				i, name, it->crc32, it->size_bytes, crc);
			ok = false;
		}
		if (it->kind == BH_ITEM_CONFIG) {
			if (config >= 0) {
				check_problem(
					c, CONFIG_E_ITEM, CONFIG_AT_ITEM, i, "kind",
					"system image has a second config item (%u, first %d)", i,
					config);
				ok = false;
			}
			config = (int)i;
		}
	}
	if (config < 0 && ok) {
		check_problem(c, CONFIG_E_ITEM, CONFIG_AT_HEADER, 0, "item_count",
			      "system image has no config item");
	}
	return ok ? config : -1;
}

static void check_item_reference(struct checker *c, const uint8_t *image, uint32_t cell_index,
				 uint32_t item_index, uint32_t kind, uint64_t guest_phys,
				 const char *field, uint8_t *used)
{
	const struct bh_sysimage_header *h = (const void *)image;
	struct shown_name cell_name = show_name(cell_at(c, cell_index)->name);
	const char *cname = cell_name.text;

	if (item_index == BH_NONE)
		return;
	if (item_index >= h->item_count) {
		check_problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, cell_index, field,
			      "cell \"%s\": %s item %u does not exist (the image has %u items)",
			      cname, item_kind_name(kind), item_index, h->item_count);
		return;
	}
	const struct bh_sysimage_item *it = image_item(image, item_index);
	if (it->kind != kind || it->cell != cell_index) {
		check_problem(c, CONFIG_E_ITEM, CONFIG_AT_CELL, cell_index, field,
			      "cell \"%s\": item %u is a %s item of cell %u, expected a %s item of "
			      "cell %u",
			      cname, item_index, item_kind_name(it->kind), it->cell,
			      item_kind_name(kind), cell_index);
		return;
	}
	used[item_index]++;
	uint64_t size = it->size_bytes ? it->size_bytes : 1;
	if (cell_ram_region_at(c, cell_index, guest_phys, size, BH_MEM_WRITE) < 0)
		check_problem(
			c, CONFIG_E_LOAD, CONFIG_AT_CELL, cell_index, field,
			"cell \"%s\": %s \"%s\" of 0x%x bytes at guest 0x%llx does not fit inside "
			"one of its writable memory regions",
			cname, item_kind_name(kind), show_name(it->name).text, it->size_bytes,
			(unsigned long long)guest_phys);
}

/* What the loader puts into a cell: [addr, +size), named for messages. */
struct cell_load {
	const char *what;
	const char *field;
	uint64_t addr, size;
};

static uint64_t read_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int k = 7; k >= 0; k--)
		v = v << 8 | p[k];
	return v;
}

/* The arm64 Image header (Documentation/arm64/booting.rst): "ARM\x64" at 56. */
#define ARM64_IMAGE_MAGIC_OFFSET 56
#define ARM64_IMAGE_HEADER_BYTES 64

/* The item at `index` when it is a `kind` item of cell i (already reported otherwise). */
static const struct bh_sysimage_item *cell_item(const uint8_t *image, uint32_t i, uint32_t index,
						uint32_t kind)
{
	const struct bh_sysimage_header *h = (const void *)image;
	const struct bh_sysimage_item *it;

	if (index == BH_NONE || index >= h->item_count)
		return NULL;
	it = image_item(image, index);
	return it->kind == kind && it->cell == i ? it : NULL;
}

/*
 * The Linux image's extent: its declared image_size (BSS included) when the
 * Image header says more than the file, and the protocol's alignment.
 */
static uint64_t linux_image_extent(struct checker *c, const uint8_t *image, uint32_t i,
				   const struct bh_sysimage_item *it)
{
	const struct bh_cell *cell = cell_at(c, i);
	uint32_t bytes = 0;
	const uint8_t *p = item_payload(image, it, &bytes);
	uint64_t size = bytes;
	uint64_t text_offset = 0;

	if (p && bytes >= ARM64_IMAGE_HEADER_BYTES &&
	    !memcmp(p + ARM64_IMAGE_MAGIC_OFFSET, "ARM\x64", 4)) {
		uint64_t declared = read_le64(p + 16);

		text_offset = read_le64(p + 8);
		if (declared > size)
			size = declared;
	}
	uint64_t align = c->rules->linux_image_align;
	if (align && (cell->image_guest_phys < text_offset ||
		      (cell->image_guest_phys - text_offset) % align))
		check_problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, "image_item",
			      "cell \"%s\": image load address 0x%llx is not text_offset 0x%llx "
			      "above a 0x%llx-aligned address, as the Linux %s boot protocol "
			      "requires",
			      CELL_NAME(c, i), (unsigned long long)cell->image_guest_phys,
			      (unsigned long long)text_offset, (unsigned long long)align,
			      c->rules->name);
	if (size > it->size_bytes &&
	    cell_ram_region_at(c, i, cell->image_guest_phys, size, BH_MEM_WRITE) < 0)
		check_problem(
			c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, "image_item",
			"cell \"%s\": image \"%s\" declares image_size 0x%llx (BSS "
			"included): [0x%llx, +0x%llx) does not fit inside one of its writable "
			"memory regions",
			CELL_NAME(c, i), show_name(it->name).text, (unsigned long long)size,
			(unsigned long long)cell->image_guest_phys, (unsigned long long)size);
	return size;
}

static void check_linux_dtb(struct checker *c, uint32_t i, const struct bh_sysimage_item *it)
{
	uint64_t addr = cell_at(c, i)->dtb_guest_phys;
	const struct check_arch_rules *r = c->rules;

	if (r->linux_dtb_align && addr % r->linux_dtb_align)
		check_problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, "dtb_item",
			      "cell \"%s\": DTB load address 0x%llx is not %llu-byte aligned, as "
			      "the Linux %s boot protocol requires",
			      CELL_NAME(c, i), (unsigned long long)addr,
			      (unsigned long long)r->linux_dtb_align, r->name);
	if (r->linux_dtb_max_bytes && it->size_bytes > r->linux_dtb_max_bytes)
		check_problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, "dtb_item",
			      "cell \"%s\": DTB of 0x%x bytes is larger than the 0x%llx bytes "
			      "the Linux %s boot protocol allows",
			      CELL_NAME(c, i), it->size_bytes,
			      (unsigned long long)r->linux_dtb_max_bytes, r->name);
}

/*
 * Everything the loader writes into cell i (image with its declared size,
 * DTB, initrd, native boot info) must land apart: an overlap would let one
 * silently overwrite another at boot.
 */
static void check_cell_loads(struct checker *c, const uint8_t *image, uint32_t i)
{
	const struct bh_cell *cell = cell_at(c, i);
	bool is_linux = cell->boot_protocol == c->rules->linux_boot_protocol;
	const struct bh_sysimage_item *img = cell_item(image, i, cell->image_item, BH_ITEM_IMAGE);
	const struct bh_sysimage_item *dtb = cell_item(image, i, cell->dtb_item, BH_ITEM_DTB);
	const struct bh_sysimage_item *rd = cell_item(image, i, cell->initrd_item, BH_ITEM_INITRD);
	/* Zeroed: EVA cannot tie the entries read below to the n written. */
	struct cell_load loads[4] = { 0 };
	uint32_t n = 0;

	if (cell->boot_protocol == BH_BOOT_NATIVE && cell->region_count)
		loads[n++] = (struct cell_load){ "native boot info page", "region_first",
						 config_boot_info_guest_phys(
							 region_at(c, cell->region_first)),
						 BH_BOOTINFO_PAGE_BYTES };
	if (img) {
		uint64_t size = img->size_bytes;

		if (is_linux && c->rules->linux_image_header)
			size = linux_image_extent(c, image, i, img);
		loads[n++] =
			(struct cell_load){ "image", "image_item", cell->image_guest_phys, size };
	}
	if (dtb) {
		if (is_linux)
			check_linux_dtb(c, i, dtb);
		loads[n++] = (struct cell_load){ "DTB", "dtb_item", cell->dtb_guest_phys,
						 dtb->size_bytes };
	}
	if (rd)
		loads[n++] = (struct cell_load){ "initrd", "initrd_item", cell->initrd_guest_phys,
						 rd->size_bytes };
	for (uint32_t a = 0; a < n; a++) {
		if (!range_ok(loads[a].addr, loads[a].size))
			continue;
		for (uint32_t b = 0; b < a; b++)
			if (range_ok(loads[b].addr, loads[b].size) &&
			    ranges_overlap(loads[a].addr, loads[a].size, loads[b].addr,
					   loads[b].size))
				check_problem(c, CONFIG_E_LOAD, CONFIG_AT_CELL, i, loads[a].field,
					      "cell \"%s\": %s at guest [0x%llx, +0x%llx) overlaps "
					      "its %s at guest [0x%llx, +0x%llx)",
					      CELL_NAME(c, i), loads[a].what,
					      (unsigned long long)loads[a].addr,
					      (unsigned long long)loads[a].size, loads[b].what,
					      (unsigned long long)loads[b].addr,
					      (unsigned long long)loads[b].size);
	}
}

int sysimage_check_report(const void *image, size_t size, uint32_t expected_arch,
			  config_report_fn report, void *ctx)
{
	struct checker c;
	const uint8_t *bytes = image;

	memset(&c, 0, sizeof(c));
	c.arch = expected_arch;
	c.report = report;
	c.ctx = ctx;
	if (!check_image_header(&c, bytes, size))
		return c.first_error;
	int config = check_image_items(&c, bytes);
	if (config < 0)
		return c.first_error ? c.first_error : -CONFIG_E_ITEM;

	uint32_t config_size = 0;
	const uint8_t *config_blob =
		item_payload(bytes, image_item(image, (uint32_t)config), &config_size);
	/* Not NULL: check_image_items accepted the item. */
	if (!config_blob)
		return -CONFIG_E_ITEM;
	/*
	 * Every rule below reads the config through c.blob: EVA keeps a state per
	 * offset of it, which the payload reads of linux_image_extent do not merge.
	 */
	/*@ split config_blob - bytes; */
	if (run_config_check(&c, config_blob, config_size))
		return c.first_error;

	const struct bh_sysimage_header *h = image;
	uint8_t used[BH_SYSIMAGE_MAX_ITEMS];
	memset(used, 0, sizeof(used));
	used[config] = 1;
	for (uint32_t i = 0; i < c.cell_count; i++) {
		const struct bh_cell *cell = cell_at(&c, i);

		check_item_reference(&c, bytes, i, cell->image_item, BH_ITEM_IMAGE,
				     cell->image_guest_phys, "image_item", used);
		check_item_reference(&c, bytes, i, cell->dtb_item, BH_ITEM_DTB,
				     cell->dtb_guest_phys, "dtb_item", used);
		check_item_reference(&c, bytes, i, cell->initrd_item, BH_ITEM_INITRD,
				     cell->initrd_guest_phys, "initrd_item", used);
		check_cell_loads(&c, bytes, i);
	}
	for (uint32_t k = 0; k < h->item_count; k++)
		if (used[k] != 1)
			check_problem(&c, CONFIG_E_ITEM, CONFIG_AT_ITEM, k, "cell",
				      "system image item %u \"%s\" is used %u times, expected once",
				      k, show_name(image_item(image, k)->name).text, used[k]);
	return c.first_error;
}

int sysimage_check(const void *image, size_t size, uint32_t expected_arch, char *why,
		   size_t why_size)
{
	struct checker_first_message m = { why, why_size, false };

	if (why && why_size)
		why[0] = '\0';
	return sysimage_check_report(image, size, expected_arch, checker_keep_first_message, &m);
}

const void *sysimage_config(const void *image, size_t *config_size)
{
	const struct bh_sysimage_header *h = image;

	for (uint32_t i = 0; i < h->item_count; i++) {
		const struct bh_sysimage_item *it = image_item(image, i);

		if (it->kind == BH_ITEM_CONFIG) {
			*config_size = it->size_bytes;
			return (const uint8_t *)image + it->offset_bytes;
		}
	}
	*config_size = 0;
	return NULL;
}
