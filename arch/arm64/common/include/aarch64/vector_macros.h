/*
 * Exception vector macros for assembly, parameterised by the exception level
 * that takes the exception (el = 1 or 2). Frame layout: aarch64/frame.h.
 *
 * Two shapes:
 *  - full frame (hypervisor, test cells): every slot pushes x0/x1 and jumps
 *    with x0 = slot to a common body that saves everything incl. SP, ESR and
 *    FAR, calls handler(frame, slot) and resumes the possibly changed frame;
 *  - interrupt frame: x0..x30, ELR and SPSR only (the realtime kernel's
 *    fatal exceptions; its IRQ vector saves less: the caller-saved
 *    registers, with frame_store_x2_x17 / frame_load_x0_x17).
 */
#ifndef AARCH64_VECTOR_MACROS_H
#define AARCH64_VECTOR_MACROS_H

#include <aarch64/frame.h>

#ifdef __ASSEMBLER__
/* clang-format off */

/* Stores x2..x17 at their frame offsets (x0/x1 are the caller's business);
 * the realtime kernel's interrupt frame stops there (rtcell vectors.S). */
.macro frame_store_x2_x17
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
.endm

/* Stores x2..x29 at their frame offsets (x0/x1 are the caller's business). */
.macro frame_store_x2_x29
	frame_store_x2_x17
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
.endm

/* Loads x0..x17 from the frame. */
.macro frame_load_x0_x17
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
.endm

/* Loads x0..x29 from the frame. */
.macro frame_load_x0_x29
	frame_load_x0_x17
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
.endm

/* One 128-byte slot of a full-frame table: x0 = slot, then \body. */
.macro vector_slot_full slot, body
	.balign	0x80
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x0, #\slot
	b	\body
.endm

/* A 2 KiB-aligned table \name of 16 full-frame slots, all going to \body. */
.macro vector_table_full name, body
	.balign	2048
	.global	\name
\name:
	.irp	slot, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15
	vector_slot_full \slot, \body
	.endr
.endm

/*
 * The common body after vector_slot_full: completes the frame, calls
 * \handler(frame, slot), then resumes from the frame (ELR and SPSR included,
 * so the handler may redirect the interrupted context) with eret.
 */
.macro full_frame_body el, handler
	frame_store_x2_x29
	add	x1, sp, #FRAME_SIZE
	stp	x30, x1, [sp, #FRAME_X30]
	mrs	x2, elr_el\el
	mrs	x3, spsr_el\el
	stp	x2, x3, [sp, #FRAME_ELR]
	mrs	x2, esr_el\el
	mrs	x3, far_el\el
	stp	x2, x3, [sp, #FRAME_ESR]
	mov	x1, x0
	mov	x0, sp
	bl	\handler
	ldp	x2, x3, [sp, #FRAME_ELR]
	msr	elr_el\el, x2
	msr	spsr_el\el, x3
	frame_load_x0_x29
	ldr	x30, [sp, #FRAME_X30]
	add	sp, sp, #FRAME_SIZE
	eret
.endm

/* Interrupt frame: x0..x30, ELR, SPSR (20 instructions). */
.macro frame_save_interrupt el
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	frame_store_x2_x29
	mrs	x0, elr_el\el
	mrs	x1, spsr_el\el
	str	x30, [sp, #FRAME_X30]
	stp	x0, x1, [sp, #FRAME_ELR]
.endm

/* Undoes frame_save_interrupt (20 instructions); the caller erets. */
.macro frame_restore_interrupt el
	ldp	x0, x1, [sp, #FRAME_ELR]
	msr	elr_el\el, x0
	msr	spsr_el\el, x1
	ldr	x30, [sp, #FRAME_X30]
	frame_load_x0_x29
	add	sp, sp, #FRAME_SIZE
.endm

/* clang-format on */
#endif

#endif
