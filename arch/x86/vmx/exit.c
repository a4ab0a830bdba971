/*
 * A cell CPU's run loop and exit dispatch. The CPU enters its cell with
 * arch_cpu_enter_cell() and stays in this loop until the cell stops: every
 * exit is counted (reason names of bulkhead/stats.h, mapping in
 * docs/hypervisor.md), handled on this CPU with no lock shared with another
 * cell, and the guest resumed. Exits that mean the cell broke (triple fault,
 * INIT, an access outside its EPT, an exit nothing here handles) stop that
 * cell only; exits that mean the hypervisor broke (invalid guest state, EPT
 * misconfiguration, a failed entry) halt the machine with a dump.
 */
#include <stdarg.h>
#include <arch/arch_cell.h>
#include <bulkhead/hypercall.h>
#include <hv/console.h>
#include <hv/cpu_power.h>
#include <hv/hypercall.h>
#include <hv/panic.h>
#include <hv/platform.h>
#include <hv/stats.h>
#include <hv/system.h>
#include <lib/format.h>
#include <vmx/cpu_startup.h>
#include <vmx/exit.h>
#include <vmx/linux_boot.h>
#include <vmx/vmcs.h>
#include <vmx/vmcs_fields.h>
#include <vmx/vmx_insn.h>
#include <vmx/xcr0.h>
#include <x86/cpu.h>
#include <x86/ioapic.h>
#include <x86/lapic.h>

#define EPT_QUAL_READ (1ull << 0)
#define EPT_QUAL_WRITE (1ull << 1)
#define EPT_QUAL_FETCH (1ull << 2)

void vmx_skip_instruction(void)
{
	vmwrite(VMCS_GUEST_RIP, vmread(VMCS_GUEST_RIP) + vmread(VMCS_EXIT_INSTRUCTION_LEN));
}

void vmx_inject_ud(void)
{
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | VECTOR_UD);
}

#define X86_CR0_PE (1ull << 0)

void vmx_inject_gp(void)
{
	/* In real mode (unrestricted guest) no exception pushes an error code: VM entry would
	 * refuse one (SDM vol. 3 sec. 27.2.1.3). */
	bool protected_mode = vmread(VMCS_GUEST_CR0) & X86_CR0_PE;

	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | INTR_TYPE_HW_EXCEPTION | VECTOR_GP |
					      (protected_mode ? INTR_DELIVER_ERROR_CODE : 0));
	vmwrite(VMCS_ENTRY_EXCEPTION_ERROR_CODE, 0);
}

void vmx_stop_cell_for_fault(struct vmx_exit *exit, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	format_vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	console_print("hv: cell \"%s\" cpu %u: %s; stopping the cell\n", cell_name(exit->cell),
		      exit->cpu, what);
	system_stop_cell(exit->cell, VMX_FAULT_EXIT_CODE);
}

/* The guest's privilege level: SS.DPL (SDM vol. 3 sec. 25.4.1). */
static unsigned int guest_cpl(void)
{
	return (unsigned int)(vmread(VMCS_GUEST_ES_AR + 2 * SEG_SS) >> 5) & 3;
}

/*
 * VMCALL: RAX = function, RDI RSI RDX RCX R8 = arguments, result in RAX.
 * Only the cell's kernel (CPL 0) may call; from user mode VMCALL is #UD, as
 * HVC is undefined at EL0 on arm64.
 */
static void handle_vmcall(struct vmx_exit *exit)
{
	uint64_t *r = exit->regs->r;
	const uint64_t args[5] = { r[REG_RDI], r[REG_RSI], r[REG_RDX], r[REG_RCX], r[REG_R8] };

	if (guest_cpl() != 0) {
		stats_count_entry(exit->cpu, BH_ENTRY_OTHER);
		vmx_inject_ud();
		return;
	}
	stats_count_entry(exit->cpu, BH_ENTRY_HYPERCALL);
	vmx_skip_instruction(); /* before the call: CELL_EXIT may not return */
	if (!hcall_is_bulkhead(r[REG_RAX])) {
		r[REG_RAX] = (uint64_t)(int64_t)-BH_ENOSYS;
		return;
	}
	r[REG_RAX] = (uint64_t)hcall_dispatch(exit->cell, exit->cpu, r[REG_RAX], args);
}

