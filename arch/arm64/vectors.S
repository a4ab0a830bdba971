/*
 * EL2 exception vectors. Every entry saves the full register frame of
 * aarch64/frame.h on the current stack and calls arm64_exception() with the
 * slot number. Exceptions from EL2 itself are unexpected (the C side dumps
 * and fails the run, never returning); exceptions from a cell return here
 * and resume it from the (possibly changed) frame.
 */
#include <aarch64/vector_macros.h>

	.section .text.vectors, "ax"
	vector_table_full hv_vectors, save_frame

save_frame:
	full_frame_body 2, arm64_exception
