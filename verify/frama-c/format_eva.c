/*
 * Frama-C EVA harness for the printf engine (lib/format.c) on its own: every
 * conversion, flag and length the engine knows, each at its own call site with
 * an argument of the matching type and any value, into a buffer of any size
 * from 0 to BUF bytes; a string argument is any NUL-terminated text. The
 * validator's analysis uses format_stub.c in its place (see there why).
 */
#include "__fc_builtin.h"
#include <lib/format.h>

#define BUF 48

int main(void)
{
	char buf[BUF];
	char text[20];
	size_t size = Frama_C_size_t_interval(0, BUF);

	Frama_C_make_unknown(text, sizeof(text) - 1);
	text[Frama_C_size_t_interval(0, sizeof(text) - 1)] = '\0';
	text[sizeof(text) - 1] = '\0';
	format_snprintf(buf, size, "%d|%i", Frama_C_int_interval(-0x7fffffff - 1, 0x7fffffff),
			Frama_C_int_interval(-5, 5));
	format_snprintf(buf, size, "%-08ld %05ld",
			Frama_C_long_interval(-0x7fffffffffffffffl - 1, 0x7fffffffffffffffl),
			Frama_C_long_interval(-9, 9));
	format_snprintf(buf, size, "%lld %zd",
			Frama_C_long_long_interval(-0x7fffffffffffffffll - 1, 0x7fffffffffffffffll),
			Frama_C_size_t_interval(0, ~(size_t)0));
	format_snprintf(buf, size, "%u %lu %llu %zu", Frama_C_unsigned_int_interval(0, ~0u),
			Frama_C_unsigned_long_interval(0, ~0ul),
			Frama_C_unsigned_long_long_interval(0, ~0ull),
			Frama_C_size_t_interval(0, ~(size_t)0));
	format_snprintf(buf, size, "%08x %llX %lx", Frama_C_unsigned_int_interval(0, ~0u),
			Frama_C_unsigned_long_long_interval(0, ~0ull),
			Frama_C_unsigned_long_interval(0, ~0ul));
	/* Any pointer, given as a number: EVA does no arithmetic on a variable's address. */
	format_snprintf(buf, size, "%p", (void *)Frama_C_unsigned_long_interval(0, ~0ul));
	format_snprintf(buf, size, "%s|%-30s|%30s", text, text, (const char *)0);
	format_snprintf(buf, size, "%c%5c%%", Frama_C_int_interval(-128, 127), 'x');
	/* An unknown conversion is shown, not consumed; a lone '%' at the end stops. */
	format_snprintf(buf, size, "%q%");
	return 0;
}
