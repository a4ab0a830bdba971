/*
 * The direct attacker's peer (tests/containment/systems/containment-direct.dts):
 * flips the middle of the console buffer at the start of their shared
 * channel (struct toctou_channel, hostile.h) while the attacker prints it,
 * until the attacker sets the stop word or a bound runs out, then exits 0.
 */
#include <guest/console.h>
#include <guest/runtime.h>
#include <guest/timer.h>

#include "hostile.h"

/* Longer than the attacker's wait for its victims and all its cases before this one. */
#define PEER_GIVE_UP_S 30u

int guest_main(const struct bh_boot_info *info)
{
	if (info->channel_count == 0) {
		console_printf("peer: no channel\n");
		return 1;
	}
	struct toctou_channel *ch = (void *)(uintptr_t)info->channels[0].guest_phys;
	uint64_t give_up = timer_now_ticks() + PEER_GIVE_UP_S * timer_frequency_hz();
	uint64_t flips = 0;

	console_printf("peer: flipping the buffer in channel \"%s\"\n", info->channels[0].name);
	ch->flipping = 1;
	while (!ch->stop && timer_now_ticks() < give_up) {
		toctou_flip(ch->text, flips);
		ch->flips = ++flips;
	}
	console_printf("peer: %s after %lu flips\n", ch->stop ? "stopped" : "gave up", flips);
	return ch->stop ? 0 : 1;
}
