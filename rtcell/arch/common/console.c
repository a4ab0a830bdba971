/*
 * The console every port shares (ports write only the bare UART, console_port.h):
 * hypercall lines in a cell until a ring is set, the telemetry ring in between (no
 * hypervisor entry), and, once the application asks for it (rtarch_console_buffered),
 * a bounded queue written out by a console thread at the lowest priority, so a
 * realtime thread never masks interrupts for a UART line (about 20 ms for 256 bytes
 * on a real 115200 baud UART). A full queue refuses the whole text, counts its bytes
 * and puts "rtcell: console: N bytes dropped" where they were lost (before the next
 * text it takes, or last when it is switched off first). Before that
 * (boot), after it (the closing report) and on a panic, writers write synchronously,
 * interrupts masked (measured as rtcell_console_write_now's section).
 * Limits: never print while holding rt_wait_lock (the wake-up takes it); output
 * from several CPUs is ordered by the queue, not per line on the hypervisor's side.
 */
#include <bulkhead/hypercall.h>
#include <lib/format.h>
#include <lib/string.h>
#include <rt/kernel.h>
#include <rt/spinlock.h>
#include <rtarch/cpu.h>
#include <rtarch/irq.h>
#include <rtarch/platform.h>

#include "console_port.h"

#define QUEUE_BYTES 8192
#define CONSOLE_THREAD_STACK 4096
#define MAX_FLUSHERS 64 /* threads waiting for the queue to be written at once */

static struct rt_raw_spinlock console_lock = RT_RAW_SPINLOCK_INIT;
static struct bh_latmon_console *console_ring;
static char line_buf[RT_MAX_CPUS][BH_CONSOLE_WRITE_MAX];
static unsigned line_len[RT_MAX_CPUS];

/* Text waiting for the console thread. head: writers (console_lock); tail:
 * the console thread; on: writers queue (console_lock to change). */
static struct {
	char data[QUEUE_BYTES];
	uint64_t head;
	uint64_t tail;
	uint64_t dropped; /* bytes refused since the last marker */
	bool on;
	uint32_t flushers; /* threads waiting in queue_flush */
} queue;
static struct rt_sem queue_wake;
static struct rt_sem queue_flushed;
static struct rt_thread console_thread;
static bool console_thread_started;
static uint8_t console_thread_stack[CONSOLE_THREAD_STACK] __attribute__((aligned(16)));

/* Single writer (console_lock): bytes first, then the total, released. */
static void ring_put(struct bh_latmon_console *ring, const char *s)
{
	uint64_t written = ring->written;

	for (; *s; s++, written++)
		ring->data[written % BH_LATMON_CONSOLE_BYTES] = *s;
	__atomic_store_n(&ring->written, written, __ATOMIC_RELEASE);
}

/* The hypervisor prints whole lines per CPU: flush at '\n' or when full. */
static void hv_put(const char *s)
{
	unsigned cpu = rtarch_cpu_id();
	char *buf = line_buf[cpu];

	for (; *s; s++) {
		buf[line_len[cpu]++] = *s;
		if (*s == '\n' || line_len[cpu] == BH_CONSOLE_WRITE_MAX) {
			rtarch_hypercall(BH_HC_CONSOLE_WRITE, (uintptr_t)buf, line_len[cpu], 0);
			line_len[cpu] = 0;
		}
	}
}

/* The synchronous sinks (the hypervisor's line or the UART). */
static void write_out(const char *s)
{
	if (rtarch_boot_info())
		hv_put(s);
	else
		rt_console_port_uart_write(s);
}

/* Boot, the end and panics: the caller writes, interrupts masked. */
static void rtcell_console_write_now(const char *s)
{
	unsigned long flags = rt_raw_lock_irqsave(&console_lock);

	if (console_ring && rtarch_boot_info())
		ring_put(console_ring, s);
	else
		write_out(s);
	rt_raw_unlock_irqrestore(&console_lock, flags);
}

/* Of `n` bytes at queue position `pos`, those before the wrap. */
static size_t queue_first_part(uint64_t pos, size_t n)
{
	size_t at = (size_t)(pos % QUEUE_BYTES);

	return n < QUEUE_BYTES - at ? n : QUEUE_BYTES - at;
}

/* Two memcpy at most: the copy is what a writer masks interrupts for. */
static void queue_copy_in(uint64_t pos, const char *s, size_t n)
{
	size_t first = queue_first_part(pos, n);

	memcpy(queue.data + pos % QUEUE_BYTES, s, first);
	memcpy(queue.data, s + first, n - first);
}

static void queue_copy_out(uint64_t pos, char *buf, size_t n)
{
	size_t first = queue_first_part(pos, n);

	memcpy(buf, queue.data + pos % QUEUE_BYTES, first);
	memcpy(buf + first, queue.data, n - first);
}

/* console_lock held: false if `n` bytes do not fit. */
static bool queue_put(const char *s, size_t n)
{
	uint64_t tail = __atomic_load_n(&queue.tail, __ATOMIC_ACQUIRE);

	if (queue.head + n - tail > QUEUE_BYTES)
		return false;
	queue_copy_in(queue.head, s, n);
	__atomic_store_n(&queue.head, queue.head + n, __ATOMIC_RELEASE);
	return true;
}

static size_t drop_marker(char *buf, size_t size, uint64_t dropped)
{
	return (size_t)format_snprintf(buf, size, "rtcell: console: %lu bytes dropped\n",
				       (unsigned long)dropped);
}

