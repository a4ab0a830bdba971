/*
 * rt_mutex: priority-inheriting sleeping lock with direct hand-off.
 * Invariant (whenever rt_wait_lock is free): every thread's effective
 * priority is max(base priority, key of the top waiter of each mutex it owns),
 * within RT_PI_MAX_DEPTH owners of any waiter; beyond them it may be lower
 * (a boost is bounded), never higher (a deboost is complete). See step 7.
 *
 * The protocol. "W" is rt_wait_lock (waitq.c): it guards every wait queue,
 * every thread's base_prio/prio/wait/pi_mutexes, and the slow-path writes of
 * the owner words. "RQ" is the run-queue lock of a thread's CPU.
 *
 *  1. Fast paths, no lock: lock is cmpxchg(owner, 0 -> self); unlock is
 *     cmpxchg(owner, self -> 0). A mutex with waiters carries HAS_WAITERS in
 *     its owner word, so the owner's fast unlock fails and it comes to step 9.
 *  2. Slow lock, under W: retry the take; set HAS_WAITERS with cmpxchg so the
 *     owner cannot slip away by its fast path between our check and queueing.
 *  3. Self-deadlock (the caller owns it) answers -RT_EDEADLK before anything
 *     is queued.
 *  4. Deadlock detection, read-only under W: follow owner -> blocked-on
 *     mutex -> its owner, at most RT_PI_MAX_DEPTH hops. Reaching the caller
 *     is a deadlock unless some waiter on the cycle (the caller included)
 *     has a finite timeout: that cycle ends by itself and is allowed. Until
 *     its timeout fires, the threads on such a cycle share the highest
 *     priority that entered it.
 *  5. Queue the caller's waiter by priority (FIFO among equals; key = copy
 *     of its priority), link the mutex into the owner's pi_mutexes when it
 *     gets its first waiter, mark the caller BLOCKED, arm its timeout.
 *  6. Chain walk from the owner, under W, one owner per hop:
 *     a. want = max(base, top waiter key of each mutex in pi_mutexes);
 *        stop when it equals the current priority: nothing below changes.
 *     b. set prio and move the thread in its run queue (RQ, sched.c).
 *     c. stop when the owner is not blocked; else re-sort its waiter in the
 *        queue it waits in under the new key (pitfall 1) and, when that is
 *        a mutex, go on with that mutex's owner.
 *  7. Depth limit, for boosts only: a walk raises at most RT_PI_MAX_DEPTH
 *     owners. Owners further down are not boosted and the cut is counted in
 *     rt_pi_stats.depth_limit_hits; the caller still blocks normally. A walk
 *     that lowers priorities (a waiter left, a priority fell, a mutex was
 *     destroyed) follows the chain to its end, however long: a limit may
 *     leave a thread under-boosted, never over-boosted (it would run ahead
 *     of unrelated higher-priority threads). Each lowering hop strictly
 *     lowers one priority, so such a walk ends; every hop is bounded and
 *     opens an interrupt window (step 8). A chain longer than the limit is
 *     not refused (unlike Linux, which answers -EDEADLK): only a bottom-up
 *     check of the whole chain above the caller could refuse it, and that is
 *     not bounded either.
 *  8. Between hops the walk drops W (interrupts may run: the walk is
 *     bounded per hop, not per chain) and keeps preemption disabled. On
 *     retaking W it revalidates: the thread is still queued on the same
 *     mutex and that mutex still has the same owner. If not, whoever changed
 *     the chain has recomputed the affected owner exactly, so the walk stops.
 *     (Every step recomputes from the current state, so a stale step could
 *     only repeat a right answer; revalidation keeps walks short.)
 *     a. So a walk never runs in interrupt context, where the windows would
 *     stay shut: a walk that an interrupt starts (a timeout, or a priority
 *     change, condvar signal or destroy called from a handler) is deferred
 *     to the CPU's PI worker thread (pi_worker.c), which walks as soon as
 *     the interrupt returns.
 *  9. Slow unlock, under W: wake-for-release waiters (seqcount readers) are
 *     taken off; the top acquiring waiter becomes owner (hand-off: no lower
 *     priority thread can take the lock meanwhile; equal ones stay FIFO),
 *     with HAS_WAITERS and its own pi_mutexes link if more wait. Its new
 *     priority is computed from the remaining waiters.
 * 10. The releasing thread recomputes its priority from the mutexes it still
 *     owns (exact, any release order: pitfall 3) BEFORE anyone is woken
 *     (pitfall 6).
 * 11. Then the new owner is woken with the hand-off value (0, or the
 *     condition variable's -RT_ETIMEDOUT), then the release waiters.
 * 12. Timeout of a waiter (its timer interrupt), under W: unqueue it (its
 *     blocked-on link becomes NULL: nothing stale for later deadlock
 *     checks), unlink the mutex from the owner when it was the last waiter,
 *     wake it with -RT_ETIMEDOUT and let the PI worker walk from the owner
 *     to deboost the chain below (pitfall 4; step 8a). As in Linux, where
 *     the woken waiter deboosts in task context, the wake-up comes first.
 * 13. Priority change of a thread (rt_thread_set_priority) is step 6 started
 *     at that thread, so a blocked thread's change travels the chain
 *     (pitfall 5).
 * 14. Destroy: every waiter is taken off, the owner unlinked and deboosted
 *     along its chain (pitfall 10), then the waiters are woken with
 *     -RT_ECANCELED.
 */
