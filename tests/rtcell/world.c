/*
 * Invariant checker and bookkeeping shared by the scenario driver and the
 * randomized stress. It reads kernel structures directly (single-threaded
 * host, all locks free between steps) and recomputes what must hold.
 */
#include <stdio.h>
#include <string.h>

#include "world.h"

const char *world_state_name(unsigned state)
{
	static const char *const names[] = { "susp", "ready", "run", "blk", "sleep", "dead" };

	return state < 6 ? names[state] : "?";
}

const char *world_errno_name(int v)
{
	static char buf[16];

	switch (v) {
	case 0:
		return "0";
	case -RT_EPERM:
		return "-EPERM";
	case -RT_EAGAIN:
		return "-EAGAIN";
	case -RT_EBUSY:
		return "-EBUSY";
	case -RT_EINVAL:
		return "-EINVAL";
	case -RT_EDEADLK:
		return "-EDEADLK";
	case -RT_EOVERFLOW:
		return "-EOVERFLOW";
	case -RT_ETIMEDOUT:
		return "-ETIMEDOUT";
	case -RT_EINPROGRESS:
		return "-EINPROGRESS";
	case -RT_ECANCELED:
		return "-ECANCELED";
	default:
		snprintf(buf, sizeof(buf), "%d", v);
		return buf;
	}
}

int world_index_of_thread(const struct world *w, const struct rt_thread *t)
{
	for (unsigned i = 0; i < w->nthreads; i++)
		if (&w->threads[i] == t)
			return (int)i;
	return -1;
}

void world_collect(struct world *w)
{
	for (unsigned i = 0; i < w->nthreads; i++) {
		const struct rt_thread *t = &w->threads[i];

		if (!w->pending[i] || t->state == RT_THREAD_BLOCKED ||
		    t->state == RT_THREAD_SLEEPING || t->state == RT_THREAD_DEAD)
			continue;
		w->pending[i] = false;
		w->result[i] = t->swap_retval;
		if (w->capture[i] && t->swap_retval == 0)
			w->value[i] = (int64_t)w->recv_buf[i];
		w->capture[i] = false;
	}
}

#define FAIL(...) \
	do { \
		snprintf(err, len, __VA_ARGS__); \
		return false; \
	} while (0)

static const char *tname(const struct rt_thread *t)
{
	return t->name ? t->name : "?";
}

static bool check_queue(const struct rt_waitq *q, const char *what, char *err, size_t len)
{
	const struct rt_list *pos;
	int last = 1000;

	rt_list_for_each (pos, &q->head) {
		const struct rt_waiter *wt = rt_container_of(pos, struct rt_waiter, node);

		if (wt->q != q)
			FAIL("%s: waiter %s points to another queue", what, tname(wt->thread));
		if (wt->thread->state != RT_THREAD_BLOCKED)
			FAIL("%s: waiter %s is %s, not blocked", what, tname(wt->thread),
			     world_state_name(wt->thread->state));
		if (wt->key != wt->thread->prio)
			FAIL("%s: waiter %s queued with key %u but its priority is %u", what,
			     tname(wt->thread), wt->key, wt->thread->prio);
		if ((int)wt->key > last)
			FAIL("%s: waiter %s (key %u) queued behind a lower key %d", what,
			     tname(wt->thread), wt->key, last);
		last = wt->key;
	}
	return true;
}

static bool in_queue(const struct rt_waitq *q, const struct rt_waiter *wt)
{
	const struct rt_list *pos;

	rt_list_for_each (pos, &q->head)
		if (pos == &wt->node)
			return true;
	return false;
}

/* The highest base priority among `t` and every thread that waits for it,
 * directly or down a chain: no inheritance can justify more than that. Each
 * thread waits for one owner at most, so meeting a thread twice means a
 * cycle of waiters (*cycle is set). */
static unsigned reachable_base(const struct world *w, const struct rt_thread *t, uint64_t *seen,
			       bool *cycle)
{
	int idx = world_index_of_thread(w, t);
	unsigned best = t->base_prio;

	if (idx < 0)
		return 0;
	if ((*seen >> idx) & 1) {
		*cycle = true;
		return 0;
	}
	*seen |= 1ull << idx;
	for (unsigned i = 0; i < w->nthreads; i++) {
		const struct rt_thread *o = &w->threads[i];
		const struct rt_waitq *q = o->wait.q;

		if (q && q->kind == RT_WAITQ_MUTEX &&
		    rt_mutex_owner(rt_container_of(q, struct rt_mutex, waiters)) == t) {
			unsigned b = reachable_base(w, o, seen, cycle);

			if (b > best)
				best = b;
		}
	}
	return best;
}