/* console_lock held: the marker of a loss goes where the text was lost. */
static void queue_put_with_marker(const char *s, size_t n)
{
	if (queue.dropped) {
		char marker[64];

		if (queue_put(marker, drop_marker(marker, sizeof(marker), queue.dropped)))
			queue.dropped = 0;
	}
	if (queue.dropped || !queue_put(s, n))
		queue.dropped += n;
}

/* Queued (or in the telemetry ring, memory only): only the copy is masked.
 * False: the queue is off, the caller writes synchronously. */
static bool rtcell_console_queue(const char *s)
{
	size_t n = strlen(s); /* before masking */
	unsigned long flags = rt_raw_lock_irqsave(&console_lock);
	bool on = queue.on, to_ring = console_ring && rtarch_boot_info();

	if (on && to_ring)
		ring_put(console_ring, s);
	else if (on)
		queue_put_with_marker(s, n);
	rt_raw_unlock_irqrestore(&console_lock, flags);
	if (on && !to_ring)
		rt_sem_give(&queue_wake); /* -RT_EOVERFLOW when already woken: fine */
	return on;
}

void rtarch_console_write(const char *s)
{
	if (!__atomic_load_n(&queue.on, __ATOMIC_RELAXED) || !rtcell_console_queue(s))
		rtcell_console_write_now(s);
}

/* The console thread (or a panic): writes out what is queued, unmasked. */
static void queue_drain(void)
{
	char chunk[BH_CONSOLE_WRITE_MAX + 1];
	uint64_t tail = queue.tail, head;

	while ((head = __atomic_load_n(&queue.head, __ATOMIC_ACQUIRE)) != tail) {
		uint64_t left = head - tail;
		size_t n = left < BH_CONSOLE_WRITE_MAX ? (size_t)left : BH_CONSOLE_WRITE_MAX;

		queue_copy_out(tail, chunk, n);
		chunk[n] = '\0';
		tail += n;
		__atomic_store_n(&queue.tail, tail, __ATOMIC_RELEASE);
		write_out(chunk);
	}
}

static void console_thread_main(void *arg)
{
	uint32_t flushers;

	(void)arg;
	for (;;) {
		rt_sem_take(&queue_wake, RT_FOREVER);
		queue_drain();
		/* Drained again after seeing the requests: nothing a flusher
		 * queued before asking is left behind. */
		flushers = __atomic_exchange_n(&queue.flushers, 0, __ATOMIC_ACQ_REL);
		if (flushers)
			queue_drain();
		while (flushers--)
			rt_sem_give(&queue_flushed);
	}
}

static int console_thread_start(void)
{
	struct rt_thread_attr attr = {
		.name = "console",
		.prio = RT_PRIO_MIN,
		.cpu = 0,
		.entry = console_thread_main,
		.stack = console_thread_stack,
		.stack_size = sizeof(console_thread_stack),
	};
	int ret;

	if (console_thread_started)
		return 0;
	rt_sem_init(&queue_wake, 0, 1);
	rt_sem_init(&queue_flushed, 0, MAX_FLUSHERS);
	ret = rt_thread_create(&console_thread, &attr);
	if (!ret)
		ret = rt_thread_start(&console_thread);
	console_thread_started = ret == 0;
	return ret;
}

/* A thread that may block waits for the console thread; anything else (a
 * handler) writes the queue out itself (best effort: the console thread may
 * be writing the same bytes). */
void rt_console_flush(void)
{
	struct rt_thread *self;

	if (!console_thread_started)
		return;
	self = rt_thread_self();
	if (rtarch_irqs_disabled() || self->is_idle || self == &console_thread ||
	    rt_cpus[rtarch_cpu_id()].preempt_count) {
		queue_drain();
		return;
	}
	__atomic_fetch_add(&queue.flushers, 1, __ATOMIC_RELEASE);
	rt_sem_give(&queue_wake);
	rt_sem_take(&queue_flushed, RT_FOREVER);
}

/* The queue is off and written out: a loss no later text reported (none
 * came before the switch) is reported now, after the text queued before it. */
static void queue_report_drop(void)
{
	uint64_t dropped = __atomic_exchange_n(&queue.dropped, 0, __ATOMIC_RELAXED);
	char marker[64];

	if (dropped) {
		drop_marker(marker, sizeof(marker), dropped);
		rtcell_console_write_now(marker);
	}
}

int rtarch_console_buffered(bool on)
{
	unsigned long flags;
	int ret = on ? console_thread_start() : 0;

	if (ret)
		return ret;
	flags = rt_raw_lock_irqsave(&console_lock);
	queue.on = on;
	rt_raw_unlock_irqrestore(&console_lock, flags);
	if (!on) {
		rt_console_flush(); /* what was queued before the switch */
		queue_report_drop();
	}
	return 0;
}

void rt_console_panic(void)
{
	__atomic_store_n(&queue.on, false, __ATOMIC_RELAXED);
	queue_drain();
	queue_report_drop();
}

void rtarch_console_set_ring(struct bh_latmon_console *ring)
{
	unsigned long flags;

	rt_console_flush(); /* what was queued before comes out before what follows */
	flags = rt_raw_lock_irqsave(&console_lock);
	console_ring = ring;
	rt_raw_unlock_irqrestore(&console_lock, flags);
}

void rt_console_vprintf(const char *fmt, va_list ap)
{
	char buf[256];

	format_vsnprintf(buf, sizeof(buf), fmt, ap);
	rtarch_console_write(buf);
}

void rt_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	rt_console_vprintf(fmt, ap);
	va_end(ap);
}
