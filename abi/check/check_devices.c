/*
 * Devices: owner, kind, range and alignment; a device belongs to one cell,
 * never overlaps hypervisor memory or any cell's RAM, nor its owner's guest view.
 */
#include "checker.h"
#include <lib/format.h>
#include <lib/string.h>

void check_devices(struct checker *c)
{
	bool ok[CONFIG_MAX_DEVICES] = { false };

	for (uint32_t d = 0; d < c->device_count; d++) {
		const struct bh_device *dev = device_at(c, d);
		uint32_t owner = dev->cell;

		ok[d] = false;
		if (owner >= c->cell_count || !in_slice(d, cell_at(c, owner)->device_first,
							cell_at(c, owner)->device_count)) {
			check_problem(
				c, CONFIG_E_OWNER, CONFIG_AT_DEVICE, d, "cell",
				"device %u names cell %u but is not in that cell's device list", d,
				owner);
			continue;
		}
		struct shown_name owner_name = show_name(cell_at(c, owner)->name);
		const char *cname = owner_name.text;
		if (!name_valid(dev->name)) {
			check_problem(c, CONFIG_E_NAME, CONFIG_AT_DEVICE, d, "name",
				      "cell \"%s\": device %u: name is empty or not NUL-terminated",
				      cname, d - cell_at(c, owner)->device_first);
			continue;
		}
		struct shown_name dev_name = show_name(dev->name);
		const char *dname = dev_name.text;
		if (dev->kind != BH_DEVICE_MMIO &&
		    !(dev->kind == BH_DEVICE_PORT && c->rules->port_devices)) {
			check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_DEVICE, d, "kind",
				      "cell \"%s\": device \"%s\": kind %u is not valid on this "
				      "architecture",
				      cname, dname, dev->kind);
			continue;
		}
		uint64_t limit = dev->kind == BH_DEVICE_PORT ? 0x10000 : 0;
		if (!range_ok(dev->base, dev->size_bytes) ||
		    (limit && (dev->base >= limit || dev->size_bytes > limit - dev->base))) {
			check_problem(c, CONFIG_E_SIZE, CONFIG_AT_DEVICE, d, "size_bytes",
				      "cell \"%s\": device \"%s\" [0x%llx, +0x%llx) is empty or "
				      "out of range",
				      cname, dname, (unsigned long long)dev->base,
				      (unsigned long long)dev->size_bytes);
			continue;
		}
		const struct check_reserved_ports *rp = &c->rules->reserved_ports;
		if (dev->kind == BH_DEVICE_PORT && rp->count &&
		    ranges_overlap(dev->base, dev->size_bytes, rp->first, rp->count)) {
			uint32_t port = dev->base > rp->first ? (uint32_t)dev->base : rp->first;
			check_problem(c, CONFIG_E_OVERLAP, CONFIG_AT_DEVICE, d, "base",
				      "cell \"%s\": device \"%s\" [0x%llx, +0x%llx) includes port "
				      "0x%x, one of %s",
				      cname, dname, (unsigned long long)dev->base,
				      (unsigned long long)dev->size_bytes, port, rp->use);
			continue;
		}
		char what[80];
		format_snprintf(what, sizeof(what), "cell \"%s\": device \"%s\"", cname, dname);
		/* Mapped 1:1, so an MMIO range is a host and a guest range at once. */
		if (dev->kind == BH_DEVICE_MMIO &&
		    (beyond_address_space(c, CONFIG_AT_DEVICE, d, "base", what, CHECK_HOST,
					  dev->base, dev->size_bytes) ||
		     beyond_address_space(c, CONFIG_AT_DEVICE, d, "base", what, CHECK_GUEST,
					  dev->base, dev->size_bytes)))
			continue;
		if (dev->kind == BH_DEVICE_MMIO &&
		    (!page_aligned(dev->base) || !page_aligned(dev->size_bytes))) {
			check_problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_DEVICE, d, "base",
				      "cell \"%s\": device \"%s\" [0x%llx, +0x%llx) is not 4 "
				      "KiB-aligned: "
				      "stage-2 passes through whole pages",
				      cname, dname, (unsigned long long)dev->base,
				      (unsigned long long)dev->size_bytes);
			continue;
		}
		if ((uint64_t)dev->irq_first + dev->irq_count > c->irq_count) {
			check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_DEVICE, d, "irq_first",
				      "cell \"%s\": device \"%s\": irqs [%u, +%u) outside the "
				      "table of %u",
				      cname, dname, dev->irq_first, dev->irq_count, c->irq_count);
			continue;
		}
		ok[d] = true;
		for (uint32_t k = 0; k < d; k++) {
			const struct bh_device *o = device_at(c, k);

			if (!ok[k] || !name_valid(o->name))
				continue;
			if (o->cell == owner && !strncmp(o->name, dev->name, BH_NAME_LEN))
				check_problem(c, CONFIG_E_NAME, CONFIG_AT_DEVICE, d, "name",
					      "cell \"%s\": two devices are named \"%s\"", cname,
					      dname);
			if (o->kind == dev->kind &&
			    ranges_overlap(o->base, o->size_bytes, dev->base, dev->size_bytes))
				check_problem(c, CONFIG_E_OVERLAP, CONFIG_AT_DEVICE, d, "base",
					      "cell \"%s\": device \"%s\" [0x%llx, +0x%llx) "
					      "overlaps device "
					      "\"%s\" of cell \"%s\": a device belongs to one cell",
					      cname, dname, (unsigned long long)dev->base,
					      (unsigned long long)dev->size_bytes,
					      show_name(o->name).text, CELL_NAME(c, o->cell));
		}
		if (dev->kind != BH_DEVICE_MMIO)
			continue;
		hits_hv_memory(c, CONFIG_AT_DEVICE, d, "base", what, dev->base, dev->size_bytes);
		/* Device pages must not alias any cell's memory (host side). */
		for (uint32_t r = 0; r < c->region_count; r++) {
			const struct bh_mem_region *reg = region_at(c, r);

			if (reg->cell >= c->cell_count ||
			    !range_ok(reg->host_phys, reg->size_bytes))
				continue;
			if (!(reg->flags & BH_MEM_HV_STATUS) &&
			    ranges_overlap(dev->base, dev->size_bytes, reg->host_phys,
					   reg->size_bytes)) {
				/* A channel is one host range however many cells map it. */
				if (!channel_mapped_before(c, r))
					check_problem(c, CONFIG_E_OVERLAP, CONFIG_AT_DEVICE, d,
						      "base", "%s [0x%llx, +0x%llx) overlaps %s",
						      what, (unsigned long long)dev->base,
						      (unsigned long long)dev->size_bytes,
						      region_label(c, r, false).text);
			}
			/* ...nor, in the owner's guest view, one of its regions. */
			else if (reg->cell == owner &&
				 ranges_overlap(dev->base, dev->size_bytes, reg->guest_phys,
						reg->size_bytes))
				check_problem(c, CONFIG_E_OVERLAP, CONFIG_AT_DEVICE, d, "base",
					      "%s [0x%llx, +0x%llx) overlaps its own %s at "
					      "guest 0x%llx",
					      what, (unsigned long long)dev->base,
					      (unsigned long long)dev->size_bytes,
					      region_label(c, r, false).text,
					      (unsigned long long)reg->guest_phys);
		}
	}
}
