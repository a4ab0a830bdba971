/*
 * EL2 entry. The image starts with a Linux arm64 Image header so boot
 * loaders (QEMU -kernel, U-Boot booti) load it where it is linked (its
 * text_offset says how far above the RAM base) and pass x0 = DTB address.
 * The boot CPU clears .bss and enters C on its stack; secondaries arrive via
 * PSCI CPU_ON with x0 = their logical number. Every CPU runs with SPSel=1,
 * TPIDR_EL2 = its logical number and VBAR_EL2 = our vectors before any C.
 */
#include <aarch64/boot_macros.h>
#include <arm64/asm_defs.h>

	.section .text.head, "ax"
	.global _start
_start:
	linux_image_header primary_entry, hv_image_size, hv_text_offset

primary_entry:
	mov	x19, x0				/* DTB address from the boot loader */
	bl	el2_cpu_setup
	branch_unless_at_link_address _start, wrong_load_address
	clear_bss
	mov	x0, #0
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
	install_vectors 2, hv_vectors
	ret

/* x0 = logical CPU: TPIDR_EL2 = x0, SP = top of that CPU's stack. */
set_cpu_stack:
	cmp	x0, #ARM64_MAX_CPUS
	b.hs	park
	set_stack_of_cpu 2, hv_cpu_stacks, HV_STACK_SIZE
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
