/*
 * The system image: config, then per cell (in cell order) its image, its
 * generated DTB (linux-arm64) or boot parameters (linux-x86, whose image is
 * the bzImage's protected-mode kernel) and its initrd, each 4 KiB-aligned, the same
 * item order parse.c assigned. The finished image goes through the
 * hypervisor's own sysimage_check before anything is written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <lib/crc32.h>

#include "bhcfg.h"

struct payload {
	uint32_t kind;
	uint32_t cell;
	char name[BH_NAME_LEN];
	void *data;
	size_t size;
};

const char *image_files[8];
unsigned int image_file_count;

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

bool image_find(const char *name, const char *const *dirs, unsigned int dir_count, char *path,
		size_t path_size)
{
	struct stat st;

	for (unsigned int i = 0; i < image_file_count; i++)
		if (!strcmp(base_name(image_files[i]), base_name(name))) {
			snprintf(path, path_size, "%s", image_files[i]);
			return stat(path, &st) == 0 && S_ISREG(st.st_mode);
		}

	if (name[0] == '/') {
		snprintf(path, path_size, "%s", name);
		return stat(path, &st) == 0 && S_ISREG(st.st_mode);
	}
	for (unsigned int i = 0; i < dir_count; i++) {
		snprintf(path, path_size, "%s/%s", dirs[i], name);
		if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

static void item_name(char *out, const char *cell, const char *what)
{
	const char *base = strrchr(what, '/');

	snprintf(out, BH_NAME_LEN, "%s/%s", cell, base ? base + 1 : what);
}

static bool load_file_item(const struct system *sys, uint32_t i, const char *property,
			   const char *name, const char *const *dirs, unsigned int dir_count,
			   struct payload *item)
{
	char path[PATH_LEN * 2];

	if (!name[0]) {
		diag_error(sys->file, sys->cell_src[i].path, property,
			   "missing; bhcfg build needs the file to put in the system image");
		return false;
	}
	if (!image_find(name, dirs, dir_count, path, sizeof(path))) {
		diag_error(sys->file, sys->cell_src[i].path, property,
			   "file \"%s\" not found in the image folders (first: %s)", name, dirs[0]);
		return false;
	}
	item->data = file_read(path, &item->size);
	if (!item->data)
		return false;
	if (item->size > 0xfff00000u) {
		diag_error(sys->file, sys->cell_src[i].path, property,
			   "\"%s\" is %zu bytes; a system image holds at most 4 GiB", path,
			   item->size);
		return false;
	}
	item_name(item->name, sys->cells[i].name, name);
	return true;
}

static void report_item_problem(void *ctx, const struct config_problem *p)
{
	const struct system *sys = ctx;
	static const struct {
		const char *field, *property;
	} props[] = {
		{ "image_item", "image" },
		{ "dtb_item", "dtb-address" },
		{ "initrd_item", "initrd" },
	};
	const char *node = NULL, *property = NULL;

	if (p->table == CONFIG_AT_CELL && p->index < sys->cell_count) {
		node = sys->cell_src[p->index].path;
		for (size_t k = 0; k < sizeof(props) / sizeof(props[0]); k++)
			if (!strcmp(p->field, props[k].field))
				property = props[k].property;
	}
	diag_error(sys->file, node, property, "%s", p->message);
}

bool sysimage_emit(const struct system *sys, const void *platform_fdt,
		   const char *const *image_dirs, unsigned int image_dir_count,
		   const char *out_path, const char *config_out, const char *dtb_out_dir)
{
	static struct payload items[BH_SYSIMAGE_MAX_ITEMS];
	uint32_t n = 0;
	bool ok = true;

	if (sys->item_count > BH_SYSIMAGE_MAX_ITEMS) {
		diag_error(sys->file, "/cells", NULL, "%u system image items, at most %u",
			   sys->item_count, BH_SYSIMAGE_MAX_ITEMS);
		return false;
	}
	items[n].kind = BH_ITEM_CONFIG;
	items[n].cell = BH_NONE;
	strcpy(items[n].name, "config");
	items[n].data = config_emit(sys, &items[n].size);
	n++;
	for (uint32_t i = 0; i < sys->cell_count; i++) {
		const struct bh_cell *cell = &sys->cells[i];
		const struct cell_source *src = &sys->cell_src[i];
		struct payload *image = &items[cell->image_item];
		struct payload *initrd = NULL;

		image->kind = BH_ITEM_IMAGE;
		image->cell = i;
		ok &= load_file_item(sys, i, "image", src->image, image_dirs, image_dir_count,
				     image);
		if (cell->initrd_item != BH_NONE) {
			initrd = &items[cell->initrd_item];
			initrd->kind = BH_ITEM_INITRD;
			initrd->cell = i;
			ok &= load_file_item(sys, i, "initrd", src->initrd, image_dirs,
					     image_dir_count, initrd);
		}
		if (cell->dtb_item != BH_NONE) {
			struct payload *dtb = &items[cell->dtb_item];

			dtb->kind = BH_ITEM_DTB;
			dtb->cell = i;
			snprintf(dtb->name, BH_NAME_LEN, "%.27s/dtb", cell->name);
			if (cell->boot_protocol == BH_BOOT_LINUX_X86) {
				snprintf(dtb->name, BH_NAME_LEN, "%.19s/boot_params", cell->name);
				dtb->data = image->data
						    ? linux_x86_boot_emit(sys, i, platform_fdt,
									  image->data, &image->size,
									  initrd ? initrd->size : 0,
									  &dtb->size)
						    : NULL;
			} else {
				dtb->data = linux_dtb_emit(sys, i, platform_fdt,
							   initrd ? initrd->size : 0, &dtb->size);
			}
			ok &= dtb->data != NULL;
			if (dtb->data && dtb_out_dir) {
				char path[PATH_LEN * 2];

				snprintf(path, sizeof(path), "%s/%s.%s", dtb_out_dir, cell->name,
					 cell->boot_protocol == BH_BOOT_LINUX_X86 ? "bootparams"
										  : "dtb");
				ok &= file_write(path, dtb->data, dtb->size) == 0;
			}
		}
		n += 1 + (cell->dtb_item != BH_NONE) + (initrd != NULL);
	}
	if (!ok)
		return false;

	uint64_t cursor = sizeof(struct bh_sysimage_header) + n * sizeof(struct bh_sysimage_item);
	static struct bh_sysimage_item table[BH_SYSIMAGE_MAX_ITEMS];
	memset(table, 0, sizeof(table));
	for (uint32_t k = 0; k < n; k++) {
		cursor = (cursor + BH_SYSIMAGE_ALIGN_BYTES - 1) &
			 ~(uint64_t)(BH_SYSIMAGE_ALIGN_BYTES - 1);
		table[k].kind = items[k].kind;
		table[k].cell = items[k].cell;
		memcpy(table[k].name, items[k].name, BH_NAME_LEN);
		table[k].offset_bytes = (uint32_t)cursor;
		table[k].size_bytes = (uint32_t)items[k].size;
		table[k].crc32 = crc32_ieee(items[k].data, items[k].size);
		cursor += items[k].size;
	}
	cursor = (cursor + BH_SYSIMAGE_ALIGN_BYTES - 1) & ~(uint64_t)(BH_SYSIMAGE_ALIGN_BYTES - 1);
	if (cursor > 0xffffffffu) {
		diag_error(sys->file, NULL, NULL, "system image would be %llu bytes, over 4 GiB",
			   (unsigned long long)cursor);
		return false;
	}
	uint8_t *image = calloc(1, cursor);
	if (!image)
		return false;
	struct bh_sysimage_header h = {
		.magic = BH_SYSIMAGE_MAGIC,
		.version = BH_SYSIMAGE_VERSION,
		.total_size_bytes = (uint32_t)cursor,
		.item_count = n,
		.item_table_offset_bytes = sizeof(h),
		.item_size_bytes = sizeof(struct bh_sysimage_item),
	};
	memcpy(image + sizeof(h), table, n * sizeof(table[0]));
	for (uint32_t k = 0; k < n; k++)
		memcpy(image + table[k].offset_bytes, items[k].data, items[k].size);
	memcpy(image, &h, sizeof(h));
	h.crc32 = crc32_ieee(image, sizeof(h) + n * sizeof(table[0]));
	memcpy(image, &h, sizeof(h));

	/* Same verdict the hypervisor will reach: image sizes against regions etc. */
	if (sysimage_check_report(image, cursor, sys->hdr.arch, report_item_problem, (void *)sys) !=
	    0) {
		free(image);
		return false;
	}
	ok = file_write(out_path, image, cursor) == 0;
	if (ok && config_out)
		ok = file_write(config_out, items[0].data, items[0].size) == 0;
	free(image);
	return ok;
}