/* Each thread is in one place: current of one CPU or in one ready queue. */
bool world_check_one_place(const struct world *w, char *err, size_t len)
{
	for (unsigned i = 0; i < w->nthreads; i++) {
		const struct rt_thread *t = &w->threads[i];
		unsigned places = 0;

		for (unsigned c = 0; c < rt_ncpus; c++) {
			const struct rt_list *pos;

			places += rt_cpus[c].current == t;
			for (unsigned p = 0; p < RT_PRIO_LEVELS; p++)
				rt_list_for_each (pos, &rt_cpus[c].rq.queue[p])
					places += pos == &t->rq_node;
		}
		if (places > 1)
			FAIL("%s is current or queued on %u CPUs at once", tname(t), places);
	}
	return true;
}

bool world_check(const struct world *w, bool check_pi, char *err, size_t len)
{
	char what[64];

	if (rt_raw_spin_is_locked(&rt_wait_lock))
		FAIL("rt_wait_lock left held");
	for (unsigned c = 0; c < rt_ncpus; c++) {
		const struct rt_cpu *cpu = &rt_cpus[c];
		const struct rt_thread *cur = cpu->current;
		unsigned counted = 0;

		if (rt_raw_spin_is_locked(&cpu->rq_lock) || rt_raw_spin_is_locked(&cpu->timer_lock))
			FAIL("cpu%u: a scheduler lock was left held", c);
		if (cpu->preempt_count || cpu->irq_nesting)
			FAIL("cpu%u: preempt_count %u irq_nesting %u after a step", c,
			     cpu->preempt_count, cpu->irq_nesting);
		if (cur->state != RT_THREAD_RUNNING)
			FAIL("cpu%u: current %s is %s", c, tname(cur),
			     world_state_name(cur->state));
		if (!cur->is_idle && cur->cpu != c)
			FAIL("cpu%u: current %s is pinned to cpu%u", c, tname(cur), cur->cpu);
		for (unsigned p = 0; p < RT_PRIO_LEVELS; p++) {
			const struct rt_list *pos;
			bool bit = (cpu->rq.bitmap[p / 64] >> (p % 64)) & 1;

			if (bit == rt_list_empty(&cpu->rq.queue[p]))
				FAIL("cpu%u: ready bitmap bit %u disagrees with its list", c, p);
			rt_list_for_each (pos, &cpu->rq.queue[p]) {
				const struct rt_thread *t =
					rt_container_of(pos, struct rt_thread, rq_node);

				counted++;
				if (t->state != RT_THREAD_READY || t->cpu != c || t->rq_prio != p ||
				    t->prio != p)
					FAIL("cpu%u: %s in ready list %u is %s, cpu%u, prio %u", c,
					     tname(t), p, world_state_name(t->state), t->cpu,
					     t->prio);
			}
		}
		if (counted != cpu->rq.nr_ready)
			FAIL("cpu%u: nr_ready %u but %u queued", c, cpu->rq.nr_ready, counted);
		int top = rt_runqueue_top_prio(&cpu->rq);

		if (top > (int)cur->prio)
			FAIL("cpu%u: runs %s at %u while a thread at %d is ready", c, tname(cur),
			     cur->prio, top);
	}
	for (unsigned i = 0; i < w->nthreads; i++) {
		const struct rt_thread *t = &w->threads[i];
		bool queued = rt_list_linked(&t->rq_node);

		if (t->prio < t->base_prio)
			FAIL("%s: priority %u below its base %u", tname(t), t->prio, t->base_prio);
		if ((t->state == RT_THREAD_READY) != queued)
			FAIL("%s: state %s but %s the ready queue", tname(t),
			     world_state_name(t->state), queued ? "in" : "not in");
		if (t->state == RT_THREAD_RUNNING && rt_cpus[t->cpu].current != t)
			FAIL("%s: running but cpu%u runs %s", tname(t), t->cpu,
			     tname(rt_cpus[t->cpu].current));
		if ((t->state == RT_THREAD_BLOCKED) != (t->wait.q != NULL))
			FAIL("%s: state %s but wait link %s", tname(t), world_state_name(t->state),
			     t->wait.q ? "set" : "clear");
		if (t->wait.q && !in_queue(t->wait.q, &t->wait))
			FAIL("%s: wait link names a queue it is not in", tname(t));
		if (t->state == RT_THREAD_SLEEPING && !rt_hrtimer_queued(&t->timer))
			FAIL("%s: sleeping without a timer", tname(t));
	}
	for (unsigned i = 0; i < w->nmutexes; i++) {
		const struct rt_mutex *m = &w->mutexes[i];
		const struct rt_thread *o = rt_mutex_owner(m);
		bool has = (m->owner & RT_MUTEX_HAS_WAITERS) != 0;
		bool empty = rt_waitq_empty(&m->waiters);

		snprintf(what, sizeof(what), "mutex %s", m->name);
		if (!check_queue(&m->waiters, what, err, len))
			return false;
		if (!empty && !o)
			FAIL("%s: waiters but no owner", what);
		if (has == empty && o)
			FAIL("%s: has-waiters bit %d with %s queue", what, has,
			     empty ? "an empty" : "a");
		if (rt_list_linked(&m->pi_node) == empty)
			FAIL("%s: owner link %s with %s queue", what,
			     rt_list_linked(&m->pi_node) ? "set" : "clear",
			     empty ? "an empty" : "a");
		if (o && o->state == RT_THREAD_DEAD)
			FAIL("%s: owned by dead thread %s", what, tname(o));
	}
	for (unsigned i = 0; i < w->nsems; i++) {
		snprintf(what, sizeof(what), "sem %s", w->sem_name[i]);
		if (!check_queue(&w->sems[i].waiters, what, err, len))
			return false;
		if (w->sems[i].count && !rt_waitq_empty(&w->sems[i].waiters))
			FAIL("%s: count %u with waiters", what, w->sems[i].count);
	}
	for (unsigned i = 0; i < w->nconds; i++) {
		snprintf(what, sizeof(what), "cond %s", w->cond_name[i]);
		if (!check_queue(&w->conds[i].waiters, what, err, len))
			return false;
	}
	for (unsigned i = 0; i < w->nmsgqs; i++) {
		snprintf(what, sizeof(what), "msgq %s", w->msgq_name[i]);
		if (!check_queue(&w->msgqs[i].senders, what, err, len) ||
		    !check_queue(&w->msgqs[i].receivers, what, err, len))
			return false;
	}
	for (unsigned i = 0; i < w->nseqs; i++) {
		const struct rt_mutex *m = &w->seqs[i].lock;

		snprintf(what, sizeof(what), "seqcount %s", w->seq_name[i]);
		if (!check_queue(&m->waiters, what, err, len))
			return false;
	}
	if (!world_check_one_place(w, err, len))
		return false;
	/* Never over-boosted, even where a boost was cut at the depth limit.
	 * Exception, a documented limit: the members of a (timed) cycle of
	 * waiters, and those it waits for, keep the highest priority that
	 * entered the cycle until a timeout breaks it. */
	for (unsigned i = 0; i < w->nthreads; i++) {
		const struct rt_thread *t = &w->threads[i];
		uint64_t seen = 0;
		bool cycle = false;
		unsigned bound = reachable_base(w, t, &seen, &cycle);

		if (t->prio > bound && !cycle)
			FAIL("%s: over-boosted: priority %u, but nothing above %u waits for it",
			     tname(t), t->prio, bound);
	}
	if (!check_pi)
		return true;
	/* Each owner's priority is max(base, priorities of all its waiters). */
	for (unsigned i = 0; i < w->nthreads; i++) {
		const struct rt_thread *t = &w->threads[i];
		unsigned want = t->base_prio;

		for (unsigned k = 0; k < w->nmutexes + w->nseqs; k++) {
			const struct rt_mutex *m =
				k < w->nmutexes ? &w->mutexes[k] : &w->seqs[k - w->nmutexes].lock;
			const struct rt_list *pos;

			if (rt_mutex_owner(m) != t)
				continue;
			rt_list_for_each (pos, &m->waiters.head) {
				const struct rt_waiter *wt =
					rt_container_of(pos, struct rt_waiter, node);

				if (wt->thread->prio > want)
					want = wt->thread->prio;
			}
		}
		if (t->prio != want)
			FAIL("%s: effective priority %u, expected %u from base and waiters",
			     tname(t), t->prio, want);
	}
	return true;
}
