/*
 * Scenario driver for the realtime kernel (rt-tester style): runs every
 * tests/rtcell/scenarios/NAME.scn on the host port and prints one TAP line per
 * scenario. With --broken it instead runs them under each deliberately broken
 * PI variant and checks that the scenarios declaring `catches <fault>` fail.
 * The language is documented in scenarios/README.md.
 */
#include <ctype.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>

#include "host.h"
#include "world.h"

#define MAX_TOK 48
#define MAX_WINDOW_CMDS 4

struct fault_name {
	const char *name;
	unsigned bit;
};

static const struct fault_name faults[] = {
	{ "no_transitive", RT_PI_FAULT_NO_TRANSITIVE },
	{ "no_deboost", RT_PI_FAULT_NO_DEBOOST },
	{ "no_requeue", RT_PI_FAULT_NO_REQUEUE },
	{ "saved_prio", RT_PI_FAULT_SAVED_PRIO },
	{ "lifo", RT_PI_FAULT_LIFO },
	{ "no_deadlock", RT_PI_FAULT_NO_DEADLOCK },
};

struct run {
	struct world w;
	const char *file;
	unsigned line;
	char err[512];
	unsigned catches;
	bool relax_pi;
	bool invariants;
	bool declared_cpus;
	/* Deferred interrupts for the next step's windows, in file order. */
	struct {
		unsigned at; /* Nth window of the step */
		unsigned ntok;
		char tok[MAX_TOK][W_NAME];
	} window[MAX_WINDOW_CMDS];
	unsigned nwindow, window_next; /* declared, already run */
	unsigned window_seen; /* windows of this step that were reached */
};

/* A thread timer whose callback is held between the interrupt taking the
 * timer off its queue and the callback running (`stall-timer`). */
struct stalled_timer {
	rt_hrtimer_fn fn; /* the kernel's callback; NULL when not stalled */
	bool fired;
	unsigned cpu; /* where the interrupt took it */
};

static struct run R;
static struct stalled_timer stalled[W_MAX_THREADS];
static RT_PER_CPU(uint64_t, percpu_counter);
static jmp_buf fail_jmp;

static void fail(const char *fmt, ...) __attribute__((noreturn, format(printf, 1, 2)));
static void fail(const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(R.err, sizeof(R.err), "%s:%u: ", R.file, R.line);

	va_start(ap, fmt);
	vsnprintf(R.err + n, sizeof(R.err) - (size_t)n, fmt, ap);
	va_end(ap);
	longjmp(fail_jmp, 1);
}

/* ---- lookups ---- */

static int find_name(char names[][W_NAME], unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

static int thread_idx(const char *name)
{
	int i = find_name(R.w.thread_name, R.w.nthreads, name);

	if (i < 0)
		fail("no thread named '%s'", name);
	return i;
}

static struct rt_mutex *mutex_named(const char *name)
{
	int i = find_name(R.w.mutex_name, R.w.nmutexes, name);

	if (i < 0)
		fail("no mutex named '%s'", name);
	return &R.w.mutexes[i];
}

#define LOOKUP(fn, type, arr, names, count, what) \
	static type *fn(const char *name) \
	{ \
		int i = find_name(R.w.names, R.w.count, name); \
		if (i < 0) \
			fail("no " what " named '%s'", name); \
		return &R.w.arr[i]; \
	}
LOOKUP(sem_named, struct rt_sem, sems, sem_name, nsems, "semaphore")
LOOKUP(cond_named, struct rt_condvar, conds, cond_name, nconds, "condvar")
LOOKUP(msgq_named, struct rt_msgq, msgqs, msgq_name, nmsgqs, "msgq")
LOOKUP(seq_named, struct rt_seqcount, seqs, seq_name, nseqs, "seqcount")

static uint64_t num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end || !*s)
		fail("'%s' is not a number", s);
	return v;
}

static int errno_value(const char *s)
{
	static const struct {
		const char *n;
		int v;
	} map[] = {
		{ "0", 0 },
		{ "-EPERM", -RT_EPERM },
		{ "-EAGAIN", -RT_EAGAIN },
		{ "-EBUSY", -RT_EBUSY },
		{ "-EINVAL", -RT_EINVAL },
		{ "-EDEADLK", -RT_EDEADLK },
		{ "-EOVERFLOW", -RT_EOVERFLOW },
		{ "-ETIMEDOUT", -RT_ETIMEDOUT },
		{ "-ECANCELED", -RT_ECANCELED },
	};

	for (unsigned i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(map[i].n, s))
			return map[i].v;
	return (int)strtol(s, NULL, 0);
}

