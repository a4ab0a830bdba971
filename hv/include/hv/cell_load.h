/*
 * Loading a cell: copies its image, DTB and initrd out of the (already
 * checked) system image into the cell's memory, and writes the native boot
 * info. Runs at boot, before any cell, so nobody else touches that memory.
 */
#ifndef HV_CELL_LOAD_H
#define HV_CELL_LOAD_H

#include <hv/cell.h>

int cell_load(struct cell *cell, const void *sysimage);

/* x0 for the cell's boot CPU: the boot info (native) or the DTB (Linux). */
uint64_t cell_boot_argument(const struct cell *cell);

#endif
