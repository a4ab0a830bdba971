/*
 * The rt_mutex priority-inheritance protocol of rtcell/kernel/rtmutex.c as a
 * Promela model, checked with spin (tests/verify/test_pi_model.py).
 * Read it beside rtmutex.c: every "step N" comment here is the step of the
 * same number in the code's protocol comment (a test keeps the two in step).
 *
 * What is modelled
 *  - NT threads of distinct base priorities 1..NT, NL mutexes, and the PI
 *    worker (pi_worker.c) at PMAX = NT + 1. Each thread runs one program
 *    chosen nondeterministically: lock a mutex, maybe lock a second one, each
 *    with or without a timeout, release both in either order.
 *  - An interrupt source that at any moment outside rt_wait_lock releases a
 *    sleeping thread, fires a timed waiter's timeout (step 12) or changes a
 *    thread's base priority (step 13, budget NPRIO); both defer their walks
 *    to the PI worker (step 8a).
 *  - Two CPU models. UP (default): one CPU, the running thread is chosen by
 *    the scheduler (highest effective priority, the current one kept on a
 *    tie); threads start asleep and the interrupt source releases them in
 *    every order. ANY_CPU: every thread has a CPU of its own, so every
 *    thread's steps interleave with every other's at each point where the
 *    code drops rt_wait_lock (W).
 *  - A section under W is one atomic step. That is exact for everything W
 *    guards. The owner word is also written by the fast paths without W, but
 *    a fast path only succeeds on a mutex without HAS_WAITERS, and every read
 *    under W of a mutex that has waiters sees a word that only W's holders
 *    change; step 2's load/cmpxchg loop is reduced to its successful
 *    iteration (the failing ones change nothing).
 *
 * Properties (assertions; spin also reports any end state where a thread is
 * stuck, which is how a lost wake-up or an undetected deadlock shows)
 *  P1 After each completed chain walk (no walk running, none deferred), every
 *     thread's effective priority is max(base, priorities of the waiters on
 *     the mutexes it owns), and a waiter's key is its priority. With
 *     MAXD < chain length only "never above" holds (step 7).
 *  P2 UP only: outside a non-preemptible section (a slow lock or unlock, a
 *     chain walk) the running thread has the highest effective priority of
 *     all ready threads: with P1 a higher-priority thread waits for a lower
 *     one only while that one is boosted, i.e. holds what it needs.
 *  P3 A lock request answers -EDEADLK exactly when it would close a cycle of
 *     waiters none of which has a timeout, the state (owners, queues,
 *     priorities, HAS_WAITERS, links) is as before the call, and no such
 *     cycle ever exists among blocked threads.
 *  P4 No lost wake-up: a blocked thread is queued on a mutex whose owner is
 *     not done; every thread ends (spin's end-state check).
 *  P5 Wait queues are sorted by key, FIFO among equal keys; a hand-off goes
 *     to the head; each mutex has HAS_WAITERS and is linked into exactly its
 *     owner's pi_mutexes while it has waiters.
 *
 * Not modelled: step 14 (destroy), the release waiters
 * (rt_mutex_wait_released) and condition-variable requeues: no program here
 * uses them. Broken variants (tests/rtcell --broken, rt_pi_fault):
 * -DF_NO_TRANSITIVE, -DF_NO_DEBOOST, -DF_NO_REQUEUE, -DF_SAVED_PRIO,
 * -DF_LIFO, -DF_NO_DEADLOCK.
 */

#ifndef NT
#define NT 4
#endif
#ifndef NL
#define NL 3
#endif
#ifndef NPRIO
#define NPRIO 1
#endif
#ifndef MAXD
#define MAXD 16 /* RT_PI_MAX_DEPTH */
#endif

#define WK NT /* the PI worker's thread index */
#define PMAX (NT + 1) /* RT_PRIO_MAX, the worker's priority */
#define NONE 255

#define READY 0
#define BLOCKED 1
#define SLEEPING 2
#define DONE 3

#define OK 0
#define ETIMEDOUT 1
#define EDEADLK 2

typedef queue {
	byte w[NT + 1]
};

