/*
 * Reading and writing whole files, and turning a .dts into a DTB with dtc.
 * Buffers come from malloc (16-byte aligned on glibc), as config_check needs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <libfdt.h>

#include "bhcfg.h"

void *file_read(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		diag_error(path, NULL, NULL, "cannot open: %s", strerror(errno));
		return NULL;
	}
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap);
	for (;;) {
		if (len == cap) {
			unsigned char *bigger = realloc(buf, cap * 2);

			if (!bigger)
				free(buf); /* realloc kept it: ours to free */
			buf = bigger;
			cap *= 2;
		}
		if (!buf) {
			diag_error(path, NULL, NULL, "out of memory");
			fclose(f);
			return NULL;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	bool failed = ferror(f);
	fclose(f);
	if (failed) {
		diag_error(path, NULL, NULL, "read failed");
		free(buf);
		return NULL;
	}
	*size = len;
	return buf;
}

int file_write(const char *path, const void *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || fwrite(data, 1, size, f) != size || fclose(f) != 0) {
		diag_error(path, NULL, NULL, "cannot write: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

/* Runs dtc into a temporary file; dtc's own messages name the line. */
static void *dts_compile(const char *path)
{
	char tmp[] = "/tmp/bhcfg-XXXXXX";
	int fd = mkstemp(tmp);

	if (fd < 0) {
		diag_error(path, NULL, NULL, "cannot create a temporary file: %s", strerror(errno));
		return NULL;
	}
	close(fd);
	pid_t pid = fork();
	if (pid == 0) {
		execlp("dtc", "dtc", "-q", "-I", "dts", "-O", "dtb", "-o", tmp, path, (char *)NULL);
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		diag_error(path, NULL, NULL, "dtc could not compile this file (%s)",
			   WIFEXITED(status) && WEXITSTATUS(status) == 127
				   ? "dtc not found"
				   : "see dtc's message above");
		unlink(tmp);
		return NULL;
	}
	size_t size;
	void *blob = file_read(tmp, &size);
	unlink(tmp);
	return blob;
}

void *dtb_load(const char *path)
{
	size_t size = 0;
	void *blob = ends_with(path, ".dts") ? dts_compile(path) : file_read(path, &size);

	if (!blob)
		return NULL;
	if (ends_with(path, ".dts"))
		size = fdt_totalsize(blob); /* dtc's own output */
	int err = dtb_validate(blob, size);
	if (err) {
		diag_error(path, NULL, NULL, "not a valid device tree blob: %s", fdt_strerror(err));
		free(blob);
		return NULL;
	}
	return blob;
}
