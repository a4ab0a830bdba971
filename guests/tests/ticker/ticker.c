/*
 * ticker: a direct (realtime) cell that takes TICKER_INTERRUPTS one-shot
 * EL1 physical timer interrupts 100 us apart on each of its CPUs and reports
 * how often each CPU entered the hypervisor meanwhile (docs/design.md, I4: zero).
 * Limit: a CPU whose interrupts never arrive waits in WFI until the harness's timeout.
 */
#include <guest/console.h>
#include <guest/gicv3.h>
#include <guest/hypercall.h>
#include <guest/psci.h>
#include <guest/runtime.h>
#include <guest/timer.h>
#include <lib/format.h>

#ifndef TICKER_INTERRUPTS
#define TICKER_INTERRUPTS 10000
#endif
#define TICKER_PERIOD_US 100
#define TICKER_IRQ_PRIORITY 0xa0
/* Enabled only to count SGIs that other cells aim at us (hostile.c sends it). */
#define TICKER_SENTINEL_SGI 15
/* How long the boot CPU waits for another CPU to check in. */
#define TICKER_CPU_START_TIMEOUT_US 1000000

enum cpu_phase { PHASE_OFF = 0, PHASE_IDENTIFIED = 1, PHASE_DONE = 2 };

/*
 * Written only by its own CPU (the IRQ handler runs there too) until phase
 * becomes PHASE_DONE; read by the boot CPU after that.
 */
struct ticker_cpu {
	volatile uint32_t phase;
	int logical_cpu;
	volatile uint64_t interrupts;
	uint64_t sentinel_sgis;
	uint64_t doorbells; /* the first channel's doorbell SGI, if it has one */
	uint64_t spurious;
	uint64_t unexpected;
	uint32_t last_unexpected_intid;
	uint64_t max_late_ticks;
	bool timed_out;
	int64_t stats_before_result;
	int64_t stats_after_result;
	struct bh_cpu_stats before;
	struct bh_cpu_stats after;
};

static struct ticker_cpu cpus[GUEST_MAX_CPUS];
static volatile uint32_t window_go;
static uint64_t period_ticks;

/* The SGI of the cell's first channel with a doorbell, or 1024 (no such id) if none. */
static uint32_t doorbell_sgi(void)
{
	const struct bh_boot_info *info = guest_boot_info();

	for (uint32_t i = 0; i < info->channel_count; i++)
		if (info->channels[i].doorbell_intid < 16)
			return info->channels[i].doorbell_intid;
	return 1024;
}

static uint64_t us_to_ticks(uint64_t us)
{
	return timer_frequency_hz() * us / 1000000;
}

static void ticker_irq(struct exception_frame *frame)
{
	struct ticker_cpu *me = &cpus[guest_cpu_index()];
	uint32_t iar = gic_acknowledge();
	uint32_t intid = iar & GIC_INTID_MASK;

	(void)frame;
	if (intid >= 1020) {
		/* Spurious/special ids: nothing was acknowledged, so no EOI. */
		me->spurious++;
		return;
	}
	if (intid == TIMER_EL1_PHYS_INTID) {
		uint64_t now = timer_now_ticks();
		uint64_t late = now - timer_deadline_ticks();

		if (late > me->max_late_ticks)
			me->max_late_ticks = late;
		me->interrupts++;
		/* Re-arm (or stop) before EOI: the timer is level-triggered. */
		if (me->interrupts < TICKER_INTERRUPTS)
			timer_arm_at(now + period_ticks);
		else
			timer_stop();
	} else if (intid == TICKER_SENTINEL_SGI) {
		me->sentinel_sgis++;
	} else if (intid == doorbell_sgi()) {
		me->doorbells++;
	} else {
		me->unexpected++;
		me->last_unexpected_intid = intid;
		/* Nothing else is ours to take: keep a stuck one from storming. */
		if (intid < 32)
			mmio_write32(guest_boot_info()->cpu_gicr_base[guest_cpu_index()] +
					     GICR_SGI_FRAME_OFFSET + GICR_ICENABLER0,
				     1u << intid);
	}
	gic_end_of_interrupt(iar);
}

