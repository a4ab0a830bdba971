/*
 * The hypervisor's GDT: flat 64-bit code and data, and one TSS per CPU (its
 * IST stacks keep #DF and NMI off a possibly broken stack; VMX host state
 * also needs a usable TR).
 */
#ifndef X86_GDT_H
#define X86_GDT_H

#include <lib/types.h>

#define X86_SEL_CODE64 0x08
#define X86_SEL_DATA 0x10
#define X86_SEL_TSS0 0x18 /* CPU n's TSS selector: X86_SEL_TSS0 + 16 * n */

/* IST slots (1-based as in the IDT gate). */
#define X86_IST_DOUBLE_FAULT 1
#define X86_IST_NMI 2

/* Loads the GDT, reloads the segment registers and this CPU's TR. */
void x86_gdt_load_this(unsigned int cpu);

/* Linear address of CPU `cpu`'s TSS (the host TR base after a VM exit). */
uint64_t x86_gdt_tss_base(unsigned int cpu);

#endif
