/*
 * IDT for the hypervisor itself: every vector is unexpected (the hypervisor
 * runs with interrupts masked), so every entry dumps registers and fails.
 */
#ifndef X86_IDT_H
#define X86_IDT_H

#include <lib/types.h>

/* Saved by exception_stubs.asm; field order follows its pushes. */
struct x86_exception_frame {
	uint64_t rax, rbx, rcx, rdx, rsi, rdi, rbp;
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t vector, error_code;
	/* Pushed by the CPU. */
	uint64_t rip, cs, rflags, rsp, ss;
};

/* Loads the IDT on the calling CPU (builds it on first use, on the boot CPU). */
void x86_idt_load_this(void);

void x86_exception_entry(struct x86_exception_frame *f);

#endif