#include <rt/errno.h>
#include <rt/rtmutex.h>
#include <rt/sched.h>
#include <rt/thread.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>
#include <rtarch/timer.h>

struct rt_pi_stats rt_pi_stats;
unsigned rt_pi_faults;

#ifdef RT_FAULT_INJECTION
#define FAULT(f) (rt_pi_faults & (f))
#else
#define FAULT(f) 0
#endif

static void mutex_timeout(struct rt_waiter *w, unsigned long *flags);
static void mutex_key_changed(struct rt_waiter *w, unsigned long *flags);

static const struct rt_waitq_ops mutex_ops = {
	.timeout = mutex_timeout,
	.key_changed = mutex_key_changed,
};

static struct rt_mutex *mutex_of(struct rt_waitq *q)
{
	return rt_container_of(q, struct rt_mutex, waiters);
}

struct rt_thread *rt_mutex_owner(const struct rt_mutex *m)
{
	return (struct rt_thread *)(__atomic_load_n(&m->owner, __ATOMIC_ACQUIRE) &
				    ~RT_MUTEX_HAS_WAITERS);
}

void rt_mutex_init(struct rt_mutex *m, const char *name)
{
	m->owner = 0;
	rt_waitq_init(&m->waiters, RT_WAITQ_MUTEX, &mutex_ops);
	rt_list_init(&m->pi_node);
	m->name = name;
	m->dead = 0;
	m->saved_prio = 0;
}

/* Step 6a, under W. */
static uint8_t pi_wanted_prio(const struct rt_thread *t)
{
	uint8_t want = t->base_prio;
	const struct rt_list *pos;

	rt_list_for_each (pos, &t->pi_mutexes) {
		struct rt_waiter *top =
			rt_waitq_top(&rt_container_of(pos, struct rt_mutex, pi_node)->waiters);

		if (top && top->key > want)
			want = top->key;
	}
	return want;
}

/* Steps 6-8: `t`'s wanted priority may differ from its priority. W held
 * (through *flags); dropped and retaken between hops. */
