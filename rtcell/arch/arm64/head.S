/*
 * EL1 entry of the realtime kernel, linked for one address (entered with the
 * MMU off, no relocation; it maps itself identity, so nothing moves when the
 * MMU comes on). As a cell: x0 = boot info. Bare: a Linux arm64 Image header
 * (`qemu -kernel` for the image linked at 0x40200000, x0 = DTB) or QEMU's
 * generic loader (x0 = 0). Started at EL2 (QEMU virtualization=on) it hands
 * EL1 the timer and GIC system registers and drops to EL1. Secondaries
 * arrive by PSCI CPU_ON with x0 = logical CPU.
 *
 * MMU and caches: the boot CPU learns the machine and builds the stage-1
 * tables with its MMU off (rt_arm64_boot_early, boot.c), then every CPU
 * switches on the same tables (rt_arm64_mmu_on) before its first cacheable
 * access. A secondary does so first thing, before it touches its stack.
 */
#include <aarch64/boot_macros.h>

#define STACK_SIZE 16384
#define MAX_CPUS 8
#define EMERGENCY_SIZE 4096

	.section .text.head, "ax"
	.global _start
_start:
	linux_image_header primary_entry, rt_image_size, rt_text_offset

primary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	/* Loaded elsewhere than linked: every absolute address below is wrong.
	 * Say so with PC-relative code only (a hypercall; harmless when bare). */
	branch_unless_at_link_address _start, wrong_load_address
	mrs	x20, CurrentEL
	lsr	x20, x20, #2			/* EL we were started at: PSCI conduit */
	bl	el1_setup
	clear_bss
	mov	x0, #0
	bl	set_cpu_stack
	mov	x0, x19
	mov	x1, x20
	bl	rt_arm64_boot_early		/* platform, tables; MMU still off */
	mov	x0, #1
	bl	rt_arm64_mmu_on
	mov	x0, x19
	mov	x1, x20
	bl	rt_arm64_boot_main
	b	park

	.global rt_arm64_secondary_entry
rt_arm64_secondary_entry:
	mov	x19, x0
	bl	el1_setup
	mov	x0, #0
	bl	rt_arm64_mmu_on
	mov	x0, x19
	bl	set_cpu_stack
	mov	x0, x19
	bl	rt_arm64_secondary_main
	b	park

/* Leaves the CPU at EL1h with our vectors; returns to the caller (x30). */
el1_setup:
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	3f
	mov	x1, #(1 << 31)			/* HCR_EL2.RW: EL1 is AArch64, nothing trapped */
	msr	hcr_el2, x1
	mov	x1, #3				/* CNTHCTL_EL2: EL1 reads counter, uses timer */
	msr	cnthctl_el2, x1
	msr	cntvoff_el2, xzr
	mrs	x1, icc_sre_el2			/* SRE, Enable lower-EL SRE */
	mov	x2, #0x9
	orr	x1, x1, x2
	msr	icc_sre_el2, x1
	isb
	mov	x1, #0x3c5			/* EL1h, DAIF masked */
	msr	spsr_el2, x1
	adr	x1, 3f
	msr	elr_el2, x1
	eret
3:	ldr	x1, =0x30d0080a			/* SCTLR_EL1: RES1, A, SA; MMU and caches off */
	msr	sctlr_el1, x1
	isb
	install_vectors 1, rt_arm64_vectors
	ret

/*
 * Switches this CPU's MMU and caches on with the tables the boot CPU built
 * (rt_arm64_mmu_regs, written with the MMU off, so in memory for a CPU that
 * reads with its MMU off). x0 != 0 (the boot CPU, once): first clean and
 * invalidate the whole image to the point of coherency, so that no line a
 * cache held from before (a loader's copy, a speculative fill by another
 * CPU) hides what this CPU wrote with its caches off: .bss, the tables, the
 * platform description, the stack. Uses x0..x5; no memory written.
 */
	.global rt_arm64_mmu_on
rt_arm64_mmu_on:
	cbz	x0, 2f
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4			/* DminLine: log2 words */
	mov	x4, #4
	lsl	x4, x4, x3			/* smallest D-cache line, bytes */
	sub	x5, x4, #1
	ldr	x1, =_start
	bic	x1, x1, x5
	ldr	x2, =rt_image_end
1:	dc	civac, x1
	add	x1, x1, x4
	cmp	x1, x2
	b.lo	1b
	dsb	sy
2:	ldr	x1, =rt_arm64_mmu_regs
	ldp	x2, x3, [x1]			/* MAIR, TCR */
	msr	mair_el1, x2
	msr	tcr_el1, x3
	ldp	x2, x3, [x1, #16]		/* TTBR0, SCTLR */
	msr	ttbr0_el1, x2
	isb
	tlbi	vmalle1
	ic	iallu
	dsb	nsh
	isb
	msr	sctlr_el1, x3
	isb
	ret

/* x0 = logical CPU: TPIDR_EL1 = x0, SP = top of its stack, SP_EL0 = top of
 * its emergency stack (fatal exceptions only). */
set_cpu_stack:
	cmp	x0, #MAX_CPUS
	b.hs	park
	add	x3, x0, #1
	ldr	x1, =rt_arm64_emergency_stacks
	mov	x2, #EMERGENCY_SIZE
	madd	x1, x3, x2, x1
	msr	sp_el0, x1
	set_stack_of_cpu 1, rt_arm64_cpu_stacks, STACK_SIZE
	ret

wrong_load_address:
	exit_cell_with_message wrong_load_message, wrong_load_message_end, 3
	b	park

	.global park
park:
	msr	daifset, #0xf
1:	wfe
	b	1b

	.section .rodata
wrong_load_message:
	.ascii	"rtcell: image loaded at another address than it was linked for\n"
wrong_load_message_end:
