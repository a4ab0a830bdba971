/*
 * Reading bhcfg's OEMB ACPI table (bulkhead/acpi_regions.h): how bhctl finds the hypervisor
 * status page and the channels in an x86 cell, which has no device tree. A pure function of the
 * table's bytes (main.c reads them from /sys/firmware/acpi/tables/OEMB). The table is checked
 * as Linux checks tables (signature, length, checksum) plus its record size, so a damaged one
 * is named rather than misread.
 */
#include <string.h>

#include <bulkhead/acpi_regions.h>

#include "bhctl.h"

static uint64_t le_at(const uint8_t *p, int bytes)
{
	uint64_t v = 0;

	for (int i = bytes - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int malformed(const uint8_t *table, size_t len, char *why, size_t why_size)
{
	uint8_t sum = 0;

	if (len < BH_ACPI_HEADER_BYTES || memcmp(table, BH_ACPI_REGIONS_SIGNATURE, 4)) {
		snprintf(why, why_size, "not an " BH_ACPI_REGIONS_SIGNATURE " table (%zu bytes)",
			 len);
		return -1;
	}
	uint64_t length = le_at(table + 4, 4);
	if (length != len || (len - BH_ACPI_HEADER_BYTES) % sizeof(struct bh_acpi_region)) {
		snprintf(why, why_size,
			 BH_ACPI_REGIONS_SIGNATURE " length %llu for %zu bytes read: expected "
						   "the header and whole %zu-byte records",
			 (unsigned long long)length, len, sizeof(struct bh_acpi_region));
		return -1;
	}
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + table[i]);
	if (sum) {
		snprintf(why, why_size, BH_ACPI_REGIONS_SIGNATURE " checksum: bytes sum to 0x%02x",
			 sum);
		return -1;
	}
	if (table[8] != BH_ACPI_REGIONS_REVISION) {
		snprintf(why, why_size, BH_ACPI_REGIONS_SIGNATURE " revision %u; bhctl reads %u",
			 (unsigned int)table[8], (unsigned int)BH_ACPI_REGIONS_REVISION);
		return -1;
	}
	return 0;
}

int bhctl_acpi_find(const uint8_t *table, size_t len, uint32_t kind, const char *label,
		    uint64_t *base, uint64_t *size, char *why, size_t why_size)
{
	size_t labels = 0;

	if (malformed(table, len, why, why_size))
		return -1;
	why[0] = '\0';
	for (size_t at = BH_ACPI_HEADER_BYTES; at < len; at += sizeof(struct bh_acpi_region)) {
		struct bh_acpi_region r;

		memcpy(&r, table + at, sizeof(r));
		r.label[sizeof(r.label) - 1] = '\0';
		if (le_at((const uint8_t *)&r.kind, 4) != kind)
			continue;
		if (kind == BH_ACPI_REGION_CHANNEL && label && strcmp(r.label, label)) {
			if (labels + strlen(r.label) + 4 < why_size)
				labels += (size_t)snprintf(why + labels, why_size - labels,
							   " \"%s\"", r.label);
			continue;
		}
		*base = le_at((const uint8_t *)&r.guest_phys, 8);
		*size = le_at((const uint8_t *)&r.size_bytes, 8);
		return 0;
	}
	return BHCTL_ACPI_ABSENT;
}
