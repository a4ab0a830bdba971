/*
 * Exceptions from a cell (lower EL) on this CPU. Each entry is counted once
 * with its reason before anything else happens (the evidence for
 * docs/design.md, I4).
 * Whatever the cell did wrong is answered inside the cell (an error value, an
 * injected abort or undefined instruction); the hypervisor never stops
 * because of it. A CPU whose cell has stopped leaves the cell here.
 */
#include <aarch64/sysreg.h>
#include <arch/arch_cpu.h>
#include <arm64/gicv3.h>
#include <arm64/guest.h>
#include <arm64/vgic.h>
#include <bulkhead/config.h>
#include <hv/cell_restart.h>
#include <hv/console.h>
#include <hv/cpu_power.h>
#include <hv/hypercall.h>
#include <hv/stats.h>
#include <hv/system.h>

#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOWER 0x20
#define EC_DABT_LOWER 0x24

#define ISS_ISV (1u << 24)
#define ISS_WNR (1u << 6)

#define SMCCC_NOT_SUPPORTED ((uint64_t)-1)

#define SLOT_LOWER_SYNC 8
#define SLOT_LOWER_IRQ 9
#define SLOT_LOWER_FIQ 10

static uint64_t reg_value(const struct exception_frame *f, unsigned int r)
{
	return r == 31 ? 0 : f->x[r];
}

static void handle_call(struct cell *cell, unsigned int cpu, struct exception_frame *f)
{
	uint64_t function = f->x[0] & 0xffffffffu;

	if (hcall_is_bulkhead(function)) {
		stats_count_entry(cpu, BH_ENTRY_HYPERCALL);
		uint64_t args[5] = { f->x[1], f->x[2], f->x[3], f->x[4], f->x[5] };

		f->x[0] = (uint64_t)hcall_dispatch(cell, cpu, function, args);
	} else if (psci_is_function(function)) {
		stats_count_entry(cpu, BH_ENTRY_PSCI);
		uint64_t args[3] = { f->x[1], f->x[2], f->x[3] };

		f->x[0] = (uint64_t)psci_emulate(cell, cpu, function, args);
	} else {
		stats_count_entry(cpu, BH_ENTRY_OTHER);
		f->x[0] = SMCCC_NOT_SUPPORTED;
	}
}

/*
 * An access outside the cell's stage 2 that nothing emulates: an abort for
 * the cell, or the cell stopped when its config says stop-on-fault.
 */
static void stage2_fault(struct cell *cell, unsigned int cpu, struct exception_frame *f,
			 bool instruction)
{
	if (!(cell->desc->flags & BH_CELL_STOP_ON_FAULT)) {
		guest_inject_abort(f, instruction);
		return;
	}
	console_print("hv: cell \"%s\" cpu %u: stage-2 %s abort at 0x%llx (ELR 0x%llx); stopping "
		      "the cell\n",
		      cell_name(cell), cpu, instruction ? "instruction" : "data",
		      (unsigned long long)f->far, (unsigned long long)f->elr);
	system_stop_cell(cell, 2);
}

/* Stage-2 data abort: the GIC frames are emulated, anything else is the cell's fault. */
static bool is_direct(const struct cell *cell);

static void handle_data_abort(struct cell *cell, unsigned int cpu, struct exception_frame *f)
{
	uint64_t ipa = (read_sysreg(hpfar_el2) >> 4) << 12 | (f->far & 0xfff);
	uint32_t iss = (uint32_t)(f->esr & 0x1ffffff);
	unsigned int reason = BH_ENTRY_STAGE2_FAULT;
	bool emulated = false;

	if (iss & ISS_ISV) {
		unsigned int size = 1u << ((iss >> 22) & 3);
		unsigned int reg = (iss >> 16) & 0x1f;
		bool is_write = iss & ISS_WNR;
		uint64_t value = is_write ? reg_value(f, reg) : 0;

		/* Devices are mapped 1:1, so the IPA is the physical address. */
		emulated = gicv3_emulate_access(cell, ipa, is_write, size, &value, &reason);
		if (!emulated && !is_direct(cell) &&
		    vgic_emulate_gicr(cell, ipa, is_write, size, &value)) {
			emulated = true;
			reason = BH_ENTRY_GICR;
		}
		if (emulated && !is_write && reg != 31)
			f->x[reg] = value;
	}
	stats_count_entry(cpu, reason);
	if (emulated)
		f->elr += 4;
	else
		stage2_fault(cell, cpu, f, false);
}

