/*
 * Filling a CPU's VMCS for its cell (vmx/vmcs.h). Every control is adjusted
 * with the capability MSRs (the TRUE ones when IA32_VMX_BASIC says they
 * exist): a control we need that the CPU cannot set is an error naming it,
 * and no cell starts; bits the CPU forces on stay on. The CR0/CR4 bits VMX
 * fixes are owned by the hypervisor (guest/host masks) and shown to the
 * guest as it wrote them (read shadows).
 */
#include <bulkhead/errno.h>
#include <lib/format.h>
#include <vmx/guest_features.h>
#include <vmx/linux_boot.h>
#include <vmx/trap_config.h>
#include <vmx/vmcs.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_cell.h>
#include <vmx/vmx_insn.h>
#include <x86/cpu.h>
#include <x86/gdt.h>
#include <x86/layout.h>
#include <x86_64/msr.h>

#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_PAT 0x277
#define MSR_IA32_FS_BASE 0xc0000100

#define X86_CR0_PE (1ull << 0)
#define X86_CR0_ET (1ull << 4)
#define X86_CR0_NE (1ull << 5)
#define X86_CR0_PG (1ull << 31)

/* Access rights (SDM vol. 3 sec. 25.4.1): present, S, type; G and D/B for 32-bit. */
#define AR_CODE32 0xc09bu /* execute/read, accessed */
#define AR_DATA32 0xc093u /* read/write, accessed */
#define AR_CODE16 0x009bu
#define AR_DATA16 0x0093u
#define REAL_MODE_LIMIT 0xffffu
#define AR_TSS_BUSY 0x008bu
#define AR_UNUSABLE 0x10000u
#define FLAT_LIMIT 0xffffffffu
#define GUEST_SEL_CODE 0x08
#define GUEST_SEL_DATA 0x10
#define GUEST_RFLAGS_RESERVED 0x2
#define GUEST_DR7_DEFAULT 0x400
#define PAT_POWER_ON 0x0007040600070406ull

static uint8_t vmcs_regions[HV_MAX_CPUS][4096] __attribute__((aligned(4096)));

extern char vmx_exit_stub[];

/* A macro, so the compiler checks each literal format against its one value. */
#define setup_fail(why, size, fmt, value) \
	(format_snprintf((why), (size), fmt, (unsigned long long)(value)), -BH_ENODEV)

/* `wanted` adjusted to the capability MSR: 0 on success, else the missing bits. */
static uint32_t adjust(uint32_t msr, uint32_t true_msr, uint32_t wanted, uint32_t *out)
{
	uint32_t cap_msr = (rdmsr(MSR_IA32_VMX_BASIC) & VMX_BASIC_TRUE_CONTROLS) ? true_msr : msr;
	uint64_t cap = rdmsr(cap_msr);
	uint32_t allowed0 = (uint32_t)cap; /* bits that must be 1 */
	uint32_t allowed1 = (uint32_t)(cap >> 32); /* bits that may be 1 */

	*out = (wanted | allowed0) & allowed1;
	return wanted & ~allowed1;
}

/* CR bits the hypervisor owns: those VMX fixes to 1 (except what unrestricted guest frees) or 0. */
static uint64_t cr0_owned(void)
{
	uint64_t fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);

	return fixed1 | ~rdmsr(MSR_IA32_VMX_CR0_FIXED1);
}

static uint64_t cr4_owned(void)
{
	return rdmsr(MSR_IA32_VMX_CR4_FIXED0) | ~rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}

uint64_t vmcs_guest_cr0(uint64_t wanted)
{
	uint64_t fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED0) & ~(X86_CR0_PE | X86_CR0_PG);

	return (wanted | fixed1) & (rdmsr(MSR_IA32_VMX_CR0_FIXED1) | X86_CR0_PE | X86_CR0_PG);
}

uint64_t vmcs_guest_cr4(uint64_t wanted)
{
	return (wanted | rdmsr(MSR_IA32_VMX_CR4_FIXED0)) & rdmsr(MSR_IA32_VMX_CR4_FIXED1);
}