/* The measured window of one CPU: everything between the two stats reads. */
static void run_window(unsigned int index)
{
	struct ticker_cpu *me = &cpus[index];
	uint64_t sgi_frame = guest_boot_info()->cpu_gicr_base[index] + GICR_SGI_FRAME_OFFSET;

	gic_cpu_interface_enable();
	gic_local_irq_enable(sgi_frame, TIMER_EL1_PHYS_INTID, TICKER_IRQ_PRIORITY);
	gic_local_irq_enable(sgi_frame, TICKER_SENTINEL_SGI, TICKER_IRQ_PRIORITY);
	if (doorbell_sgi() < 16)
		gic_local_irq_enable(sgi_frame, doorbell_sgi(), TICKER_IRQ_PRIORITY);

	uint64_t give_up =
		timer_now_ticks() + 20 * TICKER_INTERRUPTS * period_ticks + us_to_ticks(2000000);

	me->stats_before_result = bh_cpu_stats((uint32_t)me->logical_cpu, &me->before);
	timer_arm_at(timer_now_ticks() + period_ticks);
	irq_unmask();
	while (me->interrupts < TICKER_INTERRUPTS) {
		if (timer_now_ticks() > give_up) {
			me->timed_out = true;
			break;
		}
		wait_for_interrupt();
	}
	irq_mask();
	timer_stop();
	me->stats_after_result = bh_cpu_stats((uint32_t)me->logical_cpu, &me->after);
}

static void secondary_main(unsigned int index)
{
	struct ticker_cpu *me = &cpus[index];

	/* The boot CPU makes no hypercalls until we check in (the probe needs that). */
	me->logical_cpu = guest_find_own_logical_cpu(guest_boot_info()->cell_id);
	dmb_ish();
	me->phase = PHASE_IDENTIFIED;
	while (!window_go)
		;
	dmb_ish();
	if (me->logical_cpu >= 0)
		run_window(index);
	dmb_ish();
	me->phase = PHASE_DONE;
}

static bool wait_for_phase(unsigned int index, uint32_t phase, uint64_t timeout_ticks)
{
	uint64_t give_up = timer_now_ticks() + timeout_ticks;

	while (cpus[index].phase < phase) {
		if (timer_now_ticks() > give_up)
			return false;
	}
	dmb_ish();
	return true;
}

/* Returns whether this CPU passed (all interrupts taken). */
static bool report_cpu(const struct bh_boot_info *info, unsigned int index)
{
	static const char *const reason_names[] = BH_ENTRY_REASON_NAMES;
	const struct ticker_cpu *me = &cpus[index];

	if (me->stats_before_result < 0 || me->stats_after_result < 0) {
		int64_t failed = me->stats_before_result < 0 ? me->stats_before_result
							     : me->stats_after_result;

		console_printf("ticker: interrupts=%lu window_entries=unknown cpu=%u mpidr=0x%lx "
			       "logical=%d (BH_HC_CPU_STATS returned %ld / %ld: %s)\n",
			       me->interrupts, index, info->cpu_mpidr[index], me->logical_cpu,
			       me->stats_before_result, me->stats_after_result,
			       bh_hypercall_strerror(failed));
	} else {
		/* The closing stats read is itself one hypercall entry. */
		uint64_t window_entries = me->after.entries_total - me->before.entries_total - 1;
		char deltas[CONSOLE_LINE_MAX];
		int len = 0;

		console_printf("ticker: interrupts=%lu window_entries=%lu cpu=%u mpidr=0x%lx "
			       "logical=%d max_late_ticks=%lu sgi%u=%lu doorbells=%lu spurious=%lu "
			       "unexpected=%lu%s\n",
			       me->interrupts, window_entries, index, info->cpu_mpidr[index],
			       me->logical_cpu, me->max_late_ticks, TICKER_SENTINEL_SGI,
			       me->sentinel_sgis, me->doorbells, me->spurious, me->unexpected,
			       me->timed_out ? " timed-out" : "");
		for (unsigned int r = 0; r < BH_ENTRY_REASONS && (size_t)len < sizeof(deltas);
		     r++) {
			uint64_t delta = me->after.entries[r] - me->before.entries[r];

			if (r == BH_ENTRY_HYPERCALL)
				delta -= 1;
			len += format_snprintf(deltas + len, sizeof(deltas) - (size_t)len,
					       " %s=%lu", reason_names[r], delta);
		}
		console_printf("ticker: cpu=%u deltas:%s\n", index, deltas);
		if (me->unexpected)
			console_printf("ticker: cpu=%u last unexpected intid %u\n", index,
				       me->last_unexpected_intid);
	}
	return me->interrupts == TICKER_INTERRUPTS;
}