static unsigned state_value(const char *s)
{
	for (unsigned i = 0; i < 6; i++)
		if (!strcmp(world_state_name(i), s))
			return i;
	fail("unknown state '%s' (susp ready run blk sleep dead)", s);
}

/* Optional trailing "timeout N" -> relative timeout, else RT_FOREVER. */
static uint64_t opt_timeout(char tok[][W_NAME], unsigned ntok, unsigned at)
{
	if (ntok == at)
		return RT_FOREVER;
	if (ntok == at + 2 && !strcmp(tok[at], "timeout"))
		return num(tok[at + 1]);
	fail("expected 'timeout N' at the end");
}

static void need(unsigned ntok, unsigned n, const char *usage)
{
	if (ntok != n)
		fail("usage: %s", usage);
}

/* ---- declarations ---- */

static void declare_thread(char tok[][W_NAME], unsigned ntok)
{
	/* thread NAME PRIO cpu N [rr SLICE] */
	struct rt_thread_attr a = { 0 };
	unsigned i = R.w.nthreads;

	if (ntok != 5 && ntok != 7)
		fail("usage: thread NAME PRIO cpu N [rr SLICE_NS]");
	if (i >= W_MAX_THREADS)
		fail("too many threads");
	if (find_name(R.w.thread_name, R.w.nthreads, tok[1]) >= 0)
		fail("thread '%s' declared twice", tok[1]);
	snprintf(R.w.thread_name[i], W_NAME, "%s", tok[1]);
	a.name = R.w.thread_name[i];
	a.prio = (uint8_t)num(tok[2]);
	a.cpu = (uint8_t)num(tok[4]);
	if (ntok == 7) {
		a.policy = RT_SCHED_RR;
		a.slice_ns = num(tok[6]);
	}
	int ret = rt_thread_create(&R.w.threads[i], &a);

	if (ret)
		fail("rt_thread_create(%s): %s", tok[1], world_errno_name(ret));
	R.w.irq_of_thread[i] = -1;
	R.w.nthreads++;
}

static void irq_handler_noop(void *arg)
{
	(void)arg;
}

struct irq_decl {
	unsigned irq, prio, cpu, slot, thread;
};

static void do_request_irq(void *ctx)
{
	struct irq_decl *d = ctx;
	struct rt_thread_attr a = {
		.name = R.w.thread_name[d->thread],
		.prio = (uint8_t)d->prio,
		.cpu = (uint8_t)d->cpu,
	};
	int ret = rt_irq_request_threaded(&R.w.irqs[d->slot], d->irq, irq_handler_noop, NULL,
					  &R.w.threads[d->thread], &a);

	if (ret)
		fail("rt_irq_request_threaded: %s", world_errno_name(ret));
}

