/*
 * MSRs that belong to a CPU's one cell outright (vmx/msr_cell_owned.c): the
 * hypervisor never uses them, so a cell reads and writes them on the CPU, after
 * the checks the CPU itself would make.
 */
#ifndef VMX_MSR_CELL_OWNED_H
#define VMX_MSR_CELL_OWNED_H

#include <stdbool.h>
#include <stdint.h>

enum msr_owned_result {
	MSR_NOT_OWNED, /* not one of these MSRs */
	MSR_DONE,
	MSR_FAULT, /* a value the CPU would refuse: #GP for the cell */
};

/* RDMSR of `msr` into *value. */
enum msr_owned_result msr_cell_owned_read(uint32_t msr, uint64_t *value);

/* WRMSR of `value` to `msr`. */
enum msr_owned_result msr_cell_owned_write(uint32_t msr, uint64_t value);

/* Whether `address` is canonical for the guest's linear-address width (48 bits, 57 with LA57). */
bool vmx_guest_address_is_canonical(uint64_t address);

#endif
