/*
 * IOAPIC register access: the index register selects what the data window
 * reads or writes, so every access is a pair done under one lock. Cells
 * reach it only through the filter (vmx/ioapic_filter.c), while they set up
 * their interrupts; the steady state has no IOAPIC access and the lock is
 * not on any cell's run-time path (I5).
 */
#include <hv/spinlock.h>
#include <x86/ioapic.h>
#include <x86/layout.h>

#define IOAPIC_INDEX 0x00
#define IOAPIC_DATA 0x10
#define VERSION_MAX_ENTRY(v) (((v) >> 16) & 0xff)

static struct spinlock ioapic_lock = SPINLOCK_INIT;

static volatile uint32_t *ioapic_mmio(uint32_t offset)
{
	return (volatile uint32_t *)x86_phys_ptr(X86_IOAPIC_BASE + offset);
}

uint32_t x86_ioapic_read(uint32_t reg)
{
	uint32_t value;

	spin_lock(&ioapic_lock);
	*ioapic_mmio(IOAPIC_INDEX) = reg;
	value = *ioapic_mmio(IOAPIC_DATA);
	spin_unlock(&ioapic_lock);
	return value;
}

void x86_ioapic_write(uint32_t reg, uint32_t value)
{
	spin_lock(&ioapic_lock);
	*ioapic_mmio(IOAPIC_INDEX) = reg;
	*ioapic_mmio(IOAPIC_DATA) = value;
	spin_unlock(&ioapic_lock);
}

const char *x86_ioapic_write_entry_half(uint32_t reg, uint32_t value, ioapic_entry_refusal refusal,
					const void *context)
{
	bool high = reg & 1;
	const char *why;

	spin_lock(&ioapic_lock);
	*ioapic_mmio(IOAPIC_INDEX) = high ? reg - 1 : reg + 1;
	uint64_t other = *ioapic_mmio(IOAPIC_DATA);
	uint64_t entry = high ? (uint64_t)value << 32 | other : other << 32 | value;

	why = refusal(context, entry);
	if (!why) {
		*ioapic_mmio(IOAPIC_INDEX) = reg;
		*ioapic_mmio(IOAPIC_DATA) = value;
	}
	spin_unlock(&ioapic_lock);
	return why;
}

unsigned int x86_ioapic_pins(void)
{
	return VERSION_MAX_ENTRY(x86_ioapic_read(IOAPIC_REG_VERSION)) + 1;
}
