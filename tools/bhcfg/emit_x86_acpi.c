/*
 * A linux-x86 cell's ACPI tables, derived from the configuration as the
 * arm64 cell's device tree is: the machine Linux may see and nothing else.
 *
 *   RSDP (revision 2) -> XSDT -> MADT, FADT -> DSDT, and OEMB
 *
 * - MADT: one Processor Local x2APIC entry per CPU of the cell (APIC id from
 *   the configuration, UID = its index), no 8259 (flags 0), and, when the
 *   cell owns IOAPIC pins, the IOAPIC with an interrupt source override per
 *   owned ISA pin (edge, active high, as the legacy devices signal).
 * - FADT with HW_REDUCED_ACPI: Linux then uses neither the PIT, the PIC, the
 *   PM timer nor an SCI (arch/x86/kernel/acpi/boot.c switches its timer and
 *   legacy PIC setup off for reduced hardware), none of which a cell owns.
 *   IAPC_BOOT_ARCH says no legacy devices, no 8042, no VGA, no CMOS RTC.
 *   FADT's sleep registers are the hypervisor's ports (BH_X86_SLEEP_CONTROL_PORT),
 *   through which Linux's ACPI power-off stops the cell.
 * - DSDT: an _S5 object naming BH_X86_SLEEP_TYPE_S5, and the cell's 16550 UARTs (port devices whose
 * platform node is "ns16550a") as PNP0501 devices under \_SB with their I/O ports. Without an
 * interrupt in _CRS Linux's 8250 driver polls the UART with a timer; the legacy ttyS table alone
 * would make it request the ISA IRQ, which a cell without IOAPIC pins cannot have, and opening the
 * console would fail. (An owned IOAPIC pin is to go into _CRS once the hypervisor routes them.)
 * - OEMB (bulkhead/acpi_regions.h), when the cell maps the hypervisor status page or channels:
 *   their guest-physical ranges, for bhctl, as the arm64 cell's /bulkhead node gives them.
 * Linux finds the RSDP through boot_params.acpi_rsdp_addr (emit_x86_boot.c),
 * so no BIOS area is scanned. Field offsets from the ACPI 6.4 specification
 * (sections 5.2.5, 5.2.8, 5.2.9, 5.2.12, 5.2.12.12, 5.2.12.5, 5.2.12.3).
 */
#include <stdio.h>
#include <libfdt.h>

#include <bulkhead/acpi_regions.h>

#include "bhcfg.h"

#define HDR_BYTES 36
#define RSDP_BYTES 36
#define FADT_BYTES 276
#define FADT_REVISION 6
#define FADT_MINOR 4
#define FADT_FLAGS 112
#define FADT_HW_REDUCED_ACPI (1u << 20)
#define FADT_IAPC_BOOT_ARCH 109
#define BOOT_ARCH_VGA_NOT_PRESENT (1u << 2)
#define BOOT_ARCH_CMOS_RTC_NOT_PRESENT (1u << 5)
#define FADT_DSDT 40
#define FADT_X_DSDT 140
#define FADT_MINOR_VERSION 131
#define FADT_SLEEP_CONTROL_REG 244
#define FADT_SLEEP_STATUS_REG 256
#define GAS_SYSTEM_IO 1
#define GAS_ACCESS_BYTE 1
#define MADT_REVISION 5
#define MADT_X2APIC 9
#define MADT_X2APIC_BYTES 16
#define MADT_IOAPIC 1
#define MADT_IOAPIC_BYTES 12
#define MADT_ISO 2
#define MADT_ISO_BYTES 10
#define ISO_EDGE_HIGH 0x5 /* MPS INTI flags: active high (1), edge-triggered (1 << 2) */
#define ISA_IRQS 16
#define LAPIC_ADDRESS 0xfee00000u
#define TABLE_ALIGN 16

struct acpi_out {
	uint8_t *base;
	size_t used, room;
	uint64_t guest_phys; /* of base */
	bool ok;
};

static void le(uint8_t *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ACPI signatures and IDs: fixed-width fields of characters, no NUL. */
static void put_chars(uint8_t *p, const char *chars, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)chars[i];
}

static uint8_t checksum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < n; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

