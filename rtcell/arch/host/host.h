/*
 * The host port: a deterministic simulated cell (CPUs, clock, one-shot
 * timers, reschedule IPIs, a GICv3-like line model with split EOI) that lets
 * the real kernel code run in unit tests. Single-threaded: the test engine
 * decides which simulated CPU executes each step. Events never happen on
 * their own: IPIs, timers and interrupts are delivered when the engine asks.
 */
#ifndef RT_HOST_H
#define RT_HOST_H

#include <setjmp.h>
#include <stdbool.h>
#include <stdint.h>
#include <rt/config.h>

enum host_line_state {
	HOST_LINE_INACTIVE = 0,
	HOST_LINE_ACTIVE, /* delivered, running priority not dropped */
	HOST_LINE_DROPPED, /* priority dropped, not yet deactivated */
};

struct host_sim {
	unsigned ncpus;
	unsigned cpu; /* CPU executing right now */
	bool masked[RT_MAX_CPUS];
	uint64_t now_ns;
	uint64_t deadline_ns[RT_MAX_CPUS]; /* one-shot timer, RT_TIME_NEVER = off */
	uint64_t cycles;
	/* Reschedule IPIs: sent, not yet delivered, in order. */
	uint8_t ipi_queue[256];
	unsigned ipi_count;
	uint64_t ipis_sent;
	uint32_t ipi_targets_mask; /* CPUs targeted since last cleared */
	/* Interrupt lines. */
	uint8_t line_state[RT_MAX_IRQS];
	uint8_t line_cpu[RT_MAX_IRQS];
	bool line_enabled[RT_MAX_IRQS];
	bool line_latched[RT_MAX_IRQS]; /* raised while active: delivered later */
	uint64_t line_drops[RT_MAX_IRQS];
	uint64_t line_deactivates[RT_MAX_IRQS];
	uint64_t context_switches;
	uint64_t idle_calls;
	/* Interrupt injection at the kernel's rtarch_irq_window() points. */
	unsigned window_count; /* windows opened since armed */
	unsigned window_at; /* 0: no injection */
	void (*window_fn)(void *ctx);
	void *window_ctx;
	/* rtarch_panic lands here when set (else abort()). */
	jmp_buf *panic_jmp;
	char panic_msg[160];
};

extern struct host_sim host_sim;

/* Resets the simulation and the kernel (rt_kernel_init). */
void host_sim_reset(unsigned ncpus);
void host_sim_set_cpu(unsigned cpu);
/* Runs fn(ctx) on `cpu` as an interrupt (masked, rt_irq_enter/exit). */
void host_sim_run_irq(unsigned cpu, void (*fn)(void *ctx), void *ctx);
/* Delivers queued IPIs, latched lines and due timers, and runs the kernel's
 * PI workers (deferred chain walks), until quiet. */
void host_sim_settle(void);
/* Moves the clock to now + ns, firing every timer in deadline order. */
void host_sim_advance(uint64_t ns);
/* A device raises `irq` (delivered now if inactive, else latched). */
void host_sim_raise(unsigned irq);
/* Arms `fn` to run at the `nth` interrupt window from now (1-based). */
void host_sim_inject_at_window(unsigned nth, void (*fn)(void *ctx), void *ctx);

/* Between the port's own files (host_sim_settle's steps): true if one was done. */
bool host_sim_deliver_latched_line(void); /* sim_irq.c */
bool host_sim_fire_due_timer(void); /* sim_clock.c */

#endif