static int write_controls(const struct cell *cell, char *why, size_t why_size)
{
	const struct vmx_cell *v = vmx_cell_of(cell);
	uint32_t pin, proc, proc2, exit_ctl, entry_ctl, missing;

	/* Interrupts and NMIs go to the cell: the hypervisor takes none while it runs. The
	 * positive-control build (bulkhead-irqexit.elf) takes every external interrupt and
	 * injects it (vmx/exit.c). */
	(void)adjust(MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PINBASED_CTLS, VMX_PIN_CELL,
		     &pin);
	if (pin & VMX_PIN_NEVER)
		return setup_fail(why, why_size,
				  "pin-based controls force interrupt exits (0x%llx)", pin);
	/* A cell that takes its own local APIC's interrupts (realtime, linux-x86) waits for
	 * them in HLT without an exit; any other has none to wait for. */
	uint32_t proc_wanted = vmx_cell_owns_lapic(cell) ? VMX_PROC_DIRECT : VMX_PROC_VIRTUAL;

	missing = adjust(MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS, proc_wanted,
			 &proc);
	if (proc & PROC_HLT_EXITING & ~proc_wanted)
		return setup_fail(why, why_size, "HLT exiting cannot be turned off (ctls 0x%llx)",
				  proc);
	if (missing)
		return setup_fail(why, why_size, "processor-based controls 0x%llx unsupported",
				  missing);
	/* The secondary controls have no TRUE MSR: allowed-0 is always 0. */
	missing = adjust(MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_PROCBASED_CTLS2, VMX_PROC2_CELL,
			 &proc2);
	if (missing)
		return setup_fail(why, why_size,
				  "secondary controls 0x%llx unsupported (EPT 0x2, "
				  "RDTSCP 0x8, VPID 0x20, WBINVD exiting 0x40, "
				  "unrestricted guest 0x80)",
				  missing);
	proc2 |= guest_features_proc2((uint32_t)(rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32));
	missing = adjust(MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS, VMX_EXIT_CELL,
			 &exit_ctl);
	if (missing)
		return setup_fail(why, why_size, "VM-exit controls 0x%llx unsupported", missing);
	missing = adjust(MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS, VMX_ENTRY_CELL,
			 &entry_ctl);
	if (missing)
		return setup_fail(why, why_size, "VM-entry controls 0x%llx unsupported", missing);
	/* The cell starts in protected mode: not an IA-32e guest until it sets EFER.LMA. */
	entry_ctl &= ~ENTRY_IA32E_GUEST;

	bool ok = vmwrite(VMCS_PIN_CONTROLS, pin) && vmwrite(VMCS_PROC_CONTROLS, proc) &&
		  vmwrite(VMCS_PROC_CONTROLS2, proc2) && vmwrite(VMCS_EXIT_CONTROLS, exit_ctl) &&
		  vmwrite(VMCS_ENTRY_CONTROLS, entry_ctl) &&
		  vmwrite(VMCS_EXCEPTION_BITMAP, VMX_EXCEPTION_BITMAP_CELL) &&
		  vmwrite(VMCS_CR3_TARGET_COUNT, 0) && vmwrite(VMCS_EXIT_MSR_STORE_COUNT, 0) &&
		  vmwrite(VMCS_EXIT_MSR_LOAD_COUNT, 0) && vmwrite(VMCS_ENTRY_MSR_LOAD_COUNT, 0) &&
		  vmwrite(VMCS_ENTRY_INTR_INFO, 0) && vmwrite(VMCS_VPID, v->vpid) &&
		  vmwrite(VMCS_EPT_POINTER, ept_pointer(&v->ept)) &&
		  vmwrite(VMCS_IO_BITMAP_A, x86_image_phys(v->io_bitmap_a)) &&
		  vmwrite(VMCS_IO_BITMAP_B, x86_image_phys(v->io_bitmap_b)) &&
		  vmwrite(VMCS_MSR_BITMAP, x86_image_phys(v->msr_bitmap)) &&
		  vmwrite(VMCS_CR0_MASK, cr0_owned()) && vmwrite(VMCS_CR4_MASK, cr4_owned());

	return ok ? 0
		  : setup_fail(why, why_size, "VMWRITE of a control failed (error %llu)",
			       vmread(VMCS_INSTRUCTION_ERROR));
}

