/*
 * Running a cell on an arm64 CPU: entering EL1, and handling what traps back
 * to EL2 from it (hypercalls, PSCI, stage-2 faults, GIC accesses, interrupts).
 */
#ifndef ARM64_GUEST_H
#define ARM64_GUEST_H

#include <arm64/exception.h>
#include <hv/cell.h>

/* Lower-EL exception from the cell on this CPU; returns to the cell afterwards. */
void guest_trap(struct exception_frame *frame, uint64_t slot);

/* Whether an SMC/HVC function number is in PSCI's range. */
bool psci_is_function(uint64_t function);

/* PSCI call from the cell; returns the value for x0 (may not return: CPU_OFF). */
int64_t psci_emulate(struct cell *cell, unsigned int cpu, uint64_t function,
		     const uint64_t args[3]);

/* Delivers a synchronous external abort to the cell, as the fault at ELR would. */
void guest_inject_abort(struct exception_frame *frame, bool instruction);
/* Delivers an undefined-instruction exception to the cell. */
void guest_inject_undefined(struct exception_frame *frame);

/* head.S: resets this CPU's stack and erets to EL1 with x0 = arg. */
noreturn_fn void guest_eret(uint64_t arg, uint64_t stack_top);

#endif
