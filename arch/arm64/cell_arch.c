/*
 * arm64 side of cells (hv/arch/arch_cell.h). A realtime cell runs "direct":
 * HCR_EL2.IMO = FMO = 0, so it owns the physical GIC CPU interface and its
 * interrupts and timer never enter EL2; its redistributors' SGI/PPI frames
 * are mapped into its stage 2. Any other cell runs "virtual": IMO = FMO = 1,
 * physical interrupts trap to EL2. Both trap SMC (TSC) for PSCI emulation and
 * route SErrors to EL2 (AMO).
 */
#include <aarch64/sysreg.h>
#include <abi/config_check.h>
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <arm64/asm_defs.h>
#include <arm64/gicv3.h>
#include <arm64/guest.h>
#include <arm64/stage2.h>
#include <arm64/trap_config.h>
#include <arm64/vgic.h>
#include <bulkhead/config.h>
#include <bulkhead/errno.h>
#include <hv/cpu_map.h>
#include <hv/cpu_power.h>
#include <hv/stats.h>

/*
 * MDCR_EL2 (arm64/trap_config.h): every PMU event counter stays the cell's
 * (HPMN = PMCR_EL0.N, read here) and none counts at EL2 (HPMD, where
 * PMUv3p1 has it). On a PMUv3 without HPMD (cortex-a72) a cell could set
 * PMCCFILTR_EL0.NSH and time the hypervisor's work for others, so a virtual
 * cell's PMU accesses trap (TPM, TPMCR) and read as zero (trap.c). A direct
 * cell keeps its PMU (the realtime kernel's fine clock uses the cycle
 * counter) and enters EL2 only for its own calls. Debug stays untrapped: a
 * cell's breakpoints and watchpoints target EL1 and never fire at EL2, and
 * Linux's hw_breakpoint resets every debug register at boot, which traps
 * would turn into dozens of entries per CPU.
 */
#define MDCR_HPMN_MASK 0x1full
#define PMCR_N_SHIFT 11

/* SCTLR_EL1 architectural reset-like value: RES1 bits, MMU and caches off. */
#define SCTLR_EL1_RESET 0x30d00800ull
/* EL1h with D, A, I, F masked. */
#define SPSR_EL1H_MASKED 0x3c5ull

extern char hv_cpu_stacks[];

static bool is_direct(const struct cell *cell)
{
	return cell->desc->flags & BH_CELL_REALTIME;
}

/* HPMN: every event counter the PMU has belongs to the cell. */
static uint64_t pmu_counters(void)
{
	return (read_sysreg(pmcr_el0) >> PMCR_N_SHIFT) & MDCR_HPMN_MASK;
}

uint32_t arch_config_arch(void)
{
	return BH_ARCH_ARM64;
}

int arch_cell_create(const struct cell *cell)
{
	return stage2_create(cell->id);
}

int arch_cell_map(const struct cell *cell, uint64_t guest_phys, uint64_t host_phys,
		  uint64_t size_bytes, uint32_t flags)
{
	return stage2_map_region(cell->id, guest_phys, host_phys, size_bytes, flags);
}

int arch_cell_assign_irq(const struct cell *cell, uint32_t number, uint32_t flags)
{
	(void)flags;
	return gicv3_assign_spi(cell->id, number, cell->desc->cpu_hwid[0]);
}

int arch_cell_map_irqchip(const struct cell *cell)
{
	if (!is_direct(cell))
		return 0;
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);
		uint64_t sgi_frame = gicv3_gicr_of_cpu((unsigned int)cpu) + GICR_SGI_FRAME_OFFSET;
		int err = stage2_map_region(cell->id, sgi_frame, sgi_frame, GICR_SGI_FRAME_OFFSET,
					    BH_MEM_READ | BH_MEM_WRITE | BH_MEM_DEVICE);

		if (err)
			return err;
	}
	return 0;
}

/* The SGI frames mapped above lie in the redistributor region. */
void arch_direct_reserved_range(uint64_t *base, uint64_t *size_bytes)
{
	gicv3_gicr_region(base, size_bytes);
}

extern char _start[], _end[];

/* The GIC's frames, then the running image (EL2 runs identity-mapped: VA = PA). */
int arch_owned_ranges(struct config_owned_range *out, unsigned int max)
{
	const struct config_owned_range *gic;
	unsigned int count = gicv3_owned_ranges(&gic);

	if (count + 1 > max)
		return -BH_E2BIG;
	for (unsigned int i = 0; i < count; i++)
		out[i] = gic[i];
	out[count].base = (uintptr_t)_start;
	out[count].size_bytes = (uintptr_t)_end - (uintptr_t)_start;
	out[count].what = "the hypervisor image";
	return (int)count + 1;
}

