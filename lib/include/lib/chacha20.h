/*
 * The ChaCha20 block function (RFC 8439, section 2.3): 64 bytes of keystream
 * from a 256-bit key, a block counter and a 96-bit nonce. The hypervisor uses
 * it as a pseudo-random function to derive each cell's seed from the boot
 * seed; it is not used for encryption.
 */
#ifndef BH_LIB_CHACHA20_H
#define BH_LIB_CHACHA20_H

#include <lib/types.h>

#define CHACHA20_KEY_BYTES 32
#define CHACHA20_NONCE_BYTES 12
#define CHACHA20_BLOCK_BYTES 64

void chacha20_block(const uint8_t key[CHACHA20_KEY_BYTES], uint32_t counter,
		    const uint8_t nonce[CHACHA20_NONCE_BYTES], uint8_t out[CHACHA20_BLOCK_BYTES]);

#endif