static bool declaration(char tok[][W_NAME], unsigned ntok)
{
	const char *k = tok[0];

	if (!strcmp(k, "cpus")) {
		need(ntok, 2, "cpus N");
		if (R.declared_cpus)
			fail("cpus declared twice");
		host_sim_reset((unsigned)num(tok[1]));
		R.declared_cpus = true;
		return true;
	}
	if (!R.declared_cpus)
		fail("the scenario must start with 'cpus N'");
	if (!strcmp(k, "thread")) {
		declare_thread(tok, ntok);
	} else if (!strcmp(k, "mutex")) {
		for (unsigned t = 1; t < ntok; t++) {
			if (R.w.nmutexes >= W_MAX_MUTEXES)
				fail("too many mutexes");
			snprintf(R.w.mutex_name[R.w.nmutexes], W_NAME, "%s", tok[t]);
			rt_mutex_init(&R.w.mutexes[R.w.nmutexes], R.w.mutex_name[R.w.nmutexes]);
			R.w.nmutexes++;
		}
	} else if (!strcmp(k, "sem")) {
		need(ntok, 4, "sem NAME INITIAL MAX");
		if (R.w.nsems >= W_MAX_SEMS)
			fail("too many semaphores");
		snprintf(R.w.sem_name[R.w.nsems], W_NAME, "%s", tok[1]);
		if (rt_sem_init(&R.w.sems[R.w.nsems], (uint32_t)num(tok[2]), (uint32_t)num(tok[3])))
			fail("rt_sem_init refused");
		R.w.nsems++;
	} else if (!strcmp(k, "cond")) {
		need(ntok, 2, "cond NAME");
		snprintf(R.w.cond_name[R.w.nconds], W_NAME, "%s", tok[1]);
		rt_cond_init(&R.w.conds[R.w.nconds++]);
	} else if (!strcmp(k, "msgq")) {
		need(ntok, 3, "msgq NAME CAPACITY");
		unsigned cap = (unsigned)num(tok[2]);

		if (cap > W_MSGQ_CAP || R.w.nmsgqs >= W_MAX_MSGQS)
			fail("msgq too large or too many");
		snprintf(R.w.msgq_name[R.w.nmsgqs], W_NAME, "%s", tok[1]);
		rt_msgq_init(&R.w.msgqs[R.w.nmsgqs], R.w.msgq_ring[R.w.nmsgqs], sizeof(uint64_t),
			     cap);
		R.w.nmsgqs++;
	} else if (!strcmp(k, "seqcount")) {
		need(ntok, 2, "seqcount NAME");
		snprintf(R.w.seq_name[R.w.nseqs], W_NAME, "%s", tok[1]);
		rt_seq_init(&R.w.seqs[R.w.nseqs], R.w.seq_name[R.w.nseqs]);
		R.w.nseqs++;
	} else if (!strcmp(k, "irqthread")) {
		/* irqthread NAME IRQ PRIO cpu N: the line's handler thread, started */
		need(ntok, 6, "irqthread NAME IRQ PRIO cpu N");
		struct irq_decl d = {
			.irq = (unsigned)num(tok[2]),
			.prio = (unsigned)num(tok[3]),
			.cpu = (unsigned)num(tok[5]),
			.slot = R.w.nirqs,
			.thread = R.w.nthreads,
		};

		if (R.w.nirqs >= W_MAX_IRQS || R.w.nthreads >= W_MAX_THREADS)
			fail("too many irq threads");
		snprintf(R.w.thread_name[d.thread], W_NAME, "%s", tok[1]);
		R.w.irq_of_thread[d.thread] = (int)d.slot;
		R.w.irq_line[d.slot] = d.irq;
		R.w.nthreads++;
		R.w.nirqs++;
		host_sim_run_irq(d.cpu, do_request_irq, &d);
		host_sim_settle();
	} else if (!strcmp(k, "catches")) {
		for (unsigned t = 1; t < ntok; t++) {
			unsigned f;

			for (f = 0; f < sizeof(faults) / sizeof(faults[0]); f++)
				if (!strcmp(faults[f].name, tok[t]))
					break;
			if (f == sizeof(faults) / sizeof(faults[0]))
				fail("unknown fault '%s'", tok[t]);
			R.catches |= faults[f].bit;
		}
	} else if (!strcmp(k, "relax")) {
		need(ntok, 2, "relax pi");
		R.relax_pi = true;
	} else {
		return false;
	}
	return true;
}

/* ---- steps ---- */

static void set_result(int idx, int ret, bool capture)
{
	R.w.pending[idx] = ret == -RT_EINPROGRESS;
	R.w.result[idx] = ret;
	R.w.capture[idx] = capture;
	if (!R.w.pending[idx] && capture && ret == 0)
		R.w.value[idx] = (int64_t)R.w.recv_buf[idx];
}