static void pi_chain_walk(struct rt_thread *t, unsigned long *flags, unsigned max_hops)
{
	unsigned raised = 0;

	rt_pi_stats.walks++;
	rt_preempt_disable();
	while (t) {
		uint8_t want = pi_wanted_prio(t); /* 6a */
		bool raise = want > t->prio;

		if (want == t->prio)
			break;
		if (!raise && FAULT(RT_PI_FAULT_NO_DEBOOST))
			break;
		rt_pi_stats.hops++;
		raised += raise;
		t->prio = want; /* 6b */
		sched_prio_changed(t);

		struct rt_waiter *w = &t->wait; /* 6c */

		if (!w->q)
			break;
		rt_waitq_requeue(w, want);
		if (w->q->kind != RT_WAITQ_MUTEX)
			break;
		struct rt_mutex *m = mutex_of(w->q);
		struct rt_thread *next = rt_mutex_owner(m);

		if (FAULT(RT_PI_FAULT_NO_TRANSITIVE))
			break;
		if (raise && raised >= max_hops) { /* 7: a boost is bounded, a deboost is not */
			rt_pi_stats.depth_limit_hits++;
			break;
		}
		rt_raw_unlock_irqrestore(&rt_wait_lock, *flags); /* 8 */
		rtarch_irq_window();
		*flags = rt_raw_lock_irqsave(&rt_wait_lock);
		if (w->q != &m->waiters || rt_mutex_owner(m) != next) {
			rt_pi_stats.revalidate_stops++;
			break;
		}
		t = next;
	}
	rt_preempt_enable_no_resched();
}

void rtmutex_walk_from(struct rt_thread *t, unsigned long *flags)
{
	pi_chain_walk(t, flags, RT_PI_MAX_DEPTH);
}

/* Step 8a: in an interrupt the walk would keep its windows shut. */
static void pi_walk_or_defer(struct rt_thread *t, unsigned long *flags)
{
	if (sched_in_interrupt())
		pi_worker_defer(t);
	else
		pi_chain_walk(t, flags, RT_PI_MAX_DEPTH);
}

/* Step 13. */
void rtmutex_update_prio(struct rt_thread *t, unsigned long *flags)
{
	uint8_t want = pi_wanted_prio(t);

	if (want == t->prio)
		return;
	t->prio = want;
	sched_prio_changed(t);
	if (t->wait.q) {
		struct rt_waiter *w = &t->wait;

		rt_waitq_requeue(w, want);
		if (w->q->ops && w->q->ops->key_changed)
			w->q->ops->key_changed(w, flags);
	}
}

static void mutex_key_changed(struct rt_waiter *w, unsigned long *flags)
{
	pi_walk_or_defer(rt_mutex_owner(mutex_of(w->q)), flags);
}

/* Step 4. */
static bool pi_would_deadlock(struct rt_thread *owner, const struct rt_thread *self, bool timed)
{
	struct rt_thread *t = owner;

	for (unsigned hop = 0; hop < RT_PI_MAX_DEPTH && t; hop++) {
		struct rt_waiter *w = &t->wait;

		if (!w->q || w->q->kind != RT_WAITQ_MUTEX)
			return false;
		timed |= w->timed;
		t = rt_mutex_owner(mutex_of(w->q));
		if (t == self)
			return !timed;
	}
	return false;
}

static void clear_has_waiters_if_empty(struct rt_mutex *m)
{
	if (rt_waitq_empty(&m->waiters)) {
		__atomic_fetch_and(&m->owner, ~RT_MUTEX_HAS_WAITERS, __ATOMIC_RELAXED);
		if (rt_list_linked(&m->pi_node))
			rt_list_del(&m->pi_node);
	}
}

/*
 * Steps 2-6 for thread `t` (the caller, or a condition-variable waiter being
 * requeued). Returns 0 when t now owns m (or, !acquire, m was free), 1 when
 * t is queued and must block, or a negative error. W held.
 */
