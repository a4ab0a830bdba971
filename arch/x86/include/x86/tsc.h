/*
 * TSC time base, calibrated once against the PIT on the boot CPU before any
 * AP starts. Assumes an invariant TSC shared by all CPUs (true in Bochs).
 */
#ifndef X86_TSC_H
#define X86_TSC_H

#include <lib/types.h>

/* Measures the TSC rate; returns it in Hz (also kept for arch_timer_now_ns). */
uint64_t x86_tsc_calibrate(void);
/* The calibrated frequency (0 before x86_tsc_calibrate). */
uint64_t x86_tsc_hz(void);

/* Busy-waits at least `us` microseconds (needs a calibrated TSC). */
void x86_tsc_delay_us(uint64_t us);

#endif
