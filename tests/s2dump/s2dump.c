/*
 * s2dump: builds every cell's stage-2 tables from a binary config with the
 * hypervisor's own builder (arch/arm64/stage2.c over pgtable.c), then walks
 * them the way the MMU would, from the VTTBR/VTCR values the hypervisor
 * would load, and prints every leaf mapping merged into contiguous runs.
 * The configuration issue's oracle (tools/pylib/bulkhead_tools/
 * sysgen_check.py) compares that with the description (docs/design.md, I2).
 *
 *   s2dump CONFIG.bin [--pa-bits N] [--cpus HWID,...] [--gicr BASE,SIZE,STRIDE]
 *
 * What is the hypervisor's code and what is a copy:
 *  - config_check() and config_check_direct_reserved_why() are the shared
 *    validator, run as at boot;
 *  - cell_add/cell_region/cell_device are hv/core/cell.c's registry;
 *  - stage2_create/stage2_map_region/stage2_vttbr/stage2_vtcr are stage2.c;
 *  - build() repeats hv/core/system.c build_view()'s calls and arguments,
 *    and the redistributor loop of cell_arch.c arch_cell_map_irqchip(): both
 *    reach the hardware or the running hypervisor, so they are mirrored, not
 *    linked (keep them in step);
 *  - the status page is a placeholder page: the last page(s) of the declared
 *    hypervisor memory (the real one is in the hypervisor's image, which lies
 *    there too); printed as such;
 *  - the walker below reads descriptors only, not pgtable.c's structures.
 *
 * Exit status: 0 walked, 1 refused (as the hypervisor would refuse to start),
 * 2 usage or I/O error, 3 the walk found a table outside the page pool.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <abi/config_check.h>
#include <arm64/mmu.h>
#include <arm64/stage2.h>
#include <bulkhead/config.h>
#include <bulkhead/status.h>
#include <hv/cell.h>
#include <hv/page_pool.h>
#include <lib/strerror.h>

/* arch/arm64/include/arm64/gicv3.h's GICR_SGI_FRAME_OFFSET; that header needs the GIC driver. */
#define SGI_FRAME_OFFSET 0x10000ull

/* The hypervisor's pool, same size; stage2.c takes its table pages from here (mmu_table_pool). */
static uint8_t pool[HV_PAGE_POOL_PAGES][HV_PAGE_BYTES] __attribute__((aligned(HV_PAGE_BYTES)));
static unsigned int pool_used;
static unsigned int pa_bits = 48;

void *page_pool_alloc(void)
{
	return pool_used < HV_PAGE_POOL_PAGES ? pool[pool_used++] : NULL;
}

unsigned int page_pool_used(void)
{
	return pool_used;
}

/* arch/arm64/mmu.c's pool for the table builder; the host stands in for an identity map. */
const struct pt_pool *mmu_table_pool(void)
{
	static struct pt_pool table_pool = { .count = HV_PAGE_POOL_PAGES, .next = &pool_used };

	table_pool.pages = (uint64_t(*)[PT_ENTRIES])pool;
	table_pool.phys_base = (uintptr_t)pool;
	return &table_pool;
}

unsigned int mmu_pa_bits(void)
{
	return pa_bits;
}

/* The machine: QEMU virt, -smp 4, GICv3 (what tests/bhcfg's platform DTB describes). */
static uint64_t cpu_hwids[HV_MAX_CPUS] = { 0, 1, 2, 3 };
static unsigned int cpu_count = 4;
static uint64_t gicr_base = 0x80a0000, gicr_size = 0xf60000, gicr_stride = 0x20000;

static int logical_cpu(uint64_t hwid)
{
	for (unsigned int i = 0; i < cpu_count; i++)
		if (cpu_hwids[i] == hwid)
			return (int)i;
	return -1;
}

static void refuse(const struct cell *cell, const char *what, uint64_t a, uint64_t b, int err)
{
	printf("refused: cell \"%s\": %s [0x%llx, +0x%llx): %s\n", cell_name(cell), what,
	       (unsigned long long)a, (unsigned long long)b, bh_strerror(err));
	exit(1);
}

