/*
 * The MMIO instruction decoder (vmx/mmio_decode.h): the forms a compiler
 * emits for a 32-bit device register access through a pointer, and nothing
 * else; whatever it refuses becomes the #GP of an access outside the EPT.
 */
#include <vmx/mmio_decode.h>

#define REX_W 0x8u
#define REX_R 0x4u
#define OPCODE_MOV_STORE 0x89
#define OPCODE_MOV_LOAD 0x8b
#define OPCODE_MOV_STORE_IMM 0xc7

bool guest_decode_mmio_insn(const uint8_t *bytes, unsigned int count, struct guest_mmio_insn *out)
{
	unsigned int at = 0, rex = 0;

	if (count > 0 && (bytes[0] & 0xf0) == 0x40)
		rex = bytes[at++];
	if (rex & REX_W || at + 2 > count)
		return false;
	uint8_t opcode = bytes[at++];
	uint8_t modrm = bytes[at++];
	unsigned int mod = modrm >> 6, reg = (modrm >> 3) & 7, rm = modrm & 7;

	if (mod == 3 || (opcode != OPCODE_MOV_STORE && opcode != OPCODE_MOV_LOAD &&
			 !(opcode == OPCODE_MOV_STORE_IMM && reg == 0)))
		return false;
	if (rm == 4) { /* SIB; base 5 with mod 0 is a 32-bit displacement */
		if (at >= count)
			return false;
		if (mod == 0 && (bytes[at] & 7) == 5)
			at += 4;
		at++;
	}
	at += mod == 1 ? 1 : mod == 2 || (mod == 0 && rm == 5) ? 4 : 0;
	out->immediate = opcode == OPCODE_MOV_STORE_IMM;
	if (out->immediate) {
		if (at + 4 > count)
			return false;
		out->value = (uint32_t)bytes[at] | (uint32_t)bytes[at + 1] << 8 |
			     (uint32_t)bytes[at + 2] << 16 | (uint32_t)bytes[at + 3] << 24;
		at += 4;
	}
	if (at > count)
		return false;
	out->length = at;
	out->write = opcode != OPCODE_MOV_LOAD;
	out->reg = reg | (rex & REX_R ? 8 : 0);
	return true;
}