uint64_t arch_hv_phys(const void *object)
{
	return (uint64_t)(uintptr_t)object; /* the hypervisor runs identity-mapped */
}

void arch_cell_fill_boot_info(const struct cell *cell, struct bh_boot_info *info)
{
	info->gicd_base = gicv3_gicd_base();
	for (uint32_t i = 0; i < cell->desc->cpu_count && i < BH_BOOTINFO_MAX_CPUS; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);

		info->cpu_gicr_base[i] = gicv3_gicr_of_cpu((unsigned int)cpu);
	}
}

noreturn_fn void arch_cpu_enter_cell(const struct cell *cell, uint64_t entry, uint64_t arg)
{
	unsigned int cpu = arch_cpu_this();

	if (!is_direct(cell)) {
		gicv3_take_cpu_interface();
		vgic_cpu_enter();
	} else {
		gicv3_trap_direct_deactivation(cell_name(cell), cpu);
	}
	write_sysreg(vttbr_el2, stage2_vttbr(cell->id));
	write_sysreg(vtcr_el2, stage2_vtcr());
	write_sysreg(hcr_el2, is_direct(cell) ? HCR_DIRECT : HCR_VIRTUAL);
	write_sysreg(cnthctl_el2, CNTHCTL_CELL);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(cntv_ctl_el0, 0); /* no timer armed by a previous run of the cell */
	write_sysreg(cptr_el2, CPTR_CELL);
	write_sysreg(mdcr_el2, pmu_counters() | (is_direct(cell) ? MDCR_DIRECT : MDCR_VIRTUAL));
	write_sysreg(vmpidr_el2, read_sysreg(mpidr_el1));
	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	write_sysreg(spsr_el2, SPSR_EL1H_MASKED);
	write_sysreg(elr_el2, entry);
	isb();
	__asm__ volatile("tlbi vmalls12e1\n dsb nsh\n ic iallu\n dsb nsh\n isb" ::: "memory");
	guest_eret(arg, (uintptr_t)hv_cpu_stacks + (uint64_t)(cpu + 1) * HV_STACK_SIZE);
}

void arch_cell_reset_interrupts(const struct cell *cell)
{
	for (uint32_t i = 0; i < cell->desc->irq_count; i++)
		gicv3_reset_spi(cell_irq(cell, i)->number, cell->desc->cpu_hwid[0]);
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);

		if (cpu < 0)
			continue;
		gicv3_reset_private((unsigned int)cpu);
		vgic_cpu_forget((unsigned int)cpu);
	}
}

void arch_cell_send_doorbell(const struct cell *cell, uint32_t number)
{
	int boot_cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[0]);

	if (is_direct(cell))
		gicv3_send_sgi(number, cell->desc->cpu_hwid[0]); /* the cell owns the interface */
	else if (boot_cpu >= 0)
		vgic_inject_sgi((unsigned int)boot_cpu, number);
}

void arch_cell_request_stop(const struct cell *cell)
{
	unsigned int self = arch_cpu_this();

	if (is_direct(cell)) {
		/* Cooperative: the cell's kernel answers the mailbox with BH_HC_MAILBOX_ACK. */
		struct bh_boot_info *info = cell->boot_info;

		if (info) {
			/* Cell memory (hv/guest_mem.h): in memory before the doorbell rings. */
			arch_cache_clean_inval_range(&info->mailbox, sizeof(info->mailbox));
			info->mailbox.command = BH_MAILBOX_STOP;
			__atomic_add_fetch(&info->mailbox.sequence, 1, __ATOMIC_RELEASE);
			arch_cache_clean_range(&info->mailbox, sizeof(info->mailbox));
			gicv3_send_sgi(BH_MAILBOX_DOORBELL_SGI, cell->desc->cpu_hwid[0]);
		}
		return;
	}
	/* Virtual mode: a kick traps the other CPUs to EL2, where they see the stop. */
	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		int cpu = cpu_map_cpu_of_hwid(cell->desc->cpu_hwid[i]);

		if (cpu >= 0 && (unsigned int)cpu != self &&
		    cpu_power_state((unsigned int)cpu) == CPU_POWER_ON)
			gicv3_send_sgi(GIC_HV_KICK_SGI, cell->desc->cpu_hwid[i]);
	}
}

void arch_cpu_wait_event(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

void arch_cpu_wake(unsigned int cpu)
{
	(void)cpu;
	__asm__ volatile("dsb ish\n sev" ::: "memory");
}
