/*
 * pistress rounds, one group (low, medium, high, one rt_mutex) per CPU, all
 * three threads on that CPU. A round (low drives it):
 *   1. low locks the mutex and wakes high, which preempts it and blocks on
 *      the mutex: low is boosted to high's priority;
 *   2. low wakes medium, which must NOT run yet (low runs boosted above it),
 *      works while holding the lock, and unlocks: the lock goes to high;
 *   3. high records that it got the lock in this round, unlocks, waits;
 *   4. medium runs: if high has not had the lock in this round, medium ran
 *      while high waited behind a lower thread: an inversion (counted).
 * Also counted as an inversion: low not running at high's priority while
 * high waits. Limit: detects inversions on one CPU, not across CPUs.
 */
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "pistress.h"

#define STACK_BYTES 8192
#define HOLD_NS 20000ull /* low's work while holding the lock */
#define MEDIUM_WORK_NS 20000ull /* medium's work once it runs */
#define ROUND_GAP_NS 500000ull /* idle time between rounds */

struct pistress_group {
	struct rt_mutex lock;
	struct rt_sem go_high, go_medium, round_done;
	struct rt_thread low, medium, high;
	volatile uint64_t round; /* written by low only */
	volatile uint64_t high_round; /* round in which high last held the lock */
	uint64_t rounds;
	uint64_t inversions;
	uint64_t missing_boosts;
	volatile uint32_t stop; /* asked to stop: low ends after its current round */
	volatile uint32_t finished; /* low has ended: high and medium may return */
	uint8_t stacks[3][STACK_BYTES] __attribute__((aligned(16)));
};

static struct pistress_group groups[RT_MAX_CPUS];
static unsigned ngroups;
static struct rt_sem groups_done;

static void busy_for(uint64_t ns)
{
	uint64_t end = rt_now_ns() + ns;

	while (rt_now_ns() < end)
		;
}

static void low_main(void *arg)
{
	struct pistress_group *g = arg;

	while (!g->stop) {
		g->round++;
		rt_mutex_lock(&g->lock);
		rt_sem_give(&g->go_high); /* 1: high preempts us and blocks */
		if (rt_thread_self()->prio != PISTRESS_PRIO_HIGH)
			g->missing_boosts++;
		rt_sem_give(&g->go_medium); /* 2: must not preempt us now */
		busy_for(HOLD_NS);
		rt_mutex_unlock(&g->lock); /* hand-off to high */
		rt_sem_take(&g->round_done, RT_FOREVER);
		rt_sem_take(&g->round_done, RT_FOREVER);
		g->rounds++;
		rt_sleep(ROUND_GAP_NS);
	}
	/*
	 * Only now may high and medium leave: a stop seen by them mid-round would
	 * leave low waiting for their round_done for ever.
	 */
	g->finished = 1;
	rt_sem_give(&g->go_high);
	rt_sem_give(&g->go_medium);
	rt_sem_give(&groups_done);
}

static void high_main(void *arg)
{
	struct pistress_group *g = arg;

	for (;;) {
		rt_sem_take(&g->go_high, RT_FOREVER);
		if (g->finished)
			return;
		rt_mutex_lock(&g->lock); /* 3 */
		g->high_round = g->round;
		rt_mutex_unlock(&g->lock);
		rt_sem_give(&g->round_done);
	}
}

static void medium_main(void *arg)
{
	struct pistress_group *g = arg;

	for (;;) {
		rt_sem_take(&g->go_medium, RT_FOREVER);
		if (g->finished)
			return;
		if (g->high_round != g->round) { /* 4 */
			/* Counted always, described for the first few only. */
			if (g->inversions++ < 3)
				rt_printf("pistress: inversion on cpu%u in round %lu\n",
					  rtarch_cpu_id(), (unsigned long)g->round);
		}
		busy_for(MEDIUM_WORK_NS);
		rt_sem_give(&g->round_done);
	}
}

static int spawn(struct rt_thread *t, const char *name, unsigned prio, unsigned cpu,
		 void (*entry)(void *), struct pistress_group *g, uint8_t *stack)
{
	struct rt_thread_attr a = {
		.name = name,
		.prio = (uint8_t)prio,
		.cpu = (uint8_t)cpu,
		.entry = entry,
		.arg = g,
		.stack = stack,
		.stack_size = STACK_BYTES,
	};
	int ret = rt_thread_create(t, &a);

	return ret ? ret : rt_thread_start(t);
}

int pistress_start(unsigned ncpus)
{
	int ret = 0;

	ngroups = ncpus;
	rt_sem_init(&groups_done, 0, RT_MAX_CPUS);
	for (unsigned cpu = 0; cpu < ngroups && !ret; cpu++) {
		struct pistress_group *g = &groups[cpu];

		rt_mutex_init(&g->lock, "pistress");
		rt_sem_init(&g->go_high, 0, 2);
		rt_sem_init(&g->go_medium, 0, 2);
		rt_sem_init(&g->round_done, 0, 2);
		g->stop = 0;
		g->finished = 0;
		ret = spawn(&g->high, "pi-high", PISTRESS_PRIO_HIGH, cpu, high_main, g,
			    g->stacks[0]);
		if (!ret)
			ret = spawn(&g->medium, "pi-medium", PISTRESS_PRIO_MEDIUM, cpu, medium_main,
				    g, g->stacks[1]);
		if (!ret)
			ret = spawn(&g->low, "pi-low", PISTRESS_PRIO_LOW, cpu, low_main, g,
				    g->stacks[2]);
	}
	return ret;
}

void pistress_stop(void)
{
	for (unsigned i = 0; i < ngroups; i++)
		groups[i].stop = 1;
	for (unsigned i = 0; i < ngroups; i++)
		rt_sem_take(&groups_done, RT_FOREVER);
}

uint64_t pistress_rounds(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < ngroups; i++)
		n += groups[i].rounds;
	return n;
}

uint64_t pistress_inversions(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < ngroups; i++)
		n += groups[i].inversions + groups[i].missing_boosts;
	return n;
}

void pistress_report(void)
{
	for (unsigned i = 0; i < ngroups; i++)
		rt_printf("pistress: cpu=%u rounds=%lu inversions=%lu missing_boosts=%lu\n", i,
			  (unsigned long)groups[i].rounds, (unsigned long)groups[i].inversions,
			  (unsigned long)groups[i].missing_boosts);
	rt_printf("pistress: groups=%u rounds=%lu inversions=%lu\n", ngroups,
		  (unsigned long)pistress_rounds(), (unsigned long)pistress_inversions());
}