/* Commands issued by a running thread. */
static void actor_step(int idx, char tok[][W_NAME], unsigned ntok)
{
	struct rt_thread *t = &R.w.threads[idx];
	const char *op = tok[1];
	int ret = 0;
	bool capture = false;

	if (t->state != RT_THREAD_RUNNING || rt_cpus[t->cpu].current != t)
		fail("%s cannot '%s': it is %s (cpu%u runs %s)", R.w.thread_name[idx], op,
		     world_state_name(t->state), t->cpu, rt_cpus[t->cpu].current->name);
	for (unsigned i = 0; i < R.w.nthreads; i++)
		if (stalled[i].fn && stalled[i].fired && stalled[i].cpu == t->cpu)
			fail("cpu%u is still inside %s's timer interrupt (release-timer first)",
			     t->cpu, R.w.thread_name[i]);
	host_sim_set_cpu(t->cpu);
	if (!strcmp(op, "lock")) {
		if (ntok < 3)
			fail("usage: T lock M [timeout N]");
		ret = rt_mutex_lock_timeout(mutex_named(tok[2]), opt_timeout(tok, ntok, 3));
	} else if (!strcmp(op, "trylock")) {
		need(ntok, 3, "T trylock M");
		ret = rt_mutex_trylock(mutex_named(tok[2]));
	} else if (!strcmp(op, "unlock")) {
		need(ntok, 3, "T unlock M");
		ret = rt_mutex_unlock(mutex_named(tok[2]));
	} else if (!strcmp(op, "destroy")) {
		need(ntok, 3, "T destroy M");
		ret = rt_mutex_destroy(mutex_named(tok[2]));
	} else if (!strcmp(op, "take")) {
		if (ntok < 3)
			fail("usage: T take S [timeout N]");
		ret = rt_sem_take(sem_named(tok[2]), opt_timeout(tok, ntok, 3));
	} else if (!strcmp(op, "give")) {
		need(ntok, 3, "T give S");
		ret = rt_sem_give(sem_named(tok[2]));
	} else if (!strcmp(op, "flush")) {
		need(ntok, 3, "T flush S");
		ret = rt_sem_flush(sem_named(tok[2]));
	} else if (!strcmp(op, "wait")) {
		if (ntok < 4)
			fail("usage: T wait C M [timeout N]");
		ret = rt_cond_wait(cond_named(tok[2]), mutex_named(tok[3]),
				   opt_timeout(tok, ntok, 4));
	} else if (!strcmp(op, "signal")) {
		need(ntok, 3, "T signal C");
		ret = rt_cond_signal(cond_named(tok[2]));
	} else if (!strcmp(op, "broadcast")) {
		need(ntok, 3, "T broadcast C");
		ret = rt_cond_broadcast(cond_named(tok[2]));
	} else if (!strcmp(op, "send")) {
		if (ntok < 4)
			fail("usage: T send Q VALUE [timeout N]");
		R.w.send_buf[idx] = num(tok[3]);
		ret = rt_msgq_send(msgq_named(tok[2]), &R.w.send_buf[idx],
				   opt_timeout(tok, ntok, 4));
	} else if (!strcmp(op, "recv")) {
		if (ntok < 3)
			fail("usage: T recv Q [timeout N]");
		R.w.recv_buf[idx] = 0;
		capture = true;
		ret = rt_msgq_recv(msgq_named(tok[2]), &R.w.recv_buf[idx],
				   opt_timeout(tok, ntok, 3));
	} else if (!strcmp(op, "seqwrite")) {
		need(ntok, 3, "T seqwrite SQ");
		ret = rt_seq_write_lock(seq_named(tok[2]));
	} else if (!strcmp(op, "seqdone")) {
		need(ntok, 3, "T seqdone SQ");
		ret = rt_seq_write_unlock(seq_named(tok[2]));
	} else if (!strcmp(op, "seqread")) {
		/* read_begin, then (if it did not block) read_retry: value = seq */
		need(ntok, 3, "T seqread SQ");
		struct rt_seqcount *s = seq_named(tok[2]);
		uint32_t seq = 0;

		ret = rt_seq_read_begin(s, &seq);
		if (ret == 0) {
			R.w.recv_buf[idx] = seq;
			capture = true;
			if (rt_seq_read_retry(s, seq))
				ret = -RT_EAGAIN;
		}
	} else if (!strcmp(op, "sleep")) {
		need(ntok, 3, "T sleep NS");
		ret = rt_sleep(num(tok[2]));
	} else if (!strcmp(op, "sleepuntil")) {
		need(ntok, 3, "T sleepuntil ABS_NS");
		ret = rt_sleep_until(num(tok[2]));
	} else if (!strcmp(op, "yield")) {
		rt_yield();
	} else if (!strcmp(op, "exit")) {
		ret = rt_thread_exit();
	} else if (!strcmp(op, "setprio")) {
		need(ntok, 4, "T setprio THREAD PRIO");
		ret = rt_thread_set_priority(&R.w.threads[thread_idx(tok[2])],
					     (unsigned)num(tok[3]));
	} else if (!strcmp(op, "periodic")) {
		need(ntok, 3, "T periodic PERIOD_NS");
		ret = rt_periodic_start(num(tok[2]));
	} else if (!strcmp(op, "periodicat")) {
		need(ntok, 4, "T periodicat FIRST_RELEASE_NS PERIOD_NS");
		ret = rt_periodic_start_at(num(tok[2]), num(tok[3]));
	} else if (!strcmp(op, "waitperiod")) {
		ret = rt_periodic_wait();
	} else if (!strcmp(op, "migdisable")) {
		rt_migrate_disable();
	} else if (!strcmp(op, "migenable")) {
		rt_migrate_enable();
	} else if (!strcmp(op, "percpu")) {
		/* Touches a per-CPU counter; value = this CPU's count afterwards. */
		uint64_t *p = rt_this_cpu_ptr(percpu_counter);

		R.w.recv_buf[idx] = ++*p;
		capture = true;
	} else if (!strcmp(op, "move")) {
		need(ntok, 4, "T move THREAD CPU");
		ret = rt_thread_set_cpu(&R.w.threads[thread_idx(tok[2])], (unsigned)num(tok[3]));
	} else if (!strcmp(op, "irqwait")) {
		int slot = R.w.irq_of_thread[idx];

		if (slot < 0)
			fail("%s is not an interrupt thread", R.w.thread_name[idx]);
		ret = rt_irq_thread_wait(&R.w.irqs[slot]);
	} else if (!strcmp(op, "irqdone")) {
		int slot = R.w.irq_of_thread[idx];

		if (slot < 0)
			fail("%s is not an interrupt thread", R.w.thread_name[idx]);
		rt_irq_thread_handle(&R.w.irqs[slot]);
		ret = rt_irq_thread_wait(&R.w.irqs[slot]);
	} else {
		fail("unknown thread command '%s'", op);
	}
	set_result(idx, ret, capture);
}

