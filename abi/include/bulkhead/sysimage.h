/*
 * System image: one file the boot loader hands over (arm64: QEMU -initrd,
 * whose range the hv reads from /chosen linux,initrd-start/-end; x86: a
 * multiboot2 module). Header + item table + items, each item 4 KiB-aligned.
 * Exactly one CONFIG item (a struct bh_config_header blob). Little-endian.
 */
#ifndef BULKHEAD_SYSIMAGE_H
#define BULKHEAD_SYSIMAGE_H

#include <bulkhead/abi_types.h>

#define BH_SYSIMAGE_MAGIC 0x49534842u /* bytes "BHSI" in a little-endian u32 */
#define BH_SYSIMAGE_VERSION 1u
#define BH_SYSIMAGE_ALIGN_BYTES 4096u
#define BH_SYSIMAGE_MAX_ITEMS 64u

/* bh_sysimage_item.kind */
#define BH_ITEM_CONFIG 1u /* binary config (bulkhead/config.h) */
#define BH_ITEM_IMAGE 2u /* a cell's kernel or program, copied to image_guest_phys */
#define BH_ITEM_DTB 3u /* Linux: arm64 device tree, x86 boot_params; at dtb_guest_phys */
#define BH_ITEM_INITRD 4u /* a Linux cell's initramfs, copied to initrd_guest_phys */

struct bh_sysimage_header {
	uint32_t magic; /* BH_SYSIMAGE_MAGIC */
	uint32_t version; /* BH_SYSIMAGE_VERSION */
	uint32_t total_size_bytes; /* the whole file, padding included */
	uint32_t crc32; /* CRC-32/IEEE of header + item table, this field as 0 */
	uint32_t item_count; /* 1..BH_SYSIMAGE_MAX_ITEMS */
	uint32_t item_table_offset_bytes; /* from the file's first byte */
	uint32_t item_size_bytes; /* sizeof(struct bh_sysimage_item) */
	uint32_t reserved; /* 0 */
};
BH_STATIC_ASSERT_SIZE(struct bh_sysimage_header, 32);

struct bh_sysimage_item {
	uint32_t kind; /* BH_ITEM_* */
	uint32_t cell; /* cell index, BH_NONE (0xffffffff) for CONFIG */
	char name[32]; /* NUL-terminated, e.g. "linux/Image" */
	uint32_t offset_bytes; /* from the file's first byte; multiple of 4 KiB */
	uint32_t size_bytes; /* payload bytes (padding not included) */
	uint32_t crc32; /* CRC-32/IEEE of the payload */
	uint32_t reserved; /* 0 */
};
BH_STATIC_ASSERT_SIZE(struct bh_sysimage_item, 56);

#endif
