/*
 * Sequence counter for data read often and written rarely. Writers are
 * serialised by an rt_mutex; a write is in progress exactly while the mutex
 * is owned. A reader that finds a write in progress blocks on the mutex
 * (boosting the writer) instead of spinning, then retries.
 */
#ifndef RT_SEQCOUNT_H
#define RT_SEQCOUNT_H

#include <stdbool.h>
#include <stdint.h>
#include <rt/rtmutex.h>

struct rt_seqcount {
	uint32_t seq; /* completed writes */
	struct rt_mutex lock;
};

void rt_seq_init(struct rt_seqcount *s, const char *name);
int rt_seq_write_lock(struct rt_seqcount *s);
int rt_seq_write_unlock(struct rt_seqcount *s);
/* 0 with *seq set, or -RT_EAGAIN after waiting for a writer: retry. */
int rt_seq_read_begin(struct rt_seqcount *s, uint32_t *seq);
/* True when the data read since rt_seq_read_begin may be torn. */
bool rt_seq_read_retry(struct rt_seqcount *s, uint32_t seq);

#endif
