/*
 * Per-CPU data under migrate-disable (PREEMPT_RT style): the thread stays on
 * its CPU but remains preemptible. A re-pin requested meanwhile is applied
 * when the count drops to zero.
 */
#ifndef RT_MIGRATE_H
#define RT_MIGRATE_H

#include <rt/config.h>
#include <rtarch/cpu.h>

#define RT_PER_CPU(type, name) type name[RT_MAX_CPUS]
/* Checks (panics otherwise) that the caller cannot change CPU. */
void rt_percpu_check(void);
#define rt_this_cpu_ptr(name) (rt_percpu_check(), &(name)[rtarch_cpu_id()])

void rt_migrate_disable(void);
void rt_migrate_enable(void);

struct rt_thread;
/* Re-pins `t` to `cpu`; deferred while `t` has migration disabled (in any
 * state: running, ready, blocked, sleeping) and while a CPU still runs it. */
int rt_thread_set_cpu(struct rt_thread *t, unsigned cpu);

#endif
