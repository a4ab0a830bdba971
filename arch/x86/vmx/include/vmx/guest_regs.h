/*
 * A cell CPU's general-purpose registers while the hypervisor handles its
 * exit. Indexed by the instruction encoding's register number (RAX 0 .. R15
 * 15) so exit qualifications that name a register index it directly; RSP
 * lives in the VMCS, its slot here is unused. vm_entry.asm fills and
 * reloads it: keep the offsets in step.
 */
#ifndef VMX_GUEST_REGS_H
#define VMX_GUEST_REGS_H

#include <stdint.h>

enum guest_reg {
	REG_RAX,
	REG_RCX,
	REG_RDX,
	REG_RBX,
	REG_RSP_UNUSED,
	REG_RBP,
	REG_RSI,
	REG_RDI,
	REG_R8,
	REG_R9,
	REG_R10,
	REG_R11,
	REG_R12,
	REG_R13,
	REG_R14,
	REG_R15,
	GUEST_REG_COUNT,
};

struct guest_regs {
	uint64_t r[GUEST_REG_COUNT];
};

/*
 * Enters the guest of the current VMCS with `regs` (VMLAUNCH the first time,
 * VMRESUME after), returns at its next exit with `regs` updated: 0, or 1 when
 * the entry instruction itself failed (VM-instruction error field).
 */
int vmx_enter_guest(struct guest_regs *regs, int launched);

#endif
