/* The ChaCha20 block function against RFC 8439's test vectors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <lib/chacha20.h>

/* RFC 8439, section 2.3.2: key 00..1f, counter 1, nonce 00:00:00:09:00:00:00:4a:00:00:00:00. */
static void test_block_matches_rfc8439_section_2_3_2(void **state)
{
	static const uint8_t nonce[CHACHA20_NONCE_BYTES] = { 0, 0,    0, 0x09, 0, 0,
							     0, 0x4a, 0, 0,    0, 0 };
	static const uint8_t expected[CHACHA20_BLOCK_BYTES] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3,
		0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
		0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa,
		0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1,
		0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e
	};
	uint8_t key[CHACHA20_KEY_BYTES];
	uint8_t out[CHACHA20_BLOCK_BYTES];

	(void)state;
	for (int i = 0; i < CHACHA20_KEY_BYTES; i++)
		key[i] = (uint8_t)i;
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, expected, sizeof(expected));
}

/* RFC 8439, appendix A.1, test vector 1: all-zero key, nonce and counter. */
static void test_block_of_zero_key_matches_rfc8439_appendix_a1(void **state)
{
	static const uint8_t zero_key[CHACHA20_KEY_BYTES];
	static const uint8_t zero_nonce[CHACHA20_NONCE_BYTES];
	static const uint8_t expected_start[16] = {
		0x76, 0xb8, 0xe0, 0xad, 0xa0, 0xf1, 0x3d, 0x90,
		0x40, 0x5d, 0x6a, 0xe5, 0x53, 0x86, 0xbd, 0x28
	};
	static const uint8_t expected_end[4] = { 0xb2, 0xee, 0x65, 0x86 };
	uint8_t out[CHACHA20_BLOCK_BYTES];

	(void)state;
	chacha20_block(zero_key, 0, zero_nonce, out);
	assert_memory_equal(out, expected_start, sizeof(expected_start));
	assert_memory_equal(out + 60, expected_end, sizeof(expected_end));
}

static void test_counter_and_nonce_each_change_the_block(void **state)
{
	static const uint8_t key[CHACHA20_KEY_BYTES] = { 1 };
	uint8_t nonce[CHACHA20_NONCE_BYTES] = { 0 };
	uint8_t a[CHACHA20_BLOCK_BYTES];
	uint8_t b[CHACHA20_BLOCK_BYTES];
	uint8_t c[CHACHA20_BLOCK_BYTES];

	(void)state;
	chacha20_block(key, 0, nonce, a);
	chacha20_block(key, 1, nonce, b);
	nonce[0] = 1;
	chacha20_block(key, 0, nonce, c);
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, c, sizeof(a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_block_matches_rfc8439_section_2_3_2),
		cmocka_unit_test(test_block_of_zero_key_matches_rfc8439_appendix_a1),
		cmocka_unit_test(test_counter_and_nonce_each_change_the_block),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
