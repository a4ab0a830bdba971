/*
 * The EL2 exception handler: vectors.S saves the full frame of
 * aarch64/frame.h on every exception taken to EL2 and calls it.
 */
#ifndef ARM64_EXCEPTION_H
#define ARM64_EXCEPTION_H

#include <aarch64/frame.h>
#include <lib/types.h>

/* The 16 vector slots: {current EL SP0, current EL SPx, lower EL A64, lower EL A32} x {sync, irq,
 * fiq, serror}. */
void arm64_exception(struct exception_frame *frame, uint64_t slot);

#endif
