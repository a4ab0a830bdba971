/*
 * Interrupt hooks: local masking and the interrupt controller's split
 * end-of-interrupt (GICv3 EOImode=1: priority drop, then deactivate).
 * Masking nests through the returned flags; never assume a bare enable.
 */
#ifndef RTARCH_IRQ_H
#define RTARCH_IRQ_H

#include <stdbool.h>
#include <rtarch/port.h>

/*
 * From rtarch/port.h (inline where the port can):
 *   unsigned long rtarch_irq_save(void);        masks, returns the old state
 *   void rtarch_irq_restore(unsigned long flags);
 *   bool rtarch_irqs_disabled(void);
 *   bool rtarch_irq_flags_masked(unsigned long flags);
 *     true if `flags` (from rtarch_irq_save) say interrupts were already masked
 */
/*
 * Called by long kernel operations at points where interrupts are enabled
 * between two bounded sections (the PI chain walk between hops). A real port
 * needs no code here; the host port injects interrupts at these points.
 */
void rtarch_irq_window(void);

void rtarch_irq_line_enable(unsigned irq, unsigned cpu);
/* Hard handler of a threaded interrupt: lets lower priorities in again, the
 * line itself stays active (no new delivery) until deactivated. */
void rtarch_irq_priority_drop(unsigned irq);
/* The handler thread is done: the line may be delivered again. */
void rtarch_irq_deactivate(unsigned irq);

#endif