/* Commands from outside any thread: run as an interrupt on a chosen CPU. */
struct ext {
	char (*tok)[W_NAME];
	unsigned ntok;
};

static void ext_in_irq(void *ctx)
{
	struct ext *e = ctx;
	char(*tok)[W_NAME] = e->tok;
	const char *k = tok[0];
	int ret = 0;

	if (!strcmp(k, "start")) {
		for (unsigned i = 1; i < e->ntok; i++)
			ret |= rt_thread_start(&R.w.threads[thread_idx(tok[i])]);
	} else if (!strcmp(k, "setprio")) {
		ret = rt_thread_set_priority(&R.w.threads[thread_idx(tok[1])],
					     (unsigned)num(tok[2]));
	} else if (!strcmp(k, "move")) {
		ret = rt_thread_set_cpu(&R.w.threads[thread_idx(tok[1])], (unsigned)num(tok[2]));
	} else if (!strcmp(k, "give")) {
		ret = rt_sem_give(sem_named(tok[1]));
	} else if (!strcmp(k, "signal")) {
		ret = rt_cond_signal(cond_named(tok[1]));
	} else if (!strcmp(k, "destroy")) {
		ret = rt_mutex_destroy(mutex_named(tok[1]));
	}
	if (ret)
		fail("'%s' answered %s", k, world_errno_name(ret));
}

static unsigned ext_cpu(char tok[][W_NAME], unsigned ntok)
{
	/* Runs on the CPU of the thread it names, else cpu0; "on N" overrides. */
	if (ntok >= 2 && !strcmp(tok[ntok - 2], "on"))
		return (unsigned)num(tok[ntok - 1]);
	if (ntok >= 2 && find_name(R.w.thread_name, R.w.nthreads, tok[1]) >= 0)
		return R.w.threads[thread_idx(tok[1])].cpu;
	return 0;
}

static bool external_step(char tok[][W_NAME], unsigned ntok)
{
	const char *k = tok[0];

	if (!strcmp(k, "advance")) {
		need(ntok, 2, "advance NS");
		host_sim_advance(num(tok[1]));
		return true;
	}
	if (!strcmp(k, "raise")) {
		need(ntok, 2, "raise IRQ");
		host_sim_raise((unsigned)num(tok[1]));
		return true;
	}
	if (!strcmp(k, "start") || !strcmp(k, "setprio") || !strcmp(k, "move") ||
	    !strcmp(k, "give") || !strcmp(k, "signal") || !strcmp(k, "destroy")) {
		unsigned n = ntok;

		if (n >= 2 && !strcmp(tok[n - 2], "on"))
			n -= 2;
		if ((!strcmp(k, "setprio") || !strcmp(k, "move")) && n != 3)
			fail("usage: %s THREAD VALUE [on CPU]", k);
		struct ext e = { tok, n };

		host_sim_run_irq(ext_cpu(tok, ntok), ext_in_irq, &e);
		return true;
	}
	return false;
}

static void window_fire(void *ctx);

/* Arms the host for the next pending at-window command (counted from the
 * window reached last). */
static void window_arm(void)
{
	if (R.window_next < R.nwindow)
		host_sim_inject_at_window(R.window[R.window_next].at - R.window_seen, window_fire,
					  NULL);
}

/* Runs every at-window command declared for this window, then lets the other
 * CPUs catch up (IPIs, timers, deferred work): they run while this CPU has
 * its interrupts on between two hops. */
/* The interrupt took the timer off its queue; its CPU is slow to go on. */
static void stalled_timer_fn(struct rt_hrtimer *timer)
{
	int i = world_index_of_thread(&R.w, rt_container_of(timer, struct rt_thread, timer));

	stalled[i].fired = true;
	stalled[i].cpu = host_sim.cpu;
}

static void stalled_timer_finish(void *ctx)
{
	struct rt_thread *t = ctx;

	t->timer.fn(&t->timer);
}