/* Room for `bytes` at the next aligned offset; NULL (and ok = false) when full. */
static uint8_t *reserve(struct acpi_out *o, size_t bytes, size_t *offset)
{
	size_t at = (o->used + TABLE_ALIGN - 1) & ~(size_t)(TABLE_ALIGN - 1);

	if (at + bytes > o->room) {
		o->ok = false;
		return NULL;
	}
	o->used = at + bytes;
	*offset = at;
	return o->base + at;
}

static void header(uint8_t *t, const char *sig, uint32_t length, uint8_t revision)
{
	put_chars(t, sig, 4);
	le(t + 4, length, 4);
	t[8] = revision;
	put_chars(t + 10, "BLKHD ", 6); /* OEM ID */
	put_chars(t + 16, "BULKHEAD", 8); /* OEM table ID */
	le(t + 24, 1, 4); /* OEM revision */
	put_chars(t + 28, "BHCF", 4); /* creator: bhcfg */
	le(t + 32, 1, 4);
}

static void seal(uint8_t *t, uint32_t length)
{
	t[9] = 0;
	t[9] = checksum(t, length);
}

/* The platform's IOAPIC base (its "intel,ioapic" node's reg), or 0. */
static uint64_t ioapic_base(const void *platform_fdt)
{
	int node = fdt_node_offset_by_compatible(platform_fdt, -1, "intel,ioapic");
	int len;
	const fdt32_t *reg = node >= 0 ? fdt_getprop(platform_fdt, node, "reg", &len) : NULL;

	if (!reg || len < 8)
		return 0;
	return (uint64_t)fdt32_to_cpu(reg[0]) << 32 | fdt32_to_cpu(reg[1]);
}

static size_t madt(const struct system *sys, uint32_t cell, const void *platform_fdt,
		   struct acpi_out *o)
{
	const struct bh_cell *c = &sys->cells[cell];
	uint32_t length = HDR_BYTES + 8 + c->cpu_count * MADT_X2APIC_BYTES;
	uint64_t ioapic = c->irq_count ? ioapic_base(platform_fdt) : 0;

	if (ioapic)
		length += MADT_IOAPIC_BYTES;
	for (uint32_t k = 0; ioapic && k < c->irq_count; k++)
		if (sys->irqs[c->irq_first + k].number < ISA_IRQS)
			length += MADT_ISO_BYTES;
	size_t at;
	uint8_t *t = reserve(o, length, &at);
	if (!t)
		return 0;
	header(t, "APIC", length, MADT_REVISION);
	le(t + HDR_BYTES, LAPIC_ADDRESS, 4);
	le(t + HDR_BYTES + 4, 0, 4); /* no PCAT_COMPAT: there is no 8259 to mask */
	uint8_t *e = t + HDR_BYTES + 8;
	for (uint32_t k = 0; k < c->cpu_count; k++, e += MADT_X2APIC_BYTES) {
		e[0] = MADT_X2APIC;
		e[1] = MADT_X2APIC_BYTES;
		le(e + 4, c->cpu_hwid[k], 4);
		le(e + 8, 1, 4); /* enabled */
		le(e + 12, k, 4); /* ACPI processor UID */
	}
	if (ioapic) {
		e[0] = MADT_IOAPIC;
		e[1] = MADT_IOAPIC_BYTES;
		le(e + 4, ioapic, 4);
		le(e + 8, 0, 4); /* GSI base */
		e += MADT_IOAPIC_BYTES;
	}
	for (uint32_t k = 0; ioapic && k < c->irq_count; k++) {
		uint32_t gsi = sys->irqs[c->irq_first + k].number;

		if (gsi >= ISA_IRQS)
			continue;
		e[0] = MADT_ISO;
		e[1] = MADT_ISO_BYTES;
		e[2] = 0; /* ISA */
		e[3] = (uint8_t)gsi;
		le(e + 4, gsi, 4);
		le(e + 8, ISO_EDGE_HIGH, 2);
		e += MADT_ISO_BYTES;
	}
	seal(t, length);
	return at;
}

