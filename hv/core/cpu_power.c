/*
 * CPU power handoff (hv/cpu_power.h). Protocol, per CPU:
 *  1. OFF: the CPU waits in cpu_power_off_self() for `state` to become ON_PENDING.
 *  2. A CPU of the same cell publishes entry/arg, then moves OFF -> ON_PENDING
 *     with a compare-and-swap (so two requests cannot both win) and wakes it.
 *  3. The target sees ON_PENDING (acquire: entry/arg are visible), marks itself
 *     ON and enters its cell.
 *  4. While its cell restarts (hv/cell_restart.h), a request of the previous
 *     run is taken back: ON_PENDING -> OFF, by the target or the restarter.
 *  A CPU leaving its cell moves ON -> OFF with a compare-and-swap, never a
 *  plain store: a CPU that has not entered its cell yet is already OFF (or
 *  ON_PENDING, if its cell asked for it early), and that request must not be
 *  overwritten.
 * Ownership checks (same cell) are the caller's job (PSCI emulation).
 */
#include <arch/arch_cell.h>
#include <arch/arch_cpu.h>
#include <bulkhead/errno.h>
#include <hv/cell.h>
#include <hv/cpu_power.h>
#include <hv/platform.h>

struct cpu_power {
	int state;
	uint64_t entry;
	uint64_t arg;
};

static struct cpu_power power[HV_MAX_CPUS];

int cpu_power_request_on(unsigned int cpu, uint64_t entry, uint64_t arg)
{
	struct cpu_power *p = &power[cpu];
	int expected = CPU_POWER_OFF;

	if (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != CPU_POWER_OFF)
		return -BH_EBUSY;
	p->entry = entry;
	p->arg = arg;
	if (!__atomic_compare_exchange_n(&p->state, &expected, CPU_POWER_ON_PENDING, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED))
		return -BH_EBUSY;
	arch_cpu_wake(cpu);
	return 0;
}

int cpu_power_state(unsigned int cpu)
{
	return __atomic_load_n(&power[cpu].state, __ATOMIC_ACQUIRE);
}

void cpu_power_mark_on(unsigned int cpu)
{
	__atomic_store_n(&power[cpu].state, CPU_POWER_ON, __ATOMIC_RELEASE);
}

noreturn_fn void cpu_power_off_self(unsigned int cpu)
{
	struct cpu_power *p = &power[cpu];
	struct cell *cell = cell_of_cpu(cpu);

	int running = CPU_POWER_ON;

	__atomic_compare_exchange_n(&p->state, &running, CPU_POWER_OFF, false, __ATOMIC_RELEASE,
				    __ATOMIC_RELAXED);
	/* A stopped cell's CPUs never come back: park (WFI halts an emulated CPU, WFE may not). */
	if (!cell || __atomic_load_n(&cell->state, __ATOMIC_ACQUIRE) == CELL_STOPPED)
		arch_cpu_park();
	for (;;) {
		while (__atomic_load_n(&p->state, __ATOMIC_ACQUIRE) != CPU_POWER_ON_PENDING &&
		       __atomic_load_n(&cell->state, __ATOMIC_ACQUIRE) != CELL_STOPPED)
			arch_cpu_wait_event();
		int state = __atomic_load_n(&cell->state, __ATOMIC_ACQUIRE);

		if (state == CELL_RUNNING)
			break;
		if (state != CELL_RESTARTING)
			arch_cpu_park();
		/* A start asked for by the cell's previous run: not for the next one. */
		cpu_power_cancel_pending(cpu);
	}
	cpu_power_mark_on(cpu);
	arch_cpu_enter_cell(cell, p->entry, p->arg);
}

void cpu_power_cancel_pending(unsigned int cpu)
{
	int pending = CPU_POWER_ON_PENDING;

	__atomic_compare_exchange_n(&power[cpu].state, &pending, CPU_POWER_OFF, false,
				    __ATOMIC_ACQ_REL, __ATOMIC_RELAXED);
}
