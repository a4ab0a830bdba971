/*
 * ACPI discovery: RSDP (GRUB's copy) -> XSDT or RSDT -> MADT. Every table's
 * checksum is verified before use; tables must lie in the identity-mapped
 * first 4 GiB. CPUs beyond HV_MAX_CPUS are counted and reported, not used.
 */
#include <bulkhead/errno.h>
#include <hv/console.h>
#include <lib/format.h>
#include <lib/string.h>
#include <x86/acpi.h>
#include <x86/layout.h>

struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	/* ACPI 2.0+ */
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __attribute__((packed));

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

#define MADT_LOCAL_APIC 0
#define MADT_LOCAL_X2APIC 9
#define MADT_ENABLED 1u
#define MADT_ENTRIES_OFFSET (sizeof(struct acpi_header) + 8) /* + LAPIC address, flags */

static uint8_t acpi_sum(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint8_t s = 0;

	while (n--)
		s += *b++;
	return s;
}

/* The table at `phys`, or NULL when it is out of reach or its checksum fails. */
static const struct acpi_header *acpi_table(uint64_t phys)
{
	const struct acpi_header *h;

	if (phys == 0 || phys + sizeof(*h) > X86_IDENTITY_LIMIT)
		return NULL;
	h = x86_phys_ptr(phys);
	if (h->length < sizeof(*h) || phys + h->length > X86_IDENTITY_LIMIT)
		return NULL;
	return acpi_sum(h, h->length) == 0 ? h : NULL;
}

static const struct acpi_header *acpi_find(const struct acpi_rsdp *rsdp, const char sig[4])
{
	bool xsdt = rsdp->revision >= 2 && rsdp->xsdt_address != 0;
	const struct acpi_header *root = acpi_table(xsdt ? rsdp->xsdt_address : rsdp->rsdt_address);
	size_t width = xsdt ? 8 : 4;

	if (!root)
		return NULL;
	const uint8_t *entries = (const uint8_t *)(root + 1);
	size_t count = (root->length - sizeof(*root)) / width;

	for (size_t i = 0; i < count; i++) {
		uint64_t phys = 0;

		memcpy(&phys, entries + i * width, width); /* entries are unaligned */
		const struct acpi_header *t = acpi_table(phys);

		if (t && memcmp(t->signature, sig, 4) == 0)
			return t;
	}
	return NULL;
}

static void add_cpu(struct platform *plat, uint32_t apic_id, unsigned int *dropped)
{
	for (unsigned int i = 0; i < plat->cpu_count; i++)
		if (plat->cpu_hwid[i] == apic_id)
			return; /* the boot CPU (logical 0), or listed twice (LAPIC + x2APIC) */
	if (plat->cpu_count == HV_MAX_CPUS) {
		(*dropped)++;
		return;
	}
	plat->cpu_hwid[plat->cpu_count++] = apic_id;
}

int x86_acpi_discover(const struct x86_boot_tables *tables, uint32_t boot_apic_id,
		      struct platform *plat, char *why, size_t why_size)
{
	const struct acpi_rsdp *rsdp = (const void *)tables->rsdp;
	unsigned int dropped = 0;
	bool boot_listed = false;

	if (tables->rsdp_len < 20 || memcmp(rsdp->signature, "RSD PTR ", 8) != 0 ||
	    acpi_sum(rsdp, 20) != 0) {
		format_snprintf(why, why_size, "no valid ACPI RSDP from the boot loader (%u bytes)",
				tables->rsdp_len);
		return -BH_ENODEV;
	}
	const struct acpi_header *madt = acpi_find(rsdp, "APIC");

	if (!madt) {
		format_snprintf(why, why_size, "ACPI: no MADT (\"APIC\") with a valid checksum");
		return -BH_ENODEV;
	}

	plat->cpu_hwid[0] = boot_apic_id;
	plat->cpu_count = 1;
	const uint8_t *p = (const uint8_t *)madt + MADT_ENTRIES_OFFSET;
	const uint8_t *end = (const uint8_t *)madt + madt->length;

	while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
		uint32_t flags, id;

		if (p[0] == MADT_LOCAL_APIC && p[1] >= 8) {
			id = p[3];
			memcpy(&flags, p + 4, 4);
			if (flags & MADT_ENABLED) {
				boot_listed |= id == boot_apic_id;
				add_cpu(plat, id, &dropped);
			}
		} else if (p[0] == MADT_LOCAL_X2APIC && p[1] >= 16) {
			memcpy(&id, p + 4, 4);
			memcpy(&flags, p + 8, 4);
			if (flags & MADT_ENABLED) {
				boot_listed |= id == boot_apic_id;
				add_cpu(plat, id, &dropped);
			}
		}
		p += p[1];
	}
	if (!boot_listed) {
		format_snprintf(why, why_size, "ACPI MADT does not list the boot CPU (APIC id %u)",
				boot_apic_id);
		return -BH_ENODEV;
	}
	if (dropped)
		console_print("acpi: %u CPUs beyond the limit of %u ignored\n", dropped,
			      HV_MAX_CPUS);

	char oem[7];
	size_t n = 6;

	memcpy(oem, madt->oem_id, 6);
	while (n > 0 && (oem[n - 1] == ' ' || oem[n - 1] == '\0'))
		n--;
	oem[n] = '\0';
	format_snprintf(plat->model, sizeof(plat->model), "x86 PC, ACPI OEM %s", oem);
	return 0;
}
