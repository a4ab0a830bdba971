/*
 * Handling one VM exit of a cell CPU (vmx/exit.c) and the helpers the
 * handlers share. Every exit is counted once, per CPU and reason, in the
 * statistics ABI arm64 uses (bulkhead/stats.h); docs/hypervisor.md maps the
 * x86 exit reasons onto its names.
 */
#ifndef VMX_EXIT_H
#define VMX_EXIT_H

#include <hv/cell.h>
#include <vmx/guest_regs.h>

/* The exit code a cell gets when the hypervisor stops it for a fault (as on arm64). */
#define VMX_FAULT_EXIT_CODE 2

struct vmx_exit {
	struct cell *cell;
	unsigned int cpu;
	struct guest_regs *regs;
	uint32_t reason; /* basic exit reason, bits 15:0 */
	uint64_t qualification;
};

/* Handles one exit; the cell may be stopped afterwards. */
void vmx_handle_exit(struct vmx_exit *exit);

/* Moves the guest past the instruction that exited. */
void vmx_skip_instruction(void);

/* Makes the next entry deliver #UD, or #GP(0), at the exiting instruction. */
void vmx_inject_ud(void);
void vmx_inject_gp(void);

/* Handlers in their own files. */
void vmx_handle_cpuid(struct vmx_exit *exit);
void vmx_handle_rdmsr(struct vmx_exit *exit);
void vmx_handle_wrmsr(struct vmx_exit *exit);
void vmx_handle_io(struct vmx_exit *exit);
void vmx_handle_cr_access(struct vmx_exit *exit);

/*
 * An access to the IOAPIC page at `offset` (vmx/ioapic_filter.c): emulated
 * and counted, RIP moved past it; false when the instruction cannot be
 * fetched or decoded (nothing is counted then).
 */
bool vmx_emulate_ioapic(struct vmx_exit *exit, uint64_t offset);

/* Stops the cell with VMX_FAULT_EXIT_CODE after printing why (a printf-style line). */
void vmx_stop_cell_for_fault(struct vmx_exit *exit, const char *fmt, ...) printf_like(2, 3);

#endif
