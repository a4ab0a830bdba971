/*
 * RDMSR/WRMSR of a cell: every access exits (the MSR bitmap is all ones) and
 * only an allow-list is served, from the VMCS's guest fields or read-only
 * from the CPU; everything else gets #GP, as an MSR the CPU lacks would.
 * Allowed: EFER (SCE, LME, NXE; LMA is the CPU's; LME fixed while paging
 * is on), FS/GS base (canonical), PAT (valid memory types only): a value
 * the CPU would refuse with #GP would make the next VM entry fail, so it
 * gets #GP here too. Reads of the TSC and the APIC base are allowed, and
 * reads of the MSRs vmx/msr_fixed.c gives fixed values (and the writes it
 * drops); the system-call, SWAPGS, TSC_AUX and SYSENTER MSRs are the cell's
 * own (vmx/msr_cell_owned.c). A cell that drives its own local APIC has its
 * x2APIC MSRs passed through, except ICR writes: those pass only as fixed,
 * physical-destination IPIs to one of the cell's own CPUs (or to itself by
 * shorthand), and INIT/SIPI to its own CPUs start them (vmx/cpu_startup.c);
 * any other is dropped, counted like every MSR exit, and the first few per
 * CPU printed (a flood must not hold the console).
 */
#include <bulkhead/stats.h>
#include <hv/console.h>
#include <hv/cpu_map.h>
#include <hv/stats.h>
#include <vmx/cpu_startup.h>
#include <vmx/exit.h>
#include <vmx/linux_boot.h>
#include <vmx/msr_cell_owned.h>
#include <vmx/msr_fixed.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_cell.h>
#include <vmx/vmx_insn.h>
#include <x86_64/insn.h>
#include <x86_64/msr.h>

#define MSR_IA32_TSC 0x010
#define MSR_IA32_PAT 0x277
#define MSR_IA32_FS_BASE 0xc0000100
#define EFER_SCE (1ull << 0)
#define EFER_LME (1ull << 8)
#define EFER_LMA (1ull << 10)
#define EFER_NXE (1ull << 11)
#define EFER_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)
#define X86_CR0_PG (1ull << 31)

static bool read_allowed(uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case MSR_IA32_EFER:
		*value = vmread(VMCS_GUEST_EFER);
		return true;
	case MSR_IA32_FS_BASE:
		*value = vmread(VMCS_GUEST_FS_BASE);
		return true;
	case MSR_IA32_GS_BASE:
		*value = vmread(VMCS_GUEST_GS_BASE);
		return true;
	case MSR_IA32_PAT:
		*value = vmread(VMCS_GUEST_PAT);
		return true;
	case MSR_IA32_TSC:
		*value = rdtsc();
		return true;
	case MSR_IA32_APIC_BASE:
		*value = rdmsr(MSR_IA32_APIC_BASE);
		return true;
	default:
		return msr_cell_owned_read(msr, value) == MSR_DONE || msr_fixed_read(msr, value);
	}
}

/* PAT entries may only hold UC, WC, WT, WP, WB or UC- (SDM vol. 3 sec. 13.12.2). */
static bool pat_is_valid(uint64_t pat)
{
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int type = (pat >> (8 * i)) & 0xff;

		if (type == 2 || type == 3 || type > 7)
			return false;
	}
	return true;
}

/* EFER: only the writable bits, and LME may not change while paging is on. */
static bool write_efer(uint64_t value)
{
	uint64_t efer = vmread(VMCS_GUEST_EFER);

	if (value & ~(EFER_WRITABLE | EFER_LMA))
		return false;
	if ((vmread(VMCS_GUEST_CR0) & X86_CR0_PG) && ((value ^ efer) & EFER_LME))
		return false;
	return vmwrite(VMCS_GUEST_EFER, (value & EFER_WRITABLE) | (efer & EFER_LMA));
}

#define ICR_VECTOR(v) ((v)&0xff)
#define ICR_DELIVERY_MODE(v) (((v) >> 8) & 0x7) /* 0 = fixed */
#define ICR_LOGICAL (1ull << 11)
#define ICR_SHORTHAND(v) (((v) >> 18) & 0x3) /* 0 none, 1 self, 2 all, 3 all but self */
#define ICR_SHORTHAND_SELF 1
#define ICR_SHORTHAND_ALL 2
#define ICR_SHORTHAND_ALL_BUT_SELF 3
#define ICR_DESTINATION(v) ((v) >> 32)
#define FIRST_VALID_VECTOR 16

#define ICR_REFUSALS_PRINTED 16

/* Per CPU, written only by that CPU. */
static unsigned int refusals_printed[HV_MAX_CPUS];