/* hv/core/system.c build_view(), table part, with the arch hooks of cell_arch.c inlined. */
static void build(const struct cell *cell, uint64_t status_pa, uint64_t status_bytes)
{
	int err = stage2_create(cell->id);

	if (err)
		refuse(cell, "translation tables", 0, 0, err);
	for (uint32_t i = 0; i < cell->desc->region_count; i++) {
		const struct bh_mem_region *r = cell_region(cell, i);

		if (r->flags & BH_MEM_HV_STATUS) {
			err = stage2_map_region(cell->id, r->guest_phys, status_pa, status_bytes,
						BH_MEM_READ);
			if (err)
				refuse(cell, "mapping the hypervisor status", r->guest_phys,
				       status_bytes, err);
			continue;
		}
		err = stage2_map_region(cell->id, r->guest_phys, r->host_phys, r->size_bytes,
					r->flags);
		if (err)
			refuse(cell, "mapping region", r->guest_phys, r->size_bytes, err);
	}
	for (uint32_t i = 0; i < cell->desc->device_count; i++) {
		const struct bh_device *d = cell_device(cell, i);

		if (d->kind != BH_DEVICE_MMIO)
			continue;
		err = stage2_map_region(cell->id, d->base, d->base, d->size_bytes,
					BH_MEM_READ | BH_MEM_WRITE | BH_MEM_DEVICE);
		if (err)
			refuse(cell, "mapping device", d->base, d->size_bytes, err);
	}
	if (!(cell->desc->flags & BH_CELL_REALTIME))
		return;
	/* cell_arch.c arch_cell_map_irqchip(): each own CPU's SGI/PPI frame, 1:1. */
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = logical_cpu(cell->desc->cpu_hwid[i]);
		uint64_t frame = gicr_base + (uint64_t)cpu * gicr_stride + SGI_FRAME_OFFSET;

		err = stage2_map_region(cell->id, frame, frame, SGI_FRAME_OFFSET,
					BH_MEM_READ | BH_MEM_WRITE | BH_MEM_DEVICE);
		if (err)
			refuse(cell, "mapping the interrupt controller", frame, SGI_FRAME_OFFSET,
			       err);
	}
}

/* ---- the walker: descriptors only, as the stage-2 MMU reads them ---- */

struct run {
	uint64_t ipa, pa, size;
	char attrs[48];
	bool open;
};

static const char *cell_label;

static void flush(struct run *r)
{
	if (r->open)
		printf("cell %s: ipa 0x%llx -> pa 0x%llx size 0x%llx perms %s\n", cell_label,
		       (unsigned long long)r->ipa, (unsigned long long)r->pa,
		       (unsigned long long)r->size, r->attrs);
	r->open = false;
}

static void leaf(struct run *r, uint64_t ipa, uint64_t pa, uint64_t size, uint64_t desc)
{
	char attrs[sizeof(r->attrs)];
	unsigned int memattr = (unsigned int)(desc >> 2) & 0xf;
	/* S2AP [7:6]: bit 6 read, bit 7 write; XN [54] (XN[0], bit 53, only with FEAT_XNX). */
	int n = snprintf(attrs, sizeof(attrs), "%c%c%c %s", desc & (1ull << 6) ? 'r' : '-',
			 desc & (1ull << 7) ? 'w' : '-', desc & (1ull << 54) ? '-' : 'x',
			 memattr == 0xf   ? "normal"
			 : memattr == 0x1 ? "device"
					  : "memattr");

	if (memattr != 0xf && memattr != 0x1)
		n += snprintf(attrs + n, sizeof(attrs) - (size_t)n, "-0x%x", memattr);
	if (!(desc & (1ull << 10)))
		snprintf(attrs + n, sizeof(attrs) - (size_t)n, " no-af"); /* every access faults */
	if (r->open && r->ipa + r->size == ipa && r->pa + r->size == pa &&
	    strcmp(r->attrs, attrs) == 0) {
		r->size += size;
		return;
	}
	flush(r);
	*r = (struct run){ ipa, pa, size, "", true };
	memcpy(r->attrs, attrs, sizeof(attrs));
}

static uint64_t shift_of(unsigned int level)
{
	return 12 + 9 * (3 - level);
}

/* A table the walk reaches must be a page of the pool, as the hypervisor's are. */
static const uint64_t *pool_table(uint64_t addr)
{
	uintptr_t p = (uintptr_t)addr;

	if (p < (uintptr_t)pool || p >= (uintptr_t)(pool + pool_used) || p % HV_PAGE_BYTES) {
		printf("bad table: cell %s: 0x%llx is not a page-table page\n", cell_label,
		       (unsigned long long)addr);
		exit(3);
	}
	return (const uint64_t *)p;
}

static void walk(const uint64_t *table, unsigned int entries, unsigned int level, uint64_t base,
		 struct run *r)
{
	for (unsigned int i = 0; i < entries; i++) {
		uint64_t desc = table[i];
		uint64_t ipa = base + ((uint64_t)i << shift_of(level));
		uint64_t size = 1ull << shift_of(level);

		if (!(desc & 1))
			continue;
		/* Bits 47:12 hold the next table or the output address (48-bit OA). */
		uint64_t addr = desc & 0x0000fffffffff000ull;

		if (level < 3 && (desc & 2)) {
			walk(pool_table(addr), 512, level + 1, ipa, r);
			continue;
		}
		/* Level 3 needs bit 1 set; a level-0 block does not exist with 4 KiB pages. */
		if ((level == 3 && !(desc & 2)) || level == 0)
			continue;
		leaf(r, ipa, addr & ~(size - 1), size, desc);
	}
}

