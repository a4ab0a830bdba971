/*
 * Per-cell random seeds (hv/cell_seed.h). Each cell's seed is one ChaCha20
 * block keyed by the boot seed, with the cell's id in the nonce and its
 * restart number as the block counter: distinct per cell and per run, and no
 * cell can compute another's, nor the boot seed, nor its own earlier or later
 * ones, from its own.
 */
#include <hv/cell_seed.h>
#include <hv/console.h>
#include <lib/chacha20.h>
#include <lib/fdt.h>
#include <lib/string.h>

static uint8_t derivation_key[CHACHA20_KEY_BYTES];
static bool have_key;

void cell_seed_set_boot_seed(const uint8_t *seed, uint32_t len)
{
	if (len < CELL_SEED_BOOT_BYTES) {
		console_print("hv: the boot device tree has %s rng-seed: Linux cells get none\n",
			      len ? "a too short" : "no");
		return;
	}
	memcpy(derivation_key, seed, sizeof(derivation_key));
	have_key = true;
}

static void derive_seed(unsigned int cell_id, unsigned int run, uint8_t out[CHACHA20_BLOCK_BYTES])
{
	/* "bhseed" and the cell id: the nonce is unique per cell; the counter per run. */
	uint8_t nonce[CHACHA20_NONCE_BYTES] = { 'b', 'h', 's', 'e', 'e', 'd' };

	nonce[8] = (uint8_t)cell_id;
	nonce[9] = (uint8_t)(cell_id >> 8);
	chacha20_block(derivation_key, run, nonce, out);
}

void cell_seed_fill(const struct cell *cell, void *dtb, uint32_t size)
{
	struct fdt fdt;
	struct fdt_node chosen;
	uint32_t len;

	if (fdt_open(&fdt, dtb, size) || fdt_find_path(&fdt, "/chosen", &chosen))
		return;
	const void *value = fdt_get_prop(&fdt, chosen, "rng-seed", &len);

	if (!value)
		return;
	if (!have_key || len == 0 || len > CELL_SEED_MAX_BYTES) {
		fdt_remove_prop_in_place(value, len);
		console_print("hv: cell \"%s\": rng-seed removed (%s)\n", cell_name(cell),
			      have_key ? "it asks for more than 64 bytes" : "no boot seed");
		return;
	}
	uint8_t block[CHACHA20_BLOCK_BYTES];

	derive_seed(cell->id, cell->restarts, block);
	memcpy((void *)value, block, len);
	memset(block, 0, sizeof(block));
	console_print("hv: cell \"%s\": rng-seed of %u bytes of its own\n", cell_name(cell), len);
}

void cell_seed_forget(void)
{
	for (unsigned int i = 0; i < cell_count(); i++)
		if (cell_by_id(i)->desc->flags & BH_CELL_RESTART_ON_RESET)
			return; /* its next run needs a seed of its own: keep the key */
	memset(derivation_key, 0, sizeof(derivation_key));
	have_key = false;
}
