/*
 * Bounded message queue of fixed-size messages in a caller-provided ring.
 * A blocked receiver gets the message copied straight into its buffer; a
 * blocked sender's message is moved into the ring when space appears.
 */
#ifndef RT_MSGQ_H
#define RT_MSGQ_H

#include <stddef.h>
#include <stdint.h>
#include <rt/waitq.h>

struct rt_msgq {
	uint8_t *ring;
	size_t msg_size;
	uint32_t capacity;
	uint32_t count;
	uint32_t head;
	struct rt_waitq senders;
	struct rt_waitq receivers;
};

int rt_msgq_init(struct rt_msgq *q, void *ring, size_t msg_size, uint32_t capacity);
int rt_msgq_send(struct rt_msgq *q, const void *msg, uint64_t timeout_ns);
int rt_msgq_recv(struct rt_msgq *q, void *msg, uint64_t timeout_ns);

#endif
