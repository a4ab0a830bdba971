/*
 * What VMX keeps per cell, built once at boot by the arch_cell_* hooks
 * (cell_vmx.c) and only read afterwards: the EPT tables, the I/O and MSR
 * bitmaps every CPU of the cell uses, and the cell's VPID.
 */
#ifndef VMX_VMX_CELL_H
#define VMX_VMX_CELL_H

#include <hv/cell.h>
#include <vmx/ept.h>
#include <vmx/trap_config.h>

struct vmx_cell {
	struct ept_table ept;
	uint8_t *io_bitmap_a; /* ports 0x0000-0x7fff, one bit each, 1 = exit */
	uint8_t *io_bitmap_b; /* ports 0x8000-0xffff */
	uint8_t *msr_bitmap; /* 1 = exit; all ones: every MSR access exits */
	uint16_t vpid; /* cell id + 1: VPID 0 is the host's */
};

const struct vmx_cell *vmx_cell_of(const struct cell *cell);

/* Whether the cell's configuration gives it I/O port `port`. */
bool vmx_cell_owns_port(const struct cell *cell, uint32_t port);

#endif
