/*
 * bhctl: the Linux cell's view of the hypervisor, from user space with no
 * kernel module. It finds the hypervisor status page and the telemetry
 * channel in the device tree Linux exposes (/proc/device-tree/bulkhead/), or,
 * in an x86 cell, in bhcfg's OEMB ACPI table (/sys/firmware/acpi/tables/OEMB), and
 * maps them read-only through /dev/mem (README.md). Read-only by design: it
 * can change nothing. Limit: one status page and channels labelled by name.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <bulkhead/acpi_regions.h>

#include "bhctl.h"

#define DT_ROOT "/proc/device-tree/bulkhead"
#define ACPI_TABLE "/sys/firmware/acpi/tables/" BH_ACPI_REGIONS_SIGNATURE
#define DEV_MEM "/dev/mem"
#define DEFAULT_CHANNEL "telemetry"

static const char usage[] =
	"usage: bhctl COMMAND [ARGS]\n"
	"  cells                   the cells: id, name, state, CPUs, memory, flags, exit code\n"
	"  stats [CELL]            hypervisor entries per CPU (of CELL, a name or id): total and\n"
	"                          per reason\n"
	"  latency [--histogram]   latmon's wake-up latency per realtime CPU in cyclictest's "
	"format\n"
	"                          (--histogram: cyclictest -h's histogram first)\n"
	"  console                 the realtime cell's console output kept in the channel\n"
	"  top [--interval S] [--count N | --once]\n"
	"                          live view, refreshed in place every S seconds (default 1):\n"
	"                          hypervisor entries per second per CPU by reason, and the\n"
	"                          realtime cell's wake-ups and latency in the interval; N frames\n"
	"                          (--once: one), then exit\n"
	"  --json [top]            for scripts: cells, entry counters and latmon's records as one\n"
	"                          JSON object (with top: one object per interval, one per line)\n"
	"  --help                  this text\n"
	"Option for latency, console and top: --channel LABEL (default \"" DEFAULT_CHANNEL "\").\n"
	"Reads " DT_ROOT "/hv-status@*/reg and channel@*/{reg,label} (x86: the table\n" ACPI_TABLE
	"), maps them through " DEV_MEM " read-only; needs root.\n";

struct region {
	uint64_t base;
	uint64_t size;
	char node[300];
};

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fputs("bhctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return 1;
}

/* A whole small device tree property file; its length, or -1 with errno. */
static ssize_t read_property(const char *node, const char *name, void *buf, size_t size)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", node, name);
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t len = read(fd, buf, size);
	int saved = errno;
	close(fd);
	errno = saved;
	return len;
}

static uint32_t cells_of(const char *name, uint32_t fallback)
{
	unsigned char v[4];

	if (read_property(DT_ROOT, name, v, sizeof(v)) != 4)
		return fallback;
	return (uint32_t)v[0] << 24 | (uint32_t)v[1] << 16 | (uint32_t)v[2] << 8 | v[3];
}

/* The first <address size> pair of `node`'s reg (big-endian cells). */
static int read_reg(struct region *r)
{
	uint32_t ac = cells_of("#address-cells", 2), sc = cells_of("#size-cells", 1);
	unsigned char v[32];
	ssize_t len = read_property(r->node, "reg", v, sizeof(v));

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2 || len < (ssize_t)(4 * (ac + sc)))
		return fail("%s/reg: %zd bytes; expected %u address and %u size cells", r->node,
			    len, ac, sc);
	uint64_t x[2] = { 0, 0 };
	for (uint32_t i = 0; i < ac + sc; i++) {
		uint32_t cell = (uint32_t)v[4 * i] << 24 | (uint32_t)v[4 * i + 1] << 16 |
				(uint32_t)v[4 * i + 2] << 8 | v[4 * i + 3];
		x[i >= ac] = x[i >= ac] << 32 | cell;
	}
	r->base = x[0];
	r->size = x[1];
	return 0;
}

/*
 * The node under DT_ROOT whose name starts with `prefix` (and, when `label`
 * is given, whose label is that). 0, or 1 after saying what is missing
 * (`quiet`: without saying it).
 */
static int find_dt_node(DIR *dir, const char *prefix, const char *label, struct region *r,
			bool quiet)
{
	char labels[256] = "";
	struct dirent *e;
	bool found = false;

	while (!found && (e = readdir(dir))) {
		if (strncmp(e->d_name, prefix, strlen(prefix)))
			continue;
		snprintf(r->node, sizeof(r->node), "%s/%s", DT_ROOT, e->d_name);
		if (!label) {
			found = true;
			break;
		}
		char text[64] = "";
		ssize_t len = read_property(r->node, "label", text, sizeof(text) - 1);
		text[len > 0 ? len : 0] = '\0';
		if (!strcmp(text, label))
			found = true;
		else if (strlen(labels) + strlen(text) + 4 < sizeof(labels))
			snprintf(labels + strlen(labels), sizeof(labels) - strlen(labels),
				 " \"%s\"", text);
	}
	if (!found && quiet)
		return 1;
	if (!found && !label)
		return fail("no %s/%s* node: the cell's config has no region with flags "
			    "\"read\", \"hv-status\" (config/bindings.md)",
			    DT_ROOT, prefix);
	if (!found)
		return fail("no channel labelled \"%s\" under %s (channels:%s)", label, DT_ROOT,
			    labels[0] ? labels : " none");
	return read_reg(r);
}

