/*
 * The MSRs of SYSCALL/SYSRET (STAR, LSTAR, CSTAR, SFMASK), SWAPGS
 * (KERNEL_GS_BASE), RDTSCP/RDPID (TSC_AUX) and SYSENTER. Linux writes them all
 * in syscall_init() and on context switches; refused, its first return to user
 * space failed and init never ran. The hypervisor uses none of them: it makes
 * no system calls, never executes SWAPGS, and reads no TSC_AUX, and each CPU
 * runs one cell, so the first six live in the CPU (written from VMX root, no
 * switching). The three SYSENTER MSRs are guest-state fields of the VMCS, which
 * VM exits swap with the hypervisor's own. Each write is checked as the CPU
 * checks it (SDM vol. 4 and the WRMSR entry): an address must be canonical,
 * SFMASK and TSC_AUX have reserved upper halves. Written unchecked, a bad value
 * would fault in the hypervisor or fail the next VM entry.
 */
#include <vmx/msr_cell_owned.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>
#include <x86_64/msr.h>

#define MSR_IA32_SYSENTER_CS_NUM 0x174u
#define MSR_IA32_SYSENTER_ESP_NUM 0x175u
#define MSR_IA32_SYSENTER_EIP_NUM 0x176u
#define MSR_STAR 0xc0000081u
#define MSR_LSTAR 0xc0000082u
#define MSR_CSTAR 0xc0000083u
#define MSR_SFMASK 0xc0000084u
#define MSR_KERNEL_GS_BASE 0xc0000102u
#define MSR_TSC_AUX 0xc0000103u
#define LOW_HALF_ONLY 0xffffffff00000000ull
#define X86_CR4_LA57 (1ull << 12)

bool vmx_guest_address_is_canonical(uint64_t address)
{
	unsigned int bits = (vmread(VMCS_GUEST_CR4) & X86_CR4_LA57) ? 57 : 48;
	int64_t high = (int64_t)address >> (bits - 1);

	return high == 0 || high == -1;
}

static bool in_cpu(uint32_t msr)
{
	return msr == MSR_STAR || msr == MSR_LSTAR || msr == MSR_CSTAR || msr == MSR_SFMASK ||
	       msr == MSR_KERNEL_GS_BASE || msr == MSR_TSC_AUX;
}

/* The VMCS field of a SYSENTER MSR, or 0. */
static uint32_t sysenter_field(uint32_t msr)
{
	switch (msr) {
	case MSR_IA32_SYSENTER_CS_NUM:
		return VMCS_GUEST_SYSENTER_CS;
	case MSR_IA32_SYSENTER_ESP_NUM:
		return VMCS_GUEST_SYSENTER_ESP;
	case MSR_IA32_SYSENTER_EIP_NUM:
		return VMCS_GUEST_SYSENTER_EIP;
	default:
		return 0;
	}
}

enum msr_owned_result msr_cell_owned_read(uint32_t msr, uint64_t *value)
{
	uint32_t field = sysenter_field(msr);

	if (field) {
		*value = vmread(field);
		return MSR_DONE;
	}
	if (!in_cpu(msr))
		return MSR_NOT_OWNED;
	*value = rdmsr(msr);
	return MSR_DONE;
}

static bool value_is_valid(uint32_t msr, uint64_t value)
{
	switch (msr) {
	case MSR_LSTAR:
	case MSR_CSTAR:
	case MSR_KERNEL_GS_BASE:
	case MSR_IA32_SYSENTER_ESP_NUM:
	case MSR_IA32_SYSENTER_EIP_NUM:
		return vmx_guest_address_is_canonical(value);
	case MSR_SFMASK:
	case MSR_TSC_AUX:
		return !(value & LOW_HALF_ONLY);
	default:
		return true; /* STAR, SYSENTER_CS: every value is accepted */
	}
}

enum msr_owned_result msr_cell_owned_write(uint32_t msr, uint64_t value)
{
	uint32_t field = sysenter_field(msr);

	if (!field && !in_cpu(msr))
		return MSR_NOT_OWNED;
	if (!value_is_valid(msr, value))
		return MSR_FAULT;
	if (field)
		return vmwrite(field, value) ? MSR_DONE : MSR_FAULT;
	wrmsr(msr, value);
	return MSR_DONE;
}
