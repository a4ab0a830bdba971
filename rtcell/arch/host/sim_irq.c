/*
 * Host port: local interrupt masking per simulated CPU, injection points, and
 * a GICv3-like line model: a line is delivered only when inactive; a raise
 * while active is latched and delivered after deactivation (EOImode=1).
 */
#include <rt/irq.h>
#include <rt/sched.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>

#include "host.h"

unsigned long rtarch_irq_save(void)
{
	bool was = host_sim.masked[host_sim.cpu];

	host_sim.cycles++;
	host_sim.masked[host_sim.cpu] = true;
	return was;
}

void rtarch_irq_restore(unsigned long flags)
{
	host_sim.cycles++;
	host_sim.masked[host_sim.cpu] = flags != 0;
}

bool rtarch_irqs_disabled(void)
{
	return host_sim.masked[host_sim.cpu];
}

bool rtarch_irq_flags_masked(unsigned long flags)
{
	return flags != 0;
}

void rtarch_irq_window(void)
{
	host_sim.cycles++;
	if (host_sim.masked[host_sim.cpu] || host_sim.window_at == 0)
		return;
	if (++host_sim.window_count == host_sim.window_at) {
		void (*fn)(void *) = host_sim.window_fn;

		host_sim.window_at = 0;
		fn(host_sim.window_ctx);
	}
}

void host_sim_inject_at_window(unsigned nth, void (*fn)(void *ctx), void *ctx)
{
	host_sim.window_count = 0;
	host_sim.window_at = nth;
	host_sim.window_fn = fn;
	host_sim.window_ctx = ctx;
}

void rtarch_irq_line_enable(unsigned irq, unsigned cpu)
{
	host_sim.line_enabled[irq] = true;
	host_sim.line_cpu[irq] = (uint8_t)cpu;
}

void rtarch_irq_priority_drop(unsigned irq)
{
	if (host_sim.line_state[irq] != HOST_LINE_ACTIVE)
		rtarch_panic("host: priority drop of a line that is not active");
	host_sim.line_state[irq] = HOST_LINE_DROPPED;
	host_sim.line_drops[irq]++;
}

void rtarch_irq_deactivate(unsigned irq)
{
	if (host_sim.line_state[irq] != HOST_LINE_DROPPED)
		rtarch_panic("host: deactivate of a line whose priority was not dropped");
	host_sim.line_state[irq] = HOST_LINE_INACTIVE;
	host_sim.line_deactivates[irq]++;
}

static void dispatch(void *ctx)
{
	rt_irq_dispatch((unsigned)(uintptr_t)ctx);
}

static void deliver(unsigned irq)
{
	host_sim.line_state[irq] = HOST_LINE_ACTIVE;
	host_sim_run_irq(host_sim.line_cpu[irq], dispatch, (void *)(uintptr_t)irq);
}

void host_sim_raise(unsigned irq)
{
	if (irq >= RT_MAX_IRQS || !host_sim.line_enabled[irq])
		return;
	if (host_sim.line_state[irq] != HOST_LINE_INACTIVE)
		host_sim.line_latched[irq] = true;
	else
		deliver(irq);
}

bool host_sim_deliver_latched_line(void)
{
	for (unsigned irq = 0; irq < RT_MAX_IRQS; irq++) {
		if (host_sim.line_latched[irq] && host_sim.line_state[irq] == HOST_LINE_INACTIVE) {
			host_sim.line_latched[irq] = false;
			deliver(irq);
			return true;
		}
	}
	return false;
}
