/*
 * The hypervisor's management mailbox (bulkhead/bootinfo.h): a command in
 * the boot info and doorbell SGI 15 on the boot CPU, answered with
 * BH_HC_MAILBOX_ACK. Only in a cell; bare there is none.
 */
#ifndef RTCELL_MAILBOX_H
#define RTCELL_MAILBOX_H

#include <stdbool.h>
#include <rt/sem.h>

#define MAILBOX_THREAD_PRIO 97

/* Takes the doorbell on cell CPU 0; gives `event` once per STOP command. */
int mailbox_start(struct rt_sem *event);
bool mailbox_stop_requested(void);
/* Answers the last command. For STOP the hypervisor stops the cell: this
 * returns only when it did not (bare, or an error). */
int mailbox_ack(void);
/* Test builds only: plays the hypervisor's part of a STOP request. */
void mailbox_ring_self_stop(void);

#endif
