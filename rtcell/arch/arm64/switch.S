/*
 * rt_arm64_switch(save, load, save_on_cpu): callee-saved registers, LR and SP
 * go to save[0..12] and come back from load[0..12] (rt_thread.arch_ctx);
 * *save_on_cpu = 0 (release) once saved, so another CPU may resume it.
 * A new thread's first LR is the trampoline, with x19 = the thread.
 */
	.text
	.global rt_arm64_switch
rt_arm64_switch:
	stp	x19, x20, [x0, #0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	stp	x25, x26, [x0, #48]
	stp	x27, x28, [x0, #64]
	stp	x29, x30, [x0, #80]
	mov	x3, sp
	str	x3, [x0, #96]
	stlrb	wzr, [x2]
	ldp	x19, x20, [x1, #0]
	ldp	x21, x22, [x1, #16]
	ldp	x23, x24, [x1, #32]
	ldp	x25, x26, [x1, #48]
	ldp	x27, x28, [x1, #64]
	ldp	x29, x30, [x1, #80]
	ldr	x2, [x1, #96]
	mov	sp, x2
	ret

	.global rt_arm64_thread_trampoline
rt_arm64_thread_trampoline:
	mov	x0, x19
	bl	rt_arm64_thread_start
	b	park