byte base[NT + 1];
byte prio[NT + 1];
byte key[NT + 1]; /* the waiter's copy of its priority */
byte st[NT + 1];
byte blocked_on[NT + 1]; /* the waiter's q: a mutex or NONE */
bit timed[NT + 1];
byte retval[NT + 1];

byte owner[NL];
bit hw[NL]; /* HAS_WAITERS */
byte linked_to[NL]; /* whose pi_mutexes holds the mutex, or NONE */
byte qlen[NL];
queue q[NL];
#ifdef F_SAVED_PRIO
byte saved[NL];
#endif

bit deferred[NT + 1]; /* pi_worker's list */
byte ndeferred;
byte walks_active;
byte ndone;
byte nprio_left = NPRIO;

byte running = NONE; /* UP: the thread on the CPU */
bit nopreempt; /* UP: the running thread is in a non-preemptible section */

/* scratch for the atomic helpers; always left 0 */
byte gi, gj, gk, gm, gv;

#ifdef ANY_CPU
#define RUN(t) (st[t] == READY)
#define WRUN(t) true
#define RESUMED(t) (st[t] == READY)
#else
#define RUN(t) (running == t)
#define WRUN(t) (running == t)
#define RESUMED(t) (st[t] == READY && running == t)
#endif

/* ---- wait queues (waitq.c) ---- */

/* Sorted insertion: behind every key >= ours (FIFO), or >, under F_LIFO. */
inline q_insert(l, t)
{
	gi = 0;
	do
#ifdef F_LIFO
	:: gi < qlen[l] && key[q[l].w[gi]] > key[t] -> gi++
#else
	:: gi < qlen[l] && key[q[l].w[gi]] >= key[t] -> gi++
#endif
	:: else -> break
	od;
	gj = qlen[l];
	do
	:: gj > gi -> q[l].w[gj] = q[l].w[gj - 1]; gj--
	:: else -> break
	od;
	q[l].w[gi] = t;
	qlen[l]++;
	blocked_on[t] = l;
	/* P5: FIFO among equal keys, checked against the spec, not the code */
	gj = gi + 1;
	do
	:: gj < qlen[l] -> assert(key[q[l].w[gj]] < key[t]); gj++
	:: else -> break
	od;
	gi = 0;
	gj = 0
}

inline q_remove(l, t)
{
	gi = 0;
	do
	:: q[l].w[gi] != t -> gi++
	:: else -> break
	od;
	do
	:: gi + 1 < qlen[l] -> q[l].w[gi] = q[l].w[gi + 1]; gi++
	:: else -> break
	od;
	qlen[l]--;
	q[l].w[qlen[l]] = 0;
	blocked_on[t] = NONE;
	gi = 0
}

/* rt_waitq_requeue: the key changes and the waiter moves (pitfall 1). */
inline requeue(t, k)
{
#ifdef F_NO_REQUEUE
	key[t] = k
#else
	gm = blocked_on[t];
	q_remove(gm, t);
	key[t] = k;
	q_insert(gm, t);
	gm = 0
#endif
}

/* Step 6a: max(base, top waiter's key of each mutex in t's pi_mutexes). */
inline pi_wanted_prio(t, res)
{
	res = base[t];
	gk = 0;
	do
	:: gk < NL ->
		if
		:: linked_to[gk] == t && qlen[gk] > 0 && key[q[gk].w[0]] > res ->
			res = key[q[gk].w[0]]
		:: else
		fi;
		gk++
	:: else -> break
	od;
	gk = 0
}

inline clear_has_waiters_if_empty(l)
{
	if
	:: qlen[l] == 0 -> hw[l] = 0; linked_to[l] = NONE
	:: else
	fi
}

/* ---- the scheduler (sched.c), UP model ---- */

/* The highest effective priority among ready threads; the running thread
 * keeps the CPU on a tie. */
inline resched()
{
#ifndef ANY_CPU
	if
	:: !nopreempt ->
		gv = 0;
		gm = NONE;
		gi = 0;
		do
		:: gi <= NT ->
			if
			:: st[gi] == READY && (gm == NONE || prio[gi] > gv ||
					       (prio[gi] == gv && gi == running)) ->
				gm = gi;
				gv = prio[gi]
			:: else
			fi;
			gi++
		:: else -> break
		od;
		running = gm;
		gi = 0;
		gm = 0;
		gv = 0
	:: else
	fi
#else
	skip
#endif
}

