/* CRC-32/IEEE known answers and incremental use (lib/crc32.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <lib/crc32.h>

static void test_check_value_of_123456789(void **state)
{
	(void)state;
	assert_int_equal(crc32_ieee("123456789", 9), 0xcbf43926u);
}

static void test_empty_input_is_zero(void **state)
{
	(void)state;
	assert_int_equal(crc32_ieee("", 0), 0);
}

static void test_update_equals_one_pass(void **state)
{
	(void)state;
	assert_int_equal(crc32_ieee_update(crc32_ieee("1234", 4), "56789", 5), 0xcbf43926u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_value_of_123456789),
		cmocka_unit_test(test_empty_input_is_zero),
		cmocka_unit_test(test_update_equals_one_pass),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
