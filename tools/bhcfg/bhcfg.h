/*
 * bhcfg's in-memory model of one system description: the ABI records as
 * they will be emitted, plus where each came from (node path, files), so
 * every message can name the file, node and property. Bindings: config/bindings.md.
 */
#ifndef BHCFG_H
#define BHCFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <abi/config_check.h>
#include <bulkhead/config.h>
#include <bulkhead/sysimage.h>

#define PATH_LEN 256
#define BOOTARGS_LEN 1024

/* ---- diagnostics (diag.c) ---- */

/* Counts of errors and warnings printed so far. */
extern unsigned int diag_errors;
extern unsigned int diag_warnings;
/* Count but print nothing (the fuzz targets). */
extern bool diag_quiet;

/* "FILE: NODE: PROPERTY: message" on stderr; node/property may be NULL. */
void diag_error(const char *file, const char *node, const char *property, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void diag_warning(const char *file, const char *node, const char *property, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * `node`'s path in `fdt` into path[PATH_LEN]: in full, or shortened with a
 * visible "..." in the middle when it does not fit.
 */
void diag_node_path(const void *fdt, int node, char *path);

/* ---- files (files.c) ---- */

/* Reads a whole file (8-byte aligned buffer); NULL after printing why. */
void *file_read(const char *path, size_t *size);
int file_write(const char *path, const void *data, size_t size);

/* A DTB from a .dtb or, through dtc, a .dts file; NULL after printing why. */
void *dtb_load(const char *path);

/* ---- DTB gate (dtb_validate.c) ---- */

/* 0 when a DTB of `size` bytes is safe to hand to libfdt, else -FDT_ERR_*. */
int dtb_validate(const void *blob, size_t size);

/* ---- the model ---- */

struct cell_source {
	char path[PATH_LEN]; /* e.g. /cells/linux */
	char image[PATH_LEN]; /* file names as written, "" when absent */
	char initrd[PATH_LEN];
	char bootargs[BOOTARGS_LEN];
	bool has_entry;
};

struct system {
	const char *file; /* the system description, for messages */
	struct bh_config_header hdr;
	char console_node[PATH_LEN]; /* platform node of the hv console, "" if none */

	uint32_t cell_count;
	struct bh_cell cells[CONFIG_MAX_CELLS];
	struct cell_source cell_src[CONFIG_MAX_CELLS];

	uint32_t region_count;
	struct bh_mem_region regions[CONFIG_MAX_REGIONS];
	char region_path[CONFIG_MAX_REGIONS][PATH_LEN];

	uint32_t device_count;
	struct bh_device devices[CONFIG_MAX_DEVICES];
	char device_path[CONFIG_MAX_DEVICES][PATH_LEN];
	/* `dma = "unconfined"`: the description accepts that the device's DMA reaches everything.
	 */
	bool device_dma_unconfined[CONFIG_MAX_DEVICES];

	uint32_t irq_count;
	struct bh_irq irqs[CONFIG_MAX_IRQS];

	uint32_t channel_count;
	struct bh_channel channels[CONFIG_MAX_CHANNELS];
	char channel_path[CONFIG_MAX_CHANNELS][PATH_LEN];
	char endpoint_path[CONFIG_MAX_CHANNELS][BH_CHANNEL_MAX_ENDPOINTS][PATH_LEN];

	uint32_t item_count; /* items the system image will have */
};

/* parse.c: system DTB -> model. Returns false when errors were reported. */
bool system_parse(struct system *sys, const void *fdt);

/* check_platform.c: rules that need the platform DTB. */
bool system_check_platform(const struct system *sys, const void *platform_fdt,
			   const char *platform_file, const void *system_fdt);
/* Fills hdr.console from the platform node /hypervisor/console names. */
void platform_fill_console(struct system *sys, const void *platform_fdt);

/* emit_config.c: model -> binary config (malloc'd); size in *size. */
void *config_emit(const struct system *sys, size_t *size);
/* Runs config_check on a blob emitted from `sys`, naming sources in messages. */
bool config_check_sources(const struct system *sys, const void *blob, size_t size);
/* Then, once that passed, the rules that need the platform: config_check_direct_reserved. */
bool config_check_platform_reserved(const struct system *sys, const void *platform_fdt,
				    const void *blob, size_t size);

/* emit_dtb.c: a Linux cell's device tree (malloc'd), or NULL after errors. */
void *linux_dtb_emit(const struct system *sys, uint32_t cell, const void *platform_fdt,
		     uint64_t initrd_size, size_t *size);

/*
 * emit_x86_boot.c: a linux-x86 cell's boot parameters (malloc'd, size in *size)
 * from its bzImage `image`, which becomes its protected-mode kernel in place
 * (*image_size shrinks); NULL after printing why.
 */
void *linux_x86_boot_emit(const struct system *sys, uint32_t cell, const void *platform_fdt,
			  void *image, size_t *image_size, uint64_t initrd_size, size_t *size);
/*
 * emit_x86_acpi.c: the cell's ACPI tables into out[0, room), which the cell
 * sees at guest_phys; the RSDP's guest-physical address, 0 after saying why.
 */
uint64_t linux_x86_acpi_emit(const struct system *sys, uint32_t cell, const void *platform_fdt,
			     uint8_t *out, size_t room, uint64_t guest_phys);

/* emit_image.c: bundles everything into a system image; false after errors. */
bool sysimage_emit(const struct system *sys, const void *platform_fdt,
		   const char *const *image_dirs, unsigned int image_dir_count,
		   const char *out_path, const char *config_out, const char *dtb_out_dir);
/*
 * Files given with --image-file: they win over the search dirs when their
 * base name equals the base name the description gives.
 */
extern const char *image_files[8];
extern unsigned int image_file_count;
/* Finds an image file by name (image_files, then the search dirs); false if absent. */
bool image_find(const char *name, const char *const *dirs, unsigned int dir_count, char *path,
		size_t path_size);

/* dump.c: prints a binary config or a system image; 0 or 1. */
int dump_file(const char *path);

/* Names used by both parse.c and dump.c. */
const char *boot_protocol_name(uint32_t protocol);
const char *arch_name(uint32_t arch);

#endif
