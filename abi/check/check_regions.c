/*
 * Memory regions: shape (owner, range, 4 KiB alignment, flags), the read-only
 * hypervisor status region, and overlaps: within a cell's guest view, and
 * between cells on the host side unless both map the same channel (I2).
 */
#include "checker.h"
#include <bulkhead/status.h>
#include <lib/format.h>

/*
 * A status region maps the hypervisor's own page read-only: any other right
 * would let a cell write hypervisor memory or run it, and a host address
 * would suggest that some other memory is mapped (it is not).
 */
static bool hv_status_region_ok(struct checker *c, uint32_t r, const char *name, uint32_t local)
{
	const struct bh_mem_region *reg = region_at(c, r);
	uint64_t need = ((uint64_t)sizeof(struct bh_hv_status) + BH_PAGE_BYTES - 1) &
			~(uint64_t)(BH_PAGE_BYTES - 1);

	if (reg->flags != (BH_MEM_READ | BH_MEM_HV_STATUS)) {
		check_problem(
			c, CONFIG_E_FLAGS, CONFIG_AT_REGION, r, "flags",
			"cell \"%s\": region %u flags 0x%x: the hypervisor status region must be "
			"read-only (0x%x: read, hv-status; no write, exec, device or channel)",
			name, local, reg->flags, BH_MEM_READ | BH_MEM_HV_STATUS);
		return false;
	}
	if (reg->host_phys != 0) {
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_REGION, r, "host_phys",
			      "cell \"%s\": region %u: host address 0x%llx given for the "
			      "hypervisor status "
			      "region, expected 0 (the hypervisor supplies its own page)",
			      name, local, (unsigned long long)reg->host_phys);
		return false;
	}
	if (reg->size_bytes < need) {
		check_problem(
			c, CONFIG_E_SIZE, CONFIG_AT_REGION, r, "size_bytes",
			"cell \"%s\": region %u: 0x%llx bytes cannot hold the hypervisor status "
			"(0x%llx bytes)",
			name, local, (unsigned long long)reg->size_bytes, (unsigned long long)need);
		return false;
	}
	return true;
}

/* Region r as its own cell calls it: `region 0`, or `channel "telemetry"`. */
static struct region_label own_region_label(struct checker *c, uint32_t r)
{
	const struct bh_mem_region *reg = region_at(c, r);
	struct region_label l = { "" };

	if ((reg->flags & BH_MEM_COMM) && reg->channel < c->channel_count &&
	    name_valid(channel_at(c, reg->channel)->name))
		format_snprintf(l.text, sizeof(l.text), "channel \"%s\"",
				show_name(channel_at(c, reg->channel)->name).text);
	else
		format_snprintf(l.text, sizeof(l.text), "region %u",
				r - cell_at(c, reg->cell)->region_first);
	return l;
}

