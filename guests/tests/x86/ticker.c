/*
 * ticker (x86-64, realtime cell): takes TICKER_INTERRUPTS interrupts of its
 * own CPU's LAPIC timer (x2APIC, periodic), halting between them, and counts
 * the hypervisor entries on its CPU over that window with BH_HC_CPU_STATS
 * read before and after (the second read's own entry excluded): 0 is the
 * exit-free path working. Then it sends itself a fixed IPI (allowed: its
 * ICR write exits once and the IPI arrives) and tries ICR writes the
 * hypervisor must refuse (docs/hypervisor.md): to APIC id 0, another cell's
 * CPU; NMI, INIT and start-up to itself; an NMI broadcast; a logical destination;
 * a reserved vector. It counts what should never reach it: NMIs and
 * interrupts of vector STRAY_VECTOR, the one the hostile cell aims at it
 * (guests/tests/x86/hostile.c). A channel's doorbell vector (boot info) is
 * counted too, and printed when it has one. Exits 0 when the window had no
 * entry, the self IPI arrived and nothing stray did.
 */
#include <guest/console.h>
#include <guest/hypercall.h>
#include <guest/idt.h>
#include <guest/runtime.h>
#include <x86_64/msr.h>

#define X2APIC_EOI 0x80b
#define X2APIC_SVR 0x80f
#define X2APIC_ICR 0x830
#define X2APIC_LVT_TIMER 0x832
#define X2APIC_TIMER_INITIAL 0x838
#define X2APIC_TIMER_DIVIDE 0x83e
#define APIC_BASE_X2APIC (1ull << 10)
#define SVR_ENABLE 0x100
#define LVT_MASKED (1u << 16)
#define LVT_PERIODIC (1u << 17)
#define DIVIDE_BY_1 0xb
#define TIMER_VECTOR 0x40
#define IPI_VECTOR 0x41
#define STRAY_VECTOR 0x42
#define NMI_VECTOR 2
#define SPURIOUS_VECTOR 0xff
/* LAPIC timer ticks between interrupts. */
#define TIMER_PERIOD_TICKS 20000
#define FOREIGN_APIC_ID 0
#define ICR_NMI (4u << 8)
#define ICR_INIT (5u << 8)
#define ICR_STARTUP (6u << 8)
#define ICR_LOGICAL (1u << 11)
#define ICR_ALL_BUT_SELF (3u << 18)
#define RESERVED_VECTOR 5

extern char guest_timer_stub[], guest_ipi_stub[], guest_spurious_stub[];
extern char guest_stray_stub[], guest_nmi_stub[], guest_doorbell_stub[];

/* Called from interrupt_stubs.asm. */
void guest_timer_interrupt(void);
void guest_ipi_interrupt(void);
void guest_stray_interrupt(void);
void guest_nmi_interrupt(void);
void guest_doorbell_interrupt(void);

static struct x86_idt_gate idt[GUEST_IDT_VECTORS] __attribute__((aligned(16)));
static volatile uint32_t timer_interrupts;
static volatile uint32_t ipis;
static volatile uint32_t strays;
static volatile uint32_t nmis;
static volatile uint32_t doorbells;

void guest_timer_interrupt(void)
{
	if (++timer_interrupts == TICKER_INTERRUPTS)
		wrmsr(X2APIC_LVT_TIMER, LVT_MASKED | TIMER_VECTOR);
	wrmsr(X2APIC_EOI, 0);
}

void guest_ipi_interrupt(void)
{
	ipis++;
	wrmsr(X2APIC_EOI, 0);
}

void guest_stray_interrupt(void)
{
	strays++;
	wrmsr(X2APIC_EOI, 0);
}

void guest_nmi_interrupt(void)
{
	nmis++; /* an NMI needs no EOI */
}

void guest_doorbell_interrupt(void)
{
	doorbells++;
	wrmsr(X2APIC_EOI, 0);
}