/* What the CPU restores at every exit: this CPU's own hypervisor state. */
static bool write_host_state(void)
{
	struct x86_cpu *c = x86_this_cpu();
	struct {
		uint16_t limit;
		uint64_t base;
	} __attribute__((packed)) gdtr, idtr;

	__asm__ volatile("sgdt %0; sidt %1" : "=m"(gdtr), "=m"(idtr));
	return vmwrite(VMCS_HOST_CR0, read_cr0()) && vmwrite(VMCS_HOST_CR3, read_cr3()) &&
	       vmwrite(VMCS_HOST_CR4, read_cr4()) && vmwrite(VMCS_HOST_CS_SEL, X86_SEL_CODE64) &&
	       vmwrite(VMCS_HOST_SS_SEL, X86_SEL_DATA) && vmwrite(VMCS_HOST_DS_SEL, X86_SEL_DATA) &&
	       vmwrite(VMCS_HOST_ES_SEL, X86_SEL_DATA) && vmwrite(VMCS_HOST_FS_SEL, 0) &&
	       vmwrite(VMCS_HOST_GS_SEL, 0) &&
	       vmwrite(VMCS_HOST_TR_SEL, X86_SEL_TSS0 + 16 * c->index) &&
	       vmwrite(VMCS_HOST_FS_BASE, rdmsr(MSR_IA32_FS_BASE)) &&
	       vmwrite(VMCS_HOST_GS_BASE, rdmsr(MSR_IA32_GS_BASE)) &&
	       vmwrite(VMCS_HOST_TR_BASE, x86_gdt_tss_base(c->index)) &&
	       vmwrite(VMCS_HOST_GDTR_BASE, gdtr.base) && vmwrite(VMCS_HOST_IDTR_BASE, idtr.base) &&
	       vmwrite(VMCS_HOST_SYSENTER_CS, rdmsr(MSR_IA32_SYSENTER_CS)) &&
	       vmwrite(VMCS_HOST_SYSENTER_ESP, rdmsr(MSR_IA32_SYSENTER_ESP)) &&
	       vmwrite(VMCS_HOST_SYSENTER_EIP, rdmsr(MSR_IA32_SYSENTER_EIP)) &&
	       vmwrite(VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER)) &&
	       vmwrite(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT)) &&
	       vmwrite(VMCS_HOST_RIP, (uint64_t)(uintptr_t)vmx_exit_stub);
}

static bool write_guest_segment(enum vmcs_segment seg, uint16_t sel, uint64_t base, uint32_t limit,
				uint32_t ar)
{
	return vmwrite(VMCS_GUEST_ES_SEL + 2 * seg, sel) &&
	       vmwrite(VMCS_GUEST_ES_BASE + 2 * seg, base) &&
	       vmwrite(VMCS_GUEST_ES_LIMIT + 2 * seg, limit) &&
	       vmwrite(VMCS_GUEST_ES_AR + 2 * seg, ar);
}

/* Flat 4 GiB segments, selectors 0x08 code and 0x10 data, as a boot loader leaves them. */
static bool write_protected_mode_segments(void)
{
	bool ok = true;

	for (enum vmcs_segment s = SEG_ES; s <= SEG_GS; s++)
		ok = ok && write_guest_segment(s, s == SEG_CS ? GUEST_SEL_CODE : GUEST_SEL_DATA, 0,
					       FLAT_LIMIT, s == SEG_CS ? AR_CODE32 : AR_DATA32);
	return ok;
}

/*
 * What a start-up IPI leaves (SDM vol. 3 sec. 9.1.1, 8.4.4): real mode, CS
 * selector vector << 8 and base vector << 12, IP 0, the other segments at 0
 * with 64 KiB limits.
 */
