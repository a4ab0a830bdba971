/*
 * EL2 entry. The image starts with a Linux arm64 Image header so boot
 * loaders (QEMU -kernel, U-Boot booti) load it and pass x0 = DTB address.
 * The boot CPU clears .bss and enters C on its stack; secondaries arrive via
 * PSCI CPU_ON with x0 = their logical number. Every CPU runs with SPSel=1,
 * TPIDR_EL2 = its logical number and VBAR_EL2 = our vectors before any C.
 */
#include <arm64/asm_defs.h>

	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry			/* code0 */
	.long	0				/* code1 */
	.quad	0				/* text_offset */
	.quad	hv_image_size			/* image_size, includes .bss */
	.quad	0x2				/* flags: little endian, 4 KiB pages */
	.quad	0				/* res2 */
	.quad	0				/* res3 */
	.quad	0				/* res4 */
	.long	0x644d5241			/* magic "ARM\x64" */
	.long	0				/* res5 (no PE header) */

primary_entry:
	mov	x19, x0				/* DTB address from the boot loader */
	bl	el2_cpu_setup
	/* Running at the linked address? Literal pool holds the link address. */
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	wrong_load_address
	/* Clear .bss (16-byte aligned both ends by the linker script). */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	mov	x0, #0
	bl	set_cpu_stack
	mov	x0, x19
	bl	arm64_boot_main
	b	park

/* PSCI CPU_ON entry: x0 = context id = logical CPU number. */
	.global secondary_entry
secondary_entry:
	mov	x19, x0
	bl	el2_cpu_setup
	mov	x0, x19
	bl	set_cpu_stack
	mov	x0, x19
	bl	arm64_secondary_main
	b	park

/* Known EL2 state: MMU and data cache off, alignment and SP checks on, our vectors. */
el2_cpu_setup:
	ldr	x1, =SCTLR_EL2_BOOT
	msr	sctlr_el2, x1
	adr	x1, hv_vectors
	msr	vbar_el2, x1
	msr	spsel, #1
	isb
	ret

/* x0 = logical CPU: TPIDR_EL2 = x0, SP = top of that CPU's stack. */
set_cpu_stack:
	cmp	x0, #ARM64_MAX_CPUS
	b.hs	park
	msr	tpidr_el2, x0
	ldr	x1, =hv_cpu_stacks
	add	x0, x0, #1
	mov	x2, #HV_STACK_SIZE
	madd	x1, x0, x2, x1
	mov	sp, x1
	ret

/*
 * guest_eret(arg, stack_top): enter the cell with ELR/SPSR_EL2 already set.
 * The EL2 stack restarts empty (nothing below us returns), and no hypervisor
 * value leaks into the cell's registers.
 */
	.global guest_eret
guest_eret:
	mov	sp, x1
	.irp	r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30
	mov	x\r, xzr
	.endr
	eret

/* Loaded somewhere we were not linked for: nothing safe to do but stop. */
wrong_load_address:
park:
	msr	daifset, #0xf
3:	wfi
	b	3b

	.section .bss
	.balign	16
	.global hv_cpu_stacks
hv_cpu_stacks:
	.skip	HV_STACK_SIZE * ARM64_MAX_CPUS