#define EPT_FAULTS_PRINTED 8

/* Per CPU, written only by that CPU. */
static unsigned int ept_faults_printed[HV_MAX_CPUS];

/*
 * An access outside the cell's EPT: the IOAPIC's page is emulated; anything
 * else is a #GP(0) at the instruction, like an
 * access the cell's own machine would refuse (arm64 reports an abort), or
 * the cell stopped when its config says stop-on-fault. A violation while
 * the CPU delivered an event (the cell's IDT, stack or GDT outside its
 * memory) stops the cell: it could not take the #GP either.
 */
static void handle_ept_violation(struct vmx_exit *exit)
{
	uint64_t q = exit->qualification;
	const char *access = q & EPT_QUAL_FETCH ? "fetch" : q & EPT_QUAL_WRITE ? "write" : "read";
	unsigned long long gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	unsigned long long rip = vmread(VMCS_GUEST_RIP);
	bool in_delivery = vmread(VMCS_IDT_VECTORING_INFO) & INTR_INFO_VALID;

	if (!in_delivery && gpa >= X86_IOAPIC_BASE &&
	    gpa - X86_IOAPIC_BASE < X86_IOAPIC_PAGE_BYTES &&
	    vmx_emulate_ioapic(exit, gpa - X86_IOAPIC_BASE))
		return;
	stats_count_entry(exit->cpu, BH_ENTRY_STAGE2_FAULT);
	if ((exit->cell->desc->flags & BH_CELL_STOP_ON_FAULT) || in_delivery) {
		vmx_stop_cell_for_fault(
			exit, "EPT violation: %s at guest-physical 0x%llx%s (RIP 0x%llx)", access,
			gpa, in_delivery ? " delivering an event" : "", rip);
		return;
	}
	vmx_inject_gp();
	if (exit->cpu < HV_MAX_CPUS && ept_faults_printed[exit->cpu] < EPT_FAULTS_PRINTED) {
		ept_faults_printed[exit->cpu]++;
		console_print("hv: cell \"%s\" cpu %u: EPT violation: %s at guest-physical 0x%llx "
			      "(RIP 0x%llx); #GP(0) to the cell%s\n",
			      cell_name(exit->cell), exit->cpu, access, gpa, rip,
			      ept_faults_printed[exit->cpu] == EPT_FAULTS_PRINTED
				      ? " (later ones are reported silently)"
				      : "");
	}
}

static bool is_vmx_instruction(uint32_t reason)
{
	return (reason >= EXIT_REASON_VMCLEAR && reason <= EXIT_REASON_VMXON) ||
	       reason == EXIT_REASON_INVEPT || reason == EXIT_REASON_INVVPID;
}

static noreturn_fn void hypervisor_broke(const struct vmx_exit *exit, const char *what)
{
	hv_panic("cell \"%s\" cpu %u: %s (exit reason 0x%x, qualification 0x%llx, RIP 0x%llx, "
		 "guest-physical 0x%llx)",
		 cell_name(exit->cell), exit->cpu, what, (unsigned int)vmread(VMCS_EXIT_REASON),
		 (unsigned long long)exit->qualification,
		 (unsigned long long)vmread(VMCS_GUEST_RIP),
		 (unsigned long long)vmread(VMCS_GUEST_PHYS_ADDR));
}

/* Exits that are the CPU or the cell breaking down: count them, stop the cell. */
static void handle_cpu_stop(struct vmx_exit *exit, const char *what)
{
	stats_count_entry(exit->cpu, BH_ENTRY_PSCI);
	vmx_stop_cell_for_fault(exit, "%s (RIP 0x%llx)", what,
				(unsigned long long)vmread(VMCS_GUEST_RIP));
}

static void handle_exit_reason(struct vmx_exit *exit);

#define RFLAGS_IF (1ull << 9)
#define BLOCKING_BY_STI_OR_MOV_SS 0x3u
#define ACTIVITY_ACTIVE 0
#define PENDING_WORDS 4

/* The positive control's interrupts taken (acknowledged on exit) and not yet injected. */
static uint64_t pending_irqs[HV_MAX_CPUS][PENDING_WORDS];