/* Why an ICR value may not be sent by this cell, or NULL when it may. */
static const char *icr_refusal(const struct cell *cell, uint64_t icr)
{
	if (!vmx_cell_owns_lapic(cell))
		return "the cell does not own its local APIC";
	if (ICR_DELIVERY_MODE(icr) != 0)
		return "not a fixed interrupt (NMI, INIT, SIPI, SMI ...)";
	if (ICR_VECTOR(icr) < FIRST_VALID_VECTOR)
		return "a reserved vector";
	if (ICR_SHORTHAND(icr) != 0)
		return NULL; /* self, or a broadcast confined to the cell (send_icr) */
	if (icr & ICR_LOGICAL)
		return "a logical destination";
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++)
		if (cell->desc->cpu_hwid[i] == ICR_DESTINATION(icr))
			return NULL;
	return "a CPU outside the cell";
}

/*
 * Sends an allowed fixed IPI. A broadcast ("all", "all but self") reaches
 * the cell's own CPUs only: one IPI to each by its APIC id, so that Linux's
 * shorthand IPIs (stop, call-function to every other CPU) work in a cell
 * while the CPUs of other cells never see them.
 */
static void send_icr(const struct vmx_exit *exit, uint64_t icr)
{
	unsigned int shorthand = ICR_SHORTHAND(icr);
	uint64_t self = cpu_map_hwid(exit->cpu);

	if (shorthand != ICR_SHORTHAND_ALL && shorthand != ICR_SHORTHAND_ALL_BUT_SELF) {
		wrmsr(VMX_MSR_X2APIC_ICR, icr);
		return;
	}
	for (uint32_t i = 0; i < exit->cell->desc->cpu_count; i++) {
		uint64_t hwid = exit->cell->desc->cpu_hwid[i];

		if (shorthand == ICR_SHORTHAND_ALL_BUT_SELF && hwid == self)
			continue;
		wrmsr(VMX_MSR_X2APIC_ICR, (hwid << 32) | ICR_VECTOR(icr));
	}
}

/*
 * Sends the IPI when the cell may; INIT and SIPI within the cell are
 * emulated (vmx/cpu_startup.c); a refused one is dropped (the instruction
 * completes).
 */
static void write_icr(const struct vmx_exit *exit, uint64_t icr)
{
	const char *why;

	if (!cpu_startup_ipi(exit, icr, &why)) {
		why = icr_refusal(exit->cell, icr);
		if (!why)
			send_icr(exit, icr);
	}
	if (!why)
		return;
	if (exit->cpu < HV_MAX_CPUS && refusals_printed[exit->cpu] < ICR_REFUSALS_PRINTED) {
		refusals_printed[exit->cpu]++;
		console_print("hv: cell \"%s\" cpu %u: ICR write 0x%llx refused: %s%s\n",
			      cell_name(exit->cell), exit->cpu, (unsigned long long)icr, why,
			      refusals_printed[exit->cpu] == ICR_REFUSALS_PRINTED
				      ? " (later ones are refused silently)"
				      : "");
	}
}

static bool write_allowed(const struct vmx_exit *exit, uint32_t msr, uint64_t value)
{
	switch (msr) {
	case VMX_MSR_X2APIC_ICR:
		if (!vmx_cell_owns_lapic(exit->cell))
			return false;
		write_icr(exit, value);
		return true;
	case MSR_IA32_EFER:
		return write_efer(value);
	case MSR_IA32_FS_BASE:
		return vmx_guest_address_is_canonical(value) && vmwrite(VMCS_GUEST_FS_BASE, value);
	case MSR_IA32_GS_BASE:
		return vmx_guest_address_is_canonical(value) && vmwrite(VMCS_GUEST_GS_BASE, value);
	case MSR_IA32_PAT:
		return pat_is_valid(value) && vmwrite(VMCS_GUEST_PAT, value);
	default:
		return msr_cell_owned_write(msr, value) == MSR_DONE ||
		       msr_fixed_write_dropped(msr, value);
	}
}

void vmx_handle_rdmsr(struct vmx_exit *exit)
{
	uint64_t *g = exit->regs->r;
	uint64_t value;

	stats_count_entry(exit->cpu, BH_ENTRY_SYSREG);
	if (!read_allowed((uint32_t)g[REG_RCX], &value)) {
		vmx_inject_gp();
		return;
	}
	g[REG_RAX] = (uint32_t)value;
	g[REG_RDX] = value >> 32;
	vmx_skip_instruction();
}

void vmx_handle_wrmsr(struct vmx_exit *exit)
{
	uint64_t *g = exit->regs->r;
	uint64_t value = (g[REG_RDX] << 32) | (uint32_t)g[REG_RAX];

	stats_count_entry(exit->cpu, BH_ENTRY_SYSREG);
	if (!write_allowed(exit, (uint32_t)g[REG_RCX], value)) {
		vmx_inject_gp();
		return;
	}
	vmx_skip_instruction();
}