/* P2 */
inline check_sched()
{
#ifndef ANY_CPU
	if
	:: !nopreempt ->
		gi = 0;
		do
		:: gi <= NT ->
			assert(st[gi] != READY || (running != NONE && st[running] == READY &&
						   prio[running] >= prio[gi]));
			gi++
		:: else -> break
		od;
		gi = 0
	:: else
	fi
#else
	skip
#endif
}

/* ---- the checks ---- */

/* P1: prio[t] against max(base, priorities of the waiters on t's mutexes). */
inline check_pi()
{
	gi = 0;
	do
	:: gi < NT ->
		gv = base[gi];
		gk = 0;
		do
		:: gk < NL ->
			if
			:: owner[gk] == gi ->
				gj = 0;
				do
				:: gj < qlen[gk] ->
					if
					:: prio[q[gk].w[gj]] > gv -> gv = prio[q[gk].w[gj]]
					:: else
					fi;
					gj++
				:: else -> break
				od
			:: else
			fi;
			gk++
		:: else -> break
		od;
#if MAXD >= NT
		assert(prio[gi] == gv);
#else
		assert(prio[gi] <= gv && prio[gi] >= base[gi]);
#endif
		assert(blocked_on[gi] == NONE || key[gi] == prio[gi]);
		gi++
	:: else -> break
	od;
	gi = 0;
	gj = 0;
	gk = 0;
	gv = 0
}

/* P3 (part), P4, P5: structure, in every state where W is free. */
inline check_structure()
{
	gk = 0;
	do
	:: gk < NL ->
		assert(qlen[gk] == 0 || (owner[gk] != NONE && hw[gk] && linked_to[gk] == owner[gk]));
		assert(qlen[gk] > 0 || linked_to[gk] == NONE);
		gj = 1;
		do
		:: gj < qlen[gk] -> assert(key[q[gk].w[gj - 1]] >= key[q[gk].w[gj]]); gj++
		:: else -> break
		od;
		gk++
	:: else -> break
	od;
	gi = 0;
	do
	:: gi < NT ->
		/* P4: whoever sleeps on a mutex is queued there (a walk in ANY_CPU
		 * runs on after its thread was woken) */
		assert(st[gi] != BLOCKED || blocked_on[gi] != NONE || retval[gi] != OK);
		assert(blocked_on[gi] == NONE || st[owner[blocked_on[gi]]] != DONE);
		/* no cycle of waiters without a timeout */
		gm = gi;
		gv = 1; /* all untimed so far */
		gj = 0;
		do
		:: gj < NT && gm != NONE && blocked_on[gm] != NONE ->
			gv = gv && !timed[gm];
			gm = owner[blocked_on[gm]];
			gj++;
			if
			:: gm == gi -> assert(!gv); break
			:: else
			fi
		:: else -> break
		od;
		gi++
	:: else -> break
	od;
	gi = 0;
	gj = 0;
	gk = 0;
	gm = 0;
	gv = 0
}

/* End of every section under W. */
inline w_release()
{
	check_structure();
	if
	:: walks_active == 0 && ndeferred == 0 -> check_pi()
	:: else
	fi
}

/* ---- chain walk, steps 6-8 ---- */

inline walk_end()
{
	walks_active--;
	cont = 0;
	raised = 0;
	wt = 0;
	wm = 0;
	wnext = 0
}

/* One hop at wt, W held; sets cont when the walk goes on at wnext. */
inline hop()
{
	pi_wanted_prio(wt, want); /* step 6a */
	if
	:: want == prio[wt] -> skip
#ifdef F_NO_DEBOOST
	:: want < prio[wt] -> skip
#endif
	:: else ->
		raise = want > prio[wt];
		raised = raised + raise;
		prio[wt] = want; /* step 6b */
		if
		:: blocked_on[wt] != NONE -> /* step 6c */
			requeue(wt, want);
			wm = blocked_on[wt];
			wnext = owner[wm];
#ifndef F_NO_TRANSITIVE
			if
			:: raise && raised >= MAXD -> skip /* step 7 */
			:: else -> cont = 1
			fi
#endif
		:: else
		fi
	fi;
	want = 0;
	raise = 0;
	if
	:: !cont -> walk_end()
	:: else
	fi
}

