/*
 * Test-cell entry at EL1 with the MMU off. The boot CPU arrives at the
 * image's first byte with x0 = boot info; other CPUs arrive through PSCI
 * CPU_ON at guest_secondary_entry with x0 = their boot-info index. Each CPU
 * gets its own stack and TPIDR_EL1 = index before any C runs.
 */
#include <aarch64/boot_macros.h>
#include <guest/asm.h>

	.section .text.head, "ax"
	.global _start
_start:
	msr	daifset, #0xf
	mov	x19, x0				/* boot info IPA */
	bl	el1_cpu_setup
	/*
	 * The image is linked for one address (absolute literals below): if the
	 * cell config loads it elsewhere, say so with PC-relative code only.
	 */
	branch_unless_at_link_address _start, wrong_load_address
	clear_bss
	mov	x0, #0
	bl	set_cpu_stack
	mov	x0, x19
	bl	guest_boot_main
	b	.

	.text
/* PSCI CPU_ON entry point: x0 = context id = boot-info index of this CPU. */
	.global guest_secondary_entry
guest_secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	bl	el1_cpu_setup
	cmp	x19, #GUEST_MAX_CPUS
	b.hs	bad_cpu_index
	mov	x0, x19
	bl	set_cpu_stack
	mov	x0, x19
	bl	guest_secondary_main
	b	.

/* MMU and caches off, no alignment checks (strict-align code), our vectors, SP_EL1. */
el1_cpu_setup:
	ldr	x1, =SCTLR_EL1_MMU_OFF
	msr	sctlr_el1, x1
	install_vectors 1, guest_vectors
	ret

/* x0 = index: sp = top of stack `index`, TPIDR_EL1 = index. */
set_cpu_stack:
	set_stack_of_cpu 1, guest_stacks, GUEST_STACK_BYTES
	mov	x29, #0
	ret

wrong_load_address:
	exit_cell_with_message wrong_load_message, wrong_load_message_end, GUEST_EXIT_WRONG_LOAD_ADDRESS
	b	.

bad_cpu_index:
	ldr	x0, =BH_ASM_HC_CELL_EXIT
	mov	x1, #GUEST_EXIT_BAD_BOOT_INFO
	hvc	#0
	b	.

	.section .rodata
wrong_load_message:
	.ascii	"guest: image is not at the address it was linked for (check the cell's load address)\n"
wrong_load_message_end:

	.section .bss.stacks, "aw", %nobits
	.balign	16
guest_stacks:
	.space	GUEST_STACK_BYTES * GUEST_MAX_CPUS
