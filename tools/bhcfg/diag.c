/*
 * Error and warning messages in one format, "FILE: NODE: PROPERTY: what is
 * wrong, and what was expected", counted so main() can choose the exit status.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "bhcfg.h"

unsigned int diag_errors;
unsigned int diag_warnings;
bool diag_quiet;

static __attribute__((format(printf, 5, 0))) void diag_print(const char *kind, const char *file,
							     const char *node, const char *property,
							     const char *fmt, va_list ap)
{
	fprintf(stderr, "%s: %s", file ? file : "bhcfg", kind);
	if (node && node[0])
		fprintf(stderr, "%s: ", node);
	if (property && property[0])
		fprintf(stderr, "%s: ", property);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void diag_error(const char *file, const char *node, const char *property, const char *fmt, ...)
{
	va_list ap;

	diag_errors++;
	if (diag_quiet)
		return;
	va_start(ap, fmt);
	diag_print("error: ", file, node, property, fmt, ap);
	va_end(ap);
}

void diag_warning(const char *file, const char *node, const char *property, const char *fmt, ...)
{
	va_list ap;

	diag_warnings++;
	if (diag_quiet)
		return;
	va_start(ap, fmt);
	diag_print("warning: ", file, node, property, fmt, ap);
	va_end(ap);
}
