/*
 * A read-only view of the PC's CMOS real-time clock for every cell
 * (vmx/cmos_clock.c): the clock registers through the index/data ports, never
 * the rest of the CMOS.
 */
#ifndef VMX_CMOS_CLOCK_H
#define VMX_CMOS_CLOCK_H

#include <lib/types.h>

/*
 * One port access of a cell's CPU `cpu` to a port it does not own. True when
 * it was the CMOS clock's and has been answered (an IN's result in *value's
 * low byte); false for any other port or size.
 */
bool cmos_clock_io(unsigned int cpu, unsigned int port, unsigned int bytes, bool in,
		   uint64_t *value);

#endif
