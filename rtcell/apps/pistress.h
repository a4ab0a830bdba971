/*
 * pistress: pi_stress-like priority-inversion groups, one per CPU, below
 * latmon's priority. Each round a low thread holds a shared rt_mutex while a
 * high thread needs it and a medium thread becomes ready; with priority
 * inheritance the high thread gets the lock before the medium thread runs.
 */
#ifndef RTCELL_PISTRESS_H
#define RTCELL_PISTRESS_H

#include <stdint.h>

#define PISTRESS_PRIO_LOW 10
#define PISTRESS_PRIO_MEDIUM 20
#define PISTRESS_PRIO_HIGH 30

int pistress_start(unsigned ncpus);
/* Asks every group to stop after its current round and waits for them. */
void pistress_stop(void);
uint64_t pistress_rounds(void);
uint64_t pistress_inversions(void);
void pistress_report(void);

#endif
