/*
 * Unit tests of kernel pieces that scenarios do not show directly: the
 * critical-section table (interrupt entry's masking included), the O(1)
 * ready queue across bitmap words, the per-CPU access check, stats of the PI
 * chain walk, and hrtimer cancel against a callback running on another CPU.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host.h"
#include <rt/kernel.h>

static struct rt_thread threads[4];

static void make_thread(unsigned i, unsigned prio, unsigned cpu)
{
	static const char *const names[] = { "a", "b", "c", "d" };
	struct rt_thread_attr a = { .name = names[i], .prio = (uint8_t)prio, .cpu = (uint8_t)cpu };

	assert_int_equal(rt_thread_create(&threads[i], &a), 0);
}

static void start_one(void *ctx)
{
	rt_thread_start(ctx);
}

static void start(unsigned i)
{
	host_sim_run_irq(threads[i].cpu, start_one, &threads[i]);
	host_sim_settle();
}

static void as(unsigned i)
{
	assert_ptr_equal(rt_cpus[threads[i].cpu].current, &threads[i]);
	host_sim_set_cpu(threads[i].cpu);
}

static void test_csection_table_records_irqoff_and_preemptoff_sites(void **state)
{
	struct rt_csection_stat table[64];
	struct rt_mutex m;
	bool irqoff = false, preemptoff = false;

	(void)state;
	host_sim_reset(2);
	make_thread(0, 10, 0);
	make_thread(1, 30, 1);
	rt_mutex_init(&m, "m");
	start(0);
	start(1);
	as(0);
	assert_int_equal(rt_mutex_lock(&m), 0);
	as(1);
	assert_int_equal(rt_mutex_lock(&m), -RT_EINPROGRESS); /* blocks: chain walk */
	host_sim_settle();
	as(0);
	assert_int_equal(rt_mutex_unlock(&m), 0);
	host_sim_settle();

	unsigned n = rt_csection_table(table, 64);

	assert_true(n > 0);
	for (unsigned i = 0; i < n; i++) {
		assert_non_null(table[i].func);
		assert_true(table[i].line > 0);
		if (i > 0)
			assert_true(table[i - 1].max_cycles >= table[i].max_cycles);
		if (table[i].count == 0)
			continue;
		assert_true(table[i].max_cycles > 0);
		assert_true(table[i].total_cycles >= table[i].max_cycles);
		irqoff |= table[i].kind == RT_CSECTION_IRQOFF;
		preemptoff |= table[i].kind == RT_CSECTION_PREEMPTOFF &&
			      !strcmp(table[i].func, "pi_chain_walk");
	}
	assert_true(irqoff);
	assert_true(preemptoff);
	rt_csection_reset();
	n = rt_csection_table(table, 64);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(table[i].count, 0);
}

/* Work an interrupt handler does with interrupts masked (by exception entry),
 * then a nested irqsave section as a handler's lock would take. */
#define HANDLER_WORK_CYCLES 100

static struct rt_raw_spinlock handler_lock = RT_RAW_SPINLOCK_INIT;

static void handler_with_nested_lock(void *ctx)
{
	unsigned long flags;

	(void)ctx;
	host_sim.cycles += HANDLER_WORK_CYCLES;
	flags = rt_raw_lock_irqsave(&handler_lock);
	rt_raw_unlock_irqrestore(&handler_lock, flags);
	host_sim.cycles += HANDLER_WORK_CYCLES;
}

/* The handler masked interrupts from its entry to its return: the table's
 * longest interrupts-off span covers all of it, and the nested section is
 * part of it rather than a short section of its own. */
static void test_csection_charges_handler_masking_to_interrupt_entry(void **state)
{
	struct rt_csection_stat table[64];

	(void)state;
	host_sim_reset(1);
	rt_csection_reset();
	host_sim_run_irq(0, handler_with_nested_lock, NULL);

	unsigned n = rt_csection_table(table, 64);
	uint64_t longest = 0;

	for (unsigned i = 0; i < n; i++) {
		if (table[i].kind != RT_CSECTION_IRQOFF || table[i].count == 0)
			continue;
		if (table[i].max_cycles > longest)
			longest = table[i].max_cycles;
		if (!strcmp(table[i].func, "handler_with_nested_lock"))
			fail_msg("nested irqsave in a handler recorded its own span (%lu cycles)",
				 (unsigned long)table[i].max_cycles);
	}
	if (longest < 2 * HANDLER_WORK_CYCLES)
		fail_msg("longest interrupts-off span %lu cycles, the handler masked %u or more",
			 (unsigned long)longest, 2 * HANDLER_WORK_CYCLES);
}

