/*
 * Error and warning messages in one format, "FILE: NODE: PROPERTY: what is
 * wrong, and what was expected", counted so main() can choose the exit status.
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <libfdt.h>

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

/*
 * A node's full path for messages. A path longer than PATH_LEN keeps its
 * beginning and its end (the node itself) around a visible "...": a message
 * must still say where it is, never fall back to a placeholder.
 */
void diag_node_path(const void *fdt, int node, char *path)
{
	char full[PATH_LEN * 8];
	int err = fdt_get_path(fdt, node, full, sizeof(full));

	if (err == -FDT_ERR_NOSPACE) {
		/* Too long even for 8 * PATH_LEN: keep the end of the node's own name. */
		const char *name = node >= 0 ? fdt_get_name(fdt, node, NULL) : NULL;
		size_t nlen = name ? strlen(name) : 0;

		snprintf(full, sizeof(full), "/.../%s",
			 nlen < PATH_LEN ? (name ? name : "") : name + nlen - PATH_LEN);
	} else if (err < 0) {
		snprintf(full, sizeof(full), "(node at offset %d: %s)", node, fdt_strerror(err));
	}
	size_t len = strlen(full);
	if (len < PATH_LEN) {
		memcpy(path, full, len + 1);
		return;
	}
	size_t head = PATH_LEN / 3, tail = PATH_LEN - 1 - head - 3;
	snprintf(path, PATH_LEN, "%.*s...%s", (int)head, full, full + len - tail);
}
