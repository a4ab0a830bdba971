/*
 * The boot CPU's first C code: console from the device tree's stdout-path,
 * platform from the device tree, then the core's boot flow. Logical CPU 0 is
 * always the boot CPU, whatever position the tree lists it at.
 */
#include <aarch64/sysreg.h>
#include <arch/arch_power.h>
#include <arm64/asm_defs.h>
#include <arm64/gicv3.h>
#include <arm64/mmu.h>
#include <arm64/pl011.h>
#include <hv/boot.h>
#include <hv/cell_seed.h>
#include <hv/console.h>
#include <hv/panic.h>
#include <hv/platform_fdt.h>
#include <lib/fdt.h>
#include <lib/strerror.h>
#include <lib/string.h>

_Static_assert(ARM64_MAX_CPUS == HV_MAX_CPUS, "asm_defs.h and platform.h disagree");

/* The DTB lies in RAM; bound reads by its own header and a sane maximum. */
#define DTB_MAX_SIZE (2u << 20)

void arm64_boot_main(void *dtb);
void arm64_secondary_main(unsigned int cpu);

static struct platform boot_platform;
extern char _start[], _end[];

/* Finds the console UART: /chosen stdout-path, which names a node path. */
static uintptr_t find_console_base(const void *dtb)
{
	struct fdt fdt;
	struct fdt_node node;
	uint32_t len;
	char path[64];

	if (!dtb || fdt_open(&fdt, dtb, DTB_MAX_SIZE) || fdt_find_path(&fdt, "/chosen", &node))
		return 0;
	const char *stdout_path = fdt_get_prop(&fdt, node, "stdout-path", &len);

	if (!stdout_path || strnlen(stdout_path, len) == len)
		return 0;
	strlcpy(path, stdout_path, sizeof(path));
	/* "path:options" — the options (baud rate) do not concern a polled UART. */
	for (char *p = path; *p; p++)
		if (*p == ':')
			*p = '\0';
	if (fdt_find_path(&fdt, path, &node) || !fdt_prop_is(&fdt, node, "compatible", "arm,pl011"))
		return 0;
	const void *reg = fdt_get_prop(&fdt, node, "reg", &len);

	return reg && len >= 8 ? (uintptr_t)fdt_read_cells(reg, 2) : 0;
}

/* Moves the boot CPU's hardware id to logical slot 0. */
static void put_boot_cpu_first(struct platform *plat)
{
	uint64_t self = read_sysreg(mpidr_el1) & MPIDR_AFFINITY_MASK;

	for (unsigned int i = 0; i < plat->cpu_count; i++) {
		if (plat->cpu_hwid[i] != self)
			continue;
		plat->cpu_hwid[i] = plat->cpu_hwid[0];
		plat->cpu_hwid[0] = self;
		return;
	}
	hv_panic("boot CPU MPIDR 0x%llx is not in the device tree's /cpus",
		 (unsigned long long)self);
}

/* The boot loader's initrd is our system image (QEMU -initrd, U-Boot booti). */
static void find_sysimage(const void *dtb, struct platform *plat)
{
	uint64_t start;
	uint64_t end;

	plat->sysimage_base = 0;
	plat->sysimage_size_bytes = 0;
	if (platform_fdt_initrd(dtb, DTB_MAX_SIZE, &start, &end) == 0 && end > start) {
		plat->sysimage_base = start;
		plat->sysimage_size_bytes = end - start;
	}
}

/* The boot loader's rng-seed keys the cells' seeds; no copy of it stays in the DTB or here. */
static void take_boot_seed(void *dtb)
{
	uint8_t seed[CELL_SEED_BOOT_BYTES];
	uint32_t len = platform_fdt_take_rng_seed(dtb, DTB_MAX_SIZE, seed, sizeof(seed));

	cell_seed_set_boot_seed(seed, len);
	memset(seed, 0, sizeof(seed));
}

void arm64_boot_main(void *dtb)
{
	char why[128];

	pl011_init(find_console_base(dtb));
	if (platform_from_fdt(dtb, DTB_MAX_SIZE, &boot_platform, why, sizeof(why)))
		hv_panic("device tree at %p: %s", dtb, why);
	console_print("hv: device tree at %p, image at [%p, +0x%llx)\n", dtb, (void *)_start,
		      (unsigned long long)((uintptr_t)_end - (uintptr_t)_start));
	put_boot_cpu_first(&boot_platform);
	find_sysimage(dtb, &boot_platform);
	int err = mmu_build_el2_map(&boot_platform);

	if (err)
		hv_panic("EL2 page tables: %s%s", bh_strerror(err),
			 err == -BH_ENOMEM ? " (page pool too small?)" : "");
	mmu_enable_el2();
	take_boot_seed(dtb);
	gicv3_init(dtb, &boot_platform);
	hv_boot_main(&boot_platform);
}

/* PSCI CPU_ON lands in head.S, which comes here on the CPU's own stack. */
void arm64_secondary_main(unsigned int cpu)
{
	mmu_enable_el2();
	gicv3_cpu_init();
	hv_secondary_main(cpu);
}
