/*
 * Multiboot2 information parser (spec 2.0 sec. 3.6). Everything needed is
 * copied out, so the information's memory may be reused afterwards (the AP
 * trampoline page is picked from RAM only after this ran). Reads only inside
 * total_size and rejects tags that overrun it. The first module is the system
 * image; its bytes stay where GRUB put them (the core reads them in place and
 * the validator keeps every cell off them).
 */
#include <bulkhead/errno.h>
#include <lib/string.h>
#include <x86/layout.h>
#include <x86/multiboot2.h>

#define MB2_TAG_END 0
#define MB2_TAG_CMDLINE 1
#define MB2_TAG_MODULE 3
#define MB2_TAG_MMAP 6
#define MB2_TAG_ACPI_OLD 14
#define MB2_TAG_ACPI_NEW 15
#define MB2_MEMORY_AVAILABLE 1

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_module {
	uint32_t mod_start; /* physical, 32 bits in multiboot2 */
	uint32_t mod_end; /* first byte after the module */
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

static void mb2_take_mmap(const uint8_t *tag, uint32_t size, struct platform *plat,
			  struct x86_boot_tables *tables)
{
	uint32_t entry_size = *(const uint32_t *)(tag + 8);

	if (entry_size < sizeof(struct mb2_mmap_entry))
		return;
	for (uint32_t off = 16; off + entry_size <= size; off += entry_size) {
		const struct mb2_mmap_entry *e = (const void *)(tag + off);

		if (e->type != MB2_MEMORY_AVAILABLE || e->length == 0)
			continue;
		if (plat->ram_count == HV_MAX_RAM_RANGES) {
			tables->ram_dropped++;
			continue;
		}
		plat->ram[plat->ram_count].base = e->base;
		plat->ram[plat->ram_count].size_bytes = e->length;
		plat->ram_count++;
	}
}

/* The first module is the system image; later ones are counted and ignored. */
static int mb2_take_module(const uint8_t *body, uint32_t body_size, struct platform *plat,
			   struct x86_boot_tables *tables)
{
	const struct mb2_module *m = (const void *)body;

	if (body_size < sizeof(*m) || m->mod_end < m->mod_start)
		return -BH_EINVAL;
	if (plat->sysimage_size_bytes) {
		tables->modules_ignored++;
		return 0;
	}
	plat->sysimage_base = m->mod_start;
	plat->sysimage_size_bytes = m->mod_end - m->mod_start;
	return 0;
}

int x86_multiboot2_parse(uint64_t mbi_phys, struct platform *plat, struct x86_boot_tables *tables)
{
	const uint8_t *mbi = x86_phys_ptr(mbi_phys);
	uint32_t total = *(const uint32_t *)mbi;

	if (mbi_phys == 0 || mbi_phys & 7 || total < 16)
		return -BH_EINVAL;
	for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *tag = (const void *)(mbi + off);
		const uint8_t *body = (const uint8_t *)(tag + 1);

		if (tag->size < sizeof(*tag) || off + tag->size > total)
			return -BH_EINVAL;
		switch (tag->type) {
		case MB2_TAG_END:
			return 0;
		case MB2_TAG_CMDLINE:
			strlcpy(plat->cmdline, (const char *)body,
				tag->size - 8 < sizeof(plat->cmdline) ? tag->size - 8
								      : sizeof(plat->cmdline));
			break;
		case MB2_TAG_MODULE:
			if (mb2_take_module(body, tag->size - 8, plat, tables))
				return -BH_EINVAL;
			break;
		case MB2_TAG_MMAP:
			mb2_take_mmap((const uint8_t *)tag, tag->size, plat, tables);
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW: {
			uint32_t len = tag->size - 8;

			/* Prefer the ACPI 2.0 copy (it has the XSDT) whichever comes first. */
			if (len > X86_RSDP_MAX)
				len = X86_RSDP_MAX;
			if (tag->type == MB2_TAG_ACPI_NEW || tables->rsdp_len == 0) {
				memcpy(tables->rsdp, body, len);
				tables->rsdp_len = len;
			}
			break;
		}
		default:
			break;
		}
		off += (tag->size + 7) & ~7u;
	}
	return -BH_EINVAL; /* no end tag inside total_size */
}
