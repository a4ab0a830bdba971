/*
 * Fills struct platform from a flattened device tree: CPUs from /cpus,
 * RAM from the memory nodes, model and command line from / and /chosen.
 * Used by arches whose firmware hands over a DTB.
 */
#ifndef HV_PLATFORM_FDT_H
#define HV_PLATFORM_FDT_H

#include <hv/platform.h>

/*
 * Returns 0, or -BH_EINVAL (tree unusable) or -BH_E2BIG (more CPUs or RAM
 * ranges than our tables hold) with a one-line reason in `why` naming the
 * node and property.
 */
int platform_from_fdt(const void *dtb, size_t max_size, struct platform *plat, char *why,
		      size_t why_size);

/*
 * Takes the DTB's /chosen/rng-seed: copies up to `size` bytes of it to `seed`,
 * then removes it from the DTB so no later reader sees it. Returns the bytes
 * copied, 0 when there is none.
 */
uint32_t platform_fdt_take_rng_seed(void *dtb, size_t max_size, uint8_t *seed, uint32_t size);

/* The DTB's /chosen initrd range (linux,initrd-start/-end): 0, or -BH_ENOENT. */
int platform_fdt_initrd(const void *dtb, size_t max_size, uint64_t *start, uint64_t *end);

#endif
