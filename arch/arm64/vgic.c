/*
 * Virtual GICv3 list-register handling (arm64/vgic.h).
 *
 * Protocol for an interrupt reaching a virtual-mode CPU:
 *  1. EL2 acknowledges it (ICC_IAR1_EL1). EL2 runs with EOImode = 1, so
 *     ICC_EOIR1_EL1 only drops the running priority.
 *  2. SGIs 14 (hypervisor kick) and the maintenance PPI are the hypervisor's:
 *     priority drop and deactivate (ICC_DIR_EL1) at once.
 *  3. Anything else the cell owns is marked pending for this CPU with its
 *     physical INTID; vgic_flush() writes it into a free list register with
 *     HW = 1, so the cell's deactivation of the virtual interrupt deactivates
 *     the physical one. No re-trigger can happen until then.
 *  4. Emulated SGIs from another CPU of the cell are marked pending on the
 *     target (atomic bit set) and the target is kicked with SGI 14.
 *  5. When more is pending than list registers are free, ICH_HCR_EL2.UIE asks
 *     for a maintenance interrupt once at most one list register is in use.
 */
#include <aarch64/sysreg.h>
#include <arch/arch_cpu.h>
#include <arm64/gicv3.h>
#include <arm64/trap_config.h>
#include <arm64/vgic.h>
#include <hv/cpu_map.h>
#include <hv/platform.h>
#include <hv/stats.h>

#define ICH_LR_PENDING (1ull << 62)
#define ICH_LR_HW (1ull << 61)
#define ICH_LR_GROUP1 (1ull << 60)
#define ICH_LR_PRIORITY(p) ((uint64_t)(p) << 48)
#define ICH_LR_PINTID(i) ((uint64_t)(i) << 32)
#define ICC_CTLR_EOIMODE (1ull << 1)
#define VIRTUAL_PRIORITY 0xa0u
#define SPURIOUS 1020u
#define SGI_COUNT 16u

struct vgic_cpu {
	/* Pending virtual INTIDs not yet in a list register; bit set from any CPU. */
	uint64_t pending[GIC_INTID_LIMIT / 64 + 1];
	/* INTIDs whose physical interrupt is active and linked (HW = 1). */
	uint64_t hw[GIC_INTID_LIMIT / 64 + 1];
};

static struct vgic_cpu vgic_cpus[HV_MAX_CPUS];

static uint64_t read_lr(unsigned int n)
{
	switch (n) {
	case 0:
		return read_sysreg(ich_lr0_el2);
	case 1:
		return read_sysreg(ich_lr1_el2);
	case 2:
		return read_sysreg(ich_lr2_el2);
	default:
		return read_sysreg(ich_lr3_el2);
	}
}

static void write_lr(unsigned int n, uint64_t value)
{
	switch (n) {
	case 0:
		write_sysreg(ich_lr0_el2, value);
		break;
	case 1:
		write_sysreg(ich_lr1_el2, value);
		break;
	case 2:
		write_sysreg(ich_lr2_el2, value);
		break;
	default:
		write_sysreg(ich_lr3_el2, value);
		break;
	}
}

/* Number of list registers used (at most 4: the ones read_lr/write_lr reach). */
static unsigned int lr_count(void)
{
	unsigned int n = (unsigned int)(read_sysreg(ich_vtr_el2) & 0x1f) + 1;

	return n > 4 ? 4 : n;
}

void vgic_cpu_enter(void)
{
	for (unsigned int i = 0; i < lr_count(); i++)
		write_lr(i, 0);
	/* EL2 priority drop and deactivation become separate steps (protocol step 1). */
	write_sysreg(icc_ctlr_el1, read_sysreg(icc_ctlr_el1) | ICC_CTLR_EOIMODE);
	write_sysreg(ich_vmcr_el2, 0); /* the cell sets its own */
	write_sysreg(ich_hcr_el2, ICH_HCR_VIRTUAL);
	isb();
}

void vgic_cpu_forget(unsigned int cpu)
{
	struct vgic_cpu *v = &vgic_cpus[cpu];

	for (unsigned int word = 0; word < ARRAY_SIZE(v->pending); word++) {
		__atomic_store_n(&v->pending[word], 0, __ATOMIC_RELAXED);
		__atomic_store_n(&v->hw[word], 0, __ATOMIC_RELAXED);
	}
}

static void mark_pending(unsigned int cpu, uint32_t intid, bool hw)
{
	struct vgic_cpu *v = &vgic_cpus[cpu];

	if (hw)
		__atomic_fetch_or(&v->hw[intid / 64], 1ull << (intid % 64), __ATOMIC_RELAXED);
	__atomic_fetch_or(&v->pending[intid / 64], 1ull << (intid % 64), __ATOMIC_RELEASE);
}

