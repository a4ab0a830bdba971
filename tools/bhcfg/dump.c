/*
 * `bhcfg dump`: a binary config or system image in readable form. The input
 * is validated first with the hypervisor's own checker, so dump never reads
 * outside a blob; an invalid one is explained, not printed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bhcfg.h"

static void print_problem(void *ctx, const struct config_problem *p)
{
	diag_error(ctx, NULL, NULL, "%s", p->message);
}

static void flags_text(uint32_t flags, char *out)
{
	static const char *const names[] = {
		"read", "write", "exec", "device", "comm", "hv-status"
	};

	out[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (flags & (1u << i))
			sprintf(out + strlen(out), "%s%s", out[0] ? "," : "", names[i]);
}

static void item_text(uint32_t item, char *out)
{
	if (item == BH_NONE)
		strcpy(out, "none");
	else
		sprintf(out, "item %u", item);
}

static void dump_config(const uint8_t *blob)
{
	const struct bh_config_header *h = (const void *)blob;
	const struct bh_cell *cells = (const void *)(blob + h->cells.offset_bytes);
	const struct bh_mem_region *regions = (const void *)(blob + h->regions.offset_bytes);
	const struct bh_device *devices = (const void *)(blob + h->devices.offset_bytes);
	const struct bh_irq *irqs = (const void *)(blob + h->irqs.offset_bytes);
	const struct bh_channel *channels = (const void *)(blob + h->channels.offset_bytes);
	char text[64], t2[32], t3[32];

	printf("config: ABI version %u, %u bytes, crc32 0x%08x, arch %s, platform \"%s\"\n",
	       h->abi_version, h->total_size_bytes, h->crc32, arch_name(h->arch), h->platform);
	printf("hypervisor memory: [0x%llx, +0x%llx)\n", (unsigned long long)h->hv_memory.base,
	       (unsigned long long)h->hv_memory.size_bytes);
	printf("loader area: [0x%llx, +0x%llx)\n", (unsigned long long)h->loader_area.base,
	       (unsigned long long)h->loader_area.size_bytes);
	printf("console: %s at 0x%llx, +0x%llx, irq %d\n",
	       h->console.kind == BH_CONSOLE_PL011       ? "pl011"
	       : h->console.kind == BH_CONSOLE_8250_PORT ? "8250 ports"
							 : "none",
	       (unsigned long long)h->console.base, (unsigned long long)h->console.size_bytes,
	       (int)h->console.irq);
	for (uint32_t i = 0; i < h->cells.count; i++) {
		const struct bh_cell *c = &cells[i];

		printf("cell %u \"%s\": %s%s%s%s%s%s, cpus", i, c->name,
		       boot_protocol_name(c->boot_protocol),
		       c->flags & BH_CELL_REALTIME ? ", realtime" : "",
		       c->flags & BH_CELL_STOPS_SYSTEM ? ", stops-system" : "",
		       c->flags & BH_CELL_STOP_ON_FAULT ? ", stop-on-fault" : "",
		       c->flags & BH_CELL_RESTART_ON_RESET ? ", restart-on-reset" : "",
		       c->flags & BH_CELL_MANAGER ? ", manager" : "");
		for (uint32_t k = 0; k < c->cpu_count; k++)
			printf(" %llu%s", (unsigned long long)c->cpu_hwid[k],
			       k == 0 ? " (boot)" : "");
		printf("\n  entry 0x%llx\n", (unsigned long long)c->entry_guest_phys);
		item_text(c->image_item, text);
		item_text(c->dtb_item, t2);
		item_text(c->initrd_item, t3);
		printf("  image %s at 0x%llx\n", text, (unsigned long long)c->image_guest_phys);
		if (c->dtb_item != BH_NONE)
			printf("  dtb %s at 0x%llx\n", t2, (unsigned long long)c->dtb_guest_phys);
		if (c->initrd_item != BH_NONE)
			printf("  initrd %s at 0x%llx\n", t3,
			       (unsigned long long)c->initrd_guest_phys);
		for (uint32_t r = c->region_first; r < c->region_first + c->region_count; r++) {
			flags_text(regions[r].flags, text);
			printf("  region %u: guest 0x%llx host 0x%llx size 0x%llx %s",
			       r - c->region_first, (unsigned long long)regions[r].guest_phys,
			       (unsigned long long)regions[r].host_phys,
			       (unsigned long long)regions[r].size_bytes, text);
			if (regions[r].flags & BH_MEM_COMM)
				printf(" channel \"%s\"", channels[regions[r].channel].name);
			if (regions[r].flags & BH_MEM_HV_STATUS)
				printf(" (the hypervisor status page)");
			printf("\n");
		}
		for (uint32_t d = c->device_first; d < c->device_first + c->device_count; d++) {
			const struct bh_device *dev = &devices[d];

			printf("  device \"%s\": %s 0x%llx +0x%llx, irqs", dev->name,
			       dev->kind == BH_DEVICE_PORT ? "ports" : "mmio",
			       (unsigned long long)dev->base, (unsigned long long)dev->size_bytes);
			for (uint32_t q = dev->irq_first; q < dev->irq_first + dev->irq_count; q++)
				printf(" %u", irqs[q].number);
			printf("%s\n", dev->irq_count ? "" : " none");
		}
	}
	for (uint32_t k = 0; k < h->channels.count; k++) {
		const struct bh_channel *ch = &channels[k];

		printf("channel %u \"%s\": host 0x%llx size 0x%llx doorbell %d\n", k, ch->name,
		       (unsigned long long)ch->host_phys, (unsigned long long)ch->size_bytes,
		       (int)ch->doorbell_irq);
		for (uint32_t e = 0; e < ch->endpoint_count; e++) {
			flags_text(ch->endpoints[e].access, text);
			printf("  endpoint cell \"%s\" guest 0x%llx %s\n",
			       cells[ch->endpoints[e].cell].name,
			       (unsigned long long)ch->endpoints[e].guest_phys, text);
		}
	}
}

static const char *kind_name(uint32_t kind)
{
	static const char *const names[] = { "?", "config", "image", "dtb", "initrd" };

	return kind <= BH_ITEM_INITRD ? names[kind] : "?";
}

int dump_file(const char *path)
{
	size_t size;
	uint8_t *blob = file_read(path, &size);

	if (!blob)
		return 1;
	uint32_t magic = size >= 4 ? *(const uint32_t *)blob : 0;
	if (magic == BH_SYSIMAGE_MAGIC) {
		if (sysimage_check_report(blob, size, 0, print_problem, (void *)path)) {
			fprintf(stderr, "%s: invalid system image; not dumped\n", path);
			return 1;
		}
		const struct bh_sysimage_header *h = (const void *)blob;
		const struct bh_sysimage_item *items =
			(const void *)(blob + h->item_table_offset_bytes);
		printf("system image: version %u, %u bytes, crc32 0x%08x, %u items\n", h->version,
		       h->total_size_bytes, h->crc32, h->item_count);
		for (uint32_t i = 0; i < h->item_count; i++)
			printf("item %u: %-6s cell %d \"%s\" offset 0x%x size 0x%x crc32 0x%08x\n",
			       i, kind_name(items[i].kind), (int)items[i].cell, items[i].name,
			       items[i].offset_bytes, items[i].size_bytes, items[i].crc32);
		size_t config_size;
		dump_config(sysimage_config(blob, &config_size));
	} else {
		if (config_check_report(blob, size, 0, print_problem, (void *)path)) {
			fprintf(stderr, "%s: invalid binary config; not dumped\n", path);
			return 1;
		}
		dump_config(blob);
	}
	free(blob);
	return 0;
}
