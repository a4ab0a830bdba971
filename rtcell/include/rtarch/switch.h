/*
 * Context-switch hooks. The kernel has already chosen `next` and updated its
 * own bookkeeping; the port saves `prev`'s callee-saved state in
 * prev->arch_ctx, then stores 0 to prev->on_cpu with release semantics (from
 * then on another CPU may resume prev), and resumes `next`. The host port
 * only counts switches.
 */
#ifndef RTARCH_SWITCH_H
#define RTARCH_SWITCH_H

struct rt_thread;

void rtarch_context_switch(struct rt_thread *prev, struct rt_thread *next);
/* Builds the first frame so that switching to `t` starts t->entry(t->arg). */
void rtarch_thread_setup(struct rt_thread *t);

#endif
