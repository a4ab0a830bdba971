/*
 * The checker's shared helpers: reporting a problem (the first one decides
 * the return value), printable names, and the hypervisor-memory rule that
 * every table with host addresses applies.
 */
#include "checker.h"
#include <lib/format.h>
#include <lib/string.h>

static printf_like(7, 0) void report(struct checker *c, int error, unsigned int table,
				     unsigned int index, int endpoint, const char *field,
				     const char *fmt, va_list ap)
{
	char message[320];

	format_vsnprintf(message, sizeof(message), fmt, ap);
	if (!c->first_error)
		c->first_error = -error;
	if (c->report) {
		struct config_problem p = {
			.error = error,
			.table = table,
			.index = index,
			.field = field,
			.endpoint = endpoint,
			.message = message,
		};
		c->report(c->ctx, &p);
	}
}

void check_problem(struct checker *c, int error, unsigned int table, unsigned int index,
		   const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, error, table, index, -1, field, fmt, ap);
	va_end(ap);
}

void check_endpoint_problem(struct checker *c, int error, uint32_t ch_index, uint32_t e,
			    const char *field, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(c, error, CONFIG_AT_CHANNEL, ch_index, (int)e, field, fmt, ap);
	va_end(ap);
}

struct shown_name show_name(const char *name)
{
	struct shown_name s;
	size_t i;

	for (i = 0; i < BH_NAME_LEN && name[i]; i++) {
		char shown = name[i];

		if (shown < 0x20 || shown >= 0x7f || shown == '"')
			shown = '?';
		s.text[i] = shown;
	}
	s.text[i] = '\0';
	return s;
}

bool name_valid(const char *name)
{
	return name[0] != '\0' && strnlen(name, BH_NAME_LEN) < BH_NAME_LEN;
}

bool beyond_address_space(struct checker *c, unsigned int table, unsigned int index,
			  const char *field, const char *what, enum check_space space,
			  uint64_t base, uint64_t size)
{
	unsigned int bits = space == CHECK_HOST ? c->rules->pa_bits : c->rules->ipa_bits;

	/*
	 * Compare the last byte, not base + size: a range may end exactly at
	 * 2^bits, and with bits = 64 the shift below would be undefined.
	 */
	if (bits >= 64 || (base + (size - 1)) >> bits == 0)
		return false;
	check_problem(c, CONFIG_E_ADDRESS, table, index, field,
		      "%s [0x%llx, +0x%llx) lies beyond the %u-bit %s", what,
		      (unsigned long long)base, (unsigned long long)size, bits,
		      space == CHECK_HOST ? "physical address space: a page-table entry would "
					    "drop the high bits and alias low memory"
					  : "guest-physical address space that stage 2 translates");
	return true;
}

struct region_label region_label(struct checker *c, uint32_t r, bool subject)
{
	const struct bh_mem_region *reg = region_at(c, r);
	const char *cell = reg->cell < c->cell_count ? cell_at(c, reg->cell)->name : "?";
	uint32_t local = reg->cell < c->cell_count ? r - cell_at(c, reg->cell)->region_first : r;
	struct region_label l = { "" };

	if ((reg->flags & BH_MEM_COMM) && reg->channel < c->channel_count &&
	    name_valid(channel_at(c, reg->channel)->name))
		format_snprintf(l.text, sizeof(l.text), "channel \"%s\" in cell \"%s\"",
				show_name(channel_at(c, reg->channel)->name).text,
				show_name(cell).text);
	else
		format_snprintf(l.text, sizeof(l.text), "cell \"%s\"%s region %u",
				show_name(cell).text, subject ? ":" : "", local);
	return l;
}

bool region_mirrors_channel(struct checker *c, uint32_t r)
{
	const struct bh_mem_region *reg = region_at(c, r);

	if (!(reg->flags & BH_MEM_COMM) || reg->channel >= c->channel_count)
		return false;
	const struct bh_channel *ch = channel_at(c, reg->channel);
	if (ch->host_phys != reg->host_phys || ch->size_bytes != reg->size_bytes)
		return false;
	for (uint32_t e = 0; e < ch->endpoint_count && e < BH_CHANNEL_MAX_ENDPOINTS; e++)
		if (ch->endpoints[e].cell == reg->cell &&
		    ch->endpoints[e].guest_phys == reg->guest_phys)
			return true;
	return false;
}

bool channel_mapped_before(struct checker *c, uint32_t r)
{
	if (!region_mirrors_channel(c, r))
		return false;
	for (uint32_t k = 0; k < r; k++)
		if (region_at(c, k)->channel == region_at(c, r)->channel &&
		    region_mirrors_channel(c, k))
			return true;
	return false;
}

/* True (and reported) when a host range overlaps hypervisor memory or the loader area. */
bool hits_hv_memory(struct checker *c, unsigned int table, unsigned int index, const char *field,
		    const char *what, uint64_t base, uint64_t size)
{
	const struct bh_range *hv = &c->hdr->hv_memory;
	const struct bh_range *ld = &c->hdr->loader_area;

	if (range_ok(hv->base, hv->size_bytes) &&
	    ranges_overlap(base, size, hv->base, hv->size_bytes)) {
		check_problem(c, CONFIG_E_HV_MEMORY, table, index, field,
			      "%s [0x%llx, +0x%llx) overlaps hypervisor memory [0x%llx, +0x%llx)",
			      what, (unsigned long long)base, (unsigned long long)size,
			      (unsigned long long)hv->base, (unsigned long long)hv->size_bytes);
		return true;
	}
	if (ld->size_bytes && range_ok(ld->base, ld->size_bytes) &&
	    ranges_overlap(base, size, ld->base, ld->size_bytes)) {
		check_problem(c, CONFIG_E_HV_MEMORY, table, index, field,
			      "%s [0x%llx, +0x%llx) overlaps the loader area [0x%llx, +0x%llx) "
			      "that holds the system image at boot",
			      what, (unsigned long long)base, (unsigned long long)size,
			      (unsigned long long)ld->base, (unsigned long long)ld->size_bytes);
		return true;
	}
	return false;
}
