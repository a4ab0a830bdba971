/*
 * Hypervisor console: formats into a line buffer, then writes it under one
 * lock, so lines from different CPUs never interleave. Output longer than the
 * buffer is written in pieces, never dropped.
 * Cells' lines never wait for that lock while another cell writes
 * (docs/design.md, I5): each CPU queues its finished lines in a queue of its
 * own and prints them only if the lock is free; whoever holds the lock
 * prints every CPU's queued lines before letting go. Only a CPU whose own
 * queue is full (its cell floods the console) waits for the lock.
 */
#include <arch/arch_console.h>
#include <arch/arch_cpu.h>
#include <hv/console.h>
#include <hv/platform.h>
#include <hv/spinlock.h>
#include <lib/format.h>
#include <lib/string.h>

#define CONSOLE_LINE_MAX 256

static struct spinlock console_lock = SPINLOCK_INIT;
static bool uart_owned_by_cell;
static const char *uart_owner; /* the cell's name, while uart_owned_by_cell */

static void print_queued_lines(void);

static void console_write(const char *s, size_t n)
{
	if (uart_owned_by_cell) {
		arch_console_alternate_write(s, n);
		return;
	}
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

void console_hand_over_uart(const char *cell_name)
{
	bool alternate = arch_console_alternate_write("", 0);

	console_print("hv: the console UART belongs to cell \"%s\"; hypervisor and cell "
		      "console output continues %s\n",
		      cell_name,
		      alternate ? "on the alternate channel (semihosting)"
				: "nowhere (no alternate channel on this platform)");
	arch_console_flush();
	spin_lock(&console_lock);
	uart_owned_by_cell = true;
	uart_owner = cell_name;
	spin_unlock(&console_lock);
}

void console_cell_stopped(const char *cell_name)
{
	bool taken_back = false;

	spin_lock(&console_lock);
	if (uart_owned_by_cell && strcmp(uart_owner, cell_name) == 0 &&
	    !arch_console_alternate_write("", 0)) {
		uart_owned_by_cell = false;
		taken_back = true;
	}
	spin_unlock(&console_lock);
	if (taken_back)
		console_print("hv: cell \"%s\" has stopped: the console UART is the "
			      "hypervisor's again\n",
			      cell_name);
}

void console_vprint(const char *fmt, va_list ap)
{
	spin_lock(&console_lock);
	print_queued_lines(); /* cells' lines that came first stay first */
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

struct line_buffer {
	char text[CONSOLE_LINE_MAX];
	size_t len;
};

/* One per CPU: only that CPU appends, so assembling a line takes no lock. */
static struct line_buffer cpu_lines[HV_MAX_CPUS];

#define CONSOLE_QUEUE_LINES 8u

struct queued_line {
	const char *prefix;
	size_t len;
	char text[CONSOLE_LINE_MAX];
};

/* Finished lines of one CPU: head moves on that CPU only, tail under console_lock only. */
struct line_queue {
	struct queued_line lines[CONSOLE_QUEUE_LINES];
	uint32_t head;
	uint32_t tail;
};

static struct line_queue cpu_queues[HV_MAX_CPUS];

/* Prints every CPU's queued lines, each CPU's in order; console_lock held. */
static void print_queued_lines(void)
{
	for (unsigned int cpu = 0; cpu < HV_MAX_CPUS; cpu++) {
		struct line_queue *q = &cpu_queues[cpu];
		uint32_t tail = q->tail;

		while (tail != __atomic_load_n(&q->head, __ATOMIC_ACQUIRE)) {
			const struct queued_line *l = &q->lines[tail % CONSOLE_QUEUE_LINES];

			console_write("[", 1);
			console_write(l->prefix, strnlen(l->prefix, 64));
			console_write("] ", 2);
			console_write(l->text, l->len);
			console_write("\n", 1);
			tail++;
			__atomic_store_n(&q->tail, tail, __ATOMIC_RELEASE);
		}
	}
}

static bool lines_are_queued(void)
{
	for (unsigned int cpu = 0; cpu < HV_MAX_CPUS; cpu++)
		if (__atomic_load_n(&cpu_queues[cpu].head, __ATOMIC_ACQUIRE) !=
		    __atomic_load_n(&cpu_queues[cpu].tail, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

/*
 * Prints the queues if the lock is free; if it is not, its holder prints
 * them. The re-check after unlocking catches a line queued while this CPU
 * held the lock by a CPU whose trylock then failed.
 */
static void print_queued_lines_if_free(void)
{
	do {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		if (!spin_trylock(&console_lock))
			return;
		print_queued_lines();
		spin_unlock(&console_lock);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
	} while (lines_are_queued());
}

static void flush_line(unsigned int cpu, const char *prefix, struct line_buffer *line)
{
	struct line_queue *q = &cpu_queues[cpu];
	uint32_t head = q->head;

	if (head - __atomic_load_n(&q->tail, __ATOMIC_ACQUIRE) == CONSOLE_QUEUE_LINES) {
		/* Full: this CPU's own cell is flooding the console; it alone waits. */
		spin_lock(&console_lock);
		print_queued_lines();
		spin_unlock(&console_lock);
	}
	struct queued_line *slot = &q->lines[head % CONSOLE_QUEUE_LINES];

	slot->prefix = prefix;
	slot->len = line->len;
	memcpy(slot->text, line->text, line->len);
	__atomic_store_n(&q->head, head + 1, __ATOMIC_RELEASE);
	line->len = 0;
	print_queued_lines_if_free();
}

void console_write_prefixed(const char *prefix, const char *text, size_t len)
{
	unsigned int cpu = arch_cpu_this();

	if (cpu >= HV_MAX_CPUS)
		return;
	struct line_buffer *line = &cpu_lines[cpu];

	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\n') {
			flush_line(cpu, prefix, line);
			continue;
		}
		if (line->len == sizeof(line->text))
			flush_line(cpu, prefix, line);
		line->text[line->len++] = text[i];
	}
}
