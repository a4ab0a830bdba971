/* format_vsnprintf: the conversions the hypervisor uses, and its size contract. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lib/format.h>

static void expect_format(const char *expected, const char *fmt, ...)
{
	char buf[128];
	va_list ap;

	va_start(ap, fmt);
	int n = format_vsnprintf(buf, sizeof(buf), fmt, ap);

	va_end(ap);
	assert_string_equal(buf, expected);
	assert_int_equal(n, (int)__builtin_strlen(expected));
}

/* No printf attribute: lets a test pass formats the compiler would reject. */
static int format_unchecked(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = format_vsnprintf(buf, size, fmt, ap);

	va_end(ap);
	return n;
}

static void test_signed_decimal_including_extremes(void **state)
{
	(void)state;
	expect_format("0 -1 42", "%d %d %i", 0, -1, 42);
	expect_format("-2147483648", "%d", INT32_MIN);
	expect_format("-9223372036854775808", "%lld", (long long)INT64_MIN);
	expect_format("18446744073709551615", "%llu", (unsigned long long)UINT64_MAX);
}

static void test_hex_lower_upper_and_long_long(void **state)
{
	(void)state;
	expect_format("ff FF", "%x %X", 255u, 255u);
	expect_format("0x80000001", "0x%llx", 0x80000001ull);
	expect_format("deadbeefcafe", "%lx", 0xdeadbeefcafeul);
}

static void test_width_zero_padding_and_left_alignment(void **state)
{
	(void)state;
	expect_format("0042|  42|42  |", "%04d|%4d|%-4d|", 42, 42, 42);
	expect_format("-0042|  -42", "%05d|%5d", -42, -42);
	expect_format("0x000000000000002a", "0x%016llx", 42ull);
	expect_format("x5 |", "x%-2u|", 5u);
}

static void test_strings_chars_percent_and_null(void **state)
{
	(void)state;
	expect_format("a b 100%", "%s %c %d%%", "a", 'b', 100);
	expect_format("(null)", "%s", (char *)NULL);
	expect_format("  ab|ab  ", "%4s|%-4s", "ab", "ab");
}

static void test_pointer_is_fixed_width_hex(void **state)
{
	(void)state;
	expect_format("0x0000000000001000", "%p", (void *)0x1000);
}

static void test_size_t_modifier(void **state)
{
	(void)state;
	expect_format("123", "%zu", (size_t)123);
}

static void test_unknown_conversion_is_shown_not_guessed(void **state)
{
	(void)state;
	char buf[8];

	format_unchecked(buf, sizeof(buf), "%q");
	assert_string_equal(buf, "%q");
}

static void test_truncation_terminates_and_returns_full_length(void **state)
{
	char buf[6];

	(void)state;
	int n = format_snprintf(buf, sizeof(buf), "%s-%d", "hello", 12345);

	assert_string_equal(buf, "hello");
	assert_int_equal(n, 11);
}

static void test_size_zero_writes_nothing(void **state)
{
	char buf[4] = { 'x', 'x', 'x', 'x' };

	(void)state;
	int n = format_snprintf(buf, 0, "%d", 1234);

	assert_int_equal(n, 4);
	assert_int_equal(buf[0], 'x');
}

static void test_trailing_percent_is_ignored(void **state)
{
	char buf[8];

	(void)state;
	format_unchecked(buf, sizeof(buf), "ab%");
	assert_string_equal(buf, "ab");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed_decimal_including_extremes),
		cmocka_unit_test(test_hex_lower_upper_and_long_long),
		cmocka_unit_test(test_width_zero_padding_and_left_alignment),
		cmocka_unit_test(test_strings_chars_percent_and_null),
		cmocka_unit_test(test_pointer_is_fixed_width_hex),
		cmocka_unit_test(test_size_t_modifier),
		cmocka_unit_test(test_unknown_conversion_is_shown_not_guessed),
		cmocka_unit_test(test_truncation_terminates_and_returns_full_length),
		cmocka_unit_test(test_size_zero_writes_nothing),
		cmocka_unit_test(test_trailing_percent_is_ignored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
