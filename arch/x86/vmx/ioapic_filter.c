/*
 * The IOAPIC as a cell sees it. Its page is never mapped (I3): an access is
 * an EPT violation, decoded (vmx/guest_insn.h) and emulated here on the
 * cell's CPU, counted as `gicd` (the interrupt controller, as on arm64).
 * The index register is the cell's own. ID, version and arbitration read as
 * the hardware's; a redirection entry of a pin the cell owns (its devices'
 * `interrupts`) reads as the hardware's, any other as masked and zero.
 * A write reaches the hardware only for a pin the cell owns, and only if the
 * entry stays fixed or lowest-priority delivery in physical destination
 * mode and, unless masked, aimed at one of the cell's own CPUs; the entry is
 * judged whole, with the other half read under the IOAPIC's lock (two CPUs
 * of the cell writing the two halves at once each pass a check against the
 * other's old half otherwise). Anything
 * else is refused: dropped, counted like every access, and the first few
 * per CPU printed (a flood must not hold the console).
 */
#include <bulkhead/stats.h>
#include <hv/console.h>
#include <hv/stats.h>
#include <vmx/exit.h>
#include <vmx/guest_insn.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>
#include <x86/ioapic.h>

#define IOAPIC_INDEX 0x00
#define IOAPIC_DATA 0x10
#define ENTRY_DELIVERY_MODE(e) (((e) >> 8) & 0x7) /* 0 fixed, 1 lowest priority */
#define ENTRY_LOGICAL (1ull << 11)
#define ENTRY_DESTINATION(e) ((e) >> 56)
#define REFUSALS_PRINTED 16

/* Per cell, written only by its CPUs; per CPU, written only by that CPU. */
static uint32_t cell_index[HV_MAX_CELLS];
static unsigned int refusals_printed[HV_MAX_CPUS];

static bool owns_pin(const struct cell *cell, uint32_t pin)
{
	for (uint32_t i = 0; i < cell->desc->irq_count; i++)
		if (cell_irq(cell, i)->number == pin)
			return true;
	return false;
}

static bool owns_apic(const struct cell *cell, uint64_t apic_id)
{
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++)
		if (cell->desc->cpu_hwid[i] == apic_id)
			return true;
	return false;
}

/* Why the cell may not leave `entry` in one of its pins, or NULL when it may. */
static const char *entry_refusal(const void *context, uint64_t entry)
{
	const struct cell *cell = context;
	unsigned int mode = (unsigned int)ENTRY_DELIVERY_MODE(entry);

	if (mode != 0 && mode != 1)
		return "not fixed or lowest-priority delivery (SMI, NMI, INIT, ExtINT ...)";
	if (entry & ENTRY_LOGICAL)
		return "a logical destination";
	if (!(entry & IOAPIC_ENTRY_MASKED) && !owns_apic(cell, ENTRY_DESTINATION(entry)))
		return "a CPU outside the cell";
	return NULL;
}

static void refuse(const struct vmx_exit *exit, uint32_t reg, uint32_t value, const char *why)
{
	if (exit->cpu >= HV_MAX_CPUS || refusals_printed[exit->cpu] >= REFUSALS_PRINTED)
		return;
	refusals_printed[exit->cpu]++;
	console_print("hv: cell \"%s\" cpu %u: IOAPIC write 0x%x to register 0x%x refused: %s%s\n",
		      cell_name(exit->cell), exit->cpu, value, reg, why,
		      refusals_printed[exit->cpu] == REFUSALS_PRINTED
			      ? " (later ones are refused silently)"
			      : "");
}

static bool is_pin_register(uint32_t reg)
{
	return reg >= IOAPIC_REG_REDIRECTION &&
	       (reg - IOAPIC_REG_REDIRECTION) / 2 < x86_ioapic_pins();
}

static uint32_t read_register(const struct cell *cell, uint32_t reg)
{
	if (!is_pin_register(reg))
		return reg <= IOAPIC_REG_VERSION + 1 ? x86_ioapic_read(reg) : 0;
	if (!owns_pin(cell, (reg - IOAPIC_REG_REDIRECTION) / 2))
		return (reg & 1) ? 0 : IOAPIC_ENTRY_MASKED;
	return x86_ioapic_read(reg);
}

static void write_register(const struct vmx_exit *exit, uint32_t reg, uint32_t value)
{
	const char *why;

	if (!is_pin_register(reg))
		why = "not a redirection entry";
	else if (!owns_pin(exit->cell, (reg - IOAPIC_REG_REDIRECTION) / 2))
		why = "the pin is not the cell's";
	else
		why = x86_ioapic_write_entry_half(reg, value, entry_refusal, exit->cell);
	if (why)
		refuse(exit, reg, value, why);
}

static uint64_t reg_value(const struct vmx_exit *exit, unsigned int reg)
{
	return reg == REG_RSP_UNUSED ? vmread(VMCS_GUEST_RSP) : exit->regs->r[reg];
}

/* A 32-bit load zero-extends into the whole register. */
static void set_reg(struct vmx_exit *exit, unsigned int reg, uint32_t value)
{
	if (reg == REG_RSP_UNUSED)
		vmwrite(VMCS_GUEST_RSP, value);
	else
		exit->regs->r[reg] = value;
}

bool vmx_emulate_ioapic(struct vmx_exit *exit, uint64_t offset)
{
	struct guest_mmio_insn insn;
	uint32_t *index = &cell_index[exit->cell->id];

	if (!guest_mmio_insn_at_rip(exit->cell, &insn))
		return false;
	stats_count_entry(exit->cpu, BH_ENTRY_GICD);
	if (insn.write) {
		uint32_t value = insn.immediate ? insn.value : (uint32_t)reg_value(exit, insn.reg);

		if (offset == IOAPIC_INDEX)
			*index = value & 0xff;
		else if (offset == IOAPIC_DATA)
			write_register(exit, *index, value);
		else
			refuse(exit, (uint32_t)offset, value, "not the index or data register");
	} else {
		set_reg(exit, insn.reg,
			offset == IOAPIC_INDEX  ? *index
			: offset == IOAPIC_DATA ? read_register(exit->cell, *index)
						: 0);
	}
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + insn.length);
	return true;
}
