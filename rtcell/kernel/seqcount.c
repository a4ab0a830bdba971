/*
 * Sequence counter with PREEMPT_RT semantics: writers serialise on an
 * rt_mutex; "write in progress" is "the mutex is owned" (Linux keeps that bit
 * in the counter; here it lives in the owner word, so a writer that blocked
 * for the lock needs no work after waking). Readers never spin: they wait for
 * the release, boosting the writer, then retry.
 */
#include <rt/errno.h>
#include <rt/seqcount.h>
#include <rt/thread.h>

void rt_seq_init(struct rt_seqcount *s, const char *name)
{
	s->seq = 0;
	rt_mutex_init(&s->lock, name);
}

int rt_seq_write_lock(struct rt_seqcount *s)
{
	int ret = rt_mutex_lock(&s->lock);

	/* Owner word before data: pairs with the fence in rt_seq_read_retry. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return ret;
}

int rt_seq_write_unlock(struct rt_seqcount *s)
{
	if (rt_mutex_owner(&s->lock) != rt_thread_self())
		return -RT_EPERM;
	__atomic_store_n(&s->seq, s->seq + 1, __ATOMIC_RELEASE);
	return rt_mutex_unlock(&s->lock);
}

int rt_seq_read_begin(struct rt_seqcount *s, uint32_t *seq)
{
	*seq = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	if (rt_mutex_owner(&s->lock)) {
		int ret = rt_mutex_wait_released(&s->lock);

		/* Free by the time we looked again: still retry, *seq may be old. */
		return ret == 0 ? -RT_EAGAIN : ret;
	}
	return 0;
}

bool rt_seq_read_retry(struct rt_seqcount *s, uint32_t seq)
{
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return rt_mutex_owner(&s->lock) != NULL ||
	       __atomic_load_n(&s->seq, __ATOMIC_RELAXED) != seq;
}
