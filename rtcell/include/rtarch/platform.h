/*
 * What an image's applications may ask of the machine they run on: the boot
 * info when running as a cell (NULL when bare), the console, hypercalls and
 * the end of the run. Invariant: nothing here enters the hypervisor except
 * rtarch_hypercall() and a console line written while no ring is set.
 */
#ifndef RTARCH_PLATFORM_H
#define RTARCH_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>
#include <bulkhead/bootinfo.h>
#include <bulkhead/latmon.h>

/* The cell's boot info (BH_BOOT_REALTIME etc.), or NULL when running bare. */
const struct bh_boot_info *rtarch_boot_info(void);
/* The hypervisor's logical number of cell CPU `cpu` (bare: `cpu`). */
unsigned rtarch_cpu_logical(unsigned cpu);
uint64_t rtarch_cpu_hwid(unsigned cpu);
uint64_t rtarch_counter_hz(void);

/*
 * Console text (whole lines preferred). Bare: the UART. In a cell: one
 * BH_HC_CONSOLE_WRITE per line (a hypervisor entry), or, once a ring is set,
 * appended to that ring with no entry at all (steady state).
 */
void rtarch_console_write(const char *s);
/* Text set before (queued, see below) comes out before the switch. */
void rtarch_console_set_ring(struct bh_latmon_console *ring);
/*
 * true: from here, text for the UART or the hypercall is queued (bounded;
 * interrupts masked only for the copy; a full queue drops the text and says
 * "rtcell: console: N bytes dropped") and written by a console thread at the
 * lowest priority on CPU 0. false: waits until the queue is written out, then
 * callers write synchronously again (a closing report must not drop lines).
 * Boot and panics always write synchronously. Call from a thread.
 */
int rtarch_console_buffered(bool on);
void rt_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* HVC to the hypervisor (bulkhead/hypercall.h); -BH_ENOSYS when bare. */
int64_t rtarch_hypercall(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3);
/* Sends SGI `sgi` (< 14) to cell CPU `cpu`. */
void rtarch_send_sgi(unsigned cpu, unsigned sgi);

/* Ends the run: BH_HC_CELL_EXIT in a cell; bare, prints the code, then semihosting
 * SYS_EXIT (built with it) or PSCI SYSTEM_OFF. */
__attribute__((noreturn)) void rtarch_exit(int code);

/* The image's application: called once on CPU 0 with every CPU online and
 * interrupts on; starts its threads and returns (CPU 0 then idles). */
void rt_app_start(void);

#endif
