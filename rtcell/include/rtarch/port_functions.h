/*
 * The hot hooks of rtarch/port.h as plain functions, for a port that does
 * not make them inline (its port.h includes this).
 */
#ifndef RTARCH_PORT_FUNCTIONS_H
#define RTARCH_PORT_FUNCTIONS_H

#include <stdbool.h>
#include <stdint.h>

unsigned rtarch_cpu_id(void);
void rtarch_cpu_relax(void);
unsigned long rtarch_irq_save(void);
void rtarch_irq_restore(unsigned long flags);
bool rtarch_irq_flags_masked(unsigned long flags);
bool rtarch_irqs_disabled(void);
uint64_t rtarch_cycles(void);

#endif
