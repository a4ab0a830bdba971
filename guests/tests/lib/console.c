/*
 * Console output through BH_HC_CONSOLE_WRITE; see guest/console.h. The
 * buffer is on the caller's stack, inside the cell's own memory, so the
 * hypervisor can read it; with the MMU off its address is its IPA.
 */
#include <bulkhead/hypercall.h>
#include <guest/console.h>
#include <guest/hypercall.h>
#include <lib/format.h>

void console_write(const char *text, size_t len)
{
	while (len) {
		size_t chunk = len < BH_CONSOLE_WRITE_MAX ? len : BH_CONSOLE_WRITE_MAX;

		/* Nowhere to report a failed write: drop it and go on. */
		bh_console_write(text, chunk);
		text += chunk;
		len -= chunk;
	}
}

void console_printf(const char *fmt, ...)
{
	char line[CONSOLE_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	int len = format_vsnprintf(line, sizeof(line), fmt, ap);

	va_end(ap);
	if (len < 0)
		return;
	console_write(line, (size_t)len < sizeof(line) ? (size_t)len : sizeof(line) - 1);
}