/* Step 8: the hops after the first, each retaking W and revalidating. */
inline walk_rest(me)
{
	do
	:: cont ->
		atomic {
			WRUN(me) ->
			if
			:: blocked_on[wt] != wm || owner[wm] != wnext -> walk_end()
			:: else -> wt = wnext; hop()
			fi;
			w_release()
		}
	:: else -> break
	od
}

/* Step 8a: an interrupt hands the walk to the PI worker. */
inline pi_worker_defer(t)
{
	if
	:: !deferred[t] -> deferred[t] = 1; ndeferred++
	:: else
	fi;
	if
	:: st[WK] == BLOCKED -> st[WK] = READY
	:: else
	fi
}

/* Step 4 as the code does it: at most MAXD hops from the owner. */
inline pi_would_deadlock(o, self, tmo, res)
{
	gm = o;
	gv = tmo;
	gj = 0;
	res = 0;
	do
	:: gj < MAXD && gm != NONE && blocked_on[gm] != NONE ->
		gv = gv || timed[gm];
		gm = owner[blocked_on[gm]];
		gj++;
		if
		:: gm == self -> res = !gv; break
		:: else
		fi
	:: else -> break
	od;
	gm = 0;
	gv = 0;
	gj = 0
}

/* P3, the spec: following owners from o reaches self over untimed waiters. */
inline closes_untimed_cycle(o, self, tmo, res)
{
	gm = o;
	gv = tmo;
	gj = 0;
	res = 0;
	do
	:: gj < NT && gm != NONE && blocked_on[gm] != NONE ->
		gv = gv || timed[gm];
		gm = owner[blocked_on[gm]];
		gj++;
		if
		:: gm == self -> res = !gv; break
		:: else
		fi
	:: else -> break
	od;
	gm = 0;
	gv = 0;
	gj = 0
}

/* ---- the API ---- */

/* rt_mutex_lock_timeout; res = OK, ETIMEDOUT or EDEADLK. */
inline lock(me, l, tmo, res)
{
	atomic {
		RUN(me) ->
		if
		:: owner[l] == NONE -> /* step 1, or step 2's take */
			owner[l] = me;
#ifdef F_SAVED_PRIO
			saved[l] = prio[me];
#endif
			res = OK
		:: else ->
			assert(owner[l] != me); /* step 3: no program relocks */
			/* step 2 */
			snap_hw = hw[l];
			hw[l] = 1;
			/* step 4 */
#ifndef F_NO_DEADLOCK
			pi_would_deadlock(owner[l], me, tmo, dl);
#endif
			closes_untimed_cycle(owner[l], me, tmo, spec_dl);
			assert(dl == spec_dl); /* P3 */
			if
			:: dl ->
				snapshot();
				clear_has_waiters_if_empty(l);
				assert(hw[l] == snap_hw);
				assert_unchanged(); /* P3 */
				res = EDEADLK
			:: else ->
				key[me] = prio[me]; /* step 5 */
				timed[me] = tmo;
				q_insert(l, me);
				if
				:: linked_to[l] == NONE -> linked_to[l] = owner[l]
				:: else
				fi;
				st[me] = BLOCKED;
				retval[me] = OK;
				nopreempt = 1;
				walks_active++; /* step 6 */
				wt = owner[l];
				hop();
				res = NONE /* blocks */
			fi;
			dl = 0;
			spec_dl = 0;
			snap_hw = 0
		fi;
		w_release();
		resched();
		check_sched()
	};
	if
	:: res == NONE ->
		walk_rest(me);
		atomic { /* sched_block */
			nopreempt = 0;
			w_release();
			resched();
			check_sched()
		};
		RESUMED(me);
		atomic {
			res = retval[me];
			retval[me] = OK;
			timed[me] = 0;
			assert(res != OK || owner[l] == me) /* hand-off */
		}
	:: else
	fi
}