static bool is_direct(const struct cell *cell)
{
	return cell->desc->flags & BH_CELL_REALTIME;
}

/*
 * ICC_SGI1R_EL1, ICC_ASGI1R_EL1 or ICC_SGI0R_EL1 written by a virtual-mode
 * CPU (IMO/FMO=1 make them trap). SGI1R is emulated for the cell's own CPUs;
 * foreign targets are never reached (docs/design.md, I3).
 * ISS: Op0 [21:20], Op2 [19:17], Op1 [16:14], CRn [13:10], CRm [4:1], read [0].
 */
static bool is_sgi1r_write(uint64_t esr)
{
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);

	/* Op0 3, Op2 5, Op1 0, CRn 12, CRm 11, write. */
	return (iss & 0x3ffc1f) ==
	       ((3u << 20) | (5u << 17) | (0u << 14) | (12u << 10) | (11u << 1));
}

/* The register a trapped MRS/MSR names (EC 0x18 ISS, layout above). */
struct sysreg_access {
	uint32_t op0, op1, crn, crm, op2;
	bool is_read;
};

static struct sysreg_access sysreg_access_of(uint64_t esr)
{
	uint32_t iss = (uint32_t)(esr & 0x1ffffff);

	return (struct sysreg_access){
		.op0 = (iss >> 20) & 3,
		.op2 = (iss >> 17) & 7,
		.op1 = (iss >> 14) & 7,
		.crn = (iss >> 10) & 0xf,
		.crm = (iss >> 1) & 0xf,
		.is_read = iss & 1,
	};
}

static bool is_sgi_write(uint64_t esr)
{
	struct sysreg_access a = sysreg_access_of(esr);

	if (a.is_read || a.op0 != 3 || a.crn != 12 || a.crm != 11)
		return false;
	/* All three have Op1 0: SGI1R Op2 5, ASGI1R Op2 6, SGI0R Op2 7. */
	return a.op1 == 0 && a.op2 >= 5 && a.op2 <= 7;
}

/*
 * A PMU register of a virtual cell (MDCR_EL2.TPM, cell_arch.c): PMCR_EL0 and
 * the rest at Op0 3, CRn 9, CRm 12-14; the event counters, their types and
 * PMCCFILTR_EL0 at Op1 3, CRn 14, CRm 8-15.
 */
static bool is_pmu_access(uint64_t esr)
{
	struct sysreg_access a = sysreg_access_of(esr);

	if (a.op0 != 3)
		return false;
	return (a.crn == 9 && a.crm >= 12 && (a.op1 == 0 || a.op1 == 3)) ||
	       (a.crn == 14 && a.crm >= 8 && a.op1 == 3);
}

/* No PMU for a virtual cell: reads as zero (PMCR_EL0.N = 0, nothing counts), writes ignored. */
static void emulate_pmu_absent(struct exception_frame *f)
{
	unsigned int reg = (f->esr >> 5) & 0x1f;

	if ((f->esr & 1) && reg != 31)
		f->x[reg] = 0;
	f->elr += 4;
}

/* ICC_DIR_EL1 written by a direct cell (ICH_HCR_EL2.TDIR): Op0 3, Op2 1, Op1 0, CRn 12, CRm 11. */
static bool is_dir_write(uint64_t esr)
{
	struct sysreg_access a = sysreg_access_of(esr);

	return !a.is_read && a.op0 == 3 && a.op1 == 0 && a.crn == 12 && a.crm == 11 && a.op2 == 1;
}

