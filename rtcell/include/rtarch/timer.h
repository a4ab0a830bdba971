/*
 * Time hooks: a monotonic nanosecond clock, a per-CPU one-shot timer
 * (tickless: the kernel programs only the next deadline) and a cycle
 * counter used to measure critical sections.
 */
#ifndef RTARCH_TIMER_H
#define RTARCH_TIMER_H

#include <stdint.h>
#include <rtarch/port.h>

uint64_t rtarch_now_ns(void);
/* One-shot on this CPU at absolute `deadline_ns`; RT_TIME_NEVER disarms.
 * A deadline already past fires as soon as possible. The interrupt calls
 * rt_timer_interrupt(). */
void rtarch_timer_program(uint64_t deadline_ns);
/* uint64_t rtarch_cycles(void): the counter, from rtarch/port.h. */

#endif
