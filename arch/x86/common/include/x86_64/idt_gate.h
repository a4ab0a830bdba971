/*
 * A 64-bit IDT gate (SDM vol. 3 sec. 6.14.1), shared by the realtime kernel
 * and the x86 test cells: the hardware layout and its encoding, written once.
 */
#ifndef X86_64_IDT_GATE_H
#define X86_64_IDT_GATE_H

#include <stdint.h>

#define X86_GATE_INTERRUPT_64_DPL0 0x8e /* present, DPL 0, 64-bit interrupt gate */

struct x86_idt_gate {
	uint16_t offset_low;
	uint16_t selector;
	uint8_t ist;
	uint8_t type;
	uint16_t offset_mid;
	uint32_t offset_high;
	uint32_t reserved;
};

/* An interrupt gate (IF cleared on entry, no IST) to `at` through code selector `selector`. */
static inline struct x86_idt_gate x86_idt_interrupt_gate(uint64_t at, uint16_t selector)
{
	return (struct x86_idt_gate){
		(uint16_t)at,         selector, 0, X86_GATE_INTERRUPT_64_DPL0, (uint16_t)(at >> 16),
		(uint32_t)(at >> 32), 0
	};
}

#endif
