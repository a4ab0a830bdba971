/* The boot-info checks the test-cell runtimes share (boot_info_check.c). */
#ifndef GUEST_BOOT_INFO_CHECK_H
#define GUEST_BOOT_INFO_CHECK_H

#include <stddef.h>
#include <bulkhead/bootinfo.h>

/* NULL if the record is usable, else what is wrong with it. */
const char *guest_boot_info_problem(const struct bh_boot_info *info);

#endif
