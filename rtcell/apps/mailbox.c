/*
 * Mailbox doorbell as a threaded interrupt on cell CPU 0: the hard handler
 * only wakes the handler thread, which reads the command. Invariant: a
 * command is acted on once per sequence number the hypervisor bumped.
 * Limit: only STOP is known; other commands are acknowledged and ignored.
 */
#include <bulkhead/hypercall.h>
#include <rt/kernel.h>
#include <rtarch/platform.h>

#include "mailbox.h"

#define STACK_BYTES 8192

static struct rt_irq_desc doorbell;
static struct rt_thread doorbell_thread;
static uint8_t doorbell_stack[STACK_BYTES] __attribute__((aligned(16)));
static struct rt_sem *stop_event;
static uint32_t seen_sequence;
static volatile uint32_t stop_requested;

static struct bh_mailbox *mailbox(void)
{
	/* The boot info lies in the cell's own RAM; the mailbox part is shared
	 * with the hypervisor, so every access goes through atomics. */
	return (struct bh_mailbox *)&rtarch_boot_info()->mailbox;
}

static void doorbell_handler(void *arg)
{
	struct bh_mailbox *mb = mailbox();
	uint32_t seq = __atomic_load_n(&mb->sequence, __ATOMIC_ACQUIRE);

	(void)arg;
	if (seq == seen_sequence)
		return; /* a doorbell without a new command */
	seen_sequence = seq;
	/* Tells a shutdown that gives up on this cell whether the doorbell arrived. */
	__atomic_store_n(&mb->seen, seq, __ATOMIC_RELEASE);
	if (__atomic_load_n(&mb->command, __ATOMIC_RELAXED) == BH_MAILBOX_STOP && !stop_requested) {
		stop_requested = 1;
		rt_sem_give(stop_event);
	}
}

int mailbox_start(struct rt_sem *event)
{
	struct rt_thread_attr attr = {
		.name = "mailbox",
		.prio = MAILBOX_THREAD_PRIO,
		.cpu = 0,
		.stack = doorbell_stack,
		.stack_size = sizeof(doorbell_stack),
	};

	if (!rtarch_boot_info())
		return -RT_EINVAL;
	stop_event = event;
	seen_sequence = __atomic_load_n(&mailbox()->acked, __ATOMIC_ACQUIRE);
	return rt_irq_request_threaded(&doorbell, BH_MAILBOX_DOORBELL_SGI, doorbell_handler, NULL,
				       &doorbell_thread, &attr);
}

bool mailbox_stop_requested(void)
{
	return stop_requested;
}

int mailbox_ack(void)
{
	return (int)rtarch_hypercall(BH_HC_MAILBOX_ACK, 0, 0, 0);
}

void mailbox_ring_self_stop(void)
{
	struct bh_mailbox *mb = mailbox();

	__atomic_store_n(&mb->command, BH_MAILBOX_STOP, __ATOMIC_RELAXED);
	__atomic_add_fetch(&mb->sequence, 1, __ATOMIC_RELEASE);
	rtarch_send_sgi(0, BH_MAILBOX_DOORBELL_SGI);
}