static bool write_real_mode_segments(uint64_t entry)
{
	bool ok = true;

	for (enum vmcs_segment s = SEG_ES; s <= SEG_GS; s++)
		ok = ok && (s == SEG_CS ? write_guest_segment(s, (uint16_t)(entry >> 4), entry,
							      REAL_MODE_LIMIT, AR_CODE16)
					: write_guest_segment(s, 0, 0, REAL_MODE_LIMIT, AR_DATA16));
	return ok;
}

/*
 * The cell's first state, paging off and interrupts masked: at its entry
 * point in 32-bit protected mode (its boot CPU), or in real mode at a SIPI
 * vector's page (a CPU the cell started, vmx/cpu_startup.c). The cell loads
 * its own GDT and IDT before it relies on them.
 */
static bool write_guest_state(uint64_t entry, bool real_mode)
{
	uint64_t cr0 = (real_mode ? 0 : X86_CR0_PE) | X86_CR0_ET | X86_CR0_NE;
	bool ok = real_mode ? write_real_mode_segments(entry) : write_protected_mode_segments();

	return ok && write_guest_segment(SEG_LDTR, 0, 0, FLAT_LIMIT, AR_UNUSABLE) &&
	       write_guest_segment(SEG_TR, 0, 0, REAL_MODE_LIMIT, AR_TSS_BUSY) &&
	       vmwrite(VMCS_GUEST_GDTR_BASE, 0) && vmwrite(VMCS_GUEST_GDTR_LIMIT, 0xffff) &&
	       vmwrite(VMCS_GUEST_IDTR_BASE, 0) && vmwrite(VMCS_GUEST_IDTR_LIMIT, 0xffff) &&
	       vmwrite(VMCS_GUEST_CR0, vmcs_guest_cr0(cr0)) && vmwrite(VMCS_CR0_SHADOW, cr0) &&
	       vmwrite(VMCS_GUEST_CR3, 0) && vmwrite(VMCS_GUEST_CR4, vmcs_guest_cr4(0)) &&
	       vmwrite(VMCS_CR4_SHADOW, 0) && vmwrite(VMCS_GUEST_DR7, GUEST_DR7_DEFAULT) &&
	       vmwrite(VMCS_GUEST_RSP, 0) && vmwrite(VMCS_GUEST_RIP, real_mode ? 0 : entry) &&
	       vmwrite(VMCS_GUEST_RFLAGS, GUEST_RFLAGS_RESERVED) &&
	       vmwrite(VMCS_GUEST_PENDING_DBG, 0) && vmwrite(VMCS_GUEST_INTERRUPTIBILITY, 0) &&
	       vmwrite(VMCS_GUEST_ACTIVITY_STATE, 0) && vmwrite(VMCS_GUEST_SYSENTER_CS, 0) &&
	       vmwrite(VMCS_GUEST_SYSENTER_ESP, 0) && vmwrite(VMCS_GUEST_SYSENTER_EIP, 0) &&
	       vmwrite(VMCS_GUEST_DEBUGCTL, 0) && vmwrite(VMCS_GUEST_EFER, 0) &&
	       vmwrite(VMCS_GUEST_PAT, PAT_POWER_ON) && vmwrite(VMCS_LINK_POINTER, ~0ull);
}

int vmcs_setup_for_cell(const struct cell *cell, uint64_t entry, bool real_mode, char *why,
			size_t why_size)
{
	struct x86_cpu *c = x86_this_cpu();
	uint8_t *region = vmcs_regions[c->index];
	uint64_t region_phys = x86_image_phys(region);

	*(volatile uint32_t *)region = c->vmcs_revision;
	if (!vmclear(region_phys) || !vmptrld(region_phys))
		return setup_fail(why, why_size, "VMCLEAR/VMPTRLD of the VMCS at 0x%llx failed",
				  region_phys);
	int err = write_controls(cell, why, why_size);

	if (err)
		return err;
	if (!write_host_state())
		return setup_fail(why, why_size, "VMWRITE of the host state failed (error %llu)",
				  vmread(VMCS_INSTRUCTION_ERROR));
	if (!write_guest_state(entry, real_mode))
		return setup_fail(why, why_size, "VMWRITE of the guest state failed (error %llu)",
				  vmread(VMCS_INSTRUCTION_ERROR));
	return 0;
}
