/*
 * Benchmark clock hooks: a counter finer than rtarch_cycles() (one count per
 * instruction under QEMU -icount shift=0), and where on it a one-shot timer
 * programmed for an absolute deadline fires. Not for the kernel's own use.
 */
#ifndef RTARCH_FINECLOCK_H
#define RTARCH_FINECLOCK_H

#include <stdint.h>

/* Enables and calibrates it on this CPU; 0 or a negative RT_E* code. */
int rtarch_fine_clock_init(void);
uint64_t rtarch_fine_clock(void);
/* Fine-clock value at which rtarch_timer_program(deadline_ns) fires. */
uint64_t rtarch_fine_clock_of_deadline(uint64_t deadline_ns);

#endif
