/*
 * The "OEMB" ACPI table bhcfg gives a linux-x86 cell (tools/bhcfg/emit_x86_acpi.c): where the
 * hypervisor status page and the cell's channels lie in its guest-physical space. It is the x86
 * form of the arm64 cell's /bulkhead device tree node, for bhctl (guests/linux/bhctl/), which
 * reads it from /sys/firmware/acpi/tables/OEMB: Linux exposes every table of the XSDT there
 * without needing to know it. "OEM" signatures are the ones ACPI leaves to vendors (ACPI 6.4
 * section 5.2.6). Layout: the 36-byte ACPI table header (length covers the whole table), then
 * struct bh_acpi_region records up to its length, little-endian, without padding.
 */
#ifndef BULKHEAD_ACPI_REGIONS_H
#define BULKHEAD_ACPI_REGIONS_H

#include <bulkhead/abi_types.h>

#define BH_ACPI_REGIONS_SIGNATURE "OEMB"
#define BH_ACPI_REGIONS_REVISION 1
#define BH_ACPI_HEADER_BYTES 36

/* bh_acpi_region.kind */
#define BH_ACPI_REGION_HV_STATUS 1u /* the status page (bulkhead/status.h) */
#define BH_ACPI_REGION_CHANNEL 2u /* a channel; label is its name */

/* bh_acpi_region.flags */
#define BH_ACPI_REGION_READ_ONLY (1u << 0)

#define BH_ACPI_LABEL_LEN 32 /* NUL-terminated inside these bytes */

struct bh_acpi_region {
	uint64_t guest_phys;
	uint64_t size_bytes;
	uint32_t kind; /* BH_ACPI_REGION_* */
	uint32_t flags; /* BH_ACPI_REGION_READ_ONLY */
	char label[BH_ACPI_LABEL_LEN];
};
BH_STATIC_ASSERT_SIZE(struct bh_acpi_region, 56);

#endif
