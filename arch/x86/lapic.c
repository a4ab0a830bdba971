/*
 * Local APIC: enabling it, and the INIT and start-up IPIs that smp.c sequences.
 * ICR sends are serialised by the core starting one CPU at a time; xAPIC
 * sends wait for the delivery status to clear, with a bounded poll.
 */
#include <bulkhead/errno.h>
#include <hv/console.h>
#include <x86/cpu.h>
#include <x86/lapic.h>
#include <x86/layout.h>
#include <x86_64/msr.h>

#define APIC_BASE_X2APIC (1ull << 10)
#define APIC_BASE_ENABLE (1ull << 11)
#define LAPIC_SVR 0x0f0
#define LAPIC_ICR_LO 0x300
#define LAPIC_ICR_HI 0x310
#define X2APIC_MSR(reg) (0x800 + ((reg) >> 4))
#define SVR_ENABLE 0x100
#define SPURIOUS_VECTOR 0xff
#define ICR_DELIVERY_PENDING (1u << 12)
#define ICR_INIT 0x00004500u /* INIT, level assert */
#define ICR_STARTUP 0x00004600u /* start-up, level assert; low byte = page number */
#define ICR_FIXED 0x00004000u /* fixed, level assert; low byte = vector */
#define ICR_WAIT_POLLS 10000000u

static bool lapic_x2apic(void)
{
	return rdmsr(MSR_IA32_APIC_BASE) & APIC_BASE_X2APIC;
}

static volatile uint32_t *lapic_reg(uint32_t reg)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE) & 0x000ffffffffff000ull;

	return (volatile uint32_t *)x86_phys_ptr(base + reg);
}

#define CPUID1_ECX_X2APIC (1u << 21)

int x86_lapic_enter_x2apic_mode(void)
{
	if (!(cpuid(1, 0).ecx & CPUID1_ECX_X2APIC))
		return -BH_ENODEV;
	if (!lapic_x2apic())
		wrmsr(MSR_IA32_APIC_BASE,
		      rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_ENABLE | APIC_BASE_X2APIC);
	return 0;
}

void x86_lapic_enable_this(void)
{
	uint64_t base = rdmsr(MSR_IA32_APIC_BASE);

	if (!(base & APIC_BASE_ENABLE))
		wrmsr(MSR_IA32_APIC_BASE, base | APIC_BASE_ENABLE);
	if (lapic_x2apic())
		wrmsr(X2APIC_MSR(LAPIC_SVR), SVR_ENABLE | SPURIOUS_VECTOR);
	else
		*lapic_reg(LAPIC_SVR) = SVR_ENABLE | SPURIOUS_VECTOR;
}

static int lapic_send_ipi(uint32_t apic_id, uint32_t icr_lo)
{
	if (lapic_x2apic()) {
		/* x2APIC ICR writes are a single MSR and need no delivery polling. */
		wrmsr(X2APIC_MSR(LAPIC_ICR_LO), ((uint64_t)apic_id << 32) | icr_lo);
		return 0;
	}
	if (apic_id > 0xff)
		return -BH_EINVAL;
	*lapic_reg(LAPIC_ICR_HI) = apic_id << 24;
	*lapic_reg(LAPIC_ICR_LO) = icr_lo;
	for (uint32_t i = 0; i < ICR_WAIT_POLLS; i++) {
		if (!(*lapic_reg(LAPIC_ICR_LO) & ICR_DELIVERY_PENDING))
			return 0;
		__asm__ volatile("pause");
	}
	return -BH_ETIMEDOUT;
}

int x86_lapic_send_init(uint32_t apic_id)
{
	return lapic_send_ipi(apic_id, ICR_INIT);
}

int x86_lapic_send_startup(uint32_t apic_id, uint64_t vector_page)
{
	uint32_t vector = (uint32_t)(vector_page >> 12);

	if (vector_page & 0xfff || vector > 0xff)
		return -BH_EINVAL;
	return lapic_send_ipi(apic_id, ICR_STARTUP | vector);
}

int x86_lapic_send_fixed(uint32_t apic_id, uint32_t vector)
{
	if (vector < 32 || vector > 0xff)
		return -BH_EINVAL;
	return lapic_send_ipi(apic_id, ICR_FIXED | vector);
}
