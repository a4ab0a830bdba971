/*
 * CPU hooks the realtime kernel needs from its arch port.
 * CPU ids are dense indices 0..n-1 within the cell, not hardware ids.
 */
#ifndef RTARCH_CPU_H
#define RTARCH_CPU_H

#include <stdbool.h>

unsigned rtarch_cpu_id(void);
/* Asks `cpu` to take the reschedule interrupt (it calls rt_sched_ipi()). */
void rtarch_ipi_resched(unsigned cpu);
/* Waits for an interrupt (WFI). Called with interrupts masked; returns
 * with them masked, after an interrupt became pending. */
void rtarch_idle(void);
void rtarch_cpu_relax(void);
/* A broken kernel invariant: never returns. */
__attribute__((noreturn)) void rtarch_panic(const char *why);

#endif
