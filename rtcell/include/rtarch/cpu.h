/*
 * CPU hooks the realtime kernel needs from its arch port.
 * CPU ids are dense indices 0..n-1 within the cell, not hardware ids.
 * The hooks the interrupt and scheduling paths call most (rtarch_cpu_id,
 * rtarch_cpu_relax, interrupt masking, rtarch_cycles) come from the port's
 * own rtarch/port.h, inline where the port can make them so.
 */
#ifndef RTARCH_CPU_H
#define RTARCH_CPU_H

#include <stdbool.h>
#include <rtarch/port.h>

/* unsigned rtarch_cpu_id(void): this CPU's id (rtarch/port.h). */
/* Asks `cpu` to take the reschedule interrupt (it calls rt_sched_ipi()). */
void rtarch_ipi_resched(unsigned cpu);
/* Waits for an interrupt (WFI). Called with interrupts masked; returns
 * with them masked, after an interrupt became pending. */
void rtarch_idle(void);
/* void rtarch_cpu_relax(void): spin-wait hint (rtarch/port.h). */
/* A broken kernel invariant: never returns. */
__attribute__((noreturn)) void rtarch_panic(const char *why);

#endif