#ifdef TICKER_ATTACK_DIR
/*
 * ticker-dir only, after the windows: ICC_DIR_EL1 of its own timer PPI (inactive: no effect)
 * and of `foreign`, an SPI of another cell. As a direct cell the ticker owns its CPU interface,
 * so only the hypervisor's trap (ICH_HCR_EL2.TDIR) stands between this write and another
 * cell's interrupt; the test reads the hypervisor's answer on the console.
 */
static void attack_deactivation(uint32_t foreign)
{
	__asm__ volatile("msr icc_dir_el1, %0\n isb"
			 :
			 : "r"((uint64_t)TIMER_EL1_PHYS_INTID)
			 : "memory");
	console_printf("ticker: ICC_DIR_EL1 of its own INTID %u written\n", TIMER_EL1_PHYS_INTID);
	__asm__ volatile("msr icc_dir_el1, %0\n isb" : : "r"((uint64_t)foreign) : "memory");
	console_printf("ticker: ICC_DIR_EL1 of foreign INTID %u written\n", foreign);
}

#endif
int guest_main(const struct bh_boot_info *info)
{
	bool passed = true;

	period_ticks = us_to_ticks(TICKER_PERIOD_US);
	if (period_ticks == 0)
		period_ticks = 1;
	console_printf("ticker: cpus=%u interrupts_per_cpu=%u period_us=%u period_ticks=%lu "
		       "cntfrq=%lu%s\n",
		       info->cpu_count, TICKER_INTERRUPTS, TICKER_PERIOD_US, period_ticks,
		       timer_frequency_hz(),
		       (info->flags & BH_BOOT_REALTIME) ? " realtime" : " NOT-realtime");
	guest_set_irq_handler(ticker_irq);

	cpus[0].logical_cpu = guest_find_own_logical_cpu(info->cell_id);
	cpus[0].phase = PHASE_IDENTIFIED;

	/* One CPU at a time: its logical-CPU probe needs the others quiet. */
	uint32_t started = 1;

	for (uint32_t i = 1; i < info->cpu_count; i++) {
		int64_t result = guest_start_cpu(i, secondary_main);

		if (result != PSCI_SUCCESS) {
			console_printf("ticker: cpu=%u mpidr=0x%lx: PSCI CPU_ON returned %ld\n", i,
				       info->cpu_mpidr[i], result);
			passed = false;
			break;
		}
		if (!wait_for_phase(i, PHASE_IDENTIFIED,
				    us_to_ticks(TICKER_CPU_START_TIMEOUT_US))) {
			/* It may still be probing: any hypercall now could confuse it, so stop. */
			console_printf("ticker: cpu=%u mpidr=0x%lx: started but never checked in\n",
				       i, info->cpu_mpidr[i]);
			return 1;
		}
		started++;
	}
	for (uint32_t i = 0; i < started; i++) {
		console_printf("ticker: cpu=%u mpidr=0x%lx logical=%d\n", i, info->cpu_mpidr[i],
			       cpus[i].logical_cpu);
		if (cpus[i].logical_cpu < 0) {
			console_printf("ticker: cpu=%u: cannot tell its logical CPU number\n", i);
			passed = false;
		}
	}

	dmb_ish();
	window_go = 1;
	if (cpus[0].logical_cpu >= 0)
		run_window(0);
	cpus[0].phase = PHASE_DONE;

	for (uint32_t i = 1; i < started; i++) {
		uint64_t window_ticks =
			20 * TICKER_INTERRUPTS * period_ticks + us_to_ticks(4000000);

		if (!wait_for_phase(i, PHASE_DONE, window_ticks)) {
			console_printf(
				"ticker: cpu=%u: window never finished (interrupts so far %lu)\n",
				i, cpus[i].interrupts);
			passed = false;
		}
	}
	for (uint32_t i = 0; i < started; i++) {
		if (cpus[i].phase == PHASE_DONE && cpus[i].logical_cpu >= 0 && !report_cpu(info, i))
			passed = false;
	}
#ifdef TICKER_ATTACK_DIR
	attack_deactivation(TICKER_ATTACK_DIR);
#endif
	console_printf("ticker: done, exit %d\n", passed ? 0 : 1);
	return passed ? 0 : 1;
}
