/*
 * Host port: simulated CPUs, reschedule IPIs (queued, delivered in order by
 * host_sim_settle), idle, context switch as pure bookkeeping, panic.
 * Invariant: at most one simulated CPU executes kernel code at any time.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rt/sched.h>
#include <rt/spinlock.h>
#include <rtarch/cpu.h>
#include <rtarch/switch.h>
#include <rtarch/timer.h>

#include "host.h"

struct host_sim host_sim;

unsigned rtarch_cpu_id(void)
{
	return host_sim.cpu;
}

void rtarch_ipi_resched(unsigned cpu)
{
	host_sim.cycles++;
	if (host_sim.ipi_count >= sizeof(host_sim.ipi_queue))
		rtarch_panic("host: IPI queue overflow");
	host_sim.ipi_queue[host_sim.ipi_count++] = (uint8_t)cpu;
	host_sim.ipis_sent++;
	host_sim.ipi_targets_mask |= 1u << cpu;
}

void rtarch_idle(void)
{
	host_sim.idle_calls++;
}

void rtarch_cpu_relax(void)
{
	/* Single-threaded: whatever this CPU spins on (a lock, a thread another
	 * CPU still runs) is held by nobody who can run: on hardware, a deadlock. */
	rtarch_panic(
		"host: a CPU spins forever (lock already held, or thread still on another CPU)");
}

void rtarch_panic(const char *why)
{
	snprintf(host_sim.panic_msg, sizeof(host_sim.panic_msg), "%s", why);
	if (host_sim.panic_jmp)
		longjmp(*host_sim.panic_jmp, 1);
	fprintf(stderr, "rtcell panic: %s\n", why);
	abort();
}

void rtarch_context_switch(struct rt_thread *prev, struct rt_thread *next)
{
	(void)next;
	__atomic_store_n(&prev->on_cpu, 0, __ATOMIC_RELEASE);
	host_sim.cycles++;
	host_sim.context_switches++;
}

void rtarch_thread_setup(struct rt_thread *t)
{
	/* Host threads never run code of their own: the engine acts for them. */
	memset(t->arch_ctx, 0, sizeof(t->arch_ctx));
}

void host_sim_set_cpu(unsigned cpu)
{
	if (cpu >= host_sim.ncpus)
		rtarch_panic("host: no such CPU");
	host_sim.cpu = cpu;
}

void host_sim_reset(unsigned ncpus)
{
	jmp_buf *keep = host_sim.panic_jmp;

	memset(&host_sim, 0, sizeof(host_sim));
	host_sim.panic_jmp = keep;
	host_sim.ncpus = ncpus;
	for (unsigned i = 0; i < RT_MAX_CPUS; i++)
		host_sim.deadline_ns[i] = RT_TIME_NEVER;
	rt_kernel_init(ncpus);
}

void host_sim_run_irq(unsigned cpu, void (*fn)(void *ctx), void *ctx)
{
	unsigned saved_cpu = host_sim.cpu;
	bool saved_mask;

	host_sim_set_cpu(cpu);
	saved_mask = host_sim.masked[cpu];
	host_sim.masked[cpu] = true; /* exception entry masks */
	/* As the arm64 entry: the masked span starts at entry, ends at return.
	 * (An interrupt taken while masked is an engine shortcut: no new span.) */
	if (!saved_mask)
		rt_csection_irq_entry(RT_CSITE(RT_CSECTION_IRQOFF), rtarch_cycles());
	rt_irq_enter();
	fn(ctx);
	rt_irq_exit();
	if (!saved_mask)
		rt_csection_irq_return();
	host_sim.masked[cpu] = saved_mask;
	host_sim.cpu = saved_cpu;
}

static void ipi_handler(void *ctx)
{
	(void)ctx;
	rt_sched_ipi();
}

static bool deliver_one_ipi(void)
{
	if (host_sim.ipi_count == 0)
		return false;
	unsigned cpu = host_sim.ipi_queue[0];

	memmove(host_sim.ipi_queue, host_sim.ipi_queue + 1, --host_sim.ipi_count);
	host_sim_run_irq(cpu, ipi_handler, NULL);
	return true;
}

/* Host threads run no code of their own, except the kernel's PI workers: one
 * that is its CPU's current thread runs its round, in thread context. */
static bool run_one_pi_worker(void)
{
	static bool running[RT_MAX_CPUS]; /* a window inside its own walk settles too */

	for (unsigned c = 0; c < host_sim.ncpus; c++) {
		unsigned saved_cpu = host_sim.cpu;
		bool saved_mask = host_sim.masked[c];

		if (running[c] || rt_cpus[c].current != &rt_cpus[c].pi_worker)
			continue;
		running[c] = true;
		host_sim.cpu = c;
		host_sim.masked[c] = false;
		rt_pi_worker_run();
		host_sim.masked[c] = saved_mask;
		host_sim.cpu = saved_cpu;
		running[c] = false;
		return true;
	}
	return false;
}

void host_sim_settle(void)
{
	for (unsigned guard = 0; guard < 100000; guard++) {
		if (deliver_one_ipi() || host_sim_deliver_latched_line() ||
		    host_sim_fire_due_timer() || run_one_pi_worker())
			continue;
		return;
	}
	rtarch_panic("host: events never settle");
}
