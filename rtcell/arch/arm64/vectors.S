/*
 * EL1 exception vectors. An IRQ saves the caller-saved registers only (the
 * interrupt frame below) on the interrupted thread's stack and calls
 * rt_arm64_irq(entry counter), which may switch threads (the frame stays on
 * the preempted thread's stack until it runs again). Everything else is
 * fatal: this kernel has no user mode.
 * The entry counter (CNTVCT_EL0) is read by the third instruction of the
 * vector, as soon as one register is free: the masked span of the interrupt
 * starts there (rt_csection_irq_entry); before it only the exception entry
 * itself, `sub` and the first `stp` go unmeasured.
 */
#include <aarch64/vector_macros.h>

#define IRQ_FRAME_X18_X30 144
#define IRQ_FRAME_ELR_SPSR 160
#define IRQ_FRAME_SIZE 176 /* a multiple of 16: SP stays aligned */

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
	/* The save fits the slot: no branch before the handler. */
	sub	sp, sp, #IRQ_FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mrs	x0, cntvct_el0
	frame_store_x2_x17
	stp	x18, x30, [sp, #IRQ_FRAME_X18_X30]
	mrs	x1, elr_el1
	mrs	x2, spsr_el1
	stp	x1, x2, [sp, #IRQ_FRAME_ELR_SPSR]
	bl	rt_arm64_irq
	b	irq_return
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

	/*
	 * The interrupt frame (vector 5 above): x0..x17 at 0..136 (as in the
	 * full frame), x18 and x30 at 144, ELR and SPSR at 160. Only what AAPCS64 lets C code clobber
	 * (x0..x18, x30) and the exception state: rt_arm64_irq and everything it
	 * calls preserve x19..x29 themselves, and a thread switch from the
	 * handler saves them in the thread's context (rt_arm64_switch). Nothing
	 * reads the frame but the return below. The full frame of aarch64/frame.h
	 * (kept for the fatal exceptions' report) took 5 more stores, 5 more
	 * loads and a branch on every interrupt.
	 */
irq_return:
	ldp	x0, x1, [sp, #IRQ_FRAME_ELR_SPSR]
	msr	elr_el1, x0
	msr	spsr_el1, x1
	ldp	x18, x30, [sp, #IRQ_FRAME_X18_X30]
	frame_load_x0_x17
	add	sp, sp, #IRQ_FRAME_SIZE
	eret

vector_common:
	bl	rt_arm64_bad_exception
	b	park