/* AML (ACPI 6.4 section 20) of the few objects the DSDT holds. */
#define AML_ZERO_OP 0x00
#define AML_PACKAGE_OP 0x12
#define AML_SCOPE_OP 0x10
#define AML_NAME_OP 0x08
#define AML_BUFFER_OP 0x11
#define AML_BYTE_PREFIX 0x0a
#define AML_DWORD_PREFIX 0x0c
#define AML_EXT_OP 0x5b
#define AML_DEVICE_OP 0x82
#define EISA_PNP0501 0x0105d041u /* EISAID("PNP0501"), a 16550-compatible UART */
#define UART_PORTS 8
#define DSDT_AML_MAX 1024

struct aml {
	uint8_t b[DSDT_AML_MAX];
	size_t n;
	bool ok;
};

static void aml_bytes(struct aml *a, const void *p, size_t len)
{
	if (a->n + len > sizeof(a->b)) {
		a->ok = false;
		return;
	}
	for (size_t i = 0; i < len; i++)
		a->b[a->n + i] = ((const uint8_t *)p)[i];
	a->n += len;
}

static void aml_byte(struct aml *a, uint8_t v)
{
	aml_bytes(a, &v, 1);
}

/*
 * Wraps a->b[start, n) in a PkgLength (two-byte encoding, up to 4095 bytes:
 * bits 0-3 in the lead byte, bits 4-11 in the next, 01 in the lead's top).
 */
static void aml_package(struct aml *a, size_t start)
{
	size_t len = a->n - start + 2;

	if (len > 0xfff || a->n + 2 > sizeof(a->b)) {
		a->ok = false;
		return;
	}
	for (size_t i = a->n; i > start; i--)
		a->b[i + 1] = a->b[i - 1];
	a->b[start] = (uint8_t)(0x40 | (len & 0xf));
	a->b[start + 1] = (uint8_t)(len >> 4);
	a->n += 2;
}

static void aml_name_dword(struct aml *a, const char *name, uint32_t v)
{
	uint8_t le32[4];

	aml_byte(a, AML_NAME_OP);
	aml_bytes(a, name, 4);
	aml_byte(a, AML_DWORD_PREFIX);
	le(le32, v, 4);
	aml_bytes(a, le32, 4);
}

/* Device(Uxxx) { _HID PNP0501, _UID, _CRS: its ports (an I/O port descriptor) } */
static void aml_uart(struct aml *a, uint32_t index, uint32_t base)
{
	char name[5];
	uint8_t crs[] = { 0x47,          0x01,
			  (uint8_t)base, (uint8_t)(base >> 8),
			  (uint8_t)base, (uint8_t)(base >> 8),
			  0x01,          UART_PORTS,
			  0x79,          0x00 };

	snprintf(name, sizeof(name), "U%03u", index % 1000);
	aml_byte(a, AML_EXT_OP);
	aml_byte(a, AML_DEVICE_OP);
	size_t device = a->n;
	aml_bytes(a, name, 4);
	aml_name_dword(a, "_HID", EISA_PNP0501);
	aml_name_dword(a, "_UID", index);
	aml_byte(a, AML_NAME_OP);
	aml_bytes(a, "_CRS", 4);
	aml_byte(a, AML_BUFFER_OP);
	size_t buffer = a->n;
	aml_byte(a, AML_BYTE_PREFIX);
	aml_byte(a, sizeof(crs));
	aml_bytes(a, crs, sizeof(crs));
	aml_package(a, buffer);
	aml_package(a, device);
}

/*
 * Name(_S5, Package() { S5, S5, 0, 0 }): the sleep type Linux writes to SLEEP_CONTROL_REG to
 * power off (with the FADT's sleep registers it then registers ACPI power-off).
 */
static void aml_s5(struct aml *a)
{
	aml_byte(a, AML_NAME_OP);
	aml_bytes(a, "_S5_", 4);
	aml_byte(a, AML_PACKAGE_OP);
	size_t package = a->n;
	aml_byte(a, 4); /* NumElements */
	for (int k = 0; k < 2; k++) {
		aml_byte(a, AML_BYTE_PREFIX);
		aml_byte(a, BH_X86_SLEEP_TYPE_S5);
	}
	aml_byte(a, AML_ZERO_OP);
	aml_byte(a, AML_ZERO_OP);
	aml_package(a, package);
}

