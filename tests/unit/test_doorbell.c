/*
 * Doorbell latching (hv/core/doorbell.c): a ring that reports success reaches
 * the peer, whether it came before, during or after the peer's start; a ring
 * to a stopped peer says so. The registry and the arch's send are replaced
 * here by a three-cell table and a recorder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include <arch/arch_cell.h>
#include <bulkhead/errno.h>
#include <hv/doorbell.h>

#define CELLS 3
#define DOORBELL 9u

static struct cell cells[CELLS];
static unsigned sent[CELLS][256];

struct cell *cell_by_id(unsigned int id)
{
	return id < CELLS ? &cells[id] : NULL;
}

void arch_cell_send_doorbell(const struct cell *cell, uint32_t number)
{
	__atomic_fetch_add(&sent[cell->id][number], 1, __ATOMIC_RELAXED);
}

static struct bh_channel channel_of(unsigned endpoints, uint32_t doorbell)
{
	struct bh_channel ch = { .doorbell_irq = doorbell, .endpoint_count = endpoints };

	for (unsigned e = 0; e < endpoints; e++)
		ch.endpoints[e].cell = e;
	return ch;
}

static int reset(void **state)
{
	(void)state;
	memset(sent, 0, sizeof(sent));
	for (unsigned i = 0; i < CELLS; i++)
		cells[i] = (struct cell){ .id = i, .state = CELL_RUNNING };
	return 0;
}

/* What the boot CPU does in system_run_cpu(). */
static void start_cell(struct cell *cell)
{
	__atomic_store_n(&cell->state, CELL_RUNNING, __ATOMIC_SEQ_CST);
	doorbell_deliver_latched(cell);
}

static void test_ring_to_a_running_peer_is_sent_at_once(void **state)
{
	struct bh_channel ch = channel_of(2, DOORBELL);

	(void)state;
	assert_int_equal(doorbell_ring_peers(&cells[0], &ch), 0);
	assert_int_equal(sent[1][DOORBELL], 1);
	assert_int_equal(sent[0][DOORBELL], 0); /* never the caller */
}

static void test_ring_before_the_peer_starts_is_delivered_at_its_start(void **state)
{
	struct bh_channel ch = channel_of(2, DOORBELL);

	(void)state;
	cells[1].state = CELL_LOADED;
	assert_int_equal(doorbell_ring_peers(&cells[0], &ch), 0);
	assert_int_equal(sent[1][DOORBELL], 0);
	start_cell(&cells[1]);
	assert_int_equal(sent[1][DOORBELL], 1);
	start_cell(&cells[1]); /* delivered once, not again */
	assert_int_equal(sent[1][DOORBELL], 1);
}

static void test_rings_before_the_start_coalesce_like_a_pending_interrupt(void **state)
{
	struct bh_channel ch = channel_of(2, DOORBELL);
	struct bh_channel other = channel_of(2, DOORBELL + 1);

	(void)state;
	cells[1].state = CELL_LOADED;
	for (int i = 0; i < 3; i++)
		assert_int_equal(doorbell_ring_peers(&cells[0], &ch), 0);
	assert_int_equal(doorbell_ring_peers(&cells[0], &other), 0);
	start_cell(&cells[1]);
	assert_int_equal(sent[1][DOORBELL], 1);
	assert_int_equal(sent[1][DOORBELL + 1], 1);
}

static void test_ring_to_a_stopped_peer_is_refused_with_epipe(void **state)
{
	struct bh_channel ch = channel_of(2, DOORBELL);

	(void)state;
	cells[1].state = CELL_STOPPED;
	assert_int_equal(doorbell_ring_peers(&cells[0], &ch), -BH_EPIPE);
	assert_int_equal(sent[1][DOORBELL], 0);
}

static void test_a_stopped_peer_does_not_keep_the_others_from_their_ring(void **state)
{
	struct bh_channel ch = channel_of(3, DOORBELL);

	(void)state;
	cells[1].state = CELL_STOPPED;
	cells[2].state = CELL_LOADED;
	assert_int_equal(doorbell_ring_peers(&cells[0], &ch), -BH_EPIPE);
	start_cell(&cells[2]);
	assert_int_equal(sent[2][DOORBELL], 1);
}

static void test_a_number_past_the_latch_is_refused(void **state)
{
	struct bh_channel ch = channel_of(2, 256);

	(void)state;
	assert_int_equal(doorbell_ring_peers(&cells[0], &ch), -BH_EINVAL);
}

/* The race the old code lost: one thread rings while another starts the peer. */
#define RACE_ROUNDS 20000

static pthread_barrier_t round_start;
static pthread_barrier_t round_end;

static void *ringer(void *arg)
{
	struct bh_channel *ch = arg;

	for (int r = 0; r < RACE_ROUNDS; r++) {
		pthread_barrier_wait(&round_start);
		if (doorbell_ring_peers(&cells[0], ch) != 0)
			return (void *)1;
		pthread_barrier_wait(&round_end);
		pthread_barrier_wait(&round_end); /* the checker looked */
	}
	return NULL;
}

static void test_a_ring_racing_the_start_is_delivered_exactly_once(void **state)
{
	struct bh_channel ch = channel_of(2, DOORBELL);
	pthread_t thread;
	void *ringer_result;

	(void)state;
	pthread_barrier_init(&round_start, NULL, 2);
	pthread_barrier_init(&round_end, NULL, 2);
	assert_int_equal(pthread_create(&thread, NULL, ringer, &ch), 0);
	for (int r = 0; r < RACE_ROUNDS; r++) {
		cells[1] = (struct cell){ .id = 1, .state = CELL_LOADED };
		sent[1][DOORBELL] = 0;
		pthread_barrier_wait(&round_start);
		start_cell(&cells[1]);
		pthread_barrier_wait(&round_end);
		if (__atomic_load_n(&sent[1][DOORBELL], __ATOMIC_RELAXED) != 1)
			fail_msg("round %d: the ring was delivered %u times", r, sent[1][DOORBELL]);
		pthread_barrier_wait(&round_end);
	}
	assert_int_equal(pthread_join(thread, &ringer_result), 0);
	assert_null(ringer_result);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_ring_to_a_running_peer_is_sent_at_once, reset),
		cmocka_unit_test_setup(test_ring_before_the_peer_starts_is_delivered_at_its_start,
				       reset),
		cmocka_unit_test_setup(
			test_rings_before_the_start_coalesce_like_a_pending_interrupt, reset),
		cmocka_unit_test_setup(test_ring_to_a_stopped_peer_is_refused_with_epipe, reset),
		cmocka_unit_test_setup(test_a_stopped_peer_does_not_keep_the_others_from_their_ring,
				       reset),
		cmocka_unit_test_setup(test_a_number_past_the_latch_is_refused, reset),
		cmocka_unit_test_setup(test_a_ring_racing_the_start_is_delivered_exactly_once,
				       reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
