/*
 * CRC-32/IEEE, one table lookup per byte. The 1 KiB table is computed on
 * first use: concurrent first uses only ever write the same values.
 */
#include <lib/crc32.h>

static uint32_t crc_table[256];
static bool crc_table_ready;

static void crc_table_build(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int bit = 0; bit < 8; bit++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[n] = c;
	}
	crc_table_ready = true;
}

uint32_t crc32_ieee_update(uint32_t crc, const void *data, size_t len)
{
	const uint8_t *bytes = data;

	if (!crc_table_ready)
		crc_table_build();
	crc = ~crc;
	/* Indexed, not a walking pointer: EVA then bounds each read by len. */
	for (size_t i = 0; i < len; i++)
		crc = crc_table[(crc ^ bytes[i]) & 0xff] ^ (crc >> 8);
	return ~crc;
}

uint32_t crc32_ieee(const void *data, size_t len)
{
	return crc32_ieee_update(0, data, len);
}
