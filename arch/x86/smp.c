/*
 * Application processor start-up: the trampoline (ap_trampoline.asm) sits in
 * one free page below 1 MiB; arch_cpu_start fills its parameter block and
 * sends INIT-SIPI-SIPI (SDM vol. 3 sec. 8.4.4: INIT, 10 ms, SIPI, 200 us,
 * second SIPI only if the AP has not yet run). The core starts CPUs one at a
 * time and waits for each, so one parameter block suffices.
 */
#include <arch/arch_cpu.h>
#include <bulkhead/errno.h>
#include <hv/boot.h>
#include <hv/console.h>
#include <lib/string.h>
#include <x86/cpu.h>
#include <x86/gdt.h>
#include <x86/idt.h>
#include <x86/lapic.h>
#include <x86/layout.h>
#include <x86/smp.h>
#include <x86/tsc.h>
#include <x86_64/ap_trampoline.h>

#define TRAMPOLINE_LOWEST 0x1000ull /* page 0 holds the real-mode IVT */
#define TRAMPOLINE_LIMIT 0x100000ull /* SIPI vectors reach 0xff000 at most */
#define PAGE_SIZE 4096ull

static uint8_t ap_stacks[HV_MAX_CPUS][X86_STACK_SIZE] __attribute__((aligned(16)));
static uint64_t trampoline_phys;

int x86_smp_init(const struct platform *plat)
{
	size_t size = (uintptr_t)x86_trampoline_end - (uintptr_t)x86_trampoline_start;

	if (size > PAGE_SIZE)
		return -BH_E2BIG;
	for (unsigned int i = 0; i < plat->ram_count && !trampoline_phys; i++) {
		uint64_t start = (plat->ram[i].base + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
		uint64_t end = plat->ram[i].base + plat->ram[i].size_bytes;

		if (start < TRAMPOLINE_LOWEST)
			start = TRAMPOLINE_LOWEST;
		if (start + PAGE_SIZE <= end && start + PAGE_SIZE <= TRAMPOLINE_LIMIT)
			trampoline_phys = start;
	}
	if (!trampoline_phys)
		return -BH_ENOMEM;
	memcpy(x86_phys_ptr(trampoline_phys), x86_trampoline_start, size);
	return 0;
}

/* First C code of an AP: the trampoline jumps here on ap_stacks[cpu]. */
static noreturn_fn void x86_ap_main(uint64_t cpu)
{
	x86_cpu_init_this((unsigned int)cpu, x86_cpuid_apic_id());
	x86_gdt_load_this((unsigned int)cpu);
	x86_idt_load_this();
	x86_lapic_enable_this();
	hv_secondary_main((unsigned int)cpu);
}

int arch_cpu_start(unsigned int cpu, uint64_t hwid)
{
	struct x86_trampoline_params *p;

	if (cpu == 0 || cpu >= HV_MAX_CPUS || hwid > 0xffffffffull)
		return -BH_EINVAL;
	if (!trampoline_phys)
		return -BH_ENODEV;
	p = x86_phys_ptr(trampoline_phys + TRAMPOLINE_PARAMS_OFFSET);
	p->cr3 = read_cr3();
	p->stack_top = (uint64_t)(uintptr_t)&ap_stacks[cpu][X86_STACK_SIZE];
	p->entry = (uint64_t)(uintptr_t)x86_ap_main;
	p->cpu = cpu;
	__atomic_store_n(&p->alive, 0, __ATOMIC_SEQ_CST);

	int err = x86_lapic_send_init((uint32_t)hwid);

	if (err)
		return err;
	x86_tsc_delay_us(TRAMPOLINE_INIT_TO_SIPI_US);
	err = x86_lapic_send_startup((uint32_t)hwid, trampoline_phys);
	if (err)
		return err;
	x86_tsc_delay_us(TRAMPOLINE_SIPI_TO_SIPI_US);
	if (__atomic_load_n(&p->alive, __ATOMIC_ACQUIRE))
		return 0;
	return x86_lapic_send_startup((uint32_t)hwid, trampoline_phys);
}
