/*
 * EL2 exception vectors. Every entry saves the full register frame of
 * arm64/exception.h on the current stack and calls arm64_exception() with
 * the slot number. Exceptions from EL2 itself are unexpected (the C side
 * dumps and fails the run, never returning); exceptions from a cell return
 * here and resume it from the (possibly changed) frame.
 */
#include <arm64/asm_defs.h>

.macro vector_slot slot
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\slot
	b	save_frame
.endm

	.section .text.vectors, "ax"
	.balign	2048
	.global hv_vectors
hv_vectors:
	.irp	slot, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vector_slot \slot
	.endr

/* x0 = slot; x0/x1 of the interrupted context are already at [sp]. */
save_frame:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	add	x1, sp, #FRAME_SIZE
	stp	x30, x1, [sp, #240]
	mrs	x2, elr_el2
	mrs	x3, spsr_el2
	stp	x2, x3, [sp, #256]
	mrs	x2, esr_el2
	mrs	x3, far_el2
	stp	x2, x3, [sp, #272]
	mov	x1, x0
	mov	x0, sp
	bl	arm64_exception
	/* Back to the cell: ELR/SPSR from the frame (the handler may change them). */
	ldp	x2, x3, [sp, #256]
	msr	elr_el2, x2
	msr	spsr_el2, x3
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	ldr	x30, [sp, #240]
	add	sp, sp, #FRAME_SIZE
	eret
