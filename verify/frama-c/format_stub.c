/*
 * What the validator's analysis assumes of lib/format.c, in place of its code:
 * the output is a NUL-terminated string of any bytes within `size`, and the
 * arguments are only read. EVA cannot follow a va_list whose entries have a
 * different type at every call site: analysing format.c inside the validator
 * made each message a write through an unknown pointer, which spoilt every
 * pointer in the checker's state (c->hdr, c->rules, ...) and raised most of
 * the validator's alarms. format.c itself is analysed on its own
 * (format_eva.c), one conversion at a time.
 */
#include "__fc_builtin.h"
#include <lib/format.h>

static int any_output(char *buf, size_t size)
{
	if (size == 0)
		return Frama_C_int_interval(0, 0x7fffffff);
	Frama_C_make_unknown(buf, size - 1);
	buf[Frama_C_size_t_interval(0, size - 1)] = '\0';
	buf[size - 1] = '\0';
	return Frama_C_int_interval(0, 0x7fffffff);
}

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	(void)fmt;
	(void)ap;
	return any_output(buf, size);
}

int format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	(void)fmt;
	return any_output(buf, size);
}
