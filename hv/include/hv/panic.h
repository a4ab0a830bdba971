/*
 * The hypervisor's own broken invariants and unexpected exceptions end the
 * run loudly: a message, the failure marker, and a power-off with a failure
 * code. Guest mistakes never come here.
 */
#ifndef HV_PANIC_H
#define HV_PANIC_H

#include <lib/types.h>

/* Printed as the last line of every run; test harnesses wait for these. */
#define HV_MARKER_PASS "BULKHEAD: PASS"
#define HV_MARKER_FAIL "BULKHEAD: FAIL"

noreturn_fn void hv_panic(const char *fmt, ...) printf_like(1, 2);

/* Called by arch exception handlers after they dumped the registers. */
noreturn_fn void hv_fail_stop(void);

/* Normal end of a run: pass marker, drain the console, power off. */
noreturn_fn void hv_pass_stop(void);

#endif
