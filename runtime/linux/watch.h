/* Readiness watches: a file descriptor that becomes readable when a message is
 * queued on a port or port set, for poll/epoll/libuv loops.
 *
 * The fd is a private broker connection on which a receive with MACH_RCV_LARGE
 * and a zero-size buffer is posted. The broker parks it until a message is
 * queued, then answers MACH_RCV_TOO_LARGE and leaves the message in the queue,
 * so the fd turns readable without consuming anything. The owner then takes
 * the answer (ack), receives with ordinary mach_msg calls and posts again. */
#ifndef MACHGEN_LINUX_WATCH_H
#define MACHGEN_LINUX_WATCH_H

#include <mach/mach.h>

/* A new watch connection of this task, or -errno. Close it with close(). */
int mgl_watch_open(void);
/* Posts the parked receive on name. At most one may be posted at a time. */
int mgl_watch_arm(int fd, mach_port_name_t name);
/* Takes the answer of the posted receive if it has arrived: 1 when taken (the
 * watch must be armed again), 0 when still parked, -errno when the broker
 * went away. Never blocks. */
int mgl_watch_ack(int fd);

#endif