static bool timer_step(char tok[][W_NAME], unsigned ntok)
{
	if (strcmp(tok[0], "stall-timer") && strcmp(tok[0], "release-timer"))
		return false;
	need(ntok, 2, "stall-timer|release-timer THREAD");
	int i = thread_idx(tok[1]);
	struct rt_thread *t = &R.w.threads[i];

	if (!strcmp(tok[0], "stall-timer")) {
		if (stalled[i].fn)
			fail("%s's timer is stalled already", tok[1]);
		stalled[i] = (struct stalled_timer){ .fn = t->timer.fn };
		t->timer.fn = stalled_timer_fn;
		return true;
	}
	if (!stalled[i].fn || !stalled[i].fired)
		fail("%s's timer was not stalled, or has not fired", tok[1]);
	t->timer.fn = stalled[i].fn;
	stalled[i].fn = NULL;
	host_sim_run_irq(stalled[i].cpu, stalled_timer_finish, t);
	return true;
}

static void window_fire(void *ctx)
{
	unsigned at = R.window[R.window_next].at;

	(void)ctx;
	R.window_seen = at;
	while (R.window_next < R.nwindow && R.window[R.window_next].at == at) {
		unsigned i = R.window_next++;

		if (!external_step(R.window[i].tok, R.window[i].ntok))
			fail("'at-window' needs an outside command (advance, raise, setprio, ...)");
	}
	host_sim_settle();
	window_arm();
}

/* ---- assertions ---- */

static void assert_state(char tok[][W_NAME], unsigned ntok)
{
	bool seen[W_MAX_THREADS] = { 0 };

	for (unsigned i = 1; i < ntok; i++) {
		char *eq = strchr(tok[i], '=');

		if (!eq)
			fail("state: expected NAME=STATE/PRIO or cpuN=NAME, got '%s'", tok[i]);
		*eq = 0;
		if (!strncmp(tok[i], "cpu", 3) && isdigit((unsigned char)tok[i][3])) {
			unsigned c = (unsigned)num(tok[i] + 3);
			const struct rt_thread *cur = rt_cpus[c].current;
			const char *name = cur->is_idle ? "idle" : cur->name;

			if (strcmp(name, eq + 1))
				fail("cpu%u runs %s, expected %s", c, name, eq + 1);
			continue;
		}
		int idx = thread_idx(tok[i]);
		const struct rt_thread *t = &R.w.threads[idx];
		char *slash = strchr(eq + 1, '/');

		if (!slash)
			fail("state: %s needs STATE/PRIO", tok[i]);
		*slash = 0;
		seen[idx] = true;
		unsigned st = state_value(eq + 1), prio = (unsigned)num(slash + 1);

		if (t->state != st || t->prio != prio)
			fail("%s is %s/%u, expected %s/%u", tok[i], world_state_name(t->state),
			     t->prio, eq + 1, prio);
	}
	for (unsigned i = 0; i < R.w.nthreads; i++)
		if (!seen[i])
			fail("state: thread %s not listed (every thread must be)",
			     R.w.thread_name[i]);
}