/* Steps 9-11, W held. */
inline release_locked(me, l)
{
#ifdef F_SAVED_PRIO
	mine = saved[l];
#endif
	linked_to[l] = NONE; /* step 9 */
	if
	:: qlen[l] > 0 ->
		next = q[l].w[0];
		q_remove(l, next);
		owner[l] = next;
		if
		:: qlen[l] == 0 -> hw[l] = 0
		:: else -> hw[l] = 1; linked_to[l] = next
		fi;
#ifdef F_SAVED_PRIO
		saved[l] = prio[next];
#endif
		pi_wanted_prio(next, want);
		if
		:: want != prio[next] ->
			if
#ifdef F_NO_DEBOOST
			:: want < prio[next] -> skip
#endif
			:: else -> prio[next] = want
			fi
		:: else
		fi
	:: else ->
		owner[l] = NONE;
		hw[l] = 0;
		next = NONE
	fi;
	/* step 10, before any wake-up */
#ifndef F_SAVED_PRIO
	pi_wanted_prio(me, mine);
#endif
	if
	:: mine != prio[me] ->
		if
#ifdef F_NO_DEBOOST
		:: mine < prio[me] -> skip
#endif
		:: else -> prio[me] = mine
		fi
	:: else
	fi;
	if
	:: next != NONE -> st[next] = READY; retval[next] = OK /* step 11 */
	:: else
	fi;
	next = 0;
	mine = 0;
	want = 0
}

inline unlock(me, l)
{
	atomic {
		RUN(me) ->
		assert(owner[l] == me);
		if
#ifndef F_SAVED_PRIO
		:: !hw[l] -> owner[l] = NONE /* step 1 */
#endif
		:: else -> release_locked(me, l)
		fi;
		w_release();
		resched();
		check_sched()
	}
}

/* State that a refused lock must leave as it was (P3). */
byte snap_owner[NL];
bit snap_hw_all[NL];
byte snap_linked[NL];
byte snap_qlen[NL];
byte snap_prio[NT + 1];
bit snap_hw;
bit dl;
bit spec_dl;

inline snapshot()
{
	gi = 0;
	do
	:: gi < NL ->
		snap_owner[gi] = owner[gi];
		snap_linked[gi] = linked_to[gi];
		snap_qlen[gi] = qlen[gi];
		gi++
	:: else -> break
	od;
	gi = 0;
	do
	:: gi < NT -> snap_prio[gi] = prio[gi]; gi++
	:: else -> break
	od;
	gi = 0
}

/* Owners, links, queue lengths and priorities as at snapshot() (queue
 * contents only change by insertion, which the lengths show). */
inline assert_unchanged()
{
	gi = 0;
	do
	:: gi < NL ->
		assert(snap_owner[gi] == owner[gi] && snap_linked[gi] == linked_to[gi] &&
		       snap_qlen[gi] == qlen[gi]);
		snap_owner[gi] = 0;
		snap_linked[gi] = 0;
		snap_qlen[gi] = 0;
		gi++
	:: else -> break
	od;
	gi = 0;
	do
	:: gi < NT -> assert(snap_prio[gi] == prio[gi]); snap_prio[gi] = 0; gi++
	:: else -> break
	od;
	gi = 0
}

/* ---- the processes ---- */

/* Thread `me` locks a, then b unless NONE (with a timeout when tmo), and
 * releases them in either order; it gives up at the first refusal. */
proctype thread(byte me; byte a; byte b; bit tmo)
{
	byte res, wt, wm, wnext, want, mine, next;
	bit cont, raise;
	byte raised;

	lock(me, a, tmo, res);
	if
	:: res == OK ->
		res = 0;
		if
		:: b != NONE ->
			lock(me, b, tmo, res);
			if
			:: res == OK ->
				if
				:: unlock(me, a); unlock(me, b)
				:: unlock(me, b); unlock(me, a)
				fi
			:: else -> res = 0; unlock(me, a)
			fi
		:: else -> unlock(me, a)
		fi
	:: else -> res = 0
	fi;
	atomic {
		RUN(me) ->
		st[me] = DONE;
		ndone++;
		resched();
		check_sched()
	}
}

