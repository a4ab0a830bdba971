/*
 * The instruction a cell's CPU stopped at, for the emulated MMIO pages (the
 * IOAPIC): an EPT violation says where and whether it wrote, not with which
 * register or how long the instruction is.
 */
#ifndef VMX_GUEST_INSN_H
#define VMX_GUEST_INSN_H

#include <hv/cell.h>
#include <vmx/mmio_decode.h>

/*
 * Fetches and decodes the instruction at the current guest RIP of this CPU's
 * cell: the cell's page tables are walked in its own memory (paging off, or
 * 4-level long mode); false when anything is outside it or not decodable.
 */
bool guest_mmio_insn_at_rip(const struct cell *cell, struct guest_mmio_insn *out);

#endif