static bool assertion(char tok[][W_NAME], unsigned ntok)
{
	const char *k = tok[0];

	if (!strcmp(k, "state")) {
		assert_state(tok, ntok);
	} else if (!strcmp(k, "ret")) {
		need(ntok, 3, "ret THREAD VALUE|pending");
		int i = thread_idx(tok[1]);

		if (!strcmp(tok[2], "pending")) {
			if (!R.w.pending[i])
				fail("%s: last call returned %s, expected it still pending", tok[1],
				     world_errno_name(R.w.result[i]));
		} else if (R.w.pending[i]) {
			fail("%s: last call still pending, expected %s", tok[1], tok[2]);
		} else if (R.w.result[i] != errno_value(tok[2])) {
			fail("%s: last call returned %s, expected %s", tok[1],
			     world_errno_name(R.w.result[i]), tok[2]);
		}
	} else if (!strcmp(k, "val")) {
		need(ntok, 3, "val THREAD N");
		int i = thread_idx(tok[1]);

		if (R.w.value[i] != (int64_t)num(tok[2]))
			fail("%s: value %lld, expected %s", tok[1], (long long)R.w.value[i],
			     tok[2]);
	} else if (!strcmp(k, "owner")) {
		need(ntok, 3, "owner MUTEX THREAD|none");
		const struct rt_thread *o = rt_mutex_owner(mutex_named(tok[1]));
		const char *name = o ? o->name : "none";

		if (strcmp(name, tok[2]))
			fail("mutex %s owned by %s, expected %s", tok[1], name, tok[2]);
	} else if (!strcmp(k, "count")) {
		need(ntok, 3, "count SEM N");
		unsigned c = sem_named(tok[1])->count;

		if (c != num(tok[2]))
			fail("semaphore %s count %u, expected %s", tok[1], c, tok[2]);
	} else if (!strcmp(k, "line")) {
		need(ntok, 3, "line IRQ inactive|active|dropped");
		static const char *const names[] = { "inactive", "active", "dropped" };
		unsigned irq = (unsigned)num(tok[1]);
		const char *st = names[host_sim.line_state[irq]];

		if (strcmp(st, tok[2]))
			fail("line %u is %s, expected %s", irq, st, tok[2]);
	} else if (!strcmp(k, "handled")) {
		need(ntok, 3, "handled IRQ N");
		unsigned irq = (unsigned)num(tok[1]);

		for (unsigned s = 0; s < R.w.nirqs; s++)
			if (R.w.irq_line[s] == irq && R.w.irqs[s].handled != num(tok[2]))
				fail("irq %u handled %llu times, expected %s", irq,
				     (unsigned long long)R.w.irqs[s].handled, tok[2]);
	} else if (!strcmp(k, "ipis")) {
		/* ipis none | ipis 1,2 : CPUs sent a reschedule IPI by the last step */
		need(ntok, 2, "ipis none|CPU[,CPU...]");
		uint32_t want = 0;

		if (strcmp(tok[1], "none"))
			for (char *p = tok[1]; *p; p++)
				if (isdigit((unsigned char)*p))
					want |= 1u << (*p - '0');
		if (host_sim.ipi_targets_mask != want)
			fail("last step sent IPIs to mask 0x%x, expected 0x%x",
			     host_sim.ipi_targets_mask, want);
	} else if (!strcmp(k, "overruns")) {
		need(ntok, 3, "overruns THREAD N");
		const struct rt_thread *t = &R.w.threads[thread_idx(tok[1])];

		if (t->overruns != num(tok[2]))
			fail("%s: %llu overruns, expected %s", tok[1],
			     (unsigned long long)t->overruns, tok[2]);
	} else if (!strcmp(k, "fired")) {
		need(ntok, 3, "fired THREAD NS");
		const struct rt_thread *t = &R.w.threads[thread_idx(tok[1])];

		if (t->timer.fired_ns != num(tok[2]))
			fail("%s: timer last found expired at %llu, expected %s", tok[1],
			     (unsigned long long)t->timer.fired_ns, tok[2]);
	} else if (!strcmp(k, "depthhits")) {
		need(ntok, 2, "depthhits N");
		if (rt_pi_stats.depth_limit_hits != num(tok[1]))
			fail("%llu chain walks cut at the depth limit, expected %s",
			     (unsigned long long)rt_pi_stats.depth_limit_hits, tok[1]);
	} else if (!strcmp(k, "now")) {
		need(ntok, 2, "now NS");
		if (host_sim.now_ns != num(tok[1]))
			fail("clock at %llu, expected %s", (unsigned long long)host_sim.now_ns,
			     tok[1]);
	} else {
		return false;
	}
	return true;
}

/* ---- file runner ---- */

static unsigned tokenize(char *line, char tok[][W_NAME])
{
	unsigned n = 0;
	char *save = NULL;

	for (char *p = strtok_r(line, " \t\r\n", &save); p && n < MAX_TOK;
	     p = strtok_r(NULL, " \t\r\n", &save)) {
		if (*p == '#')
			break;
		if (strlen(p) >= W_NAME)
			fail("token too long: '%s'", p);
		strcpy(tok[n++], p);
	}
	return n;
}

static void step_done(void)
{
	/* Windows may open in work the step left to the other CPUs (the PI
	 * workers' deferred walks). */
	host_sim_settle();
	if (R.window_next < R.nwindow)
		fail("the step reached %u interrupt windows, fewer than its at-window lines need",
		     R.window_seen);
	host_sim.window_at = 0;
	R.nwindow = R.window_next = R.window_seen = 0;
	world_collect(&R.w);
	char msg[300];

	if (R.invariants && !world_check(&R.w, !R.relax_pi, msg, sizeof(msg)))
		fail("invariant broken after this step: %s", msg);
}