/* pi_worker.c: walks deferred by interrupts, at PMAX. */
proctype worker()
{
	byte wt, wm, wnext, want;
	bit cont, raise;
	byte raised;

end_idle:
	do
	:: atomic {
		WRUN(WK) && st[WK] == READY && ndeferred > 0 ->
		gi = 0;
		do
		:: !deferred[gi] -> gi++
		:: else -> break
		od;
		wt = gi;
		gi = 0;
		deferred[wt] = 0;
		ndeferred--;
		nopreempt = 1;
		walks_active++;
		hop();
		w_release()
	};
		walk_rest(WK);
		atomic {
			nopreempt = 0;
			w_release();
			resched();
			check_sched()
		}
	:: atomic {
		WRUN(WK) && st[WK] == READY && ndeferred == 0 ->
		st[WK] = BLOCKED; /* parked until the next deferral */
		resched();
		check_sched()
	}
	od
}

/* Some thread 0..NT-1 satisfies c(t). */
#define EXISTS(c) (c(0) || (NT > 1 && c(1)) || (NT > 2 && c(2)) || (NT > 3 && c(3)))
#define ASLEEP(t) (st[t] == SLEEPING)
#define TIMED_WAITER(t) (st[t] == BLOCKED && timed[t] && blocked_on[t] != NONE)
#define WAITER(t) (blocked_on[t] != NONE)

/* Interrupts: releases, timeouts (step 12), priority changes (step 13).
 * Each option is guarded by "some thread qualifies" so that this process
 * blocks, and spin sees a stuck state, when nothing can happen any more. */
proctype interrupts()
{
	byte t, np, o, want;

	do
	:: atomic { /* a thread's sleep ends */
		EXISTS(ASLEEP) ->
		select(t : 0 .. NT - 1);
		if
		:: ASLEEP(t) ->
			st[t] = READY;
			resched();
			check_sched()
		:: else
		fi;
		t = 0
	}
	:: atomic { /* step 12: a waiter's timeout */
		EXISTS(TIMED_WAITER) ->
		select(t : 0 .. NT - 1);
		if
		:: TIMED_WAITER(t) ->
			o = blocked_on[t];
			q_remove(o, t);
			clear_has_waiters_if_empty(o);
			pi_worker_defer(owner[o]);
			if
			:: st[t] == BLOCKED && blocked_on[t] == NONE ->
				st[t] = READY;
				retval[t] = ETIMEDOUT
			:: else
			fi;
			o = 0;
			w_release();
			resched();
			check_sched()
		:: else
		fi;
		t = 0
	}
	:: atomic { /* step 13 from a handler: a waiter's base priority changes */
		nprio_left > 0 && EXISTS(WAITER) ->
		select(t : 0 .. NT - 1);
		select(np : 1 .. NT);
		if
		:: WAITER(t) && np != base[t] ->
			nprio_left--;
			base[t] = np;
			pi_wanted_prio(t, want); /* rtmutex_update_prio */
			if
			:: want != prio[t] ->
				prio[t] = want;
				requeue(t, want);
				pi_worker_defer(owner[blocked_on[t]])
			:: else
			fi;
			want = 0;
			w_release();
			resched();
			check_sched()
		:: else
		fi;
		t = 0;
		np = 0
	}
	:: ndone == NT -> break
	od
}

init
{
	byte pa, pb, ptmo;

	atomic {
		gi = 0;
		do
		:: gi < NT ->
			base[gi] = gi + 1;
			prio[gi] = gi + 1;
			blocked_on[gi] = NONE;
#ifdef ANY_CPU
			st[gi] = READY;
#else
			st[gi] = SLEEPING;
#endif
			gi++
		:: else -> break
		od;
		gi = 0;
		base[WK] = PMAX;
		prio[WK] = PMAX;
		blocked_on[WK] = NONE;
		st[WK] = BLOCKED;
		do
		:: gi < NL -> owner[gi] = NONE; linked_to[gi] = NONE; gi++
		:: else -> break
		od;
		gi = 0;
		run worker();
		run interrupts();
		/* each thread's program: every (a, b, tmo) with a != b */
		do
		:: gi < NT ->
			select(pa : 0 .. NL - 1);
			if
			:: pb = NONE
			:: NL > 1 -> select(pb : 1 .. NL - 1); pb = (pa + pb) % NL
			fi;
			select(ptmo : 0 .. 1);
			run thread(gi, pa, pb, ptmo);
			gi++
		:: else -> break
		od;
		pa = 0;
		pb = 0;
		ptmo = 0;
		gi = 0
	}
}
