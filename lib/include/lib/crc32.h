/*
 * CRC-32/IEEE (the zlib/PNG/Ethernet CRC: reflected, polynomial 0xEDB88320,
 * initial value and final XOR 0xFFFFFFFF). Used by the binary config and the
 * system image. Table-driven; the table is built on first use.
 */
#ifndef BH_LIB_CRC32_H
#define BH_LIB_CRC32_H

#include <lib/types.h>

/* CRC of `len` bytes; crc32_ieee("123456789", 9) == 0xCBF43926. */
uint32_t crc32_ieee(const void *data, size_t len);

/* Continues a CRC: crc32_ieee_update(crc32_ieee(a), b) == CRC of a followed by b. */
uint32_t crc32_ieee_update(uint32_t crc, const void *data, size_t len);

#endif