/* The doorbell vector of its first channel that has one, or 0. */
static uint32_t doorbell_vector(const struct bh_boot_info *info)
{
	for (uint32_t i = 0; i < info->channel_count; i++)
		if (info->channels[i].doorbell_intid != BH_BOOT_NO_DOORBELL)
			return info->channels[i].doorbell_intid;
	return 0;
}

static void load_idt(uint32_t doorbell)
{
	idt_set_gate(idt, TIMER_VECTOR, guest_timer_stub);
	idt_set_gate(idt, IPI_VECTOR, guest_ipi_stub);
	idt_set_gate(idt, SPURIOUS_VECTOR, guest_spurious_stub);
	idt_set_gate(idt, STRAY_VECTOR, guest_stray_stub);
	idt_set_gate(idt, NMI_VECTOR, guest_nmi_stub);
	if (doorbell)
		idt_set_gate(idt, doorbell, guest_doorbell_stub);
	idt_load(idt);
}

/* Halts with interrupts on until `count` reaches `target`; returns with them off. */
static void wait_for(const volatile uint32_t *count, uint32_t target)
{
	while (*count < target)
		__asm__ volatile("sti; hlt; cli" ::: "memory");
}

/* An x2APIC ICR value: fixed delivery of `vector` to physical APIC id `apic`. */
static uint64_t fixed_ipi(uint32_t apic, uint32_t vector)
{
	return (uint64_t)apic << 32 | vector;
}

static uint64_t entries_of(uint32_t cpu)
{
	struct bh_cpu_stats s;

	return bh_cpu_stats(cpu, &s) < 0 ? 0 : s.entries_total;
}

int guest_main(const struct bh_boot_info *info)
{
	uint32_t self_apic = (uint32_t)info->cpu_mpidr[0];
	uint32_t logical = info->cpu_logical[0];

	if (!(rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC)) {
		console_printf("ticker: the local APIC is not in x2APIC mode\n");
		return 1;
	}
	uint32_t doorbell = doorbell_vector(info);

	load_idt(doorbell);
	wrmsr(X2APIC_SVR, SVR_ENABLE | SPURIOUS_VECTOR);
	wrmsr(X2APIC_TIMER_DIVIDE, DIVIDE_BY_1);

	uint64_t before = entries_of(logical);

	wrmsr(X2APIC_LVT_TIMER, LVT_PERIODIC | TIMER_VECTOR);
	wrmsr(X2APIC_TIMER_INITIAL, TIMER_PERIOD_TICKS);
	wait_for(&timer_interrupts, TICKER_INTERRUPTS);

	uint64_t window = entries_of(logical) - before - 1;

	console_printf("ticker: interrupts=%u window_entries=%lu apic=%u logical=%u\n",
		       timer_interrupts, window, self_apic, logical);

	wrmsr(X2APIC_ICR, fixed_ipi(self_apic, IPI_VECTOR));
	wait_for(&ipis, 1);
	console_printf("ticker: IPI to myself (apic %u) taken\n", self_apic);
	const uint64_t refused[] = {
		fixed_ipi(FOREIGN_APIC_ID, IPI_VECTOR),
		fixed_ipi(self_apic, ICR_NMI | IPI_VECTOR),
		fixed_ipi(self_apic, ICR_INIT),
		fixed_ipi(self_apic, ICR_STARTUP | 0x10),
		fixed_ipi(0, ICR_ALL_BUT_SELF | ICR_NMI),
		fixed_ipi(self_apic, ICR_LOGICAL | IPI_VECTOR),
		fixed_ipi(self_apic, RESERVED_VECTOR),
	};

	for (unsigned int i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		wrmsr(X2APIC_ICR, refused[i]);
	console_printf(
		"ticker: %u ICR writes the hypervisor must refuse sent; stray interrupts %u, "
		"NMIs %u\n",
		(unsigned int)(sizeof(refused) / sizeof(refused[0])), strays, nmis);
	if (doorbell)
		console_printf("ticker: doorbells %u on vector 0x%x\n", doorbells, doorbell);
	return window == 0 && strays == 0 && nmis == 0 ? 0 : 1;
}
