/*
 * The boot flow on the boot CPU: report the platform, enable virtualization
 * here, start every other CPU one at a time and wait until it reports in.
 * A CPU that does not come up within CPU_START_TIMEOUT_NS fails the boot:
 * never a half-started system.
 */
#include <abi/config_check.h>
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <arch/arch_timer.h>
#include <hv/boot.h>
#include <hv/cell.h>
#include <hv/console.h>
#include <hv/panic.h>
#include <hv/system.h>
#include <lib/strerror.h>
#include <lib/string.h>

#define CPU_START_TIMEOUT_NS 2000000000ull
/* The arch's owned ranges (GIC frames, ITS, image) and the system image. */
#define HV_MAX_OWNED_RANGES 16

static unsigned int cpus_online;
/* Set by the boot CPU once every cell is built: secondaries may enter their cells. */
static int cells_ready;

static void report_in(unsigned int cpu)
{
	char desc[96];
	char why[96];

	why[0] = '\0';
	if (arch_cpu_enable_virt(why, sizeof(why)) != 0)
		hv_panic("cpu %u: virtualization unavailable: %s", cpu, why);
	arch_cpu_describe(desc, sizeof(desc));
	console_print("cpu %u: online, %s\n", cpu, desc);
	__atomic_add_fetch(&cpus_online, 1, __ATOMIC_RELEASE);
}

static void print_platform(const struct platform *plat)
{
	console_print("platform: %s, %u CPUs\n", plat->model[0] ? plat->model : "(no model)",
		      plat->cpu_count);
	for (unsigned int i = 0; i < plat->ram_count; i++)
		console_print("ram %u: [0x%llx, +0x%llx)\n", i,
			      (unsigned long long)plat->ram[i].base,
			      (unsigned long long)plat->ram[i].size_bytes);
	if (plat->cmdline[0])
		console_print("cmdline: %s\n", plat->cmdline);
}

static void start_cpu(unsigned int cpu, uint64_t hwid)
{
	unsigned int want = cpus_online + 1;
	int err = arch_cpu_start(cpu, hwid);

	if (err)
		hv_panic("cpu %u (hwid 0x%llx): start refused by firmware: %s", cpu,
			 (unsigned long long)hwid, bh_strerror(err));
	uint64_t deadline = arch_timer_now_ns() + CPU_START_TIMEOUT_NS;

	while (__atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE) < want) {
		if (arch_timer_now_ns() > deadline)
			hv_panic("cpu %u (hwid 0x%llx): did not report in within %llu ms", cpu,
				 (unsigned long long)hwid,
				 (unsigned long long)(CPU_START_TIMEOUT_NS / 1000000));
		arch_cpu_relax();
	}
}

/* Command-line switches for tests of the failure paths. */
static void run_requested_fault(const struct platform *plat)
{
	size_t len;
	const char *kind = cmdline_find(plat->cmdline, "bulkhead.fault", &len);

	if (!kind)
		return;
	if (len == 6 && strncmp(kind, "access", 6) == 0) {
		console_print("hv: injecting a bad access as requested\n");
		arch_cpu_inject_fault();
		hv_panic("injected fault did not raise an exception");
	}
	hv_panic("bulkhead.fault: unknown kind (expected \"access\")");
}

/*
 * Checks the system image and builds every cell from it. Any failure stops
 * the boot here, before a single cell has run (docs/design.md, I7).
 */
static void build_system(const struct platform *plat)
{
	const void *image = (const void *)(uintptr_t)plat->sysimage_base;
	char why[320];
	size_t config_size;

	console_print("hv: system image at [0x%llx, +0x%llx)\n",
		      (unsigned long long)plat->sysimage_base,
		      (unsigned long long)plat->sysimage_size_bytes);
	why[0] = '\0';
	if (sysimage_check(image, (size_t)plat->sysimage_size_bytes, arch_config_arch(), why,
			   sizeof(why)) != 0)
		hv_panic("refusing to start any cell: system image rejected: %s", why);

	const void *config = sysimage_config(image, &config_size);
	/*
	 * What bhcfg checks against the platform DTB about the hypervisor's own
	 * ranges, checked again against this machine: a hand-made config with a
	 * valid CRC never met bhcfg. What the arch owns, then the system image
	 * itself (the cells' descriptions stay in it and are read while cells run).
	 */
	struct config_owned_range owned[HV_MAX_OWNED_RANGES];
	int count = arch_owned_ranges(owned, HV_MAX_OWNED_RANGES - 1);

	if (count < 0)
		hv_panic("refusing to start any cell: the hypervisor's own ranges: %s",
			 bh_strerror(count));
	owned[count] = (struct config_owned_range){
		.base = plat->sysimage_base,
		.size_bytes = plat->sysimage_size_bytes,
		.what = "the system image the boot loader handed over",
	};
	struct config_machine machine = {
		.owned = owned,
		.owned_count = (unsigned int)count + 1,
	};
	arch_direct_reserved_range(&machine.direct_reserved_base, &machine.direct_reserved_size);
	if (config_check_machine_why(config, config_size, &machine, why, sizeof(why)) != 0)
		hv_panic("refusing to start any cell: system image rejected: %s", why);
	system_build(config, image, plat);
}

noreturn_fn void hv_boot_main(const struct platform *plat)
{
	console_print("Bulkhead hypervisor starting\n");
	print_platform(plat);
	report_in(0);
	for (unsigned int cpu = 1; cpu < plat->cpu_count; cpu++)
		start_cpu(cpu, plat->cpu_hwid[cpu]);
	console_print("hv: all %u CPUs online\n", cpus_online);
	run_requested_fault(plat);
	if (plat->sysimage_size_bytes == 0) {
		console_print("hv: no system image handed over; no cell to start\n");
		hv_pass_stop();
	}
	build_system(plat);
	__atomic_store_n(&cells_ready, 1, __ATOMIC_RELEASE);
	for (unsigned int cpu = 1; cpu < plat->cpu_count; cpu++)
		arch_cpu_wake(cpu);
	system_run_cpu(0);
}

noreturn_fn void hv_secondary_main(unsigned int cpu)
{
	report_in(cpu);
	while (!__atomic_load_n(&cells_ready, __ATOMIC_ACQUIRE))
		arch_cpu_wait_event();
	system_run_cpu(cpu);
}
