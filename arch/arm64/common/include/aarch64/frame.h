/*
 * The register frame every arm64 program here saves on an exception, at any
 * exception level: x0..x30, the interrupted SP, ELR, SPSR, ESR and FAR. The
 * offsets are for the assembly (vector_macros.h); the C struct must match.
 */
#ifndef AARCH64_FRAME_H
#define AARCH64_FRAME_H

#define FRAME_X30 240
#define FRAME_SP 248
#define FRAME_ELR 256
#define FRAME_SPSR 264
#define FRAME_ESR 272
#define FRAME_FAR 280
#define FRAME_SIZE 288

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct exception_frame {
	uint64_t x[31]; /* x0..x30 */
	uint64_t sp; /* SP at the time of the exception (full frames only) */
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr; /* full frames only */
	uint64_t far; /* full frames only */
};

_Static_assert(offsetof(struct exception_frame, x[30]) == FRAME_X30, "frame: x30");
_Static_assert(offsetof(struct exception_frame, sp) == FRAME_SP, "frame: sp");
_Static_assert(offsetof(struct exception_frame, elr) == FRAME_ELR, "frame: elr");
_Static_assert(offsetof(struct exception_frame, spsr) == FRAME_SPSR, "frame: spsr");
_Static_assert(offsetof(struct exception_frame, esr) == FRAME_ESR, "frame: esr");
_Static_assert(offsetof(struct exception_frame, far) == FRAME_FAR, "frame: far");
_Static_assert(sizeof(struct exception_frame) == FRAME_SIZE, "frame: size");

/* Vector slot = 4 * source + type. */
enum exception_type { EXC_SYNC = 0, EXC_IRQ = 1, EXC_FIQ = 2, EXC_SERROR = 3 };
enum exception_source {
	EXC_FROM_CURRENT_SP0 = 0,
	EXC_FROM_CURRENT_SPX = 1,
	EXC_FROM_LOWER_A64 = 2,
	EXC_FROM_LOWER_A32 = 3,
};
#endif

#endif