static void test_runqueue_finds_highest_priority_across_bitmap_words(void **state)
{
	struct rt_runqueue rq;
	struct rt_thread t[4];
	const unsigned prios[] = { 5, 127, 64, 63 };

	(void)state;
	assert_true(RT_PRIO_MAX - RT_PRIO_MIN + 1 >= 64);
	rt_runqueue_init(&rq);
	assert_int_equal(rt_runqueue_top_prio(&rq), -1);
	for (unsigned i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		rt_list_init(&t[i].rq_node);
		t[i].prio = (uint8_t)prios[i];
		rt_runqueue_add(&rq, &t[i], false);
	}
	assert_int_equal(rt_runqueue_top_prio(&rq), 127);
	assert_ptr_equal(rt_runqueue_pop(&rq), &t[1]);
	assert_ptr_equal(rt_runqueue_pop(&rq), &t[2]);
	assert_ptr_equal(rt_runqueue_pop(&rq), &t[3]);
	assert_ptr_equal(rt_runqueue_pop(&rq), &t[0]);
	assert_null(rt_runqueue_pop(&rq));
	assert_int_equal(rq.nr_ready, 0);
}

static jmp_buf panic_jmp;

static void test_percpu_access_that_may_migrate_panics(void **state)
{
	static RT_PER_CPU(int, counter);

	(void)state;
	host_sim_reset(1);
	make_thread(0, 10, 0);
	start(0);
	as(0);
	rt_migrate_disable();
	(*rt_this_cpu_ptr(counter))++;
	rt_migrate_enable();
	host_sim.panic_jmp = &panic_jmp;
	if (setjmp(panic_jmp) == 0) {
		(*rt_this_cpu_ptr(counter))++;
		host_sim.panic_jmp = NULL;
		fail_msg("per-CPU access without migrate-disable was not refused");
	}
	host_sim.panic_jmp = NULL;
	assert_int_equal(counter[0], 1);
}

static struct rt_hrtimer probe;
static int probe_try_from_cpu0, probe_cancel_from_cpu1;
static bool probe_cancel_from_cpu0_returned;

/* Runs on cpu1 while "meanwhile" cpu0 tries to cancel it. */
static void probe_fn(struct rt_hrtimer *timer)
{
	probe_cancel_from_cpu1 = rt_hrtimer_cancel(timer); /* from itself: no wait */
	host_sim_set_cpu(0);
	probe_try_from_cpu0 = rt_hrtimer_try_to_cancel(timer);
	/* The host cannot run cpu1 on while cpu0 spins: the wait shows as the
	 * host's "spins forever" panic, which is what must happen here. */
	rt_hrtimer_cancel(timer);
	probe_cancel_from_cpu0_returned = true;
}

static void test_hrtimer_cancel_waits_for_a_callback_running_on_another_cpu(void **state)
{
	(void)state;
	host_sim_reset(2);
	rt_hrtimer_init(&probe, probe_fn);
	host_sim_set_cpu(1);
	rt_hrtimer_start(&probe, 100);
	host_sim.panic_jmp = &panic_jmp;
	if (setjmp(panic_jmp) == 0) {
		host_sim_advance(100);
		host_sim.panic_jmp = NULL;
		fail_msg("rt_hrtimer_cancel returned while the callback still ran on cpu1");
	}
	host_sim.panic_jmp = NULL;
	assert_false(probe_cancel_from_cpu0_returned);
	assert_int_equal(probe_cancel_from_cpu1, 0);
	assert_int_equal(probe_try_from_cpu0, -1);
	assert_ptr_equal(rt_cpus[1].running_timer, &probe);
	/* Once the callback has returned, cancel answers at once. */
	host_sim_reset(2);
	rt_hrtimer_init(&probe, NULL);
	assert_false(rt_hrtimer_cancel(&probe));
	assert_int_equal(rt_hrtimer_try_to_cancel(&probe), 0);
}

static void test_invalid_arguments_are_refused(void **state)
{
	struct rt_thread_attr bad_prio = { .name = "x", .prio = 0, .cpu = 0 };
	struct rt_thread_attr bad_cpu = { .name = "x", .prio = 10, .cpu = 7 };
	struct rt_thread t;
	struct rt_sem s;
	struct rt_msgq q;

	(void)state;
	host_sim_reset(2);
	assert_int_equal(rt_thread_create(&t, &bad_prio), -RT_EINVAL);
	assert_int_equal(rt_thread_create(&t, &bad_cpu), -RT_EINVAL);
	assert_int_equal(rt_sem_init(&s, 3, 2), -RT_EINVAL);
	assert_int_equal(rt_msgq_init(&q, NULL, 8, 4), -RT_EINVAL);
	make_thread(0, 10, 0);
	assert_int_equal(rt_thread_set_priority(&threads[0], RT_PRIO_MAX + 1), -RT_EINVAL);
	assert_int_equal(rt_thread_set_cpu(&threads[0], 2), -RT_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csection_table_records_irqoff_and_preemptoff_sites),
		cmocka_unit_test(test_csection_charges_handler_masking_to_interrupt_entry),
		cmocka_unit_test(test_runqueue_finds_highest_priority_across_bitmap_words),
		cmocka_unit_test(test_percpu_access_that_may_migrate_panics),
		cmocka_unit_test(test_invalid_arguments_are_refused),
		cmocka_unit_test(test_hrtimer_cancel_waits_for_a_callback_running_on_another_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
