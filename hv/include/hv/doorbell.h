/*
 * Channel doorbells between cells (BH_HC_DOORBELL). A ring is never lost
 * while the call reports success: a peer that has not started yet gets it
 * latched and delivered when its boot CPU starts it; a peer that has stopped
 * cannot take it, and the caller is told (-BH_EPIPE).
 */
#ifndef HV_DOORBELL_H
#define HV_DOORBELL_H

#include <hv/cell.h>

/*
 * Rings `ch`'s doorbell in every endpoint's cell but the caller's: 0 when
 * every peer took it or has it latched, -BH_EPIPE when at least one peer has
 * stopped (the running and not-yet-started peers still get it).
 */
int64_t doorbell_ring_peers(const struct cell *caller, const struct bh_channel *ch);

/* Delivers what was latched for `cell`; its boot CPU calls it once the cell is running. */
void doorbell_deliver_latched(struct cell *cell);

#endif
