/*
 * bhcfg: checks a system description against its platform and compiles it
 * into the binary config, Linux cell device trees and the system image.
 * Exit status: 0 success, 1 the input has errors, 2 wrong usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <getopt.h>
#include <libfdt.h>

#include "bhcfg.h"

#define MAX_IMAGE_DIRS 8

static void usage(FILE *out)
{
	fprintf(out,
		"usage: bhcfg check SYSTEM.dts|.dtb --platform PLATFORM.dtb|.dts\n"
		"                   [--config-out CONFIG.bin]\n"
		"       bhcfg build SYSTEM.dts|.dtb --platform PLATFORM.dtb|.dts -o SYSTEM.img\n"
		"                   [--image-dir DIR]... [--image-file FILE]... [--config-out "
		"CONFIG.bin]\n"
		"                   [--dtb-dir DIR]\n"
		"       bhcfg dump CONFIG.bin|SYSTEM.img\n"
		"Bindings: config/bindings.md. An image named \"dir/NAME\" in the description is\n"
		"the --image-file whose base name is NAME, else dir/NAME in an --image-dir\n"
		"folder (default: the system description's folder).\n");
}

struct options {
	const char *command;
	const char *system;
	const char *platform;
	const char *output;
	const char *config_out;
	const char *dtb_dir;
	const char *image_dirs[MAX_IMAGE_DIRS];
	unsigned int image_dir_count;
};

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longs[] = {
		{ "platform", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "image-dir", required_argument, NULL, 'I' },
		{ "config-out", required_argument, NULL, 'c' },
		{ "dtb-dir", required_argument, NULL, 'd' },
		{ "image-file", required_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	/* Asking for help is not a usage error: "bhcfg --help" comes before any command. */
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		exit(0);
	}
	o->command = argv[1];
	optind = 2;
	while ((opt = getopt_long(argc, argv, "p:o:I:c:d:f:h", longs, NULL)) != -1) {
		switch (opt) {
		case 'p':
			o->platform = optarg;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'c':
			o->config_out = optarg;
			break;
		case 'd':
			o->dtb_dir = optarg;
			break;
		case 'I':
			if (o->image_dir_count == MAX_IMAGE_DIRS) {
				fprintf(stderr, "bhcfg: at most %d --image-dir\n", MAX_IMAGE_DIRS);
				return 2;
			}
			o->image_dirs[o->image_dir_count++] = optarg;
			break;
		case 'f':
			if (image_file_count == sizeof(image_files) / sizeof(image_files[0])) {
				fprintf(stderr, "bhcfg: at most 8 --image-file\n");
				return 2;
			}
			image_files[image_file_count++] = optarg;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1) {
		fprintf(stderr, "bhcfg %s: expected exactly one input file\n", o->command);
		usage(stderr);
		return 2;
	}
	o->system = argv[optind];
	return 0;
}

/* Parses and checks everything; on success *sys is complete and *config emitted. */
static bool load_and_check(const struct options *o, struct system *sys, void **platform_fdt,
			   void **config, size_t *config_size)
{
	if (!o->platform) {
		fprintf(stderr, "bhcfg %s: --platform PLATFORM.dtb is required\n", o->command);
		return false;
	}
	void *system_fdt = dtb_load(o->system);
	*platform_fdt = dtb_load(o->platform);
	if (!system_fdt || !*platform_fdt)
		return false;
	sys->file = o->system;
	bool ok = system_parse(sys, system_fdt);
	if (ok) {
		platform_fill_console(sys, *platform_fdt);
		ok = system_check_platform(sys, *platform_fdt, o->platform, system_fdt);
		/* Binary rules run even after platform errors: report everything at once. */
		*config = config_emit(sys, config_size);
		if (!*config) {
			fprintf(stderr, "%s: out of memory for the binary config\n", o->system);
			ok = false;
		} else {
			bool valid = config_check_sources(sys, *config, *config_size);

			if (valid)
				valid = config_check_platform_reserved(sys, *platform_fdt, *config,
								       *config_size);
			ok = valid && ok;
		}
	}
	free(system_fdt);
	return ok && diag_errors == 0;
}

/* check or build, once the system passed every rule. */
static int emit_outputs(struct options *o, const struct system *sys, const void *platform_fdt,
			const void *config, size_t config_size)
{
	if (!strcmp(o->command, "check")) {
		if (o->config_out && file_write(o->config_out, config, config_size))
			return 1;
		printf("%s: OK: %u cell(s), %u region(s), %u device(s), %u interrupt(s), "
		       "%u channel(s)%s\n",
		       o->system, sys->cell_count, sys->region_count, sys->device_count,
		       sys->irq_count, sys->channel_count, diag_warnings ? " (see warnings)" : "");
		return 0;
	}

	/* Default image search folder: the system description's own folder. */
	static char own_dir[PATH_LEN];
	if (o->image_dir_count == 0) {
		snprintf(own_dir, sizeof(own_dir), "%s", o->system);
		char *slash = strrchr(own_dir, '/');
		if (slash)
			*slash = '\0';
		else
			strcpy(own_dir, ".");
		o->image_dirs[o->image_dir_count++] = own_dir;
	}
	if (!sysimage_emit(sys, platform_fdt, o->image_dirs, o->image_dir_count, o->output,
			   o->config_out, o->dtb_dir)) {
		fprintf(stderr, "%s: %u error(s); no system image written\n", o->system,
			diag_errors);
		return 1;
	}
	printf("%s: wrote %s\n", o->system, o->output);
	return 0;
}

int main(int argc, char **argv)
{
	static struct options o;
	static struct system sys;
	void *platform_fdt = NULL, *config = NULL;
	size_t config_size = 0;
	int status;

	int usage_error = parse_options(argc, argv, &o);
	if (usage_error)
		return usage_error;

	if (!strcmp(o.command, "dump"))
		return dump_file(o.system);
	if (strcmp(o.command, "check") && strcmp(o.command, "build")) {
		fprintf(stderr, "bhcfg: unknown command \"%s\"\n", o.command);
		usage(stderr);
		return 2;
	}
	if (!strcmp(o.command, "build") && !o.output) {
		fprintf(stderr, "bhcfg build: -o SYSTEM.img is required\n");
		return 2;
	}
	if (load_and_check(&o, &sys, &platform_fdt, &config, &config_size)) {
		status = emit_outputs(&o, &sys, platform_fdt, config, config_size);
	} else {
		fprintf(stderr, "%s: %u error(s); nothing written\n", o.system, diag_errors);
		status = 1;
	}
	free(config);
	free(platform_fdt);
	return status;
}
