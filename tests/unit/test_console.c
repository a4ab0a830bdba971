/*
 * Cells' console lines (hv/core/console.c): a cell's line never waits while
 * another cell's line is being written (docs/design.md, I5), lines stay
 * whole, and each CPU's lines keep their order. Two threads play two CPUs;
 * the UART is a recorder that can hold a writer in the middle of its line
 * (at a '!'), the way a slow UART holds the console lock.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>
#include <sched.h>

#include <cmocka.h>

#include <arch/arch_console.h>
#include <arch/arch_cpu.h>
#include <hv/console.h>

static __thread unsigned int this_cpu;
static char uart[4096];
static size_t uart_len;
static bool hold_at_mark;
static bool writer_held;
static bool writer_released;

unsigned int arch_cpu_this(void)
{
	return this_cpu;
}

void arch_cpu_relax(void)
{
	sched_yield();
}

void arch_console_putc(char c)
{
	if (c == '!' && __atomic_load_n(&hold_at_mark, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&writer_held, true, __ATOMIC_RELEASE);
		while (!__atomic_load_n(&writer_released, __ATOMIC_ACQUIRE))
			sched_yield();
	}
	if (uart_len < sizeof(uart) - 1)
		uart[uart_len++] = c;
}

void arch_console_flush(void)
{
}

bool arch_console_alternate_write(const char *text, size_t len)
{
	(void)text;
	(void)len;
	return false;
}

static void write_text(const char *prefix, const char *text)
{
	console_write_prefixed(prefix, text, strlen(text));
}

static void *cpu0_writes_a_slow_line(void *unused)
{
	(void)unused;
	this_cpu = 0;
	write_text("linux", "slow!line\n");
	return NULL;
}

static int reset(void **state)
{
	(void)state;
	memset(uart, 0, sizeof(uart));
	uart_len = 0;
	hold_at_mark = writer_held = writer_released = false;
	return 0;
}

/* Nobody else writes: a line goes out at once, whole, in order. */
static void test_lines_go_out_at_once_when_the_console_is_free(void **state)
{
	(void)state;
	this_cpu = 1;
	write_text("rt", "one\ntwo\n");
	assert_string_equal(uart, "[rt] one\r\n[rt] two\r\n");
}

/*
 * CPU 0 is stuck inside its line (holding the console lock); CPU 1's lines
 * return at once, queued, and CPU 0 prints them after its own, before it
 * lets the lock go. If CPU 1 waited for the lock, this test would hang
 * (meson's timeout fails it).
 */
static void test_a_line_does_not_wait_for_another_cpus_line(void **state)
{
	pthread_t cpu0;

	(void)state;
	__atomic_store_n(&hold_at_mark, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&cpu0, NULL, cpu0_writes_a_slow_line, NULL), 0);
	while (!__atomic_load_n(&writer_held, __ATOMIC_ACQUIRE))
		sched_yield();

	this_cpu = 1;
	write_text("rt", "first\nsecond\n");
	assert_null(strstr(uart, "[rt]")); /* queued, not printed: the lock is taken */

	__atomic_store_n(&writer_released, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(cpu0, NULL), 0);
	assert_string_equal(uart, "[linux] slow!line\r\n[rt] first\r\n[rt] second\r\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_lines_go_out_at_once_when_the_console_is_free, reset),
		cmocka_unit_test_setup(test_a_line_does_not_wait_for_another_cpus_line, reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
