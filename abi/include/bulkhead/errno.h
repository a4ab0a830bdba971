/*
 * Bulkhead's one set of error codes: hypercall results (returned negated in
 * x0, bulkhead/hypercall.h) and every error the hypervisor, its arch layers,
 * the shared libraries and the tools pass around internally. Values are
 * Linux's errno numbers, so guests and host tools read them as they would a
 * Linux error. Values are ABI: never renumber one, only add.
 * Text for each: bh_strerror() (lib/strerror.h), taken from BH_ERRNO_LIST.
 */
#ifndef BULKHEAD_ERRNO_H
#define BULKHEAD_ERRNO_H

#define BH_EPERM 1 /* not allowed for the caller (e.g. not its cell's resource) */
#define BH_ENOENT 2 /* no such cell, CPU, channel or node */
#define BH_EIO 5 /* the hardware or firmware failed the request */
#define BH_E2BIG 7 /* a length or count beyond a limit */
#define BH_EAGAIN 11 /* not possible now; the same request may succeed later */
#define BH_ENOMEM 12 /* out of memory (page pool, low memory) */
#define BH_EFAULT 14 /* an address outside the caller's memory */
#define BH_EBUSY 16 /* the resource is in use (CPU already on, interrupt owned) */
#define BH_EEXIST 17 /* already there (e.g. a mapping over an existing entry) */
#define BH_ENODEV 19 /* a device or CPU feature the request needs is missing */
#define BH_EINVAL 22 /* a malformed or inconsistent argument */
#define BH_EPIPE 32 /* the other side has stopped (a doorbell to a stopped cell) */
#define BH_ERANGE 34 /* a number outside the range the hardware allows */
#define BH_ENOSYS 38 /* unknown hypercall or function not implemented */
#define BH_ETIMEDOUT 110 /* the hardware did not answer in time */

/*
 * Every code above with the text bh_strerror() gives it: X(code, text).
 * A code added above must be added here too (tests/unit/test_strerror.c
 * checks every listed code; the switch in lib/strerror.c refuses duplicates).
 */
#define BH_ERRNO_LIST(X) \
	X(BH_EPERM, "operation not permitted") \
	X(BH_ENOENT, "no such object") \
	X(BH_EIO, "hardware or firmware error") \
	X(BH_E2BIG, "too large") \
	X(BH_EAGAIN, "try again") \
	X(BH_ENOMEM, "out of memory") \
	X(BH_EFAULT, "bad address") \
	X(BH_EBUSY, "busy") \
	X(BH_EEXIST, "already exists") \
	X(BH_ENODEV, "no such device or feature") \
	X(BH_EINVAL, "invalid argument") \
	X(BH_EPIPE, "peer has stopped") \
	X(BH_ERANGE, "out of range") \
	X(BH_ENOSYS, "not implemented") \
	X(BH_ETIMEDOUT, "timed out")

#endif
