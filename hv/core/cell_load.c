/*
 * Cell loading (hv/cell_load.h). Every destination is checked against the
 * cell's own writable RAM regions before a byte is copied, so a config that
 * passed validation still cannot make the loader write outside the cell.
 */
#include <abi/config_check.h>
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <bulkhead/errno.h>
#include <bulkhead/sysimage.h>
#include <hv/cell_load.h>
#include <hv/cell_seed.h>
#include <hv/console.h>
#include <hv/cpu_map.h>
#include <hv/guest_mem.h>
#include <lib/string.h>

static const struct bh_sysimage_item *sysimage_item(const void *sysimage, uint32_t index)
{
	const struct bh_sysimage_header *h = sysimage;

	return (const void *)((const uint8_t *)sysimage + h->item_table_offset_bytes +
			      (size_t)index * h->item_size_bytes);
}

/* Edits an item in the cell's memory after the copy, before the cache clean. */
typedef void (*item_fixup)(const struct cell *cell, void *item, uint32_t size);

static int load_item(const struct cell *cell, const void *sysimage, uint32_t index,
		     uint64_t guest_phys, const char *what, item_fixup fixup)
{
	if (index == BH_NONE)
		return 0;
	const struct bh_sysimage_item *item = sysimage_item(sysimage, index);
	void *dst = guest_mem_range(cell, guest_phys, item->size_bytes, BH_MEM_WRITE);

	if (!dst) {
		console_print("hv: cell \"%s\": %s \"%s\" (%u bytes) does not fit at 0x%llx\n",
			      cell_name(cell), what, item->name, item->size_bytes,
			      (unsigned long long)guest_phys);
		return -BH_EFAULT;
	}
	memcpy(dst, (const uint8_t *)sysimage + item->offset_bytes, item->size_bytes);
	if (fixup)
		fixup(cell, dst, item->size_bytes);
	arch_cache_clean_range(dst, item->size_bytes);
	return 0;
}

static void fill_regions(const struct cell *cell, struct bh_boot_info *info)
{
	for (uint32_t i = 0; i < cell->desc->region_count && i < BH_BOOTINFO_MAX_REGIONS; i++) {
		const struct bh_mem_region *r = cell_region(cell, i);

		info->regions[i].guest_phys = r->guest_phys;
		info->regions[i].size_bytes = r->size_bytes;
		info->regions[i].flags = r->flags;
		info->region_count = i + 1;
	}
}

static int fill_channels(const struct cell *cell, struct bh_boot_info *info)
{
	const struct bh_config_header *cfg = cell->config;

	for (uint32_t c = 0; c < cfg->channels.count; c++) {
		const struct bh_channel *ch =
			(const void *)((const uint8_t *)cfg + cfg->channels.offset_bytes +
				       (size_t)c * cfg->channels.record_size_bytes);

		for (uint32_t e = 0; e < ch->endpoint_count && e < BH_CHANNEL_MAX_ENDPOINTS; e++) {
			if (ch->endpoints[e].cell != cell->id)
				continue;
			if (info->channel_count == BH_BOOTINFO_MAX_CHANNELS)
				return -BH_E2BIG; /* the validator refuses it first */
			struct bh_boot_channel *out = &info->channels[info->channel_count++];

			out->guest_phys = ch->endpoints[e].guest_phys;
			out->size_bytes = ch->size_bytes;
			out->flags = ch->endpoints[e].access;
			out->doorbell_intid = ch->doorbell_irq == BH_NONE ? BH_BOOT_NO_DOORBELL
									  : ch->doorbell_irq;
			strlcpy(out->name, ch->name, sizeof(out->name));
		}
	}
	return 0;
}

/* The native boot info goes in the last page of the cell's first region. */
static int write_boot_info(struct cell *cell)
{
	const struct bh_mem_region *first = cell_region(cell, 0);
	uint64_t guest_phys = config_boot_info_guest_phys(first);
	struct bh_boot_info *info =
		guest_mem_range(cell, guest_phys, BH_BOOTINFO_PAGE_BYTES, BH_MEM_WRITE);

	if (!info)
		return -BH_EFAULT;
	/* The validator refuses more (check_cells.c); never drop one silently. */
	if (cell->desc->region_count > BH_BOOTINFO_MAX_REGIONS ||
	    cell->desc->irq_count > BH_BOOTINFO_MAX_IRQS ||
	    cell->desc->cpu_count > BH_BOOTINFO_MAX_CPUS)
		return -BH_E2BIG;
	memset(info, 0, BH_BOOTINFO_PAGE_BYTES);
	info->magic = BH_BOOTINFO_MAGIC;
	info->version = BH_BOOTINFO_VERSION;
	info->size_bytes = sizeof(*info);
	info->cell_id = cell->id;
	strlcpy(info->cell_name, cell_name(cell), sizeof(info->cell_name));
	info->flags = (cell->desc->flags & BH_CELL_REALTIME) ? BH_BOOT_REALTIME : 0;
	info->cpu_count = cell->desc->cpu_count;
	for (uint32_t i = 0; i < cell->desc->cpu_count && i < BH_BOOTINFO_MAX_CPUS; i++) {
		info->cpu_mpidr[i] = cell->desc->cpu_hwid[i];
		info->cpu_logical[i] = (uint32_t)cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);
	}
	fill_regions(cell, info);
	int err = fill_channels(cell, info);

	if (err)
		return err;
	for (uint32_t i = 0; i < cell->desc->irq_count && i < BH_BOOTINFO_MAX_IRQS; i++) {
		info->irqs[i] = cell_irq(cell, i)->number;
		info->irq_count = i + 1;
	}
	arch_cell_fill_boot_info(cell, info);
	arch_cache_clean_range(info, sizeof(*info));
	cell->boot_info = info;
	cell->boot_info_guest_phys = guest_phys;
	return 0;
}

int cell_load(struct cell *cell, const void *sysimage)
{
	const struct bh_cell *d = cell->desc;
	int err = load_item(cell, sysimage, d->image_item, d->image_guest_phys, "image", NULL);

	/* The DTB gets its rng-seed in place (hv/cell_seed.h). */
	if (!err)
		err = load_item(cell, sysimage, d->dtb_item, d->dtb_guest_phys, "device tree",
				cell_seed_fill);
	if (!err)
		err = load_item(cell, sysimage, d->initrd_item, d->initrd_guest_phys, "initrd",
				NULL);
	if (!err && d->boot_protocol == BH_BOOT_NATIVE)
		err = write_boot_info(cell);
	return err;
}

uint64_t cell_boot_argument(const struct cell *cell)
{
	if (cell->desc->boot_protocol == BH_BOOT_NATIVE)
		return cell->boot_info_guest_phys;
	return cell->desc->dtb_guest_phys;
}
