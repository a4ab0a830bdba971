/* The boot-info checks the test-cell runtimes share (boot_info_check.c). */
#ifndef GUEST_BOOT_INFO_CHECK_H
#define GUEST_BOOT_INFO_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <bulkhead/bootinfo.h>

/* NULL if the record is usable, else what is wrong with it. */
const char *guest_boot_info_problem(const struct bh_boot_info *info);

/* Whether `address` lies in one of the cell's memory regions (channels not counted). */
bool guest_boot_info_has_address(const struct bh_boot_info *info, uint64_t address);

/* The record at `address` if usable; otherwise says why and exits the cell. */
const struct bh_boot_info *guest_accept_boot_info(uint64_t address);

#endif
