/*
 * Seeds for the cells' random number generators. bhcfg puts a zero-filled
 * /chosen/rng-seed in every Linux cell's DTB; the hypervisor fills it with a
 * seed of that cell's own, derived from the seed its firmware or boot loader
 * passed, or removes it when there was none: a zero-filled seed must never
 * reach Linux, which credits rng-seed as entropy.
 */
#ifndef HV_CELL_SEED_H
#define HV_CELL_SEED_H

#include <hv/cell.h>

/* The least boot seed that keys the derivation (ChaCha20's key size). */
#define CELL_SEED_BOOT_BYTES 32u
/* The most a cell's DTB may ask for: one ChaCha20 block. */
#define CELL_SEED_MAX_BYTES 64u

/* Keeps the boot seed as the derivation key when it is long enough. */
void cell_seed_set_boot_seed(const uint8_t *seed, uint32_t len);

/* Fills or removes the rng-seed placeholder of the cell's DTB at `dtb` (`size` bytes). */
void cell_seed_fill(const struct cell *cell, void *dtb, uint32_t size);

/* Wipes the key once every cell has been loaded, unless a cell may restart
 * (BH_CELL_RESTART_ON_RESET): its later runs get seeds from the same key. */
void cell_seed_forget(void);

#endif
