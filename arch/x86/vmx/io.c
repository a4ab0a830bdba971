/*
 * Port I/O of a cell to a port it does not own (owned ports are open in its
 * I/O bitmaps and never exit): reads return all ones, as from a port nothing
 * decodes, and writes are dropped, except the CMOS clock's registers, which
 * every cell may read (vmx/cmos_clock.c). String I/O (INS/OUTS) is not emulated:
 * the cell is stopped with the port named. One port is the hypervisor's: the
 * ACPI sleep control register bhcfg lists in a cell's FADT
 * (BH_X86_SLEEP_CONTROL_PORT), whose S5 write stops the cell with exit code 0.
 */
#include <bulkhead/config.h>
#include <bulkhead/stats.h>
#include <hv/stats.h>
#include <hv/system.h>
#include <vmx/cmos_clock.h>
#include <vmx/exit.h>

#define IO_QUAL_SIZE_MASK 0x7u /* access size - 1 */
#define IO_QUAL_IN (1u << 3)
#define IO_QUAL_STRING (1u << 4)
#define IO_QUAL_PORT_SHIFT 16
#define SLEEP_ENABLE (1u << 5) /* SLP_EN */
#define SLEEP_TYPE(value) (((value) >> 2) & 0x7u) /* SLP_TYP */

/* ACPI power-off (S5 through the FADT's sleep control register): the cell's SYSTEM_OFF. */
static bool is_power_off(unsigned int port, unsigned int bytes, uint64_t value)
{
	return port == BH_X86_SLEEP_CONTROL_PORT && bytes == 1 && (value & SLEEP_ENABLE) &&
	       SLEEP_TYPE(value) == BH_X86_SLEEP_TYPE_S5;
}

void vmx_handle_io(struct vmx_exit *exit)
{
	uint64_t q = exit->qualification;
	unsigned int port = (unsigned int)(q >> IO_QUAL_PORT_SHIFT) & 0xffff;
	unsigned int bytes = (unsigned int)(q & IO_QUAL_SIZE_MASK) + 1;

	if (!(q & (IO_QUAL_IN | IO_QUAL_STRING)) &&
	    is_power_off(port, bytes, exit->regs->r[REG_RAX])) {
		stats_count_entry(exit->cpu, BH_ENTRY_PSCI);
		system_stop_cell(exit->cell, 0);
		return;
	}
	stats_count_entry(exit->cpu, BH_ENTRY_OTHER);
	if (q & IO_QUAL_STRING) {
		vmx_stop_cell_for_fault(exit, "string I/O to port 0x%x is not emulated", port);
		return;
	}
	if (cmos_clock_io(exit->cpu, port, bytes, q & IO_QUAL_IN, &exit->regs->r[REG_RAX])) {
		vmx_skip_instruction();
		return;
	}
	if (q & IO_QUAL_IN) {
		uint64_t *rax = &exit->regs->r[REG_RAX];
		uint64_t ones = bytes == 4 ? 0xffffffffull : (1ull << (8 * bytes)) - 1;

		/* A 32-bit IN zero-extends into RAX; 8- and 16-bit ones keep the rest. */
		*rax = bytes == 4 ? ones : (*rax & ~ones) | ones;
	}
	vmx_skip_instruction();
}
