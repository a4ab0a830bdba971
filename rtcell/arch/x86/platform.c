/*
 * Which machine this image runs on. As a cell the hypervisor enters with
 * EDI = the boot info (magic checked): the cell's CPUs (x2APIC ids in
 * cpu_mpidr) and the hypervisor's numbers for them; smp.c starts them all.
 * Bare (GRUB multiboot2, EAX = its magic), the boot CPU, then each CPU smp.c
 * found and started.
 */
#include <stddef.h>
#include <rtarch/cpu.h>
#include <rtarch/platform.h>
#include <rtarch/port.h>
#include <x86_64/msr.h>

#include "x86.h"

struct rt_x86_platform rt_x86_plat;
uint8_t rt_x86_cpu_of_apic[RT_X86_APIC_IDS];

static const struct bh_boot_info *valid_boot_info(uint32_t edi)
{
	const struct bh_boot_info *info = (const struct bh_boot_info *)(uintptr_t)edi;

	if (edi && (edi & 7) == 0 && info->magic == BH_BOOTINFO_MAGIC &&
	    info->version == BH_BOOTINFO_VERSION && info->cpu_count > 0)
		return info;
	return NULL;
}

/* Also sets up this CPU's local APIC: bare, its x2APIC id is readable only
 * once apic.c has switched it to x2APIC mode. */
void rt_x86_platform_set_apic_id(unsigned cpu, uint32_t apic_id)
{
	if (apic_id >= RT_X86_APIC_IDS)
		rtarch_panic("an x2APIC id beyond the 256 the kernel maps (rtarch/port.h)");
	rt_x86_plat.apic_id[cpu] = apic_id;
	rt_x86_cpu_of_apic[apic_id] = (uint8_t)cpu;
}

void rt_x86_platform_init(uint32_t eax, uint32_t edi)
{
	struct rt_x86_platform *p = &rt_x86_plat;
	const struct bh_boot_info *info = valid_boot_info(edi);

	(void)eax; /* multiboot2's magic: nothing from its info is needed */
	p->info = info;
	rt_x86_apic_init();
	if (!info) {
		p->ncpus = 1;
		rt_x86_platform_set_apic_id(0, (uint32_t)rdmsr(RT_X86_X2APIC_ID));
		p->logical[0] = 0;
		return;
	}
	if (info->cpu_count > RT_X86_MAX_CPUS)
		rtarch_panic("the cell has more CPUs than RT_X86_MAX_CPUS");
	p->ncpus = info->cpu_count;
	for (unsigned i = 0; i < p->ncpus; i++) {
		rt_x86_platform_set_apic_id(i, (uint32_t)info->cpu_mpidr[i]);
		p->logical[i] = info->cpu_logical[i];
	}
	if (p->apic_id[0] != (uint32_t)rdmsr(RT_X86_X2APIC_ID))
		rtarch_panic("the boot info's first CPU is not the boot CPU");
}

void rt_x86_platform_add_cpu(uint32_t apic_id)
{
	struct rt_x86_platform *p = &rt_x86_plat;

	if (p->ncpus == RT_X86_MAX_CPUS)
		rtarch_panic("more CPUs than RT_X86_MAX_CPUS");
	rt_x86_platform_set_apic_id(p->ncpus, apic_id);
	p->logical[p->ncpus] = p->ncpus;
	p->ncpus++;
}

const struct bh_boot_info *rtarch_boot_info(void)
{
	return rt_x86_plat.info;
}

unsigned rtarch_cpu_logical(unsigned cpu)
{
	return rt_x86_plat.logical[cpu];
}

uint64_t rtarch_cpu_hwid(unsigned cpu)
{
	return rt_x86_plat.apic_id[cpu];
}

void rtarch_send_sgi(unsigned cpu, unsigned sgi)
{
	rt_x86_apic_send(cpu, RT_X86_VECTOR_LINE0 + sgi);
}
