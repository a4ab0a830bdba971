/*
 * x86-64 port of the realtime kernel (long mode, CPL 0, x2APIC), bare in
 * Bochs (GRUB multiboot2) or as a Bulkhead realtime cell (32-bit entry,
 * EDI = boot info): shared definitions.
 */
#ifndef RT_X86_H
#define RT_X86_H

#include <stdbool.h>
#include <stdint.h>
#include <bulkhead/bootinfo.h>

#define RT_X86_MAX_CPUS 8
#define RT_X86_STACK_BYTES 16384 /* boot/idle stack, keep in sync with head.asm */

/* Interrupt vectors (idt.c, vectors.asm); an interrupt line `irq` (< 16, the
 * arm64 SGI numbers the apps use) is vector RT_X86_VECTOR_LINE0 + irq. */
#define RT_X86_VECTOR_TIMER 0x40
#define RT_X86_VECTOR_RESCHED 0x41
#define RT_X86_VECTOR_LINE0 0x50
#define RT_X86_LINES 16
#define RT_X86_VECTOR_SPURIOUS 0xff

/* Where this run's resources are (platform.c); written by the boot CPU
 * before interrupts are on, read-only afterwards. */
struct rt_x86_platform {
	const struct bh_boot_info *info; /* NULL: bare */
	unsigned ncpus;
	uint32_t apic_id[RT_X86_MAX_CPUS];
	uint32_t logical[RT_X86_MAX_CPUS]; /* the hypervisor's CPU numbers */
};

extern struct rt_x86_platform rt_x86_plat;

void rt_x86_platform_init(uint32_t eax, uint32_t edi);
/* CPU `cpu` has x2APIC id `apic_id` (rtarch_cpu_id's table too); panics beyond the table. */
void rt_x86_platform_set_apic_id(unsigned cpu, uint32_t apic_id);
/* Bare: CPU `ncpus` is the one with this x2APIC id. */
void rt_x86_platform_add_cpu(uint32_t apic_id);
/* Bare: finds and starts the other CPUs, which then wait for rt_x86_smp_release(). */
void rt_x86_smp_start_others(void);
/* In a cell: starts the boot info's other CPUs the same way (INIT-SIPI, which the
 * hypervisor emulates within the cell); panics naming the CPU that does not come. */
void rt_x86_smp_start_cell_cpus(void);
/* Lets the started CPUs in once the kernel is initialised; returns when all are online. */
void rt_x86_smp_release(void);
void rt_x86_idt_load(void);
void rt_x86_apic_init(void);
void rt_x86_apic_eoi(void);
void rt_x86_apic_send(unsigned cpu, unsigned vector);
/* Once, on the boot CPU: the TSC's frequency (tsc_frequency.c). */
void rt_x86_clock_init(void);
/* Every CPU: its LAPIC timer in TSC-deadline mode. */
void rt_x86_timer_init(void);
uint64_t rt_x86_tsc_hz(void);

void rt_x86_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
__attribute__((noreturn)) void rt_x86_exit(int code);

#endif
