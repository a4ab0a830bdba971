/*
 * ChaCha20 block function (hv/chacha20.h). Integer operations only, so it
 * builds under -mgeneral-regs-only; words are read and written little-endian
 * byte by byte, whatever the host's order.
 */
#include <lib/chacha20.h>

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void store_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static uint32_t rotate_left(uint32_t v, unsigned bits)
{
	return v << bits | v >> (32 - bits);
}

static void quarter_round(uint32_t *s, int a, int b, int c, int d)
{
	s[a] += s[b];
	s[d] = rotate_left(s[d] ^ s[a], 16);
	s[c] += s[d];
	s[b] = rotate_left(s[b] ^ s[c], 12);
	s[a] += s[b];
	s[d] = rotate_left(s[d] ^ s[a], 8);
	s[c] += s[d];
	s[b] = rotate_left(s[b] ^ s[c], 7);
}

void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_BYTES], uint8_t out[CHACHA20_BLOCK_BYTES])
{
	/* "expand 32-byte k" */
	uint32_t initial[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
	uint32_t state[16];

	for (int i = 0; i < 8; i++)
		initial[4 + i] = load_le32(key + 4 * i);
	initial[12] = counter;
	for (int i = 0; i < 3; i++)
		initial[13 + i] = load_le32(nonce + 4 * i);
	for (int i = 0; i < 16; i++)
		state[i] = initial[i];
	for (int round = 0; round < 10; round++) {
		/* A column round, then a diagonal round. */
		quarter_round(state, 0, 4, 8, 12);
		quarter_round(state, 1, 5, 9, 13);
		quarter_round(state, 2, 6, 10, 14);
		quarter_round(state, 3, 7, 11, 15);
		quarter_round(state, 0, 5, 10, 15);
		quarter_round(state, 1, 6, 11, 12);
		quarter_round(state, 2, 7, 8, 13);
		quarter_round(state, 3, 4, 9, 14);
	}
	for (int i = 0; i < 16; i++)
		store_le32(out + 4 * i, state[i] + initial[i]);
}
