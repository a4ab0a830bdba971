/*
 * latmon: cyclictest's measurement on every CPU of the cell. One thread per
 * CPU at LATMON_PRIO wakes at absolute times start + k * interval and
 * publishes each wake-up's lateness into the telemetry channel.
 */
#ifndef RTCELL_LATMON_H
#define RTCELL_LATMON_H

#include <stdint.h>
#include <bulkhead/stats.h>
#include <rt/sem.h>

#define LATMON_PRIO 99
#define LATMON_INTERVAL_US 1000

/* Starts the threads; `periods` > 0: each stops by itself after that many
 * periods (measured plus missed). Each thread gives `ended` once it ended. */
int latmon_start(uint64_t periods, struct rt_sem *ended);
/* Threads that have ended (closing statistics read). */
unsigned latmon_ended(void);
/* Asks every thread to stop at its next wake-up. */
void latmon_stop(void);
/* Sum of missed periods over the CPUs. */
uint64_t latmon_missed(void);
/* One cyclictest-format line per CPU, then the totals and the entry counts. */
void latmon_report(void);
/* Hypervisor entries on each cell CPU during its measurement, its own two
 * statistics reads excluded; false when unknown (bare, or a read failed). */
bool latmon_window_entries(unsigned cpu, uint64_t *entries);

#endif
