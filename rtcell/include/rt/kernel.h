/*
 * The realtime kernel's public API in one include.
 */
#ifndef RT_KERNEL_H
#define RT_KERNEL_H

#include <rt/condvar.h>
#include <rt/config.h>
#include <rt/errno.h>
#include <rt/hrtimer.h>
#include <rt/irq.h>
#include <rt/migrate.h>
#include <rt/msgq.h>
#include <rt/rtmutex.h>
#include <rt/sched.h>
#include <rt/sem.h>
#include <rt/seqcount.h>
#include <rt/spinlock.h>
#include <rt/thread.h>
#include <rt/waitq.h>

#endif
