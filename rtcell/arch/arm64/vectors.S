/*
 * EL1 exception vectors. IRQs save the caller-saved state plus ELR/SPSR on
 * the interrupted thread's stack and call rt_arm64_irq(), which may switch
 * threads (the frame stays on the preempted thread's stack until it runs
 * again). Everything else is fatal: this kernel has no user mode.
 */
#define FRAME 272

	.macro save_frame
	sub	sp, sp, #FRAME
	stp	x0, x1, [sp, #0]
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
	mrs	x0, elr_el1
	stp	x30, x0, [sp, #240]
	mrs	x1, spsr_el1
	str	x1, [sp, #256]
	.endm

	.macro restore_frame
	ldr	x1, [sp, #256]
	msr	spsr_el1, x1
	ldp	x30, x0, [sp, #240]
	msr	elr_el1, x0
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
	add	sp, sp, #FRAME
	.endm

	/* Fatal: move to this CPU's emergency stack (SP_EL0, unused otherwise)
	 * first, so a thread with a broken stack still gets its report. */
	.macro entry kind
	.balign 0x80
	msr	spsel, #0
	save_frame
	mov	x0, #\kind
	mov	x1, sp
	b	vector_common
	.endm

	.section .text.vectors, "ax"
	.balign 2048
	.global rt_arm64_vectors
rt_arm64_vectors:
	entry 0		/* current EL, SP_EL0: sync */
	entry 1		/* irq */
	entry 2		/* fiq */
	entry 3		/* serror */
	entry 4		/* current EL, SP_ELx: sync */
	.balign 0x80
	b	irq_entry	/* current EL, SP_ELx: irq (the one we use) */
	entry 6		/* fiq */
	entry 7		/* serror */
	entry 8		/* lower EL: never used */
	entry 9
	entry 10
	entry 11
	entry 12
	entry 13
	entry 14
	entry 15

irq_entry:
	save_frame
	bl	rt_arm64_irq
	restore_frame
	eret

vector_common:
	bl	rt_arm64_bad_exception
	b	park
