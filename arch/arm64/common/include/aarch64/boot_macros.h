/*
 * Boot prologue macros for assembly, shared by every arm64 image here: the
 * Linux arm64 Image header that boot loaders recognise, the check that an
 * image linked for one address runs there, .bss clearing, and per-CPU stack
 * set-up. Each image keeps its own entry sequence; these are its parts.
 */
#ifndef AARCH64_BOOT_MACROS_H
#define AARCH64_BOOT_MACROS_H

/* Hypercall numbers for assembly (bulkhead/hypercall.h has them with C suffixes). */
#define BH_ASM_HC_CONSOLE_WRITE 0xc6000001
#define BH_ASM_HC_CELL_EXIT 0xc6000006

#ifndef __ASSEMBLER__
#include <bulkhead/hypercall.h>
_Static_assert(BH_ASM_HC_CONSOLE_WRITE == BH_HC_CONSOLE_WRITE, "boot_macros.h hypercall number");
_Static_assert(BH_ASM_HC_CELL_EXIT == BH_HC_CELL_EXIT, "boot_macros.h hypercall number");
#else
/* clang-format off */

/*
 * The 64-byte arm64 Image header (Linux Documentation/arch/arm64/booting):
 * QEMU -kernel and U-Boot booti load such an image and pass x0 = DTB.
 * image_size from \size_symbol (it includes .bss). Flags bit 3 is clear:
 * loaders put the image \text_offset above the lowest 2 MiB-aligned RAM
 * address (QEMU -kernel adds 2 MiB to an offset of 0; U-Boot booti moves the
 * image there from wherever it was loaded).
 */
.macro linux_image_header entry, size_symbol, text_offset=0
	b	\entry				/* code0 */
	.long	0				/* code1 */
	.quad	\text_offset			/* text_offset */
	.quad	\size_symbol			/* image_size */
	.quad	0x2				/* flags: little endian, 4 KiB pages */
	.quad	0				/* res2 */
	.quad	0				/* res3 */
	.quad	0				/* res4 */
	.long	0x644d5241			/* magic "ARM\x64" */
	.long	0				/* res5 (no PE header) */
.endm

/*
 * Branches to \fail when the image runs elsewhere than it was linked for
 * (MMU off, no relocation: every absolute address would be wrong). Uses x1, x2.
 */
.macro branch_unless_at_link_address start, fail
	adr	x1, \start
	ldr	x2, =\start
	cmp	x1, x2
	b.ne	\fail
.endm

/* Zeroes [__bss_start, __bss_end) (16-byte aligned by the linker script). Uses x1, x2. */
.macro clear_bss
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
.Lclear_bss_loop\@:
	cmp	x1, x2
	b.hs	.Lclear_bss_done\@
	stp	xzr, xzr, [x1], #16
	b	.Lclear_bss_loop\@
.Lclear_bss_done\@:
.endm

/*
 * x0 = CPU index: TPIDR_EL\el = x0, SP = top of stack x0 of \stacks (each
 * \stack_bytes). Clobbers x0..x2.
 */
.macro set_stack_of_cpu el, stacks, stack_bytes
	msr	tpidr_el\el, x0
	ldr	x1, =\stacks
	add	x0, x0, #1
	mov	x2, #\stack_bytes
	madd	x1, x0, x2, x1
	mov	sp, x1
.endm

/* VBAR_EL\el = \vectors, SP_EL\el selected. */
.macro install_vectors el, vectors
	adr	x1, \vectors
	msr	vbar_el\el, x1
	msr	spsel, #1
	isb
.endm

/*
 * A cell that cannot run says why on its console and stops with
 * \exit_code, using PC-relative code only (it may run at a wrong address).
 */
.macro exit_cell_with_message message, message_end, exit_code
	adr	x1, \message
	mov	x2, #(\message_end - \message)
	ldr	x0, =BH_ASM_HC_CONSOLE_WRITE
	hvc	#0
	ldr	x0, =BH_ASM_HC_CELL_EXIT
	mov	x1, #\exit_code
	hvc	#0
.endm

/* clang-format on */
#endif

#endif
