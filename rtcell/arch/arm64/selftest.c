/*
 * Boot self-test of the bare kernel (not an app): PI boost across CPUs with a
 * cross-CPU hand-off (SGI), sleeps on the one-shot timer, a periodic thread
 * measuring its wake-up lateness. Prints markers and exits via semihosting:
 * "rtcell: selftest passed" and code 0, or a panic and a non-zero code.
 */
#include <rt/kernel.h>

#include <rtarch/platform.h>

#include "arm64.h"

#define STACK 16384
#define PERIODS 20
#define PERIOD_NS 1000000ull

#define TEST_SGI 1 /* an SGI stands in for a device line */

static uint8_t stacks[6][STACK] __attribute__((aligned(16)));
static struct rt_thread low, high, periodic, control, irq_thread, mover;
static struct rt_irq_desc test_irq;
static unsigned irq_handled_on = ~0u;
static unsigned mover_cpus[3];
static struct rt_mutex m;
static struct rt_sem done, low_holds;
static unsigned low_boosted_to, low_after_unlock;
static uint64_t high_waited_ns, lat_min = ~0ull, lat_max, lat_sum;
static int overruns;

static void low_main(void *arg)
{
	(void)arg;
	rt_mutex_lock(&m);
	rt_sem_give(&low_holds);
	/* Wait (sleeping, so timers and SGIs run) until high blocks on m from
	 * cpu1: emulated CPUs run at unrelated speeds, so no fixed delay. */
	for (int i = 0; i < 10000 && rt_waitq_empty(&m.waiters); i++)
		rt_sleep(PERIOD_NS / 10);
	low_boosted_to = rt_thread_self()->prio;
	rt_mutex_unlock(&m); /* hand-off to high: SGI to cpu1 */
	low_after_unlock = rt_thread_self()->prio;
	rt_sem_give(&done);
}

static void high_main(void *arg)
{
	uint64_t t0;

	(void)arg;
	rt_sem_take(&low_holds, RT_FOREVER);
	t0 = rt_now_ns();
	rt_mutex_lock(&m);
	high_waited_ns = rt_now_ns() - t0;
	rt_mutex_unlock(&m);
	rt_sem_give(&done);
}

static void periodic_main(void *arg)
{
	(void)arg;
	rt_periodic_start(PERIOD_NS);
	for (int i = 0; i < PERIODS; i++) {
		uint64_t release = rt_thread_self()->next_release_ns;
		int ret = rt_periodic_wait();
		uint64_t late = rt_now_ns() - release;

		if (ret > 0)
			overruns += ret;
		if (late < lat_min)
			lat_min = late;
		if (late > lat_max)
			lat_max = late;
		lat_sum += late;
	}
	rt_sem_give(&done);
}

static void spawn(struct rt_thread *t, const char *name, unsigned prio, unsigned cpu,
		  void (*entry)(void *), unsigned slot)
{
	struct rt_thread_attr a = {
		.name = name,
		.prio = (uint8_t)prio,
		.cpu = (uint8_t)(cpu % rt_ncpus),
		.entry = entry,
		.stack = stacks[slot],
		.stack_size = STACK,
	};

	if (rt_thread_create(t, &a) || rt_thread_start(t))
		rtarch_panic("selftest: cannot start a thread");
}

static void irq_handler(void *arg)
{
	(void)arg;
	irq_handled_on = rtarch_cpu_id();
	rt_sem_give(&done);
}

/* Re-pins itself across CPUs under migrate-disable (on_cpu hand-over). */
static void mover_main(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < 3; i++) {
		rt_migrate_disable();
		rt_thread_set_cpu(rt_thread_self(), (i + 1) % rt_ncpus);
		mover_cpus[i] = rtarch_cpu_id(); /* still here: deferred */
		rt_migrate_enable(); /* moves now */
	}
	mover_cpus[2] = rtarch_cpu_id();
	rt_sem_give(&done);
}

static void control_main(void *arg)
{
	struct rt_csection_stat table[4];
	unsigned n;

	(void)arg;
	for (int i = 0; i < 3; i++)
		rt_sem_take(&done, RT_FOREVER);
	/* Threaded interrupt: the hard handler on cpu3 only drops the priority
	 * and wakes the handler thread, which deactivates the line when done. */
	struct rt_thread_attr irq_attr = {
		.name = "irq-sgi1",
		.prio = 60,
		.cpu = (uint8_t)(3 % rt_ncpus),
		.stack = stacks[4],
		.stack_size = STACK,
	};

	if (rt_irq_request_threaded(&test_irq, TEST_SGI, irq_handler, NULL, &irq_thread, &irq_attr))
		rtarch_panic("selftest: rt_irq_request_threaded");
	rt_arm64_gic_send_sgi(3 % rt_ncpus, TEST_SGI);
	rt_sem_take(&done, RT_FOREVER);
	rt_arm64_printf("rtcell: threaded irq: handled on cpu%u, %lu deliveries\n", irq_handled_on,
			(unsigned long)test_irq.handled);
	spawn(&mover, "mover", 20, 0, mover_main, 5);
	rt_sem_take(&done, RT_FOREVER);
	rt_arm64_printf("rtcell: migrate: ran on cpu%u then cpu%u, ended on cpu%u\n", mover_cpus[0],
			mover_cpus[1], mover_cpus[2]);
	rt_arm64_printf("rtcell: pi: low boosted to %u while holding, %u after unlock; "
			"high waited %lu us\n",
			low_boosted_to, low_after_unlock, (unsigned long)(high_waited_ns / 1000));
	rt_arm64_printf("rtcell: periodic: %d wakeups, lateness min %lu avg %lu max %lu ns, "
			"%d overruns\n",
			PERIODS, (unsigned long)lat_min, (unsigned long)(lat_sum / PERIODS),
			(unsigned long)lat_max, overruns);
	n = rt_csection_table(table, 4);
	for (unsigned i = 0; i < n; i++)
		rt_arm64_printf("rtcell: %s section %s:%u max %lu ticks, %lu times\n",
				table[i].kind == RT_CSECTION_IRQOFF ? "irq-off" : "preempt-off",
				table[i].func, table[i].line, (unsigned long)table[i].max_cycles,
				(unsigned long)table[i].count);
	if (low_boosted_to != 30 || low_after_unlock != 10 || test_irq.handled != 1 ||
	    irq_handled_on != 3 % rt_ncpus || mover_cpus[2] != 3 % rt_ncpus) {
		rt_arm64_printf("rtcell: selftest FAILED\n");
		rt_arm64_exit(1);
	}
	rt_arm64_printf("rtcell: selftest passed\n");
	rt_arm64_exit(0);
}

void rt_app_start(void)
{
	rt_mutex_init(&m, "selftest");
	rt_sem_init(&done, 0, 5);
	rt_sem_init(&low_holds, 0, 1);
	spawn(&control, "control", 5, 2, control_main, 0);
	spawn(&low, "low", 10, 0, low_main, 1);
	spawn(&high, "high", 30, 1, high_main, 2);
	spawn(&periodic, "periodic", 50, 3, periodic_main, 3);
}