static void check_region_shape(struct checker *c, uint32_t r, bool *shape_ok)
{
	const struct bh_mem_region *reg = region_at(c, r);
	uint32_t owner = reg->cell;
	struct shown_name owner_name =
		show_name(owner < c->cell_count ? cell_at(c, owner)->name : "?");
	const char *name = owner_name.text;
	uint32_t local = owner < c->cell_count ? r - cell_at(c, owner)->region_first : r;
	struct region_label label = region_label(c, r, true);
	const char *what = label.text;
	/* A channel's own range problems are reported once, by check_channel. */
	bool channel_reports = region_mirrors_channel(c, r);

	*shape_ok = false;
	if (owner >= c->cell_count ||
	    !in_slice(r, cell_at(c, owner)->region_first, cell_at(c, owner)->region_count)) {
		check_problem(c, CONFIG_E_OWNER, CONFIG_AT_REGION, r, "cell",
			      "region %u names cell %u but is not in that cell's region list", r,
			      owner);
		return;
	}
	bool host_ok = range_ok(reg->host_phys, reg->size_bytes);
	if (!host_ok || !range_ok(reg->guest_phys, reg->size_bytes)) {
		if (!channel_reports)
			check_problem(
				c, CONFIG_E_SIZE, CONFIG_AT_REGION, r, "size_bytes",
				"%s %s[0x%llx, +0x%llx) is empty or wraps past 2^64", what,
				host_ok ? "guest " : "",
				(unsigned long long)(host_ok ? reg->guest_phys : reg->host_phys),
				(unsigned long long)reg->size_bytes);
		return;
	}
	char space_what[80];
	bool beyond = false;
	/*
	 * A status region has no host range of its own (host_phys is 0); a
	 * channel's regions must equal the channel, which reports its ranges.
	 */
	if (!(reg->flags & (BH_MEM_HV_STATUS | BH_MEM_COMM))) {
		format_snprintf(space_what, sizeof(space_what), "cell \"%s\": region %u host", name,
				local);
		beyond |= beyond_address_space(c, CONFIG_AT_REGION, r, "host_phys", space_what,
					       CHECK_HOST, reg->host_phys, reg->size_bytes);
	}
	if (!(reg->flags & BH_MEM_COMM)) {
		format_snprintf(space_what, sizeof(space_what), "cell \"%s\": region %u guest",
				name, local);
		beyond |= beyond_address_space(c, CONFIG_AT_REGION, r, "guest_phys", space_what,
					       CHECK_GUEST, reg->guest_phys, reg->size_bytes);
	}
	if (beyond)
		return;
	if (!page_aligned(reg->guest_phys) || !page_aligned(reg->host_phys) ||
	    !page_aligned(reg->size_bytes)) {
		if (!channel_reports)
			check_problem(c, CONFIG_E_MISALIGNED, CONFIG_AT_REGION, r,
				      !page_aligned(reg->size_bytes)  ? "size_bytes"
				      : !page_aligned(reg->host_phys) ? "host_phys"
								      : "guest_phys",
				      "%s guest 0x%llx host 0x%llx size 0x%llx: "
				      "all three must be multiples of 4 KiB",
				      what, (unsigned long long)reg->guest_phys,
				      (unsigned long long)reg->host_phys,
				      (unsigned long long)reg->size_bytes);
		return;
	}
	if (reg->flags & ~BH_MEM_FLAGS_KNOWN ||
	    !(reg->flags & (BH_MEM_READ | BH_MEM_WRITE | BH_MEM_EXEC))) {
		check_problem(c, CONFIG_E_FLAGS, CONFIG_AT_REGION, r, "flags",
			      "%s flags 0x%x: unknown bits or no access at all", what, reg->flags);
		return;
	}
	if (reg->reserved) {
		check_problem(c, CONFIG_E_LAYOUT, CONFIG_AT_REGION, r, "reserved",
			      "%s: reserved field must be 0", what);
		return;
	}
	if ((reg->flags & BH_MEM_HV_STATUS) && !hv_status_region_ok(c, r, name, local))
		return;
	bool comm = reg->flags & BH_MEM_COMM;
	if (comm ? reg->channel >= c->channel_count : reg->channel != BH_NONE) {
		check_problem(c, CONFIG_E_CHANNEL, CONFIG_AT_REGION, r, "channel",
			      "cell \"%s\": region %u: channel index %u %s", name, local,
			      reg->channel,
			      comm ? "does not exist" : "given for a region that is not a channel");
		return;
	}
	*shape_ok = true;
}

void check_regions(struct checker *c)
{
	bool ok[CONFIG_MAX_REGIONS] = { false };

	for (uint32_t r = 0; r < c->region_count; r++) {
		check_region_shape(c, r, &ok[r]);
		if (!ok[r])
			continue;
		const struct bh_mem_region *reg = region_at(c, r);

		/*
		 * A status region has no host range of its own (host_phys is 0); a
		 * channel's mapping is checked once, as the channel.
		 */
		if ((reg->flags & BH_MEM_HV_STATUS) || region_mirrors_channel(c, r))
			continue;
		hits_hv_memory(c, CONFIG_AT_REGION, r, "host_phys", region_label(c, r, true).text,
			       reg->host_phys, reg->size_bytes);
	}
	for (uint32_t a = 0; a < c->region_count; a++) {
		if (!ok[a])
			continue;
		const struct bh_mem_region *ra = region_at(c, a);

		for (uint32_t b = 0; b < a; b++) {
			if (!ok[b])
				continue;
			const struct bh_mem_region *rb = region_at(c, b);

			if (ra->cell == rb->cell && ranges_overlap(ra->guest_phys, ra->size_bytes,
								   rb->guest_phys, rb->size_bytes))
				check_problem(c, CONFIG_E_OVERLAP, CONFIG_AT_REGION, a,
					      "guest_phys",
					      "%s at guest [0x%llx, +0x%llx) overlaps "
					      "its %s at guest [0x%llx, +0x%llx)",
					      region_label(c, a, true).text,
					      (unsigned long long)ra->guest_phys,
					      (unsigned long long)ra->size_bytes,
					      own_region_label(c, b).text,
					      (unsigned long long)rb->guest_phys,
					      (unsigned long long)rb->size_bytes);
			bool same_channel =
				(ra->flags & rb->flags & BH_MEM_COMM) && ra->channel == rb->channel;
			bool no_host = (ra->flags | rb->flags) & BH_MEM_HV_STATUS;
			if (!same_channel && !no_host &&
			    ranges_overlap(ra->host_phys, ra->size_bytes, rb->host_phys,
					   rb->size_bytes))
				check_problem(c, CONFIG_E_OVERLAP, CONFIG_AT_REGION, a, "host_phys",
					      "%s [0x%llx, +0x%llx) overlaps %s [0x%llx, +0x%llx)",
					      region_label(c, a, true).text,
					      (unsigned long long)ra->host_phys,
					      (unsigned long long)ra->size_bytes,
					      region_label(c, b, false).text,
					      (unsigned long long)rb->host_phys,
					      (unsigned long long)rb->size_bytes);
		}
	}
}