static void set_window_exiting(bool on)
{
	uint64_t proc = vmread(VMCS_PROC_CONTROLS);

	proc = on ? proc | PROC_INTERRUPT_WINDOW_EXITING : proc & ~PROC_INTERRUPT_WINDOW_EXITING;
	vmwrite(VMCS_PROC_CONTROLS, proc);
}

/* Injects the highest pending vector when the cell can take it; else waits for its window. */
static void inject_pending_irq(unsigned int cpu)
{
	uint64_t *pending = pending_irqs[cpu];
	int vector = -1;

	for (int w = PENDING_WORDS - 1; w >= 0 && vector < 0; w--)
		if (pending[w])
			vector = w * 64 + 63 - __builtin_clzll(pending[w]);
	if (vector < 0) {
		set_window_exiting(false);
		return;
	}
	if (!(vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) ||
	    (vmread(VMCS_GUEST_INTERRUPTIBILITY) & BLOCKING_BY_STI_OR_MOV_SS) ||
	    (vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)) {
		set_window_exiting(true);
		return;
	}
	pending[vector / 64] &= ~(1ull << (vector % 64));
	vmwrite(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | (uint32_t)vector);
	vmwrite(VMCS_GUEST_ACTIVITY_STATE, ACTIVITY_ACTIVE); /* a halted cell wakes */
	set_window_exiting(pending[0] | pending[1] | pending[2] | pending[3]);
}

/*
 * An exit that came while the CPU delivered an event through the cell's IDT
 * (SDM vol. 3 sec. 28.2.4: an external interrupt arriving during a page
 * fault's delivery, say) leaves that event in the IDT-vectoring field: it is
 * delivered again at the next entry, or the cell loses it (the positive
 * control's Linux lost events this way and a process crashed). A software
 * interrupt or exception needs its instruction's length again.
 */
static void redeliver_interrupted_event(void)
{
	uint32_t info = (uint32_t)vmread(VMCS_IDT_VECTORING_INFO);
	uint32_t type = INTR_INFO_TYPE(info);

	if (!(info & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, info & INTR_INFO_INJECTABLE_BITS);
	if (info & INTR_DELIVER_ERROR_CODE)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERROR_CODE, vmread(VMCS_IDT_VECTORING_ERROR_CODE));
	if (type == INTR_TYPE_SOFT_INTERRUPT || type == INTR_TYPE_PRIV_SOFT_EXCEPTION ||
	    type == INTR_TYPE_SOFT_EXCEPTION)
		vmwrite(VMCS_ENTRY_INSTRUCTION_LEN, vmread(VMCS_EXIT_INSTRUCTION_LEN));
}

void vmx_handle_exit(struct vmx_exit *exit)
{
	/* An EPT violation during delivery stops the cell (handle_ept_violation). */
	if (exit->reason != EXIT_REASON_EPT_VIOLATION)
		redeliver_interrupted_event();
	if (BH_X86_INTERRUPT_EXITING && exit->cpu < HV_MAX_CPUS) {
		if (exit->reason == EXIT_REASON_EXTERNAL_INTERRUPT) {
			uint32_t vector = (uint32_t)vmread(VMCS_EXIT_INTR_INFO) & 0xff;

			pending_irqs[exit->cpu][vector / 64] |= 1ull << (vector % 64);
		}
		if (exit->reason == EXIT_REASON_EXTERNAL_INTERRUPT ||
		    exit->reason == EXIT_REASON_INTERRUPT_WINDOW) {
			stats_count_entry(exit->cpu, BH_ENTRY_IRQ);
			inject_pending_irq(exit->cpu);
			return;
		}
		handle_exit_reason(exit);
		inject_pending_irq(exit->cpu);
		return;
	}
	handle_exit_reason(exit);
}

