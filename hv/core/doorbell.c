/*
 * Doorbell latching. A ringer sets the peer's bit and then reads its state;
 * the peer's boot CPU stores RUNNING and then takes the bits. Both pairs are
 * sequentially consistent, so at least one side sees the other's write: a
 * ring racing the start is delivered by the ringer (it saw RUNNING) or by the
 * starter (it saw the bit), and the exchange that takes the bits makes sure
 * only one of them sends it. Two rings before delivery coalesce into one, as
 * two edges of a pending interrupt do.
 */
#include <arch/arch_cell.h>
#include <bulkhead/errno.h>
#include <hv/doorbell.h>

#define LATCH_WORD_BITS 64u

void doorbell_deliver_latched(struct cell *cell)
{
	for (uint32_t w = 0; w < sizeof(cell->latched_doorbells) / sizeof(uint64_t); w++) {
		uint64_t bits =
			__atomic_exchange_n(&cell->latched_doorbells[w], 0, __ATOMIC_SEQ_CST);

		while (bits) {
			uint32_t bit = (uint32_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			arch_cell_send_doorbell(cell, w * LATCH_WORD_BITS + bit);
		}
	}
}

/* False when the peer has stopped and will never take the ring. */
static bool ring_one_peer(struct cell *peer, uint32_t number)
{
	uint64_t *word = &peer->latched_doorbells[number / LATCH_WORD_BITS];

	__atomic_fetch_or(word, 1ull << (number % LATCH_WORD_BITS), __ATOMIC_SEQ_CST);
	int state = __atomic_load_n(&peer->state, __ATOMIC_SEQ_CST);

	if (state == CELL_RUNNING)
		doorbell_deliver_latched(peer);
	return state != CELL_STOPPED;
}

int64_t doorbell_ring_peers(const struct cell *caller, const struct bh_channel *ch)
{
	bool all_taken = true;

	if (ch->doorbell_irq >= sizeof(caller->latched_doorbells) * 8)
		return -BH_EINVAL; /* the validator refuses it; never index past the latch */
	for (uint32_t e = 0; e < ch->endpoint_count; e++) {
		struct cell *peer = cell_by_id(ch->endpoints[e].cell);

		if (peer && peer != caller && !ring_one_peer(peer, ch->doorbell_irq))
			all_taken = false;
	}
	return all_taken ? 0 : -BH_EPIPE;
}
