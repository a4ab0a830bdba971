/*
 * EL1 exception vectors. IRQs save the interrupt frame (aarch64/frame.h:
 * x0..x30, ELR, SPSR) on the interrupted thread's stack and call
 * rt_arm64_irq(entry counter), which may switch threads (the frame stays on
 * the preempted thread's stack until it runs again). Everything else is
 * fatal: this kernel has no user mode.
 * The entry counter (CNTVCT_EL0) is read by the third instruction of the
 * vector, as soon as one register is free: the masked span of the interrupt
 * starts there (rt_csection_irq_entry); before it only the exception entry
 * itself, `sub` and the first `stp` go unmeasured.
 */
#include <aarch64/vector_macros.h>

	/* Fatal: move to this CPU's emergency stack (SP_EL0, unused otherwise)
	 * first, so a thread with a broken stack still gets its report. */
	.macro entry kind
	.balign 0x80
	msr	spsel, #0
	frame_save_interrupt 1
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
	.balign 0x80		/* current EL, SP_ELx: irq (the one we use) */
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mrs	x0, cntvct_el0
	b	irq_entry
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

	/* frame_save_interrupt with x0..x1 already stored and x0 = the counter. */
irq_entry:
	frame_store_x2_x29
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	str	x30, [sp, #FRAME_X30]
	stp	x1, x2, [sp, #FRAME_ELR]
	bl	rt_arm64_irq
	frame_restore_interrupt 1
	eret

vector_common:
	bl	rt_arm64_bad_exception
	b	park
