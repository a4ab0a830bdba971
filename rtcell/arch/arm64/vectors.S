/*
 * EL1 exception vectors. IRQs save the interrupt frame (aarch64/frame.h:
 * x0..x30, ELR, SPSR) on the interrupted thread's stack and call
 * rt_arm64_irq(), which may switch threads (the frame stays on the preempted
 * thread's stack until it runs again). Everything else is fatal: this kernel
 * has no user mode.
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
	frame_save_interrupt 1
	bl	rt_arm64_irq
	frame_restore_interrupt 1
	eret

vector_common:
	bl	rt_arm64_bad_exception
	b	park
