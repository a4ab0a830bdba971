/*
 * The register frame vectors.S saves on every exception taken to EL2.
 * Layout shared with vectors.S: keep the offsets in step.
 */
#ifndef ARM64_EXCEPTION_H
#define ARM64_EXCEPTION_H

#include <lib/types.h>

struct exception_frame {
	uint64_t x[31]; /* x0..x30 */
	uint64_t sp;    /* SP at the time of the exception */
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

_Static_assert(sizeof(struct exception_frame) == 36 * 8, "vectors.S frame size");

/* The 16 vector slots: {current EL SP0, current EL SPx, lower EL A64, lower EL A32} x {sync, irq, fiq, serror}. */
void arm64_exception(struct exception_frame *frame, uint64_t slot);

#endif
