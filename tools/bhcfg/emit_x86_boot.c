/*
 * A linux-x86 cell's boot parameters, what a boot loader gives Linux on a PC
 * (Documentation/arch/x86/boot.rst, "32-bit BOOT PROTOCOL"), derived from the
 * configuration as the arm64 cell's device tree is: struct boot_params ("zero
 * page") with the bzImage's setup header, an e820 map of only the cell's
 * memory, the command line and the initrd. The hypervisor loads the result at
 * boot-params-address and enters the protected-mode kernel at load-address
 * with %esi pointing at it (arch/x86/vmx/linux_boot.c).
 *
 * The bzImage is split here: its real-mode setup sectors are only read (the
 * setup header), the protected-mode kernel after them becomes the cell's
 * image item. Layout of the item: boot_params at +0, the command line at
 * +0x1000 (CMDLINE_OFFSET), the ACPI tables at +0x2000 (emit_x86_acpi.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bhcfg.h"

/* struct boot_params offsets (Documentation/arch/x86/zero-page.rst, boot.rst). */
#define BP_ACPI_RSDP_ADDR 0x070
#define BP_EXT_RAMDISK_IMAGE 0x0c0
#define BP_EXT_RAMDISK_SIZE 0x0c4
#define BP_EXT_CMD_LINE_PTR 0x0c8
#define BP_E820_ENTRIES 0x1e8
#define BP_SETUP_SECTS 0x1f1
#define BP_JUMP 0x200 /* the header ends at 0x202 + the byte at 0x201 */
#define BP_HEADER_MAGIC 0x202 /* "HdrS" */
#define BP_VERSION 0x206
#define BP_TYPE_OF_LOADER 0x210
#define BP_LOADFLAGS 0x211
#define BP_CODE32_START 0x214
#define BP_RAMDISK_IMAGE 0x218
#define BP_RAMDISK_SIZE 0x21c
#define BP_CMD_LINE_PTR 0x228
#define BP_INITRD_ADDR_MAX 0x22c
#define BP_KERNEL_ALIGNMENT 0x230
#define BP_RELOCATABLE 0x234
#define BP_XLOADFLAGS 0x236
#define BP_CMDLINE_SIZE 0x238
#define BP_INIT_SIZE 0x260
#define BP_E820_TABLE 0x2d0
#define BP_BYTES 0x1000
#define E820_MAX_ENTRIES 128 /* in boot_params */
#define E820_ENTRY_BYTES 20

#define LOADED_HIGH 0x01 /* loadflags: protected-mode code at 0x100000 or above */
#define CAN_USE_HEAP 0x80 /* loadflags: heap_end_ptr valid, for the real-mode setup only */
#define XLF_CAN_BE_LOADED_ABOVE_4G 0x02
#define LOADER_UNDEFINED 0xff /* type_of_loader: a boot loader without an assigned id */
/* acpi_rsdp_addr (protocol 2.14) is the newest field this loader fills. */
#define MIN_PROTOCOL 0x020e

#define E820_RAM 1
#define E820_RESERVED 2
#define CMDLINE_OFFSET 0x1000
#define ACPI_OFFSET 0x2000
#define BOOT_ITEM_BYTES 0x3000

struct e820_map {
	uint32_t count;
	uint64_t addr[E820_MAX_ENTRIES], size[E820_MAX_ENTRIES];
	uint32_t type[E820_MAX_ENTRIES];
};

static uint32_t get16(const uint8_t *b, size_t off)
{
	return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8;
}

static uint32_t get32(const uint8_t *b, size_t off)
{
	return get16(b, off) | get16(b, off + 2) << 16;
}

