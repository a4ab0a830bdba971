/*
 * The shared console (console.c) and what a port gives it: the bare UART.
 * Everything else (hypercall lines, the ring, the queue and its thread) is
 * the same on every arch.
 */
#ifndef RT_CONSOLE_PORT_H
#define RT_CONSOLE_PORT_H

#include <stdarg.h>

/* The port: writes `s` to the bare machine's UART, synchronously ('\n' as CR LF). */
void rt_console_port_uart_write(const char *s);

/* Waits until the queue is written out (a thread) or writes it out (elsewhere). */
void rt_console_flush(void);
/* A panic: the console is synchronous from here, what was queued is written. */
void rt_console_panic(void);
void rt_console_vprintf(const char *fmt, va_list ap);

#endif