static void walk_cell(const struct cell *cell)
{
	uint64_t vttbr = stage2_vttbr(cell->id), vtcr = stage2_vtcr();
	unsigned int ipa_bits = 64 - (unsigned int)(vtcr & 0x3f);
	unsigned int start = 2 - (unsigned int)((vtcr >> 6) & 3);
	static const unsigned int ps_bits[] = { 32, 36, 40, 42, 44, 48, 52, 52 };
	unsigned int entries = 1u << (ipa_bits - shift_of(start));
	struct run r = { 0 };

	cell_label = cell_name(cell);
	printf("cell %s: vmid %llu ipa-bits %u pa-bits %u start-level %u root-tables %u\n",
	       cell_label, (unsigned long long)(vttbr >> 48), ipa_bits, ps_bits[(vtcr >> 16) & 7],
	       start, entries > 512 ? entries / 512 : 1);
	/* VTTBR_EL2.BADDR, bits 47:1 (the VMID is above). */
	walk(pool_table(vttbr & 0x0000fffffffffffeull), entries, start, 0, &r);
	flush(&r);
}

/* ---- options and the config ---- */

static uint64_t number(const char *text)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(text, &end, 0);
	if (errno || end == text || (*end && *end != ',')) {
		fprintf(stderr, "s2dump: %s: not a number\n", text);
		exit(2);
	}
	return v;
}

static void parse_list(char *text, uint64_t *out, unsigned int max, unsigned int *count)
{
	*count = 0;
	for (char *p = strtok(text, ","); p; p = strtok(NULL, ",")) {
		if (*count == max) {
			fprintf(stderr, "s2dump: more than %u values\n", max);
			exit(2);
		}
		out[(*count)++] = number(p);
	}
}

/* The validator wants the blob 8-byte aligned, as the hypervisor's copy is. */
static uint64_t blob[(1u << 20) / sizeof(uint64_t)];

static const void *read_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "s2dump: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	*size = fread(blob, 1, sizeof(blob), f);
	if (ferror(f) || !feof(f)) {
		fprintf(stderr, "s2dump: %s: unreadable or over 1 MiB\n", path);
		exit(2);
	}
	fclose(f);
	return blob;
}

int main(int argc, char **argv)
{
	const char *path = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--pa-bits") && i + 1 < argc) {
			pa_bits = (unsigned int)number(argv[++i]);
		} else if (!strcmp(argv[i], "--cpus") && i + 1 < argc) {
			parse_list(argv[++i], cpu_hwids, HV_MAX_CPUS, &cpu_count);
		} else if (!strcmp(argv[i], "--gicr") && i + 1 < argc) {
			uint64_t v[3];
			unsigned int n;

			parse_list(argv[++i], v, 3, &n);
			if (n != 3) {
				fprintf(stderr, "s2dump: --gicr BASE,SIZE,STRIDE\n");
				return 2;
			}
			gicr_base = v[0];
			gicr_size = v[1];
			gicr_stride = v[2];
		} else if (argv[i][0] != '-' && !path) {
			path = argv[i];
		} else {
			fprintf(stderr, "usage: s2dump CONFIG.bin [--pa-bits N] [--cpus HWID,...] "
					"[--gicr BASE,SIZE,STRIDE]\n");
			return 2;
		}
	}
	if (!path) {
		fprintf(stderr, "usage: s2dump CONFIG.bin [--pa-bits N] [--cpus HWID,...] "
				"[--gicr BASE,SIZE,STRIDE]\n");
		return 2;
	}
	size_t size;
	const struct bh_config_header *config = read_file(path, &size);
	char why[256];

	/* What the hypervisor runs before system_build(): the validator, then the GICR rule. */
	if (config_check(config, size, BH_ARCH_ARM64, why, sizeof(why)) ||
	    config_check_direct_reserved_why(config, size, gicr_base, gicr_size, why,
					     sizeof(why))) {
		printf("refused: %s\n", why);
		return 1;
	}
	uint64_t status_bytes = sizeof(struct bh_hv_status);
	uint64_t status_pa = config->hv_memory.base + config->hv_memory.size_bytes - status_bytes;

	printf("status page: pa 0x%llx size 0x%llx (placeholder for the hypervisor's own page)\n",
	       (unsigned long long)status_pa, (unsigned long long)status_bytes);
	for (uint32_t i = 0; i < config->cells.count; i++) {
		const struct cell *cell = cell_add(config, i);

		/* system.c resolve_cpus(): every CPU must be on this machine. */
		for (uint32_t k = 0; k < cell->desc->cpu_count; k++)
			if (logical_cpu(cell->desc->cpu_hwid[k]) < 0) {
				printf("refused: cell \"%s\": CPU hwid 0x%llx is not on this "
				       "machine\n",
				       cell_name(cell),
				       (unsigned long long)cell->desc->cpu_hwid[k]);
				return 1;
			}
	}
	for (uint32_t i = 0; i < cell_count(); i++)
		build(cell_by_id(i), status_pa, status_bytes);
	for (uint32_t i = 0; i < cell_count(); i++)
		walk_cell(cell_by_id(i));
	printf("page-table pages: %u of %u\n", pool_used, HV_PAGE_POOL_PAGES);
	return 0;
}