/* Whether the platform node holding port `base` is a 16550 UART. */
static bool is_uart(const void *platform_fdt, uint64_t base)
{
	int node = -1;

	while ((node = fdt_node_offset_by_compatible(platform_fdt, node, "ns16550a")) >= 0) {
		int len;
		const fdt32_t *ports = fdt_getprop(platform_fdt, node, "bulkhead,ports", &len);

		for (int k = 0; ports && k + 1 < len / 4; k += 2)
			if (base >= fdt32_to_cpu(ports[k]) &&
			    base - fdt32_to_cpu(ports[k]) < fdt32_to_cpu(ports[k + 1]))
				return true;
	}
	return false;
}

static size_t dsdt(const struct system *sys, uint32_t cell, const void *platform_fdt,
		   struct acpi_out *o)
{
	const struct bh_cell *c = &sys->cells[cell];
	static struct aml a;
	uint32_t uarts = 0;

	a.n = 0;
	a.ok = true;
	aml_s5(&a);
	aml_byte(&a, AML_SCOPE_OP);
	size_t scope = a.n;
	aml_bytes(&a, "\\_SB_", 5);
	for (uint32_t d = c->device_first; d < c->device_first + c->device_count; d++)
		if (sys->devices[d].kind == BH_DEVICE_PORT &&
		    is_uart(platform_fdt, sys->devices[d].base))
			aml_uart(&a, uarts++, (uint32_t)sys->devices[d].base);
	aml_package(&a, scope);
	size_t at;
	uint8_t *t = a.ok ? reserve(o, HDR_BYTES + a.n, &at) : NULL;
	if (!t) {
		o->ok = false;
		return 0;
	}
	header(t, "DSDT", (uint32_t)(HDR_BYTES + a.n), 2);
	for (size_t i = 0; i < a.n; i++)
		t[HDR_BYTES + i] = a.b[i];
	seal(t, (uint32_t)(HDR_BYTES + a.n));
	return at;
}

/* A Generic Address Structure (ACPI 6.4 sec. 5.2.3.2) of one byte-wide I/O port. */
static void gas_io_byte(uint8_t *g, uint32_t port)
{
	g[0] = GAS_SYSTEM_IO;
	g[1] = 8; /* register bit width */
	g[2] = 0; /* bit offset */
	g[3] = GAS_ACCESS_BYTE;
	le(g + 4, port, 8);
}

static size_t fadt(struct acpi_out *o, size_t dsdt_at)
{
	size_t at;
	uint8_t *t = reserve(o, FADT_BYTES, &at);

	if (!t)
		return 0;
	uint64_t dsdt_phys = o->guest_phys + dsdt_at;
	header(t, "FACP", FADT_BYTES, FADT_REVISION);
	if (dsdt_phys <= 0xffffffffu)
		le(t + FADT_DSDT, dsdt_phys, 4);
	le(t + FADT_X_DSDT, dsdt_phys, 8);
	le(t + FADT_IAPC_BOOT_ARCH, BOOT_ARCH_VGA_NOT_PRESENT | BOOT_ARCH_CMOS_RTC_NOT_PRESENT, 2);
	le(t + FADT_FLAGS, FADT_HW_REDUCED_ACPI, 4);
	t[FADT_MINOR_VERSION] = FADT_MINOR;
	gas_io_byte(t + FADT_SLEEP_CONTROL_REG, BH_X86_SLEEP_CONTROL_PORT);
	gas_io_byte(t + FADT_SLEEP_STATUS_REG, BH_X86_SLEEP_STATUS_PORT);
	seal(t, FADT_BYTES);
	return at;
}

static bool is_bulkhead_region(const struct bh_mem_region *r)
{
	return (r->flags & (BH_MEM_COMM | BH_MEM_HV_STATUS)) != 0;
}

