/*
 * EL1 exception vectors. Every slot saves a struct exception_frame
 * (aarch64/frame.h) on the current stack and calls guest_exception(frame,
 * slot); ELR/SPSR and all registers are reloaded from the frame, so a handler
 * may redirect or change the interrupted context. Exceptions do not nest
 * except a synchronous one (an HVC) taken inside a handler, which the frame
 * covers.
 */
#include <aarch64/vector_macros.h>

	.section .text.vectors, "ax"
	vector_table_full guest_vectors, save_frame

save_frame:
	full_frame_body 1, guest_exception
