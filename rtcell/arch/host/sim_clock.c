/*
 * Host port: the simulated clock (moves only when the engine advances it),
 * per-CPU one-shot timers, and a deterministic cycle counter (one unit per
 * arch hook call) for critical-section measurement.
 */
#include <rt/hrtimer.h>
#include <rt/sched.h>
#include <rtarch/timer.h>

#include "host.h"

uint64_t rtarch_now_ns(void)
{
	host_sim.cycles++;
	return host_sim.now_ns;
}

void rtarch_timer_program(uint64_t deadline_ns)
{
	host_sim.cycles++;
	host_sim.deadline_ns[host_sim.cpu] = deadline_ns;
}

uint64_t rtarch_cycles(void)
{
	return ++host_sim.cycles;
}

static void timer_irq(void *ctx)
{
	(void)ctx;
	rt_timer_interrupt();
}

/* Fires the earliest due one-shot (ties: lowest CPU). */
static bool fire_due_before(uint64_t limit)
{
	unsigned best = RT_MAX_CPUS;

	for (unsigned c = 0; c < host_sim.ncpus; c++)
		if (host_sim.deadline_ns[c] <= limit &&
		    (best == RT_MAX_CPUS || host_sim.deadline_ns[c] < host_sim.deadline_ns[best]))
			best = c;
	if (best == RT_MAX_CPUS)
		return false;
	if (host_sim.deadline_ns[best] > host_sim.now_ns)
		host_sim.now_ns = host_sim.deadline_ns[best];
	host_sim.deadline_ns[best] = RT_TIME_NEVER; /* one-shot */
	host_sim_run_irq(best, timer_irq, NULL);
	return true;
}

bool host_sim_fire_due_timer(void)
{
	return fire_due_before(host_sim.now_ns);
}

void host_sim_advance(uint64_t ns)
{
	uint64_t target = host_sim.now_ns + ns;

	host_sim_settle();
	while (fire_due_before(target))
		host_sim_settle();
	host_sim.now_ns = target;
}
