/*
 * Decoding the instruction of an emulated MMIO access (vmx/mmio_decode.c):
 * an EPT violation says where and whether the cell wrote, not with which
 * register or how long the instruction is. Pure code, also run on the host
 * (tests/unit/test_mmio_decode.c).
 */
#ifndef VMX_MMIO_DECODE_H
#define VMX_MMIO_DECODE_H

#include <stdbool.h>
#include <stdint.h>

/* A 32-bit MOV between a register (or an immediate) and memory. */
struct guest_mmio_insn {
	unsigned int length; /* bytes, for the RIP to move past */
	bool write;
	bool immediate; /* write of `value` (MOV r/m32, imm32) rather than of register `reg` */
	unsigned int reg; /* register number as encoded (RAX 0 .. R15 15, the REG_* order) */
	uint32_t value;
};

/*
 * Decodes MOV r/m32,r32 (89), MOV r32,r/m32 (8B) and MOV r/m32,imm32 (C7 /0),
 * with an optional REX prefix without W, from `bytes` (`count` of them).
 * Anything else, a register operand or a 64-bit one, is false.
 */
bool guest_decode_mmio_insn(const uint8_t *bytes, unsigned int count, struct guest_mmio_insn *out);

#endif
