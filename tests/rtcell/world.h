/*
 * The objects of one simulated cell under test (threads, mutexes, ...), with
 * names, plus the structural invariant checker that scenario and stress tests
 * run after every step. Everything is static: reset() makes a fresh world.
 */
#ifndef RTCELL_TEST_WORLD_H
#define RTCELL_TEST_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <rt/kernel.h>

#define W_MAX_THREADS 40
#define W_MAX_MUTEXES 32
#define W_MAX_SEMS 8
#define W_MAX_CONDS 8
#define W_MAX_MSGQS 4
#define W_MAX_SEQS 4
#define W_MAX_IRQS 4
#define W_NAME 24
#define W_MSGQ_CAP 16

struct world {
	unsigned nthreads, nmutexes, nsems, nconds, nmsgqs, nseqs, nirqs;
	struct rt_thread threads[W_MAX_THREADS];
	char thread_name[W_MAX_THREADS][W_NAME];
	int result[W_MAX_THREADS]; /* last call's return value */
	bool pending[W_MAX_THREADS]; /* last call blocked; result comes at wake-up */
	bool capture[W_MAX_THREADS]; /* copy recv_buf into value at completion */
	int64_t value[W_MAX_THREADS];
	uint64_t recv_buf[W_MAX_THREADS];
	uint64_t send_buf[W_MAX_THREADS];
	int irq_of_thread[W_MAX_THREADS]; /* index into irqs, -1 for plain threads */

	struct rt_mutex mutexes[W_MAX_MUTEXES];
	char mutex_name[W_MAX_MUTEXES][W_NAME];
	struct rt_sem sems[W_MAX_SEMS];
	char sem_name[W_MAX_SEMS][W_NAME];
	struct rt_condvar conds[W_MAX_CONDS];
	char cond_name[W_MAX_CONDS][W_NAME];
	struct rt_msgq msgqs[W_MAX_MSGQS];
	uint64_t msgq_ring[W_MAX_MSGQS][W_MSGQ_CAP];
	char msgq_name[W_MAX_MSGQS][W_NAME];
	struct rt_seqcount seqs[W_MAX_SEQS];
	char seq_name[W_MAX_SEQS][W_NAME];
	struct rt_irq_desc irqs[W_MAX_IRQS];
	unsigned irq_line[W_MAX_IRQS];
};

/* Checks every structural invariant; false with a message in `err`.
 * `check_pi` also checks each owner's priority against its waiters. */
bool world_check(const struct world *w, bool check_pi, char *err, size_t len);
/* Each thread is current of one CPU or in one ready queue at most; holds
 * even inside a step (between two hops of a chain walk). */
bool world_check_one_place(const struct world *w, char *err, size_t len);
/* Collects the results of calls that completed since the last step. */
void world_collect(struct world *w);
const char *world_state_name(unsigned state);
const char *world_errno_name(int value);
int world_index_of_thread(const struct world *w, const struct rt_thread *t);

#endif