static int lock_slow_locked(struct rt_mutex *m, struct rt_thread *t, uint64_t timeout_ns,
			    bool acquire, bool detect, int handoff_retval, unsigned long *flags)
{
	struct rt_thread *owner;
	struct rt_waiter *w = &t->wait;

	for (;;) { /* 2 */
		uintptr_t cur = __atomic_load_n(&m->owner, __ATOMIC_RELAXED);

		if (cur == 0) {
			if (!acquire)
				return 0;
			if (__atomic_compare_exchange_n(&m->owner, &cur, (uintptr_t)t, false,
							__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
				m->saved_prio = t->prio;
				return 0;
			}
			continue;
		}
		owner = (struct rt_thread *)(cur & ~RT_MUTEX_HAS_WAITERS);
		if (owner == t) { /* 3 */
			rt_pi_stats.deadlocks++;
			return -RT_EDEADLK;
		}
		if (timeout_ns == RT_NO_WAIT)
			return -RT_EBUSY;
		if ((cur & RT_MUTEX_HAS_WAITERS) ||
		    __atomic_compare_exchange_n(&m->owner, &cur, cur | RT_MUTEX_HAS_WAITERS, false,
						__ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break;
	}
	if (detect && !FAULT(RT_PI_FAULT_NO_DEADLOCK) && /* 4 */
	    pi_would_deadlock(owner, t, timeout_ns != RT_FOREVER)) {
		clear_has_waiters_if_empty(m);
		rt_pi_stats.deadlocks++;
		return -RT_EDEADLK;
	}
	w->key = t->prio; /* 5 */
	w->timed = timeout_ns != RT_FOREVER;
	w->acquire = acquire;
	w->handoff_retval = handoff_retval;
	w->data = NULL;
	rt_waitq_insert(&m->waiters, w);
	if (!rt_list_linked(&m->pi_node))
		rt_list_add_tail(&owner->pi_mutexes, &m->pi_node);
	rt_thread_prepare_block(t, timeout_ns);
	if (detect) /* 6: a locking thread */
		pi_chain_walk(owner, flags, RT_PI_MAX_DEPTH);
	else /* a condition-variable requeue, maybe from an interrupt */
		pi_walk_or_defer(owner, flags);
	return 1;
}

int rt_mutex_lock_timeout(struct rt_mutex *m, uint64_t timeout_ns)
{
	struct rt_thread *self = rt_thread_self();
	uintptr_t expect = 0;
	unsigned long flags;
	int ret;

	if (m->dead)
		return -RT_EINVAL;
	if (__atomic_compare_exchange_n(&m->owner, &expect, (uintptr_t)self, false, /* 1 */
					__ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		m->saved_prio = self->prio;
		return 0;
	}
	flags = rt_raw_lock_irqsave(&rt_wait_lock);
	ret = lock_slow_locked(m, self, timeout_ns, true, true, 0, &flags);
	if (ret <= 0) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return ret;
	}
	return sched_block(flags);
}

int rt_mutex_lock(struct rt_mutex *m)
{
	return rt_mutex_lock_timeout(m, RT_FOREVER);
}

int rt_mutex_trylock(struct rt_mutex *m)
{
	return rt_mutex_lock_timeout(m, RT_NO_WAIT);
}

int rt_mutex_wait_released(struct rt_mutex *m)
{
	struct rt_thread *self = rt_thread_self();
	unsigned long flags;
	int ret;

	if (m->dead)
		return -RT_EINVAL;
	flags = rt_raw_lock_irqsave(&rt_wait_lock);
	ret = lock_slow_locked(m, self, RT_FOREVER, false, true, 0, &flags);
	if (ret <= 0) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return ret;
	}
	return sched_block(flags);
}

bool rtmutex_take_or_enqueue_locked(struct rt_mutex *m, struct rt_thread *t, int retval,
				    unsigned long *flags)
{
	return lock_slow_locked(m, t, RT_FOREVER, true, false, retval, flags) == 0;
}

/* Steps 9-11. W held; `self` owns m. */
void rtmutex_release_locked(struct rt_mutex *m, struct rt_thread *self)
{
	struct rt_list released, *pos, *n;
	struct rt_waiter *top;
	struct rt_thread *next = NULL;
	int handoff = 0;
	uint8_t saved = m->saved_prio;

	rt_list_init(&released); /* 9 */
	for (pos = m->waiters.head.next; pos != &m->waiters.head; pos = n) {
		struct rt_waiter *w = rt_container_of(pos, struct rt_waiter, node);

		n = pos->next;
		if (!w->acquire) {
			rt_waitq_remove(w);
			rt_list_add_tail(&released, &w->node);
		}
	}
	if (rt_list_linked(&m->pi_node))
		rt_list_del(&m->pi_node);
	top = rt_waitq_top(&m->waiters);
	if (top) {
		next = top->thread;
		handoff = top->handoff_retval;
		rt_waitq_remove(top);
		if (rt_waitq_empty(&m->waiters)) {
			__atomic_store_n(&m->owner, (uintptr_t)next, __ATOMIC_RELEASE);
		} else {
			__atomic_store_n(&m->owner, (uintptr_t)next | RT_MUTEX_HAS_WAITERS,
					 __ATOMIC_RELEASE);
			rt_list_add_tail(&next->pi_mutexes, &m->pi_node);
		}
		m->saved_prio = next->prio;
		/* The new owner is not blocked any more: no chain below it. */
		uint8_t want = pi_wanted_prio(next);

		if (want != next->prio && !(want < next->prio && FAULT(RT_PI_FAULT_NO_DEBOOST))) {
			next->prio = want;
			sched_prio_changed(next);
		}
	} else {
		__atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
	}

	/* 10: exact recompute from what is still owned, before any wake-up.
	 * (The SAVED_PRIO fault restores the value seen at lock time instead,
	 * which is wrong as soon as locks are released out of order.) */
	uint8_t mine = FAULT(RT_PI_FAULT_SAVED_PRIO) ? saved : pi_wanted_prio(self);

	if (mine != self->prio && !(mine < self->prio && FAULT(RT_PI_FAULT_NO_DEBOOST))) {
		self->prio = mine;
		sched_prio_changed(self);
	}
	if (next) /* 11 */
		sched_wake(next, handoff);
	while (!rt_list_empty(&released)) {
		struct rt_waiter *w = rt_container_of(released.next, struct rt_waiter, node);

		rt_list_del(&w->node);
		sched_wake(w->thread, -RT_EAGAIN);
	}
}

int rt_mutex_unlock(struct rt_mutex *m)
{
	struct rt_thread *self = rt_thread_self();
	uintptr_t expect = (uintptr_t)self;
	unsigned long flags;

	if (m->dead)
		return -RT_EINVAL;
	if (!FAULT(RT_PI_FAULT_SAVED_PRIO) && /* 1 */
	    __atomic_compare_exchange_n(&m->owner, &expect, 0, false, __ATOMIC_RELEASE,
					__ATOMIC_RELAXED))
		return 0;
	flags = rt_raw_lock_irqsave(&rt_wait_lock);
	if (rt_mutex_owner(m) != self) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EPERM;
	}
	rtmutex_release_locked(m, self);
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}

/* Step 12, from the waiter's timer (interrupt context), W held. */
static void mutex_timeout(struct rt_waiter *w, unsigned long *flags)
{
	struct rt_mutex *m = mutex_of(w->q);
	struct rt_thread *t = w->thread, *owner = rt_mutex_owner(m);

	rt_waitq_remove(w);
	clear_has_waiters_if_empty(m);
	pi_walk_or_defer(owner, flags);
	/* A walk may have dropped W: wake only if nobody else did. */
	if (t->state == RT_THREAD_BLOCKED && !t->wait.q)
		sched_wake(t, -RT_ETIMEDOUT);
}

/* Step 14. */
int rt_mutex_destroy(struct rt_mutex *m)
{
	unsigned long flags = rt_raw_lock_irqsave(&rt_wait_lock);
	struct rt_list cancelled;
	struct rt_thread *owner;

	if (m->dead) {
		rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
		return -RT_EINVAL;
	}
	m->dead = 1;
	owner = rt_mutex_owner(m);
	rt_list_init(&cancelled);
	while (!rt_waitq_empty(&m->waiters)) {
		struct rt_waiter *w = rt_waitq_top(&m->waiters);

		rt_waitq_remove(w);
		rt_list_add_tail(&cancelled, &w->node);
	}
	if (rt_list_linked(&m->pi_node))
		rt_list_del(&m->pi_node);
	__atomic_store_n(&m->owner, 0, __ATOMIC_RELEASE);
	if (owner)
		pi_walk_or_defer(owner, &flags);
	while (!rt_list_empty(&cancelled)) {
		struct rt_waiter *w = rt_container_of(cancelled.next, struct rt_waiter, node);

		rt_list_del(&w->node);
		if (w->thread->state == RT_THREAD_BLOCKED && !w->thread->wait.q)
			sched_wake(w->thread, -RT_ECANCELED);
	}
	rt_raw_unlock_irqrestore(&rt_wait_lock, flags);
	sched_resched();
	return 0;
}
