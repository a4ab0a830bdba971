/*
 * Error codes of the realtime kernel. Functions return 0 or a negative code.
 * RT_EINPROGRESS is never seen by code running on a real CPU: the host port
 * returns it from a call that blocked, the real result arrives at wake-up.
 */
#ifndef RT_ERRNO_H
#define RT_ERRNO_H

#define RT_EPERM 1 /* not the owner */
#define RT_EAGAIN 11 /* woken without the resource: try again */
#define RT_EBUSY 16 /* resource taken and the caller asked not to wait */
#define RT_EINVAL 22 /* bad argument or destroyed object */
#define RT_EDEADLK 35 /* waiting would close a cycle of waiters that never ends */
#define RT_EOVERFLOW 75 /* counter at its maximum */
#define RT_ETIMEDOUT 110 /* the timeout expired first */
#define RT_EINPROGRESS 115 /* host port only: blocked, result pending */
#define RT_ECANCELED 125 /* the object was destroyed or flushed while waiting */

#endif
