/*
 * The hypervisor's printf engine (see hv/format.h for the subset).
 * Host-tested in tests/unit/test_format.c; every path checks `size` so a
 * long argument truncates the output instead of overrunning the buffer.
 */
#include <lib/format.h>

struct out {
	char *buf;
	size_t size;
	size_t len; /* bytes the full output needs, may exceed size */
};

struct spec {
	bool left;
	bool zero;
	unsigned int width;
	int length; /* 0 int, 1 long, 2 long long, 3 size_t */
};

static void out_char(struct out *o, char c)
{
	/* Not o->len + 1 < o->size: that would wrap when len reached SIZE_MAX. */
	if (o->size && o->len < o->size - 1)
		o->buf[o->len] = c;
	o->len++;
}

static void out_padded(struct out *o, const char *s, size_t n, const struct spec *sp, char pad)
{
	size_t fill = sp->width > n ? sp->width - n : 0;

	if (!sp->left)
		while (fill--)
			out_char(o, pad);
	for (size_t i = 0; i < n; i++)
		out_char(o, s[i]);
	if (sp->left)
		while (fill--)
			out_char(o, ' ');
}

static void out_number(struct out *o, uint64_t value, bool negative, unsigned int base, bool upper,
		       const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char reversed[24];
	char text[25];
	size_t n = 0;
	size_t len = 0;

	/*
	 * 64 bits take at most 20 digits in base 10 and 16 in base 16: the loops'
	 * bounds on the buffers never stop them early. They, the unrolling and the
	 * split by n (one state per digit count, for Frama-C's EVA) let EVA show
	 * every index inside its buffer and every byte read already written.
	 */
	/*@ loop unroll 24; */
	do {
		reversed[n++] = digits[value % base];
		value /= base;
	} while (value && n < sizeof(reversed));

	bool zero_pad = sp->zero && !sp->left;
	struct spec rest = *sp;

	/*@ split n; */

	if (negative && zero_pad) {
		/* The sign goes in front of the zeros: "-0042". */
		out_char(o, '-');
		rest.width = sp->width ? sp->width - 1 : 0;
	} else if (negative) {
		text[len++] = '-';
	}
	/*@ loop unroll 24; */
	while (n && len < sizeof(text))
		text[len++] = reversed[--n];
	out_padded(o, text, len, &rest, zero_pad ? '0' : ' ');
}

static uint64_t take_unsigned(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, unsigned long);
	case 2:
		return va_arg(*ap, unsigned long long);
	case 3:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static int64_t take_signed(va_list *ap, int length)
{
	switch (length) {
	case 1:
		return va_arg(*ap, long);
	case 2:
		return va_arg(*ap, long long);
	case 3:
		return (int64_t)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

static const char *parse_spec(const char *fmt, struct spec *sp)
{
	*sp = (struct spec){ 0 };
	for (;; fmt++) {
		if (*fmt == '-')
			sp->left = true;
		else if (*fmt == '0')
			sp->zero = true;
		else
			break;
	}
	while (*fmt >= '0' && *fmt <= '9')
		sp->width = sp->width * 10 + (unsigned int)(*fmt++ - '0');
	if (*fmt == 'z') {
		sp->length = 3;
		fmt++;
	}
	while (*fmt == 'l' && sp->length < 2) {
		sp->length++;
		fmt++;
	}
	return fmt;
}

static void out_conversion(struct out *o, char conv, const struct spec *sp, va_list *ap)
{
	switch (conv) {
	case 'd':
	case 'i': {
		int64_t v = take_signed(ap, sp->length);
		uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

		out_number(o, mag, v < 0, 10, false, sp);
		break;
	}
	case 'u':
		out_number(o, take_unsigned(ap, sp->length), false, 10, false, sp);
		break;
	case 'x':
	case 'X':
		out_number(o, take_unsigned(ap, sp->length), false, 16, conv == 'X', sp);
		break;
	case 'p': {
		struct spec ptr = { .zero = true, .width = 16 };

		out_char(o, '0');
		out_char(o, 'x');
		out_number(o, (uintptr_t)va_arg(*ap, void *), false, 16, false, &ptr);
		break;
	}
	case 's': {
		const char *s = va_arg(*ap, const char *);
		size_t n = 0;

		if (!s)
			s = "(null)";
		while (s[n])
			n++;
		out_padded(o, s, n, sp, ' ');
		break;
	}
	case 'c': {
		char c = (char)va_arg(*ap, int);

		out_padded(o, &c, 1, sp, ' ');
		break;
	}
	case '%':
		out_char(o, '%');
		break;
	default:
		/* Unknown conversion: show it rather than guess at its argument. */
		out_char(o, '%');
		out_char(o, conv);
		break;
	}
}

int format_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct out o = { buf, size, 0 };
	va_list args;

	va_copy(args, ap);
	while (*fmt) {
		if (*fmt != '%') {
			out_char(&o, *fmt++);
			continue;
		}
		struct spec sp;

		fmt = parse_spec(fmt + 1, &sp);
		if (!*fmt)
			break;
		out_conversion(&o, *fmt++, &sp, &args);
	}
	va_end(args);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int format_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = format_vsnprintf(buf, size, fmt, ap);

	va_end(ap);
	return n;
}
