/*
 * Boot of the realtime kernel on x86-64, on the boot CPU in long mode
 * (head.asm): the IDT, the local APIC in x2APIC mode, the machine (bare or
 * the boot info), the TSC's frequency, the other CPUs (smp.c), the
 * kernel, every CPU's deadline timer, then CPU 0's idle thread after handing
 * over to the image's application. Start-up only: the hypervisor entries
 * here (CPUID, console lines) happen before steady state.
 */
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "x86.h"

void rt_x86_boot_main(uint32_t eax, uint32_t edi);
void rt_x86_boot_main(uint32_t eax, uint32_t edi)
{
	const struct rt_x86_platform *p = &rt_x86_plat;

	rt_x86_idt_load();
	rt_x86_platform_init(eax, edi);
	rt_x86_clock_init();
	if (p->info)
		rt_x86_smp_start_cell_cpus();
	else
		rt_x86_smp_start_others();
	if (p->info)
		rt_x86_printf("rtcell: cell \"%s\" id %u, %u CPUs, %s\n", p->info->cell_name,
			      p->info->cell_id, p->ncpus,
			      (p->info->flags & BH_BOOT_REALTIME) ? "realtime" : "NOT realtime");
	else
		rt_x86_printf("rtcell: bare x86-64 boot (multiboot2 magic %x), %u CPUs\n", eax,
			      p->ncpus);
	rt_kernel_init(p->ncpus);
	rt_x86_timer_init();
	rt_x86_smp_release();
	rt_x86_printf("rtcell: TSC %lu Hz, LAPIC timer in TSC-deadline mode, %u CPUs online\n",
		      (unsigned long)rtarch_counter_hz(), p->ncpus);
	/* From here on this context is CPU 0's idle thread: interrupts on. */
	__asm__ volatile("sti" : : : "memory");
	rt_app_start();
	rt_idle_loop();
}