/* As find_dt_node, from the OEMB ACPI table of an x86 cell (bulkhead/acpi_regions.h). */
static int find_acpi(uint32_t kind, const char *label, struct region *r, bool quiet)
{
	static uint8_t table[4096];
	char why[256];
	int fd = open(ACPI_TABLE, O_RDONLY);

	if (fd < 0 && quiet)
		return 1;
	if (fd < 0)
		return fail(
			"neither %s nor %s (%s): is this Linux a Bulkhead cell whose config maps "
			"the hypervisor status or a channel into it?",
			DT_ROOT, ACPI_TABLE, strerror(errno));
	ssize_t len = read(fd, table, sizeof(table));
	int saved = errno;
	close(fd);
	if (len < 0)
		return fail("%s: %s", ACPI_TABLE, strerror(saved));
	snprintf(r->node, sizeof(r->node), "%s %s", ACPI_TABLE,
		 kind == BH_ACPI_REGION_HV_STATUS ? "hv-status" : label);
	int err = bhctl_acpi_find(table, (size_t)len, kind, label, &r->base, &r->size, why,
				  sizeof(why));
	if (err < 0)
		return fail("%s: %s", ACPI_TABLE, why);
	if (err && quiet)
		return 1;
	if (err && kind == BH_ACPI_REGION_HV_STATUS)
		return fail("%s lists no hv-status region: the cell's config has no region with "
			    "flags \"read\", \"hv-status\" (config/bindings.md)",
			    ACPI_TABLE);
	if (err)
		return fail("no channel labelled \"%s\" in %s (channels:%s)", label, ACPI_TABLE,
			    why[0] ? why : " none");
	return 0;
}

/*
 * The status page (`label` NULL) or the channel labelled `label`: from the device tree, or,
 * without one, from the ACPI table. 0, or 1 after saying what is missing (`quiet`: without).
 */
static int find_region(const char *label, struct region *r, bool quiet)
{
	DIR *dir = opendir(DT_ROOT);

	if (!dir)
		return find_acpi(label ? BH_ACPI_REGION_CHANNEL : BH_ACPI_REGION_HV_STATUS, label,
				 r, quiet);
	int err = find_dt_node(dir, label ? "channel@" : "hv-status@", label, r, quiet);
	closedir(dir);
	return err;
}

/* Maps `want` bytes (at most the region) read-only; NULL after saying why. */
static const volatile void *map_region(const struct region *r, size_t want, size_t *mapped)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t size = want < r->size ? want : (size_t)r->size;

	size = (size + (size_t)page - 1) & ~((size_t)page - 1);
	if (r->base & ((uint64_t)page - 1)) {
		fail("%s: base 0x%llx is not page-aligned", r->node, (unsigned long long)r->base);
		return NULL;
	}
	int fd = open(DEV_MEM, O_RDONLY | O_SYNC);
	if (fd < 0) {
		fail("%s: %s (bhctl needs root and a kernel with CONFIG_DEVMEM)", DEV_MEM,
		     strerror(errno));
		return NULL;
	}
	void *p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, (off_t)r->base);
	int saved = errno;
	close(fd);
	if (p == MAP_FAILED) {
		fail("mmap %s [0x%llx, +0x%zx) for %s: %s (STRICT_DEVMEM allows only ranges "
		     "outside Linux's RAM)",
		     DEV_MEM, (unsigned long long)r->base, size, r->node, strerror(saved));
		return NULL;
	}
	*mapped = size < r->size ? size : (size_t)r->size;
	return p;
}

static int load_status(struct bh_hv_status *st)
{
	struct region r;
	size_t mapped;
	char why[256];

	if (find_region(NULL, &r, false))
		return 1;
	const volatile void *page = map_region(&r, sizeof(*st), &mapped);
	if (!page)
		return 1;
	int err = bhctl_status_snapshot(page, mapped, st, why, sizeof(why), bhctl_copy_words, NULL);
	munmap((void *)(uintptr_t)page, mapped);
	return err ? fail("%s (at 0x%llx)", why, (unsigned long long)r.base) : 0;
}

/* 0, or 1 after saying why; `quiet`: say nothing when the channel is absent or not started. */
static int load_latmon(const char *label, struct bhctl_latmon *lm, bool quiet)
{
	struct region r;
	size_t mapped;
	char why[256];

	if (find_region(label, &r, quiet))
		return 1;
	const volatile void *ch = map_region(&r, sizeof(lm->ch), &mapped);
	if (!ch)
		return 1;
	int err = bhctl_latmon_snapshot(ch, mapped, lm, why, sizeof(why), bhctl_copy_words, NULL);
	munmap((void *)(uintptr_t)ch, mapped);
	if (err == BHCTL_NOT_INITIALISED)
		return quiet ? 1 : fail("%s: %s", label, why);
	return err ? fail("channel \"%s\" at 0x%llx: %s", label, (unsigned long long)r.base, why)
		   : 0;
}

