/*
 * Port I/O of a cell to a port it does not own (owned ports are open in its
 * I/O bitmaps and never exit): reads return all ones, as from a port nothing
 * decodes, and writes are dropped. String I/O (INS/OUTS) is not emulated:
 * the cell is stopped with the port named.
 */
#include <bulkhead/stats.h>
#include <hv/stats.h>
#include <vmx/exit.h>

#define IO_QUAL_SIZE_MASK 0x7u /* access size - 1 */
#define IO_QUAL_IN (1u << 3)
#define IO_QUAL_STRING (1u << 4)
#define IO_QUAL_PORT_SHIFT 16

void vmx_handle_io(struct vmx_exit *exit)
{
	uint64_t q = exit->qualification;
	unsigned int port = (unsigned int)(q >> IO_QUAL_PORT_SHIFT) & 0xffff;
	unsigned int bytes = (unsigned int)(q & IO_QUAL_SIZE_MASK) + 1;

	stats_count_entry(exit->cpu, BH_ENTRY_OTHER);
	if (q & IO_QUAL_STRING) {
		vmx_stop_cell_for_fault(exit, "string I/O to port 0x%x is not emulated", port);
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
