/* The hypervisor's libc subset: bounds, overlap and command-line lookup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lib/string.h>

static void test_memmove_handles_both_overlap_directions(void **state)
{
	char a[] = "abcdef";
	char b[] = "abcdef";

	(void)state;
	memmove(a + 2, a, 4);
	assert_memory_equal(a, "ababcd", 6);
	memmove(b, b + 2, 4);
	assert_memory_equal(b, "cdefef", 6);
}

static void test_memset_memcpy_memcmp(void **state)
{
	char a[8];
	char b[8];

	(void)state;
	memset(a, 'z', sizeof(a));
	memcpy(b, a, sizeof(b));
	assert_int_equal(memcmp(a, b, sizeof(a)), 0);
	b[7] = 'y';
	assert_true(memcmp(a, b, sizeof(a)) > 0);
}

static void test_strlcpy_truncates_and_reports_source_length(void **state)
{
	char buf[4];

	(void)state;
	assert_int_equal(strlcpy(buf, "abcdef", sizeof(buf)), 6);
	assert_string_equal(buf, "abc");
	assert_int_equal(strlcpy(buf, "ab", sizeof(buf)), 2);
	assert_string_equal(buf, "ab");
}

static void test_strcmp_orders_and_strnlen_bounds(void **state)
{
	(void)state;
	assert_int_equal(strcmp("abc", "abc"), 0);
	assert_true(strcmp("abc", "abd") < 0);
	assert_true(strcmp("abcd", "abc") > 0);
	assert_int_equal(strncmp("abcx", "abcy", 3), 0);
	assert_int_equal(strnlen("abcdef", 3), 3);
	assert_int_equal(strlen(""), 0);
}

static void test_cmdline_find_matches_whole_words_only(void **state)
{
	size_t len = 99;
	const char *v;

	(void)state;
	v = cmdline_find("quiet bulkhead.fault=access debug", "bulkhead.fault", &len);
	assert_non_null(v);
	assert_int_equal(len, 6);
	assert_memory_equal(v, "access", 6);

	v = cmdline_find("quiet  debug", "debug", &len);
	assert_non_null(v);
	assert_int_equal(len, 0);

	assert_null(cmdline_find("bulkhead.faulty=1", "bulkhead.fault", &len));
	assert_null(cmdline_find("xbulkhead.fault=1", "bulkhead.fault", &len));
	assert_null(cmdline_find("", "debug", &len));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memmove_handles_both_overlap_directions),
		cmocka_unit_test(test_memset_memcpy_memcmp),
		cmocka_unit_test(test_strlcpy_truncates_and_reports_source_length),
		cmocka_unit_test(test_strcmp_orders_and_strnlen_bounds),
		cmocka_unit_test(test_cmdline_find_matches_whole_words_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
