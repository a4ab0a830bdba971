/*
 * A cell's XCR0 (vmx/xcr0.c): XSETBV always exits in VMX non-root operation;
 * the hypervisor checks the value and writes it into the CPU, which belongs to
 * that one cell, so XCR0 needs no switching. CPUID leaf 0xD and the OS-enabled
 * bits of leaves 1 and 7 are made to agree with what the cell may enable.
 */
#ifndef VMX_XCR0_H
#define VMX_XCR0_H

#include <stdint.h>
#include <vmx/exit.h>
#include <x86_64/insn.h>

/* The CR4 bits the hypervisor needs on this CPU to write XCR0 (OSXSAVE where XSAVE exists). */
uint64_t xcr0_host_cr4_bits(void);

/* Puts XCR0 in its reset state (x87 only) before a cell starts on this CPU. */
void xcr0_reset(void);

/* XSETBV: a valid value is written, anything else is #GP(0) at the instruction. */
void vmx_handle_xsetbv(struct vmx_exit *exit);

/* Adjusts the CPU's answer `r` to CPUID (leaf, subleaf) to the cell's XCR0 rules and CR4. */
void xcr0_cpuid(uint32_t leaf, uint32_t subleaf, struct cpuid_regs *r);

#endif