static void region_record(const struct system *sys, const struct bh_mem_region *r, uint8_t *e)
{
	bool status = r->flags & BH_MEM_HV_STATUS;
	const char *label = status ? "" : sys->channels[r->channel].name;

	le(e + offsetof(struct bh_acpi_region, guest_phys), r->guest_phys, 8);
	le(e + offsetof(struct bh_acpi_region, size_bytes), r->size_bytes, 8);
	le(e + offsetof(struct bh_acpi_region, kind),
	   status ? BH_ACPI_REGION_HV_STATUS : BH_ACPI_REGION_CHANNEL, 4);
	le(e + offsetof(struct bh_acpi_region, flags),
	   (r->flags & BH_MEM_WRITE) ? 0 : BH_ACPI_REGION_READ_ONLY, 4);
	/* Channel names fit: both are BH_NAME_LEN bytes with their NUL. */
	for (size_t i = 0; label[i] && i + 1 < BH_ACPI_LABEL_LEN; i++)
		e[offsetof(struct bh_acpi_region, label) + i] = (uint8_t)label[i];
}

/* The OEMB table of the cell's status page and channel mappings; 0 (nothing) without any. */
static size_t regions_table(const struct system *sys, uint32_t cell, struct acpi_out *o)
{
	_Static_assert(BH_ACPI_LABEL_LEN >= BH_NAME_LEN, "a channel name must fit its label");
	const struct bh_cell *c = &sys->cells[cell];
	const struct bh_mem_region *first = &sys->regions[c->region_first];
	uint32_t count = 0;

	for (uint32_t k = 0; k < c->region_count; k++)
		count += is_bulkhead_region(&first[k]);
	if (!count)
		return 0;
	uint32_t length = BH_ACPI_HEADER_BYTES + count * sizeof(struct bh_acpi_region);
	size_t at;
	uint8_t *t = reserve(o, length, &at);
	if (!t)
		return 0;
	for (size_t i = 0; i < length; i++)
		t[i] = 0;
	header(t, BH_ACPI_REGIONS_SIGNATURE, length, BH_ACPI_REGIONS_REVISION);
	uint8_t *e = t + BH_ACPI_HEADER_BYTES;
	for (uint32_t k = 0; k < c->region_count; k++) {
		if (!is_bulkhead_region(&first[k]))
			continue;
		region_record(sys, &first[k], e);
		e += sizeof(struct bh_acpi_region);
	}
	seal(t, length);
	return at;
}

uint64_t linux_x86_acpi_emit(const struct system *sys, uint32_t cell, const void *platform_fdt,
			     uint8_t *out, size_t room, uint64_t guest_phys)
{
	struct acpi_out o = { .base = out, .room = room, .guest_phys = guest_phys, .ok = true };
	size_t rsdp_at, xsdt_at;
	uint8_t *rsdp = reserve(&o, RSDP_BYTES, &rsdp_at);
	size_t madt_at = madt(sys, cell, platform_fdt, &o);
	size_t dsdt_at = dsdt(sys, cell, platform_fdt, &o);
	size_t fadt_at = o.ok ? fadt(&o, dsdt_at) : 0;
	size_t regions_at = o.ok ? regions_table(sys, cell, &o) : 0;
	uint32_t xsdt_bytes = HDR_BYTES + (regions_at ? 3 : 2) * 8;
	uint8_t *xsdt = reserve(&o, xsdt_bytes, &xsdt_at);

	if (!o.ok) {
		diag_error(sys->file, sys->cell_src[cell].path, NULL,
			   "the cell's ACPI tables need more than the %zu bytes reserved for them",
			   room);
		return 0;
	}
	header(xsdt, "XSDT", xsdt_bytes, 1);
	le(xsdt + HDR_BYTES, guest_phys + madt_at, 8);
	le(xsdt + HDR_BYTES + 8, guest_phys + fadt_at, 8);
	if (regions_at)
		le(xsdt + HDR_BYTES + 16, guest_phys + regions_at, 8);
	seal(xsdt, xsdt_bytes);
	put_chars(rsdp, "RSD PTR ", 8);
	put_chars(rsdp + 9, "BLKHD ", 6);
	rsdp[15] = 2; /* revision: ACPI 2.0+, XSDT */
	le(rsdp + 20, RSDP_BYTES, 4);
	le(rsdp + 24, guest_phys + xsdt_at, 8);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, RSDP_BYTES);
	return guest_phys + rsdp_at;
}