static int cmd_latency(int argc, char **argv, bool console)
{
	const char *label = DEFAULT_CHANNEL;
	bool histogram = false;

	for (int i = 0; i < argc; i++) {
		if (!console && !strcmp(argv[i], "--histogram"))
			histogram = true;
		else if (!strcmp(argv[i], "--channel") && i + 1 < argc)
			label = argv[++i];
		else
			return fail("%s: unexpected argument \"%s\"\n%s",
				    console ? "console" : "latency", argv[i], usage);
	}
	/* ~40 KiB: off the stack. */
	static struct bhctl_latmon lm;
	if (load_latmon(label, &lm, false))
		return 1;
	if (console)
		bhctl_print_console(stdout, &lm);
	else
		bhctl_print_latency(stdout, &lm, histogram);
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int read_frame(const char *label, struct bhctl_frame *f)
{
	if (load_status(&f->st))
		return 1;
	f->latmon = !load_latmon(label, &f->lm, true);
	f->time_ns = monotonic_ns();
	return 0;
}

/* `bhctl top`: frames of rates over `interval` until `count` frames (0: until killed). */
static int cmd_top(int argc, char **argv, bool json)
{
	const char *label = DEFAULT_CHANNEL;
	double interval_s = 1.0;
	long count = 0;

	for (int i = 0; i < argc; i++) {
		char *end = NULL;

		if (!strcmp(argv[i], "--once"))
			count = 1;
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtol(argv[++i], &end, 10);
		else if (!strcmp(argv[i], "--interval") && i + 1 < argc)
			interval_s = strtod(argv[++i], &end);
		else if (!strcmp(argv[i], "--channel") && i + 1 < argc)
			label = argv[++i];
		else
			return fail("top: unexpected argument \"%s\"\n%s", argv[i], usage);
		if (end && (*end || end == argv[i]))
			return fail("top: %s: \"%s\" is not a number", argv[i - 1], argv[i]);
	}
	if (count < 0 || interval_s < 0.01 || interval_s > 3600)
		return fail("top: --count %ld / --interval %g: count must be >= 0, interval in "
			    "[0.01, 3600] s",
			    count, interval_s);
	/* ~50 KiB each: off the stack. */
	static struct bhctl_frame frames[2];
	bool in_place = !json && isatty(STDOUT_FILENO);
	struct timespec pause = { (time_t)interval_s,
				  (long)((interval_s - (double)(time_t)interval_s) * 1e9) };

	if (read_frame(label, &frames[0]))
		return 1;
	for (long n = 0; count == 0 || n < count; n++) {
		struct bhctl_frame *prev = &frames[n % 2], *now = &frames[(n + 1) % 2];

		nanosleep(&pause, NULL);
		if (read_frame(label, now))
			return 1;
		if (in_place)
			fputs("\033[H\033[2J",
			      stdout); /* home, clear: the frame redraws in place */
		bhctl_print_top(stdout, prev, now, json);
		fflush(stdout);
	}
	return 0;
}

static int cmd_json(void)
{
	static struct bh_hv_status st;
	static struct bhctl_latmon lm;

	if (load_status(&st))
		return 1;
	bhctl_print_json(stdout, &st, load_latmon(DEFAULT_CHANNEL, &lm, true) ? NULL : &lm);
	return 0;
}

int main(int argc, char **argv)
{
	static struct bh_hv_status st;
	bool json = argc > 1 && !strcmp(argv[1], "--json");

	if (json) {
		argv++;
		argc--;
	}
	const char *cmd = argc > 1 ? argv[1] : NULL;

	if (json && cmd && !strcmp(cmd, "top"))
		return cmd_top(argc - 2, argv + 2, true);
	if (json && !cmd)
		return cmd_json();
	if (json)
		return fail("--json goes alone or with top, not with \"%s\"", cmd);
	if (cmd && !strcmp(cmd, "top"))
		return cmd_top(argc - 2, argv + 2, false);

	if (!cmd || !strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		fputs(usage, cmd ? stdout : stderr);
		return cmd ? 0 : 2;
	}
	if (!strcmp(cmd, "cells")) {
		if (argc > 2)
			return fail("cells: unexpected argument \"%s\"", argv[2]);
		if (load_status(&st))
			return 1;
		bhctl_print_cells(stdout, &st);
		return 0;
	}
	if (!strcmp(cmd, "stats")) {
		char why[512];

		if (argc > 3)
			return fail("stats: unexpected argument \"%s\"", argv[3]);
		if (load_status(&st))
			return 1;
		if (!bhctl_print_stats(stdout, &st, argc > 2 ? argv[2] : NULL, why, sizeof(why)))
			return fail("stats: %s", why);
		return 0;
	}
	if (!strcmp(cmd, "latency"))
		return cmd_latency(argc - 2, argv + 2, false);
	if (!strcmp(cmd, "console"))
		return cmd_latency(argc - 2, argv + 2, true);
	return fail("unknown command \"%s\"\n%s", cmd, usage);
}