#define DIR_REFUSALS_PRINTED 8

/* Per CPU, written only by that CPU. */
static unsigned int dir_refusals_printed[HV_MAX_CPUS];

/*
 * Deactivates the interrupt for the cell when it is its own (its CPU's SGIs
 * and PPIs, its SPIs); another cell's is refused, counted like every sysreg
 * trap, and the first few per CPU printed (a flood must not hold the console).
 */
static void deactivate_for_cell(struct cell *cell, unsigned int cpu, uint64_t value)
{
	uint32_t intid = (uint32_t)value & 0xffffff;

	if (intid < GIC_INTID_SPI_FIRST || gicv3_owner(intid) == (int)cell->id) {
		write_sysreg(icc_dir_el1, intid);
		isb();
		return;
	}
	if (cpu < HV_MAX_CPUS && dir_refusals_printed[cpu] < DIR_REFUSALS_PRINTED) {
		dir_refusals_printed[cpu]++;
		console_print("hv: cell \"%s\" cpu %u: ICC_DIR_EL1 write of INTID %u refused: not "
			      "the cell's interrupt%s\n",
			      cell_name(cell), cpu, intid,
			      dir_refusals_printed[cpu] == DIR_REFUSALS_PRINTED
				      ? " (later ones are refused silently)"
				      : "");
	}
}

static void handle_sync(struct cell *cell, unsigned int cpu, struct exception_frame *f)
{
	switch (f->esr >> 26) {
	case EC_HVC64:
		handle_call(cell, cpu, f);
		break;
	case EC_SMC64:
		f->elr += 4; /* SMC traps with ELR at the SMC itself */
		handle_call(cell, cpu, f);
		break;
	case EC_DABT_LOWER:
		handle_data_abort(cell, cpu, f);
		break;
	case EC_IABT_LOWER:
		stats_count_entry(cpu, BH_ENTRY_STAGE2_FAULT);
		stage2_fault(cell, cpu, f, true);
		break;
	case EC_SYSREG:
		stats_count_entry(cpu, BH_ENTRY_SYSREG);
		if (is_sgi1r_write(f->esr)) {
			vgic_send_sgi(cell, cpu, reg_value(f, (f->esr >> 5) & 0x1f));
			f->elr += 4;
		} else if (is_sgi_write(f->esr)) {
			f->elr += 4; /* ASGI1R/SGI0R: Group 0 and secure SGIs are not offered */
		} else if (is_pmu_access(f->esr)) {
			emulate_pmu_absent(f);
		} else if (is_dir_write(f->esr)) {
			deactivate_for_cell(cell, cpu, reg_value(f, (f->esr >> 5) & 0x1f));
			f->elr += 4;
		} else {
			guest_inject_undefined(f);
		}
		break;
	case EC_WFX:
		stats_count_entry(cpu, BH_ENTRY_WFX);
		f->elr += 4;
		break;
	default:
		stats_count_entry(cpu, BH_ENTRY_OTHER);
		guest_inject_undefined(f);
		break;
	}
}

void guest_trap(struct exception_frame *frame, uint64_t slot)
{
	unsigned int cpu = arch_cpu_this();
	struct cell *cell = cell_of_cpu(cpu);

	if (slot == SLOT_LOWER_SYNC)
		handle_sync(cell, cpu, frame);
	else if (slot == SLOT_LOWER_IRQ || slot == SLOT_LOWER_FIQ)
		vgic_handle_irq(cell, cpu);
	else {
		/* SError or AArch32: the cell cannot continue sensibly. */
		stats_count_entry(cpu, BH_ENTRY_OTHER);
		system_stop_cell(cell, 2);
	}
	if (!is_direct(cell))
		cell_restart_if_requested(cell, cpu); /* a manager's BH_HC_CELL_RESTART */
	if (__atomic_load_n(&cell->state, __ATOMIC_ACQUIRE) != CELL_RUNNING)
		cpu_power_off_self(cpu);
	if (!is_direct(cell))
		vgic_flush(cpu);
}
