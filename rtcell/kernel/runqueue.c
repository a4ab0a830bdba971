/*
 * O(1) ready queue (rt/runqueue.h: the operations are inline there).
 */
#include <rt/runqueue.h>

void rt_runqueue_init(struct rt_runqueue *rq)
{
	for (unsigned i = 0; i < RT_PRIO_LEVELS / 64; i++)
		rq->bitmap[i] = 0;
	for (unsigned p = 0; p < RT_PRIO_LEVELS; p++)
		rt_list_init(&rq->queue[p]);
	rq->nr_ready = 0;
}
