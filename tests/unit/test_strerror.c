/* bh_strerror: every BH_E* code has its own text; anything else a fixed one. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <bulkhead/hypercall.h>
#include <lib/strerror.h>

#define AS_ENTRY(code, text) { code, #code, text },

static const struct {
	int code;
	const char *name;
	const char *text;
} codes[] = { BH_ERRNO_LIST(AS_ENTRY) };

static void test_every_code_has_its_own_non_empty_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		const char *text = bh_strerror(-codes[i].code);

		assert_non_null(text);
		assert_true(text[0] != '\0');
		assert_string_equal(text, codes[i].text);
		assert_string_not_equal(text, "unknown error");
		for (size_t j = 0; j < i; j++) {
			if (codes[i].code == codes[j].code ||
			    !strcmp(text, bh_strerror(codes[j].code)))
				fail_msg("%s and %s share a value or a text", codes[i].name,
					 codes[j].name);
		}
	}
}

static void test_positive_and_negated_codes_give_the_same_text(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		assert_ptr_equal(bh_strerror(codes[i].code), bh_strerror(-codes[i].code));
	assert_string_equal(bh_strerror(-BH_ENOMEM), "out of memory");
}

static void test_unknown_codes_give_a_fixed_text(void **state)
{
	static const int unknown[] = {
		3, -3, 39, -109, 4096, -4096, INT_MAX, INT_MIN, INT_MIN + 1
	};

	(void)state;
	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++)
		assert_string_equal(bh_strerror(unknown[i]), "unknown error");
	assert_string_equal(bh_strerror(0), "no error");
}

/* The hypercall ABI's codes keep their numbers (Linux errno values). */
static void test_hypercall_codes_keep_their_values(void **state)
{
	(void)state;
	assert_int_equal(BH_EPERM, 1);
	assert_int_equal(BH_ENOENT, 2);
	assert_int_equal(BH_E2BIG, 7);
	assert_int_equal(BH_EFAULT, 14);
	assert_int_equal(BH_EBUSY, 16);
	assert_int_equal(BH_EINVAL, 22);
	assert_int_equal(BH_ENOSYS, 38);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code_has_its_own_non_empty_text),
		cmocka_unit_test(test_positive_and_negated_codes_give_the_same_text),
		cmocka_unit_test(test_unknown_codes_give_a_fixed_text),
		cmocka_unit_test(test_hypercall_codes_keep_their_values),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
