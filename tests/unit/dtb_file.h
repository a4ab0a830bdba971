/* Test helper: reads the DTB built from a .dts under data/ (path given by meson). */
#ifndef TEST_DTB_FILE_H
#define TEST_DTB_FILE_H

#include <stdio.h>
#include <stdlib.h>

static unsigned char *dtb_blob;
static size_t dtb_size;

static inline void dtb_load(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE.dtb\n", argv[0]);
		exit(2);
	}
	FILE *f = fopen(argv[1], "rb");

	if (!f) {
		perror(argv[1]);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	dtb_size = (size_t)ftell(f);
	rewind(f);
	dtb_blob = malloc(dtb_size);
	if (!dtb_blob || fread(dtb_blob, 1, dtb_size, f) != dtb_size) {
		fprintf(stderr, "%s: read failed\n", argv[1]);
		exit(2);
	}
	fclose(f);
}

/* A private copy the test may corrupt. */
static inline unsigned char *dtb_copy(void)
{
	unsigned char *copy = malloc(dtb_size);

	for (size_t i = 0; i < dtb_size; i++)
		copy[i] = dtb_blob[i];
	return copy;
}

static inline void dtb_put_be32(unsigned char *p, unsigned int v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

#endif
