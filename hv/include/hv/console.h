/*
 * Hypervisor console: formatted output serialised by one lock, so lines
 * from different CPUs never interleave. Only the hypervisor's own boot and
 * diagnostic path uses it; cells never wait on it.
 */
#ifndef HV_CONSOLE_H
#define HV_CONSOLE_H

#include <lib/types.h>

void console_print(const char *fmt, ...) printf_like(1, 2);
void console_vprint(const char *fmt, va_list ap);

/*
 * The console UART belongs to a cell from now on: the hypervisor stops
 * touching it and writes to the arch's alternate channel (or nowhere, when
 * there is none). Called once, before that cell starts.
 */
void console_hand_over_uart(const char *cell_name);

/*
 * Cell `cell_name` has stopped. When it owned the console UART and there is
 * no alternate channel (a board, or the -Dsemihosting=false build), the
 * hypervisor takes the UART back: nothing else writes to it any more, and
 * the end of the run (the cells' exit codes, statistics, the PASS/FAIL
 * marker) is the output that matters most. With an alternate channel the
 * output stays there, one stream to the end.
 */
void console_cell_stopped(const char *cell_name);

/*
 * A cell's console output: assembled per CPU into whole lines, each printed
 * as "[prefix] line" under the console lock, so cells' lines never mix.
 * A partial line waits for its newline (or is flushed when the buffer fills).
 */
void console_write_prefixed(const char *prefix, const char *text, size_t len);

/*
 * For exception dumps: prints without taking the lock, because the CPU that
 * faults may hold it. Output may interleave, but it is never lost.
 */
void console_print_unlocked(const char *fmt, ...) printf_like(1, 2);
void console_vprint_unlocked(const char *fmt, va_list ap);

#endif
