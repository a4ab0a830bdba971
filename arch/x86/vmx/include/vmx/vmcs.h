/*
 * This CPU's VMCS for the cell that owns it: one region per CPU, made
 * current and filled once when the CPU enters its cell.
 */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include <hv/cell.h>

/*
 * Clears, loads and fills this CPU's VMCS so that the cell starts at `entry`
 * with paging off and interrupts masked: in 32-bit protected mode with flat
 * 4 GiB segments (its boot CPU; the caller passes the boot argument in RDI),
 * or with `real_mode` in real mode at CS:IP = entry >> 4 : 0 (a CPU started
 * by SIPI). Returns 0, or a negative error with a one-line reason in `why`
 * (a control this CPU cannot honour, a failed VMX instruction).
 */
int vmcs_setup_for_cell(const struct cell *cell, uint64_t entry, bool real_mode, char *why,
			size_t why_size);

/* The guest's CR0/CR4 as the hardware needs them, from the value the guest wants. */
uint64_t vmcs_guest_cr0(uint64_t wanted);
uint64_t vmcs_guest_cr4(uint64_t wanted);

#endif
