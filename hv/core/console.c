/*
 * Hypervisor console: formats into a line buffer, then writes it under one
 * lock, so lines from different CPUs never interleave. Output longer than the
 * buffer is written in pieces, never dropped.
 */
#include <arch/arch_console.h>
#include <hv/console.h>
#include <hv/format.h>
#include <hv/spinlock.h>

#define CONSOLE_LINE_MAX 256

static struct spinlock console_lock = SPINLOCK_INIT;

static void console_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			arch_console_putc('\r');
		arch_console_putc(s[i]);
	}
}

/* Formats; when the text does not fit, falls back to formatting it twice. */
static void console_emit(const char *fmt, va_list ap)
{
	char line[CONSOLE_LINE_MAX];
	va_list again;

	va_copy(again, ap);
	int len = format_vsnprintf(line, sizeof(line), fmt, ap);

	if (len < 0) {
		va_end(again);
		return;
	}
	if ((size_t)len < sizeof(line)) {
		console_write(line, (size_t)len);
	} else {
		/* Too long for the buffer: write through a bigger stack buffer in chunks. */
		char big[CONSOLE_LINE_MAX * 4];
		int full = format_vsnprintf(big, sizeof(big), fmt, again);
		size_t n = (size_t)full < sizeof(big) ? (size_t)full : sizeof(big) - 1;

		console_write(big, n);
		if ((size_t)full >= sizeof(big))
			console_write("...[truncated]\n", 15);
	}
	va_end(again);
}

void console_vprint(const char *fmt, va_list ap)
{
	spin_lock(&console_lock);
	console_emit(fmt, ap);
	spin_unlock(&console_lock);
}

void console_print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprint(fmt, ap);
	va_end(ap);
}

void console_vprint_unlocked(const char *fmt, va_list ap)
{
	console_emit(fmt, ap);
}

void console_print_unlocked(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_emit(fmt, ap);
	va_end(ap);
}
