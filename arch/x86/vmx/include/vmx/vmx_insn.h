/*
 * The VMX instructions as C functions. Each reports failure (CF or ZF set,
 * SDM vol. 3 sec. 31.2) as false; the VM-instruction error field says why
 * when a current VMCS exists.
 */
#ifndef VMX_VMX_INSN_H
#define VMX_VMX_INSN_H

#include <stdbool.h>
#include <stdint.h>

static inline bool vmclear(uint64_t vmcs_phys)
{
	bool failed;

	__asm__ volatile("vmclear %1" : "=@ccbe"(failed) : "m"(vmcs_phys) : "memory");
	return !failed;
}

static inline bool vmptrld(uint64_t vmcs_phys)
{
	bool failed;

	__asm__ volatile("vmptrld %1" : "=@ccbe"(failed) : "m"(vmcs_phys) : "memory");
	return !failed;
}

static inline bool vmwrite(uint64_t field, uint64_t value)
{
	bool failed;

	__asm__ volatile("vmwrite %2, %1" : "=@ccbe"(failed) : "r"(field), "rm"(value) : "memory");
	return !failed;
}

static inline uint64_t vmread(uint64_t field)
{
	uint64_t value;

	__asm__ volatile("vmread %1, %0" : "=rm"(value) : "r"(field) : "cc");
	return value;
}

#endif
