/*
 * XSETBV's checks on a cell's new XCR0 (arch/x86/vmx/xcr0_rules.c) on the
 * host: each rule of the SDM refuses its value with its reason, and the values
 * Linux writes on a CPU with AVX-512 pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <vmx/xcr0_rules.h>

/* What a Skylake-X offers: x87, SSE, AVX, MPX, AVX-512, PKRU. */
#define SKYLAKE_X (XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_MPX | XCR0_AVX512 | XCR0_PKRU)

struct refusal {
	uint32_t index;
	uint64_t value;
	uint64_t allowed;
	const char *why;
};

static const struct refusal refused[] = {
	{ 1, XCR0_X87, SKYLAKE_X, "not XCR0" },
	{ 0xffffffffu, XCR0_X87, SKYLAKE_X, "not XCR0" },
	{ 0, XCR0_X87 | XCR0_SSE | XCR0_AVX, XCR0_X87 | XCR0_SSE,
	  "a state component the cell does not have" },
	{ 0, XCR0_X87 | (1ull << 17) | (1ull << 18), SKYLAKE_X,
	  "a state component the cell does not have" },
	{ 0, XCR0_X87 | (1ull << 63), SKYLAKE_X, "a state component the cell does not have" },
	{ 0, 0, SKYLAKE_X, "x87 state cleared" },
	{ 0, XCR0_SSE, SKYLAKE_X, "x87 state cleared" },
	{ 0, XCR0_X87 | XCR0_AVX, SKYLAKE_X, "AVX without SSE" },
	{ 0, XCR0_X87 | XCR0_BNDREGS, SKYLAKE_X, "only one of the two MPX components" },
	{ 0, XCR0_X87 | XCR0_BNDCSR, SKYLAKE_X, "only one of the two MPX components" },
	{ 0, XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK, SKYLAKE_X,
	  "only part of the AVX-512 components" },
	{ 0, XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_OPMASK | XCR0_HI16_ZMM, SKYLAKE_X,
	  "only part of the AVX-512 components" },
	{ 0, XCR0_X87 | XCR0_SSE | XCR0_AVX512, SKYLAKE_X, "AVX-512 without AVX" },
};

static void test_each_rule_refuses_its_value(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		const struct refusal *r = &refused[i];
		const char *why = xcr0_refusal(r->index, r->value, r->allowed);

		print_message("XCR%u <- 0x%llx: %s\n", r->index, (unsigned long long)r->value,
			      why ? why : "(accepted)");
		assert_non_null(why);
		assert_string_equal(why, r->why);
	}
}

static void test_valid_values_pass(void **state)
{
	(void)state;
	static const uint64_t valid[] = {
		XCR0_X87,
		XCR0_X87 | XCR0_SSE,
		XCR0_X87 | XCR0_SSE | XCR0_AVX,
		XCR0_X87 | XCR0_MPX,
		XCR0_X87 | XCR0_SSE | XCR0_AVX | XCR0_AVX512,
		SKYLAKE_X,
	};

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++)
		assert_null(xcr0_refusal(0, valid[i], SKYLAKE_X));
}

static void test_cell_may_never_enable_unknown_components(void **state)
{
	(void)state;
	/* Bit 8 (PT) and 11-16 are IA32_XSS components; 17-18 AMX: none is known here. */
	assert_int_equal(XCR0_CELL_KNOWN & ((1ull << 8) | (0x7full << 11) | (3ull << 17)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_rule_refuses_its_value),
		cmocka_unit_test(test_valid_values_pass),
		cmocka_unit_test(test_cell_may_never_enable_unknown_components),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
