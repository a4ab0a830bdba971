/*
 * MOV to CR0/CR4 that touches a bit the hypervisor owns (those VMX fixes,
 * see vmcs_setup.c): the guest's value goes to the read shadow, the value
 * the hardware needs to the guest field. A paging switch with EFER.LME set
 * activates or leaves long mode here as the CPU would (EFER.LMA and the
 * IA-32e-guest entry control). A value the CPU itself would refuse with #GP
 * gets #GP here too: written into the guest fields, it would make the next
 * VM entry fail, which is the hypervisor's halt (the hostile test cell,
 * guests/tests/x86/hostile.c, tries each). Other CR accesses never exit with
 * our masks; one that does stops the cell.
 */
#include <bulkhead/stats.h>
#include <hv/stats.h>
#include <vmx/exit.h>
#include <vmx/vmcs.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>
#include <x86_64/msr.h>

#define CR_QUAL_NUMBER(q) ((q)&0xf)
#define CR_QUAL_TYPE(q) (((q) >> 4) & 0x3)
#define CR_QUAL_REG(q) (((q) >> 8) & 0xf)
#define CR_TYPE_MOV_TO 0
#define X86_CR0_PE (1ull << 0)
#define X86_CR0_NW (1ull << 29)
#define X86_CR0_CD (1ull << 30)
#define X86_CR0_PG (1ull << 31)
#define X86_CR4_PAE (1ull << 5)
#define X86_CR4_LA57 (1ull << 12)
#define X86_CR4_PCIDE (1ull << 17)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define CS_AR_LONG (1ull << 13)

static bool in_long_mode(void)
{
	return vmread(VMCS_GUEST_EFER) & EFER_LMA;
}

/* MOV to CR0 faults (SDM vol. 3 sec. 2.5, 9.8.5, 10.4.3 ...). */
static bool cr0_faults(uint64_t value)
{
	bool code64 = vmread(VMCS_GUEST_ES_AR + 2 * SEG_CS) & CS_AR_LONG;

	if (value >> 32)
		return true;
	if ((value & X86_CR0_PG) && !(value & X86_CR0_PE))
		return true;
	if ((value & X86_CR0_NW) && !(value & X86_CR0_CD))
		return true;
	/* Long mode is left only from compatibility mode, and entered only with PAE. */
	if (in_long_mode() && code64 && !(value & X86_CR0_PG))
		return true;
	return (value & X86_CR0_PG) && (vmread(VMCS_GUEST_EFER) & EFER_LME) &&
	       !(vmread(VMCS_GUEST_CR4) & X86_CR4_PAE);
}

/* MOV to CR4 faults: a bit the CPU lacks, or a change long mode forbids. */
static bool cr4_faults(uint64_t value)
{
	uint64_t now = vmread(VMCS_GUEST_CR4);

	if (value & ~rdmsr(MSR_IA32_VMX_CR4_FIXED1))
		return true;
	if (in_long_mode() && (!(value & X86_CR4_PAE) || ((value ^ now) & X86_CR4_LA57)))
		return true;
	return (value & X86_CR4_PCIDE) && !in_long_mode();
}

static void write_cr0(uint64_t value)
{
	uint64_t efer = vmread(VMCS_GUEST_EFER);
	uint64_t entry = vmread(VMCS_ENTRY_CONTROLS);
	bool long_mode = (value & X86_CR0_PG) && (efer & EFER_LME);

	vmwrite(VMCS_CR0_SHADOW, value);
	vmwrite(VMCS_GUEST_CR0, vmcs_guest_cr0(value));
	vmwrite(VMCS_GUEST_EFER, long_mode ? efer | EFER_LMA : efer & ~EFER_LMA);
	vmwrite(VMCS_ENTRY_CONTROLS,
		long_mode ? entry | ENTRY_IA32E_GUEST : entry & ~ENTRY_IA32E_GUEST);
}

void vmx_handle_cr_access(struct vmx_exit *exit)
{
	uint64_t q = exit->qualification;
	unsigned int reg = CR_QUAL_REG(q);
	uint64_t value = reg == REG_RSP_UNUSED ? vmread(VMCS_GUEST_RSP) : exit->regs->r[reg];

	stats_count_entry(exit->cpu, BH_ENTRY_SYSREG);
	if (CR_QUAL_TYPE(q) != CR_TYPE_MOV_TO ||
	    (CR_QUAL_NUMBER(q) != 0 && CR_QUAL_NUMBER(q) != 4)) {
		vmx_stop_cell_for_fault(exit,
					"control-register access not emulated "
					"(qualification 0x%llx)",
					(unsigned long long)q);
		return;
	}
	if (CR_QUAL_NUMBER(q) == 0 ? cr0_faults(value) : cr4_faults(value)) {
		vmx_inject_gp();
		return;
	}
	if (CR_QUAL_NUMBER(q) == 0) {
		write_cr0(value);
	} else {
		vmwrite(VMCS_CR4_SHADOW, value);
		vmwrite(VMCS_GUEST_CR4, vmcs_guest_cr4(value));
	}
	vmx_skip_instruction();
}
