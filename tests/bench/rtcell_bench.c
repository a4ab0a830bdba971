/*
 * Hot paths of the realtime kernel, each behind its own non-inlined function
 * so callgrind can attribute instructions per call (see rtcell_paths.py).
 * Runs on the host port: arch hooks are stubs of a few instructions, so the
 * counts are the arch-neutral path; the arm64 port adds its real hooks.
 */
#include <stdio.h>
#include <stdlib.h>

#include "host.h"
#include <rt/kernel.h>

#define ITERATIONS 1000

static struct rt_thread a, b, low, high;
static struct rt_mutex m;
static struct rt_sem sem;
static struct rt_raw_spinlock raw = RT_RAW_SPINLOCK_INIT;

static void make(struct rt_thread *t, const char *name, unsigned prio, unsigned cpu)
{
	struct rt_thread_attr attr = { .name = name, .prio = (uint8_t)prio, .cpu = (uint8_t)cpu };

	if (rt_thread_create(t, &attr))
		abort();
}

static void start_one(void *t)
{
	rt_thread_start(t);
}

static void start(struct rt_thread *t)
{
	host_sim_run_irq(t->cpu, start_one, t);
	host_sim_settle();
}

static void as(struct rt_thread *t)
{
	if (rt_cpus[t->cpu].current != t) {
		fprintf(stderr, "bench: %s is not running\n", t->name);
		abort();
	}
	host_sim_set_cpu(t->cpu);
}

/* Context switch: the running thread yields to an equal-priority peer. */
__attribute__((noinline)) void bench_context_switch(void)
{
	rt_yield();
}

/* Uncontended rt_mutex: fast-path lock and unlock (one cmpxchg each). */
__attribute__((noinline)) void bench_mutex_uncontended(void)
{
	rt_mutex_lock(&m);
	rt_mutex_unlock(&m);
}

/* Raw spinlock with interrupts masked and its section measured. */
__attribute__((noinline)) void bench_raw_spinlock(void)
{
	unsigned long flags = rt_raw_lock_irqsave(&raw);

	rt_raw_unlock_irqrestore(&raw, flags);
}

/* The bare ticket lock, no interrupt masking, no measurement. */
__attribute__((noinline)) void bench_raw_spinlock_bare(void)
{
	rt_raw_spin_lock(&raw);
	rt_raw_spin_unlock(&raw);
}

/* Contended lock: queue, boost the owner one level, switch away. */
__attribute__((noinline)) void bench_mutex_contended_lock(void)
{
	rt_mutex_lock(&m);
}

/* Contended unlock: hand off to the waiter, deboost, wake it (IPI). */
__attribute__((noinline)) void bench_mutex_contended_unlock(void)
{
	rt_mutex_unlock(&m);
}

/* Semaphore give that wakes a higher-priority thread and switches to it. */
__attribute__((noinline)) void bench_sem_give_preempt(void)
{
	rt_sem_give(&sem);
}

/* Semaphore take that blocks and switches away. */
__attribute__((noinline)) void bench_sem_take_block(void)
{
	rt_sem_take(&sem, RT_FOREVER);
}

int main(void)
{
	host_sim_reset(2);
	make(&a, "a", 10, 0);
	make(&b, "b", 10, 0);
	make(&low, "low", 10, 1);
	make(&high, "high", 30, 0);
	rt_mutex_init(&m, "m");
	rt_sem_init(&sem, 0, 1);

	/* Context switch between a and b on cpu0. */
	start(&a);
	start(&b);
	for (int i = 0; i < ITERATIONS; i++) {
		as(rt_cpus[0].current);
		bench_context_switch();
	}
	as(rt_cpus[0].current);
	for (int i = 0; i < ITERATIONS; i++) {
		bench_mutex_uncontended();
		bench_raw_spinlock();
		bench_raw_spinlock_bare();
	}

	/* Contended: low (cpu1) owns m, high (cpu0) blocks on it. */
	start(&low);
	start(&high);
	for (int i = 0; i < ITERATIONS; i++) {
		as(&low);
		rt_mutex_lock(&m);
		as(&high);
		bench_mutex_contended_lock();
		host_sim_settle();
		if (low.prio != 30)
			abort();
		as(&low);
		bench_mutex_contended_unlock();
		host_sim_settle();
		as(&high);
		rt_mutex_unlock(&m);
	}

	/* Wake-and-preempt on one CPU: high takes (blocks), a gives (switch). */
	for (int i = 0; i < ITERATIONS; i++) {
		as(&high);
		bench_sem_take_block();
		host_sim_settle();
		as(rt_cpus[0].current);
		bench_sem_give_preempt();
		host_sim_settle();
	}
	printf("iterations %d\n", ITERATIONS);
	printf("context switches %llu\n", (unsigned long long)host_sim.context_switches);
	return 0;
}