/* Runs one scenario file; returns true when every assertion held. */
static bool run_file(const char *path, unsigned fault_bits, bool invariants, unsigned *catches)
{
	static jmp_buf panic_jmp;
	FILE *f = fopen(path, "r");
	char line[1024];
	char tok[MAX_TOK][W_NAME];

	memset(&R, 0, sizeof(R));
	memset(percpu_counter, 0, sizeof(percpu_counter));
	memset(stalled, 0, sizeof(stalled));
	R.file = path;
	R.invariants = invariants;
	rt_pi_faults = 0;
	host_sim.panic_jmp = &panic_jmp;
	if (!f) {
		snprintf(R.err, sizeof(R.err), "%s: %s", path, strerror(errno));
		return false;
	}
	if (setjmp(fail_jmp)) {
		fclose(f);
		rt_pi_faults = 0;
		if (catches)
			*catches = R.catches;
		return false;
	}
	if (setjmp(panic_jmp))
		fail("kernel panic: %s", host_sim.panic_msg);
	while (fgets(line, sizeof(line), f)) {
		R.line++;
		unsigned ntok = tokenize(line, tok);

		if (ntok == 0)
			continue;
		if (declaration(tok, ntok) || assertion(tok, ntok))
			continue;
		/* Fault switches apply from the first step on (setup is clean). */
		rt_pi_faults = fault_bits;
		host_sim.ipi_targets_mask = 0;
		if (!strcmp(tok[0], "at-window")) {
			unsigned at = ntok >= 3 ? (unsigned)num(tok[1]) : 0;

			if (ntok < 3 || at == 0)
				fail("usage: at-window N COMMAND...");
			if (R.nwindow == MAX_WINDOW_CMDS ||
			    (R.nwindow && at < R.window[R.nwindow - 1].at))
				fail("at most %u at-window lines per step, in window order",
				     MAX_WINDOW_CMDS);
			R.window[R.nwindow].at = at;
			R.window[R.nwindow].ntok = ntok - 2;
			for (unsigned i = 2; i < ntok; i++)
				strcpy(R.window[R.nwindow].tok[i - 2], tok[i]);
			R.nwindow++;
			continue;
		}
		window_arm();
		if (external_step(tok, ntok) || timer_step(tok, ntok)) {
			step_done();
			continue;
		}
		int idx = find_name(R.w.thread_name, R.w.nthreads, tok[0]);

		if (idx < 0 || ntok < 2)
			fail("unknown command '%s'", tok[0]);
		actor_step(idx, tok, ntok);
		step_done();
	}
	fclose(f);
	rt_pi_faults = 0;
	if (catches)
		*catches = R.catches;
	if (!R.declared_cpus) {
		snprintf(R.err, sizeof(R.err), "%s: empty scenario", path);
		return false;
	}
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static unsigned list_scenarios(const char *dir, char **out, unsigned max)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	if (!d) {
		printf("Bail out! cannot open %s: %s\n", dir, strerror(errno));
		exit(1);
	}
	while ((e = readdir(d)) && n < max) {
		size_t len = strlen(e->d_name);

		if (len > 4 && !strcmp(e->d_name + len - 4, ".scn")) {
			out[n] = malloc(strlen(dir) + len + 2);
			sprintf(out[n], "%s/%s", dir, e->d_name);
			n++;
		}
	}
	closedir(d);
	qsort(out, n, sizeof(out[0]), cmp_str);
	return n;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int main(int argc, char **argv)
{
	static char *files[256];
	bool broken = argc > 1 && !strcmp(argv[1], "--broken");
	const char *dir = argc > 1 + broken ? argv[1 + broken] : "scenarios";
	unsigned n = list_scenarios(dir, files, 256), failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (!broken) {
		printf("1..%u\n", n);
		for (unsigned i = 0; i < n; i++) {
			bool ok = run_file(files[i], 0, true, NULL);

			if (!ok)
				printf("# %s\n", R.err);
			printf("%sok %u - %s\n", ok ? "" : "not ", i + 1, base_name(files[i]));
			failed += !ok;
		}
		return failed ? 1 : 0;
	}
	/*
	 * Broken variants: the structural checker is switched off so that the
	 * scenarios' own assertions must notice. Every scenario that declares
	 * `catches F` must fail under F, and each F must be caught by one at least.
	 */
	unsigned nf = sizeof(faults) / sizeof(faults[0]);

	printf("1..%u\n", nf);
	for (unsigned f = 0; f < nf; f++) {
		unsigned caught = 0, expected = 0;
		char missed[512] = "";

		for (unsigned i = 0; i < n; i++) {
			unsigned catches = 0;

			if (!run_file(files[i], 0, false, &catches))
				continue; /* reported by the normal run */
			if (!(catches & faults[f].bit))
				continue;
			expected++;
			if (!run_file(files[i], faults[f].bit, false, NULL)) {
				caught++;
				printf("# %s: %s\n", faults[f].name, R.err);
			} else {
				strncat(missed, " ", sizeof(missed) - strlen(missed) - 1);
				strncat(missed, base_name(files[i]),
					sizeof(missed) - strlen(missed) - 1);
			}
		}
		bool ok = expected > 0 && caught == expected;

		if (!ok)
			printf("# fault %s: %u of %u expected scenarios failed; still passing:%s\n",
			       faults[f].name, caught, expected, missed);
		printf("%sok %u - broken variant %s fails %u scenarios\n", ok ? "" : "not ", f + 1,
		       faults[f].name, caught);
		failed += !ok;
	}
	return failed ? 1 : 0;
}
