/*
 * The x86 MMIO instruction decoder (arch/x86/vmx/mmio_decode.c) on the host:
 * the encodings a compiler emits for a 32-bit register access, with their
 * lengths, registers and immediates, and the refusals (64-bit operands,
 * register operands, other opcodes, truncated bytes).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <vmx/mmio_decode.h>

struct case_ {
	const char *what;
	uint8_t bytes[15];
	unsigned int count;
	unsigned int length;
	bool write;
	bool immediate;
	unsigned int reg;
	uint32_t value;
};

static const struct case_ decoded[] = {
	{ "mov [rdi], esi", { 0x89, 0x37 }, 2, 2, true, false, 6, 0 },
	{ "mov eax, [rdi]", { 0x8b, 0x07 }, 2, 2, false, false, 0, 0 },
	{ "mov r9d, [rax + 0x10]", { 0x44, 0x8b, 0x48, 0x10 }, 4, 4, false, false, 9, 0 },
	{ "mov [rdx + 0x10], ecx (disp32)",
	  { 0x89, 0x8a, 0x10, 0, 0, 0 },
	  6,
	  6,
	  true,
	  false,
	  1,
	  0 },
	{ "mov [rsp + 8], eax (SIB)", { 0x89, 0x44, 0x24, 0x08 }, 4, 4, true, false, 0, 0 },
	{ "mov [0xfec00000], eax (SIB, no base)",
	  { 0x89, 0x04, 0x25, 0x00, 0x00, 0xc0, 0xfe },
	  7,
	  7,
	  true,
	  false,
	  0,
	  0 },
	{ "mov eax, [rip + 0x100]", { 0x8b, 0x05, 0x00, 0x01, 0, 0 }, 6, 6, false, false, 0, 0 },
	{ "mov dword [rdi], 0x12345678",
	  { 0xc7, 0x07, 0x78, 0x56, 0x34, 0x12 },
	  6,
	  6,
	  true,
	  true,
	  0,
	  0x12345678 },
	{ "mov dword [rdi + 0x10], 1 with trailing bytes",
	  { 0xc7, 0x47, 0x10, 0x01, 0, 0, 0, 0x90, 0x90 },
	  9,
	  7,
	  true,
	  true,
	  0,
	  1 },
};

static const struct case_ refused[] = {
	{ "mov [rdi], rsi (REX.W)", { 0x48, 0x89, 0x37 }, 3, 0, false, false, 0, 0 },
	{ "mov eax, esi (register operand)", { 0x89, 0xf0 }, 2, 0, false, false, 0, 0 },
	{ "movzx eax, byte [rdi]", { 0x0f, 0xb6, 0x07 }, 3, 0, false, false, 0, 0 },
	{ "c7 /1 (not MOV)", { 0xc7, 0x0f, 0, 0, 0, 0 }, 6, 0, false, false, 0, 0 },
	{ "mov dword [rdi], imm32 cut short",
	  { 0xc7, 0x07, 0x78, 0x56 },
	  4,
	  0,
	  false,
	  false,
	  0,
	  0 },
	{ "mov eax, [rip + disp32] cut short", { 0x8b, 0x05, 0x00 }, 3, 0, false, false, 0, 0 },
	{ "SIB byte missing", { 0x89, 0x04 }, 2, 0, false, false, 0, 0 },
	{ "nothing fetched", { 0 }, 0, 0, false, false, 0, 0 },
};

static void test_decodes_the_mov_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(decoded) / sizeof(decoded[0]); i++) {
		const struct case_ *c = &decoded[i];
		struct guest_mmio_insn insn;

		print_message("%s\n", c->what);
		assert_true(guest_decode_mmio_insn(c->bytes, c->count, &insn));
		assert_int_equal(insn.length, c->length);
		assert_int_equal(insn.write, c->write);
		assert_int_equal(insn.immediate, c->immediate);
		if (c->immediate)
			assert_int_equal(insn.value, c->value);
		else
			assert_int_equal(insn.reg, c->reg);
	}
}

static void test_refuses_everything_else(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		struct guest_mmio_insn insn;

		print_message("%s\n", refused[i].what);
		assert_false(guest_decode_mmio_insn(refused[i].bytes, refused[i].count, &insn));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes_the_mov_forms),
		cmocka_unit_test(test_refuses_everything_else),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
