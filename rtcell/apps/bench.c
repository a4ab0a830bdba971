/*
 * Path lengths of the kernel's hot paths on the fine clock (rtarch/
 * fineclock.h: instructions under QEMU -icount shift=0), the same image bare
 * and as a cell: timer interrupt -> hrtimer callback, timer interrupt ->
 * woken thread running, context switch, uncontended lock+unlock, contended
 * lock with a one-level boost. Everything runs on cell CPU 0; the other CPUs
 * must stay idle (the fine clock counts every CPU's instructions).
 */
#include <lib/strerror.h>
#include <rt/errno.h>
#include <rt/kernel.h>
#include <rtarch/fineclock.h>
#include <rtarch/platform.h>

/* The fine clock's RT_E* codes are Linux's numbers, as BH_E* are: bh_strerror names them. */
_Static_assert(RT_EINVAL == BH_EINVAL && RT_EAGAIN == BH_EAGAIN, "rt/errno.h and bulkhead/errno.h");

#define SAMPLES 200
#define STACK_BYTES 8192
#define TIMER_LEAD_NS 100000ull

struct series {
	const char *name;
	uint64_t n, min, max, sum;
};

static struct rt_thread main_thread, peer_a, peer_b, low, high;
static uint8_t stacks[5][STACK_BYTES] __attribute__((aligned(16)));
static struct rt_hrtimer probe_timer;
static volatile uint64_t probe_fine;
static uint64_t overhead;
static struct rt_sem done, high_go, round_done;
static struct rt_mutex lock;
static volatile uint64_t stamp;
static volatile int switches_left;
static struct series s_irq = { .name = "timer interrupt -> hrtimer callback" };
static struct series s_wake = { .name = "timer interrupt -> woken thread running" };
static struct series s_switch = { .name = "context switch (rt_yield to an equal peer)" };
static struct series s_lock = { .name = "rt_mutex lock+unlock, uncontended" };
static struct series s_boost = { .name = "contended lock -> owner running boosted" };
static struct series s_handoff = { .name = "unlock -> boosted waiter running with the lock" };

static void add(struct series *s, uint64_t v)
{
	v = v > overhead ? v - overhead : 0;
	if (!s->n || v < s->min)
		s->min = v;
	if (v > s->max)
		s->max = v;
	s->sum += v;
	s->n++;
}

static void report(const struct series *s)
{
	rt_printf("bench: %s: n=%lu min=%lu avg=%lu max=%lu\n", s->name, (unsigned long)s->n,
		  (unsigned long)s->min, (unsigned long)(s->n ? s->sum / s->n : 0),
		  (unsigned long)s->max);
}

static void probe_fn(struct rt_hrtimer *t)
{
	(void)t;
	probe_fine = rtarch_fine_clock();
}

static void spawn(struct rt_thread *t, const char *name, unsigned prio, void (*fn)(void *),
		  unsigned slot)
{
	struct rt_thread_attr a = {
		.name = name,
		.prio = (uint8_t)prio,
		.cpu = 0,
		.entry = fn,
		.stack = stacks[slot],
		.stack_size = STACK_BYTES,
	};

	if (rt_thread_create(t, &a) || rt_thread_start(t))
		rtarch_panic("bench: cannot start a thread");
}

/* Each peer measures from the other's stamp to its own return from rt_yield.
 * Skipped: the very first return (no stamp from the peer yet) and the return
 * after the peer has finished (stamp cleared: other threads ran between). */
static void peer_main(void *arg)
{
	(void)arg;
	while (switches_left > 0) {
		stamp = rtarch_fine_clock();
		rt_yield();
		if (switches_left-- < 2 * SAMPLES && stamp)
			add(&s_switch, rtarch_fine_clock() - stamp);
	}
	stamp = 0;
	rt_sem_give(&done);
}

static void high_main(void *arg)
{
	(void)arg;
	for (;;) {
		rt_sem_take(&high_go, RT_FOREVER);
		stamp = rtarch_fine_clock();
		rt_mutex_lock(&lock); /* blocks: boosts low, switches to it */
		add(&s_handoff, rtarch_fine_clock() - stamp);
		rt_mutex_unlock(&lock);
		rt_sem_give(&round_done);
	}
}

static void low_main(void *arg)
{
	(void)arg;
	for (unsigned i = 0; i < SAMPLES; i++) {
		rt_mutex_lock(&lock);
		rt_sem_give(&high_go); /* high runs, blocks on the lock */
		add(&s_boost, rtarch_fine_clock() - stamp);
		stamp = rtarch_fine_clock();
		rt_mutex_unlock(&lock); /* hand-off: high runs */
		rt_sem_take(&round_done, RT_FOREVER);
	}
	rt_sem_give(&done);
}

static void bench_main(void *arg)
{
	int ret = rtarch_fine_clock_init();
	uint64_t a, b;

	(void)arg;
	if (ret) {
		rt_printf("bench: no usable fine clock: %s\n", bh_strerror(ret));
		rtarch_exit(1);
	}
	a = rtarch_fine_clock();
	b = rtarch_fine_clock();
	overhead = b - a;
	rt_printf("bench: %s, fine clock read costs %lu\n",
		  rtarch_boot_info() ? "in a cell" : "bare", (unsigned long)overhead);

	rt_hrtimer_init(&probe_timer, probe_fn);
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t deadline = rt_now_ns() + TIMER_LEAD_NS;

		rt_hrtimer_start(&probe_timer, deadline);
		rt_sleep_until(deadline + TIMER_LEAD_NS); /* idle when it fires */
		add(&s_irq, probe_fine - rtarch_fine_clock_of_deadline(deadline) + overhead);
	}
	for (unsigned i = 0; i < SAMPLES; i++) {
		uint64_t deadline = rt_now_ns() + TIMER_LEAD_NS;

		rt_sleep_until(deadline);
		add(&s_wake,
		    rtarch_fine_clock() - rtarch_fine_clock_of_deadline(deadline) + overhead);
	}
	for (unsigned i = 0; i < SAMPLES; i++) {
		a = rtarch_fine_clock();
		rt_mutex_lock(&lock);
		rt_mutex_unlock(&lock);
		add(&s_lock, rtarch_fine_clock() - a);
	}
	switches_left = 2 * SAMPLES;
	spawn(&peer_a, "peer-a", 40, peer_main, 0);
	spawn(&peer_b, "peer-b", 40, peer_main, 1);
	rt_sem_take(&done, RT_FOREVER);
	rt_sem_take(&done, RT_FOREVER);
	spawn(&high, "high", 30, high_main, 2);
	spawn(&low, "low", 10, low_main, 3);
	rt_sem_take(&done, RT_FOREVER);

	report(&s_irq);
	report(&s_wake);
	report(&s_switch);
	report(&s_lock);
	report(&s_boost);
	report(&s_handoff);
	rt_printf("bench: done\n");
	rtarch_exit(0);
}

void rt_app_start(void)
{
	rt_sem_init(&done, 0, 4);
	rt_sem_init(&high_go, 0, 1);
	rt_sem_init(&round_done, 0, 1);
	rt_mutex_init(&lock, "bench");
	spawn(&main_thread, "bench", 50, bench_main, 4);
}
