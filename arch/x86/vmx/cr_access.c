/*
 * MOV to CR0/CR4 that touches a bit the hypervisor owns (those VMX fixes,
 * see vmcs_setup.c): the guest's value goes to the read shadow, the value
 * the hardware needs to the guest field. A paging switch with EFER.LME set
 * activates or leaves long mode here as the CPU would (EFER.LMA and the
 * IA-32e-guest entry control). Other CR accesses never exit with our masks;
 * one that does stops the cell.
 */
#include <bulkhead/stats.h>
#include <hv/stats.h>
#include <vmx/exit.h>
#include <vmx/vmcs.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>

#define CR_QUAL_NUMBER(q) ((q)&0xf)
#define CR_QUAL_TYPE(q) (((q) >> 4) & 0x3)
#define CR_QUAL_REG(q) (((q) >> 8) & 0xf)
#define CR_TYPE_MOV_TO 0
#define X86_CR0_PG (1ull << 31)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)

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
	if (CR_QUAL_NUMBER(q) == 0) {
		write_cr0(value);
	} else {
		vmwrite(VMCS_CR4_SHADOW, value);
		vmwrite(VMCS_GUEST_CR4, vmcs_guest_cr4(value));
	}
	vmx_skip_instruction();
}