static void put16(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = (uint8_t)v;
	b[off + 1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *b, size_t off, uint32_t v)
{
	put16(b, off, v & 0xffff);
	put16(b, off + 2, v >> 16);
}

static void put64(uint8_t *b, size_t off, uint64_t v)
{
	put32(b, off, (uint32_t)v);
	put32(b, off + 4, (uint32_t)(v >> 32));
}

#define cell_error(sys, cell, prop, ...) \
	diag_error((sys)->file, (sys)->cell_src[cell].path, (prop), __VA_ARGS__)

/* The cell's RAM region holding [addr, addr + size), or NULL. */
static const struct bh_mem_region *ram_holding(const struct system *sys, uint32_t cell,
					       uint64_t addr, uint64_t size)
{
	const struct bh_cell *c = &sys->cells[cell];

	for (uint32_t r = c->region_first; r < c->region_first + c->region_count; r++) {
		const struct bh_mem_region *m = &sys->regions[r];

		if (!(m->flags & (BH_MEM_DEVICE | BH_MEM_COMM | BH_MEM_HV_STATUS)) &&
		    addr >= m->guest_phys && size <= m->size_bytes &&
		    addr - m->guest_phys <= m->size_bytes - size)
			return m;
	}
	return NULL;
}

/* The setup header's rules for where this loader puts the kernel; false after saying why. */
static bool header_ok(const struct system *sys, uint32_t cell, const uint8_t *bz, size_t size)
{
	const struct bh_cell *c = &sys->cells[cell];
	const char *image = sys->cell_src[cell].image;

	if (size < BP_BYTES || memcmp(bz + BP_HEADER_MAGIC, "HdrS", 4)) {
		cell_error(sys, cell, "image",
			   "\"%s\" is not an x86 bzImage (no \"HdrS\" at 0x202); a flat vmlinux "
			   "for the PVH entry needs the cell's `entry`",
			   image);
		return false;
	}
	uint32_t version = get16(bz, BP_VERSION);
	if (version < MIN_PROTOCOL || !(bz[BP_LOADFLAGS] & LOADED_HIGH)) {
		cell_error(sys, cell, "image",
			   "\"%s\": boot protocol %u.%02u (loadflags 0x%x); a bzImage of protocol "
			   "2.14 or later is needed",
			   image, version >> 8, version & 0xff, bz[BP_LOADFLAGS]);
		return false;
	}
	uint32_t align = get32(bz, BP_KERNEL_ALIGNMENT);
	if (!bz[BP_RELOCATABLE] || align == 0 || c->image_guest_phys % align) {
		cell_error(sys, cell, "load-address",
			   "0x%llx: \"%s\" needs a load address aligned to its kernel_alignment "
			   "0x%x (relocatable: %u)",
			   (unsigned long long)c->image_guest_phys, image, align,
			   bz[BP_RELOCATABLE]);
		return false;
	}
	/* boot.rst: init_size is the linear memory the kernel needs from its load address. */
	uint32_t init_size = get32(bz, BP_INIT_SIZE);
	if (!ram_holding(sys, cell, c->image_guest_phys, init_size)) {
		cell_error(sys, cell, "load-address",
			   "0x%llx: \"%s\" needs 0x%x bytes of RAM from its load address "
			   "(init_size); no RAM region of the cell holds them",
			   (unsigned long long)c->image_guest_phys, image, init_size);
		return false;
	}
	return true;
}

static void e820_add(struct e820_map *map, uint64_t addr, uint64_t size, uint32_t type)
{
	if (size && map->count < E820_MAX_ENTRIES) {
		map->addr[map->count] = addr;
		map->size[map->count] = size;
		map->type[map->count++] = type;
	}
}

/*
 * The cell's memory as Linux must see it: its RAM regions, minus the boot
 * parameters' own pages (reserved: nothing may reuse them while Linux still
 * reads them); channels and the status page reserved, device regions absent.
 */
static bool e820_of_cell(const struct system *sys, uint32_t cell, uint64_t params,
			 uint64_t params_size, struct e820_map *map)
{
	const struct bh_cell *c = &sys->cells[cell];

	map->count = 0;
	for (uint32_t r = c->region_first; r < c->region_first + c->region_count; r++) {
		const struct bh_mem_region *m = &sys->regions[r];
		uint64_t end = m->guest_phys + m->size_bytes;

		if (m->flags & BH_MEM_DEVICE)
			continue;
		if (m->flags & (BH_MEM_COMM | BH_MEM_HV_STATUS)) {
			e820_add(map, m->guest_phys, m->size_bytes, E820_RESERVED);
		} else if (params >= m->guest_phys && params < end) {
			e820_add(map, m->guest_phys, params - m->guest_phys, E820_RAM);
			e820_add(map, params, params_size, E820_RESERVED);
			e820_add(map, params + params_size, end - params - params_size, E820_RAM);
		} else {
			e820_add(map, m->guest_phys, m->size_bytes, E820_RAM);
		}
	}
	if (map->count == E820_MAX_ENTRIES) {
		cell_error(sys, cell, NULL, "more than %u e820 entries", E820_MAX_ENTRIES - 1);
		return false;
	}
	return true;
}

/* Command line and initrd into the setup header; false after saying why. */
static bool fill_cmdline_initrd(const struct system *sys, uint32_t cell, uint8_t *bp,
				uint64_t params, uint64_t initrd_size)
{
	const struct bh_cell *c = &sys->cells[cell];
	const char *cmdline = sys->cell_src[cell].bootargs;
	size_t len = strlen(cmdline);

	if (len >= get32(bp, BP_CMDLINE_SIZE)) {
		cell_error(sys, cell, "bootargs", "%zu bytes; the kernel takes at most %u", len,
			   get32(bp, BP_CMDLINE_SIZE) - 1);
		return false;
	}
	put32(bp, BP_CMD_LINE_PTR, (uint32_t)(params + CMDLINE_OFFSET));
	put32(bp, BP_EXT_CMD_LINE_PTR, (uint32_t)((params + CMDLINE_OFFSET) >> 32));
	if (c->initrd_item == BH_NONE)
		return true;
	uint64_t rd_end = c->initrd_guest_phys + initrd_size;
	if (!(get16(bp, BP_XLOADFLAGS) & XLF_CAN_BE_LOADED_ABOVE_4G) &&
	    rd_end - 1 > get32(bp, BP_INITRD_ADDR_MAX)) {
		cell_error(sys, cell, "initrd-address",
			   "0x%llx: the initrd ends at 0x%llx, above the kernel's initrd_addr_max "
			   "0x%x",
			   (unsigned long long)c->initrd_guest_phys, (unsigned long long)rd_end,
			   get32(bp, BP_INITRD_ADDR_MAX));
		return false;
	}
	put32(bp, BP_RAMDISK_IMAGE, (uint32_t)c->initrd_guest_phys);
	put32(bp, BP_EXT_RAMDISK_IMAGE, (uint32_t)(c->initrd_guest_phys >> 32));
	put32(bp, BP_RAMDISK_SIZE, (uint32_t)initrd_size);
	put32(bp, BP_EXT_RAMDISK_SIZE, (uint32_t)(initrd_size >> 32));
	return true;
}

/*
 * The PVH entry's hvm_start_info (version 1: Xen's docs/misc/pvh.pandoc and
 * xen/include/public/arch-x86/hvm/start_info.h; Linux's arch/x86/platform/pvh/)
 * in place of boot_params: for a kernel image that is not a bzImage but the
 * flat vmlinux (tools/pylib/bulkhead_tools/payload/pvh.py), entered at the
 * cell's `entry` with %ebx pointing here. The hypervisor tells the two kinds
 * of item apart by the magic at +0 (boot_params starts with zeros).
 */
#define PVH_MAGIC 0x336ec578u
#define PVH_VERSION 1
#define PVH_NR_MODULES 12
#define PVH_MODLIST_PADDR 16
#define PVH_CMDLINE_PADDR 24
#define PVH_RSDP_PADDR 32
#define PVH_MEMMAP_PADDR 40
#define PVH_MEMMAP_ENTRIES 48
#define PVH_MODLIST_OFFSET 0x40 /* one hvm_modlist_entry: the initrd */
#define PVH_MEMMAP_OFFSET 0x100
#define PVH_MEMMAP_ENTRY_BYTES 24

static void *pvh_emit(const struct system *sys, uint32_t cell, const void *platform_fdt,
		      size_t image_size, uint64_t initrd_size, size_t *size)
{
	const struct bh_cell *c = &sys->cells[cell];
	uint64_t params = c->dtb_guest_phys;
	struct e820_map map;

	if (!ram_holding(sys, cell, c->image_guest_phys, image_size) ||
	    c->entry_guest_phys - c->image_guest_phys >= image_size) {
		cell_error(sys, cell, "entry",
			   "0x%llx: the PVH entry must lie in \"%s\" (%zu bytes at 0x%llx, in "
			   "the cell's RAM)",
			   (unsigned long long)c->entry_guest_phys, sys->cell_src[cell].image,
			   image_size, (unsigned long long)c->image_guest_phys);
		return NULL;
	}
	if (strlen(sys->cell_src[cell].bootargs) >= ACPI_OFFSET - CMDLINE_OFFSET) {
		cell_error(sys, cell, "bootargs", "longer than %u bytes",
			   ACPI_OFFSET - CMDLINE_OFFSET - 1);
		return NULL;
	}
	uint8_t *item = calloc(1, BOOT_ITEM_BYTES);
	if (!item || !e820_of_cell(sys, cell, params, BOOT_ITEM_BYTES, &map)) {
		free(item);
		return NULL;
	}
	put32(item, 0, PVH_MAGIC);
	put32(item, 4, PVH_VERSION);
	put64(item, PVH_CMDLINE_PADDR, params + CMDLINE_OFFSET);
	memcpy(item + CMDLINE_OFFSET, sys->cell_src[cell].bootargs,
	       strlen(sys->cell_src[cell].bootargs));
	if (c->initrd_item != BH_NONE) {
		put32(item, PVH_NR_MODULES, 1);
		put64(item, PVH_MODLIST_PADDR, params + PVH_MODLIST_OFFSET);
		put64(item, PVH_MODLIST_OFFSET, c->initrd_guest_phys);
		put64(item, PVH_MODLIST_OFFSET + 8, initrd_size);
	}
	put64(item, PVH_MEMMAP_PADDR, params + PVH_MEMMAP_OFFSET);
	put32(item, PVH_MEMMAP_ENTRIES, map.count);
	for (uint32_t k = 0; k < map.count; k++) {
		size_t at = PVH_MEMMAP_OFFSET + (size_t)k * PVH_MEMMAP_ENTRY_BYTES;

		put64(item, at, map.addr[k]);
		put64(item, at + 8, map.size[k]);
		put32(item, at + 16, map.type[k]);
	}
	uint64_t rsdp = linux_x86_acpi_emit(sys, cell, platform_fdt, item + ACPI_OFFSET,
					    BOOT_ITEM_BYTES - ACPI_OFFSET, params + ACPI_OFFSET);
	if (!rsdp) {
		free(item);
		return NULL;
	}
	put64(item, PVH_RSDP_PADDR, rsdp);
	*size = BOOT_ITEM_BYTES;
	return item;
}

static bool is_bzimage(const uint8_t *image, size_t size)
{
	return size >= BP_BYTES && !memcmp(image + BP_HEADER_MAGIC, "HdrS", 4);
}

void *linux_x86_boot_emit(const struct system *sys, uint32_t cell, const void *platform_fdt,
			  void *image, size_t *image_size, uint64_t initrd_size, size_t *size)
{
	const struct bh_cell *c = &sys->cells[cell];
	uint8_t *bz = image;

	if (!is_bzimage(bz, *image_size) && sys->cell_src[cell].has_entry)
		return pvh_emit(sys, cell, platform_fdt, *image_size, initrd_size, size);
	if (!header_ok(sys, cell, bz, *image_size))
		return NULL;
	uint32_t setup_sects = bz[BP_SETUP_SECTS] ? bz[BP_SETUP_SECTS] : 4;
	size_t setup_bytes = (size_t)(setup_sects + 1) * 512;
	size_t header_end = 0x202 + bz[BP_JUMP + 1];
	if (setup_bytes >= *image_size || header_end > BP_BYTES) {
		cell_error(sys, cell, "image",
			   "\"%s\": %u setup sectors or a setup header to 0x%zx "
			   "do not fit its %zu bytes",
			   sys->cell_src[cell].image, setup_sects, header_end, *image_size);
		return NULL;
	}
	uint8_t *item = calloc(1, BOOT_ITEM_BYTES);
	struct e820_map map;
	if (!item)
		return NULL;
	memcpy(item + BP_SETUP_SECTS, bz + BP_SETUP_SECTS, header_end - BP_SETUP_SECTS);
	item[BP_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	item[BP_LOADFLAGS] &= (uint8_t)~CAN_USE_HEAP;
	put32(item, BP_CODE32_START, (uint32_t)c->image_guest_phys);
	bool ok = fill_cmdline_initrd(sys, cell, item, c->dtb_guest_phys, initrd_size) &&
		  e820_of_cell(sys, cell, c->dtb_guest_phys, BOOT_ITEM_BYTES, &map);
	if (!ok) {
		free(item);
		return NULL;
	}
	item[BP_E820_ENTRIES] = (uint8_t)map.count;
	for (uint32_t k = 0; k < map.count; k++) {
		size_t at = BP_E820_TABLE + (size_t)k * E820_ENTRY_BYTES;

		put64(item, at, map.addr[k]);
		put64(item, at + 8, map.size[k]);
		put32(item, at + 16, map.type[k]);
	}
	memcpy(item + CMDLINE_OFFSET, sys->cell_src[cell].bootargs,
	       strlen(sys->cell_src[cell].bootargs));
	uint64_t rsdp =
		linux_x86_acpi_emit(sys, cell, platform_fdt, item + ACPI_OFFSET,
				    BOOT_ITEM_BYTES - ACPI_OFFSET, c->dtb_guest_phys + ACPI_OFFSET);
	if (!rsdp) {
		free(item);
		return NULL;
	}
	put64(item, BP_ACPI_RSDP_ADDR, rsdp);
	/* The cell's image is the protected-mode kernel alone. */
	memmove(bz, bz + setup_bytes, *image_size - setup_bytes);
	*image_size -= setup_bytes;
	*size = BOOT_ITEM_BYTES;
	return item;
}
