/* Semihosting SYS_EXIT (operation 0x18) with the AArch64 parameter block. */
#include <arm64/semihosting.h>

#define SEMIHOSTING_SYS_WRITE0 0x04
#define SEMIHOSTING_SYS_EXIT 0x18
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

noreturn_fn void semihosting_exit(int exit_code)
{
	static volatile uint64_t block[2];

	block[0] = ADP_STOPPED_APPLICATION_EXIT;
	block[1] = (uint64_t)(int64_t)exit_code;
	register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_EXIT;
	register uint64_t x1 __asm__("x1") = (uintptr_t)block;

	__asm__ volatile("hlt #0xf000" : : "r"(x0), "r"(x1) : "memory");
	for (;;)
		__asm__ volatile("wfi");
}

void semihosting_write(const char *text, size_t len)
{
	/* SYS_WRITE0 takes a NUL-terminated string: copy in chunks (callers serialise). */
	static char chunk[128];

	while (len) {
		size_t n = len < sizeof(chunk) - 1 ? len : sizeof(chunk) - 1;

		for (size_t i = 0; i < n; i++)
			chunk[i] = text[i];
		chunk[n] = '\0';
		register uint64_t x0 __asm__("x0") = SEMIHOSTING_SYS_WRITE0;
		register uint64_t x1 __asm__("x1") = (uintptr_t)chunk;

		__asm__ volatile("hlt #0xf000" : "+r"(x0) : "r"(x1) : "memory");
		text += n;
		len -= n;
	}
}
