/*
 * Shared-memory channels: name, range, doorbell, endpoints, and a one-to-one
 * match between declared endpoints and the channel regions that map them.
 */
#include "checker.h"
#include <lib/format.h>
#include <lib/string.h>

void check_channel(struct checker *c, uint32_t ch_index)
{
	const struct bh_channel *ch = channel_at(c, ch_index);

	if (!name_valid(ch->name)) {
		check_problem(c, CONFIG_E_NAME, CONFIG_AT_CHANNEL, ch_index, "name",
			      "channel %u: name is empty or not NUL-terminated", ch_index);
		return;
	}
	struct shown_name ch_name = show_name(ch->name);
	const char *name = ch_name.text;
	for (uint32_t k = 0; k < ch_index; k++)
		if (!strncmp(channel_at(c, k)->name, ch->name, BH_NAME_LEN))
			check_problem(c, CONFIG_E_NAME, CONFIG_AT_CHANNEL, ch_index, "name",
				      "channel \"%s\": name used by channel %u too", name, k);
	if (!range_ok(ch->host_phys, ch->size_bytes)) {
		check_problem(c, CONFIG_E_SIZE, CONFIG_AT_CHANNEL, ch_index, "size_bytes",
			      "channel \"%s\" [0x%llx, +0x%llx) is empty or wraps", name,
			      (unsigned long long)ch->host_phys,
			      (unsigned long long)ch->size_bytes);
		return;
	}
	if (!page_aligned(ch->host_phys) || !page_aligned(ch->size_bytes)) {
		check_problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_CHANNEL, ch_index,
			      page_aligned(ch->host_phys) ? "size_bytes" : "host_phys",
			      "channel \"%s\" [0x%llx, +0x%llx) is not 4 KiB-aligned", name,
			      (unsigned long long)ch->host_phys,
			      (unsigned long long)ch->size_bytes);
		return;
	}
	char what[80];
	format_snprintf(what, sizeof(what), "channel \"%s\" host", name);
	beyond_address_space(c, CONFIG_AT_CHANNEL, ch_index, "host_phys", what, CHECK_HOST,
			     ch->host_phys, ch->size_bytes);
	format_snprintf(what, sizeof(what), "channel \"%s\"", name);
	hits_hv_memory(c, CONFIG_AT_CHANNEL, ch_index, "host_phys", what, ch->host_phys,
		       ch->size_bytes);
	if (ch->doorbell_irq != BH_NONE && (ch->doorbell_irq < c->rules->doorbell_first ||
					    ch->doorbell_irq >= c->rules->doorbell_limit))
		check_problem(c, CONFIG_E_IRQ, CONFIG_AT_CHANNEL, ch_index, "doorbell_irq",
			      "channel \"%s\": doorbell %u is out of range: expected %s", name,
			      ch->doorbell_irq, c->rules->doorbell_expected);
	for (const struct check_reserved_doorbell *r = c->rules->reserved_doorbells;
	     r->number != BH_NONE; r++)
		if (ch->doorbell_irq == r->number)
			check_problem(c, CONFIG_E_IRQ, CONFIG_AT_CHANNEL, ch_index, "doorbell_irq",
				      "channel \"%s\": doorbell %u is %s; expected %s", name,
				      ch->doorbell_irq, r->use, c->rules->doorbell_expected);
	if (ch->endpoint_count < 2 || ch->endpoint_count > BH_CHANNEL_MAX_ENDPOINTS) {
		check_problem(c, CONFIG_E_CHANNEL, CONFIG_AT_CHANNEL, ch_index, "endpoint_count",
			      "channel \"%s\" has %u endpoints, expected 2..%u", name,
			      ch->endpoint_count, BH_CHANNEL_MAX_ENDPOINTS);
		return;
	}
	for (uint32_t e = 0; e < ch->endpoint_count; e++) {
		const struct bh_channel_endpoint *ep = &ch->endpoints[e];

		if (ep->cell >= c->cell_count) {
			check_endpoint_problem(
				c, CONFIG_E_CHANNEL, ch_index, e, "endpoints",
				"channel \"%s\": endpoint %u names cell %u, but there are %u cells",
				name, e, ep->cell, c->cell_count);
			continue;
		}
		struct shown_name ep_name = show_name(cell_at(c, ep->cell)->name);
		const char *cname = ep_name.text;
		for (uint32_t k = 0; k < e; k++)
			if (ch->endpoints[k].cell == ep->cell)
				check_endpoint_problem(
					c, CONFIG_E_CHANNEL, ch_index, e, "endpoints",
					"channel \"%s\": cell \"%s\" is an endpoint twice", name,
					cname);
		if (!ep->access || (ep->access & ~(BH_MEM_READ | BH_MEM_WRITE)))
			check_endpoint_problem(
				c, CONFIG_E_FLAGS, ch_index, e, "access",
				"channel \"%s\": cell \"%s\" access 0x%x: expected read "
				"and/or write",
				name, cname, ep->access);
		if (!page_aligned(ep->guest_phys) || !range_ok(ep->guest_phys, ch->size_bytes))
			check_endpoint_problem(
				c, CONFIG_E_MISALIGNED, ch_index, e, "guest_phys",
				"channel \"%s\": cell \"%s\" guest address 0x%llx is not 4 "
				"KiB-aligned "
				"or wraps",
				name, cname, (unsigned long long)ep->guest_phys);
		else {
			format_snprintf(what, sizeof(what), "channel \"%s\": cell \"%s\" guest",
					name, cname);
			beyond_address_space(c, CONFIG_AT_CHANNEL, ch_index, "guest_phys", what,
					     CHECK_GUEST, ep->guest_phys, ch->size_bytes);
		}
		/* The stage-2 builder walks regions only: each endpoint needs its mapping. */
		const struct bh_cell *cell = cell_at(c, ep->cell);
		uint32_t found = 0;
		for (uint32_t r = cell->region_first; r < cell->region_first + cell->region_count;
		     r++) {
			const struct bh_mem_region *reg = region_at(c, r);

			if ((reg->flags & BH_MEM_COMM) && reg->channel == ch_index &&
			    reg->guest_phys == ep->guest_phys && reg->host_phys == ch->host_phys &&
			    reg->size_bytes == ch->size_bytes &&
			    (reg->flags & (BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC)) == ep->access)
				found++;
		}
		if (found != 1)
			check_endpoint_problem(
				c, CONFIG_E_CHANNEL, ch_index, e, "endpoints",
				"channel \"%s\": cell \"%s\" has %u matching channel "
				"regions, expected 1",
				name, cname, found);
	}
	/* Conversely, every channel region must be a declared endpoint. */
	for (uint32_t r = 0; r < c->region_count; r++) {
		const struct bh_mem_region *reg = region_at(c, r);
		bool listed = false;

		if (!(reg->flags & BH_MEM_COMM) || reg->channel != ch_index)
			continue;
		for (uint32_t e = 0; e < ch->endpoint_count; e++)
			listed |= ch->endpoints[e].cell == reg->cell;
		if (!listed)
			check_problem(
				c, CONFIG_E_CHANNEL, CONFIG_AT_REGION, r, "channel",
				"region %u maps channel \"%s\" into cell \"%s\", which is not "
				"an endpoint",
				r, name, reg->cell < c->cell_count ? CELL_NAME(c, reg->cell) : "?");
	}
}