static bool lr_holds(uint32_t intid)
{
	for (unsigned int i = 0; i < lr_count(); i++) {
		uint64_t lr = read_lr(i);

		if ((lr & (3ull << 62)) && (uint32_t)lr == intid)
			return true;
	}
	return false;
}

void vgic_flush(unsigned int cpu)
{
	struct vgic_cpu *v = &vgic_cpus[cpu];
	uint64_t empty = read_sysreg(ich_elrsr_el2); /* 1 = list register free */
	bool left_over = false;

	for (unsigned int word = 0; word < ARRAY_SIZE(v->pending); word++) {
		uint64_t bits = __atomic_load_n(&v->pending[word], __ATOMIC_ACQUIRE);

		while (bits) {
			uint32_t bit = (uint32_t)__builtin_ctzll(bits);
			uint32_t intid = word * 64 + bit;
			unsigned int lr = empty ? (unsigned int)__builtin_ctzll(empty) : 64;

			bits &= bits - 1;
			if (lr_holds(intid))
				continue; /* still in a list register: it stays pending until it
					     drains */
			if (lr >= lr_count()) {
				left_over = true;
				break;
			}
			bool hw =
				__atomic_fetch_and(&v->hw[word], ~(1ull << bit), __ATOMIC_RELAXED) &
				(1ull << bit);
			uint64_t value = ICH_LR_PENDING | ICH_LR_GROUP1 |
					 ICH_LR_PRIORITY(VIRTUAL_PRIORITY) | intid;

			if (hw)
				value |= ICH_LR_HW | ICH_LR_PINTID(intid);
			write_lr(lr, value);
			empty &= ~(1ull << lr);
			__atomic_fetch_and(&v->pending[word], ~(1ull << bit), __ATOMIC_RELAXED);
		}
	}
	write_sysreg(ich_hcr_el2, ICH_HCR_VIRTUAL | (left_over ? ICH_HCR_UIE : 0));
	isb();
}

static void deactivate_now(uint32_t intid)
{
	write_sysreg(icc_eoir1_el1, intid); /* priority drop */
	write_sysreg(icc_dir_el1, intid); /* deactivate */
	isb();
}

void vgic_handle_irq(struct cell *cell, unsigned int cpu)
{
	uint32_t intid = (uint32_t)(read_sysreg(icc_iar1_el1) & 0xffffff);

	stats_count_entry(cpu, BH_ENTRY_IRQ);
	if (intid >= SPURIOUS)
		return;
	if (intid == GIC_HV_KICK_SGI || intid == GIC_MAINTENANCE_PPI || intid < SGI_COUNT) {
		/* Ours (kick, maintenance) or a stray physical SGI: nothing to inject. */
		deactivate_now(intid);
		return;
	}
	if (intid >= GIC_INTID_SPI_FIRST && gicv3_owner(intid) != (int)cell->id) {
		deactivate_now(intid); /* not the cell's: never reaches it */
		return;
	}
	write_sysreg(icc_eoir1_el1, intid); /* priority drop; the cell deactivates (HW = 1) */
	isb();
	mark_pending(cpu, intid, true);
}

void vgic_inject_sgi(unsigned int cpu, uint32_t intid)
{
	mark_pending(cpu, intid, false);
	if (cpu != arch_cpu_this())
		gicv3_send_sgi(GIC_HV_KICK_SGI, cpu_map_hwid(cpu));
}

void vgic_send_sgi(struct cell *cell, unsigned int cpu, uint64_t sgi1r)
{
	uint32_t intid = (uint32_t)(sgi1r >> 24) & 0xf;
	bool all_but_self = sgi1r & (1ull << 40);
	uint64_t aff = ((sgi1r >> 48) & 0xff) << 32 | ((sgi1r >> 32) & 0xff) << 16 |
		       ((sgi1r >> 16) & 0xff) << 8 | ((sgi1r >> 44) & 0xf) << 4;

	for (uint32_t i = 0; i < cell->desc->cpu_count; i++) {
		uint64_t mpidr = cell->desc->cpu_hwid[i];
		int target = cpu_map_cpu_of_hwid(mpidr);
		bool chosen;

		if (target < 0)
			continue;
		if (all_but_self)
			chosen = (unsigned int)target != cpu;
		else
			chosen = (mpidr & ~0xfull) == aff && (sgi1r & (1ull << (mpidr & 0xf)));
		if (!chosen)
			continue;
		mark_pending((unsigned int)target, intid, false);
		if ((unsigned int)target != cpu)
			gicv3_send_sgi(GIC_HV_KICK_SGI, mpidr);
	}
	/* Targets outside the cell matched nothing above: dropped (docs/design.md, I3). */
}