static void handle_exit_reason(struct vmx_exit *exit)
{
	switch (exit->reason) {
	case EXIT_REASON_VMCALL:
		handle_vmcall(exit);
		return;
	case EXIT_REASON_CPUID:
		vmx_handle_cpuid(exit);
		return;
	case EXIT_REASON_RDMSR:
		vmx_handle_rdmsr(exit);
		return;
	case EXIT_REASON_WRMSR:
		vmx_handle_wrmsr(exit);
		return;
	case EXIT_REASON_IO:
		vmx_handle_io(exit);
		return;
	case EXIT_REASON_CR_ACCESS:
		vmx_handle_cr_access(exit);
		return;
	case EXIT_REASON_HLT:
		/* Nothing is pending for the cell: HLT returns as if woken. */
		stats_count_entry(exit->cpu, BH_ENTRY_WFX);
		vmx_skip_instruction();
		return;
	case EXIT_REASON_EPT_VIOLATION:
		handle_ept_violation(exit);
		return;
	case EXIT_REASON_XSETBV:
		vmx_handle_xsetbv(exit);
		return;
	case EXIT_REASON_INVD:
	case EXIT_REASON_WBINVD:
		/* Caches are coherent and the EPT fixes memory types: nothing for a cell to
		 * flush, and INVD would throw away other cells' dirty lines. */
		stats_count_entry(exit->cpu, BH_ENTRY_OTHER);
		vmx_skip_instruction();
		return;
	case EXIT_REASON_TRIPLE_FAULT:
		handle_cpu_stop(exit, "triple fault (shutdown)");
		return;
	case EXIT_REASON_INIT:
		handle_cpu_stop(exit, "INIT signal");
		return;
	case EXIT_REASON_EPT_MISCONFIG:
		hypervisor_broke(exit, "EPT misconfiguration");
	case EXIT_REASON_INVALID_GUEST_STATE:
		hypervisor_broke(exit, "VM entry refused the guest state");
	default:
		break;
	}
	stats_count_entry(exit->cpu, BH_ENTRY_OTHER);
	if (is_vmx_instruction(exit->reason)) {
		vmx_inject_ud(); /* as on a CPU without VMX, which CPUID says this is */
		return;
	}
	vmx_stop_cell_for_fault(exit, "unhandled exit reason %u (qualification 0x%llx)",
				exit->reason, (unsigned long long)exit->qualification);
}

noreturn_fn void arch_cpu_enter_cell(const struct cell *cell, uint64_t entry, uint64_t arg)
{
	unsigned int cpu = x86_this_cpu()->index;
	struct cell *self = cell_of_cpu(cpu); /* the writable record behind `cell` */
	struct guest_regs regs = { 0 };
	char why[128];

	why[0] = '\0';
	if (vmx_cell_owns_lapic(cell) && x86_lapic_enter_x2apic_mode() != 0)
		format_snprintf(
			why, sizeof(why),
			"a cell driving its own local APIC needs x2APIC, which CPU %u lacks", cpu);
	int sipi_vector = cpu_startup_take_sipi_vector(cpu);

	if (why[0] || vmcs_setup_for_cell(cell, entry, sipi_vector >= 0, why, sizeof(why)) != 0) {
		console_print("hv: cell \"%s\" cpu %u: cannot enter: %s\n", cell_name(cell), cpu,
			      why);
		system_stop_cell(self, VMX_FAULT_EXIT_CODE);
		cpu_power_off_self(cpu);
	}
	xcr0_reset(); /* a restarted cell does not inherit its last run's XCR0 */
	regs.r[REG_RDI] = arg;
	if (!linux_boot_prepare(cell, &regs, arg))
		hv_panic("cell \"%s\" cpu %u: VMWRITE of the Linux boot state failed",
			 cell_name(cell), cpu);
	for (int launched = 0;; launched = 1) {
		if (vmx_enter_guest(&regs, launched) != 0)
			hv_panic("cell \"%s\" cpu %u: VM entry failed, VM-instruction error %llu",
				 cell_name(cell), cpu,
				 (unsigned long long)vmread(VMCS_INSTRUCTION_ERROR));
		struct vmx_exit exit = {
			.cell = self,
			.cpu = cpu,
			.regs = &regs,
			.reason = (uint32_t)vmread(VMCS_EXIT_REASON) & 0xffff,
			.qualification = vmread(VMCS_EXIT_QUALIFICATION),
		};

		if (vmread(VMCS_EXIT_REASON) & EXIT_REASON_FAILED_ENTRY)
			hypervisor_broke(&exit, "VM entry failed on the guest state");
		vmx_handle_exit(&exit);
		if (__atomic_load_n(&self->state, __ATOMIC_ACQUIRE) != CELL_RUNNING)
			cpu_power_off_self(cpu);
	}
}
