/* What the async objects (async.c, async_watch.c) need from a backend to give
 * an event loop a file descriptor. Those two files use only the public Mach
 * API and this table; without a table (machgen_async_watch_ops() returns
 * NULL) the objects have no fd and dispatch polls the port set with
 * zero-timeout receives, as on Darwin. They live in runtime/linux for now:
 * tests/rt-headers links every runtime/mig file against a fake backend that
 * has no mach_port_allocate / move_member / set_context. */
#ifndef MACHGEN_MIG_ASYNC_PLATFORM_H
#define MACHGEN_MIG_ASYNC_PLATFORM_H

#include <stddef.h>

#include <mach/mach.h>

struct machgen_async_watch_ops {
	size_t rx_size; /* scratch buffer take() needs */
	int (*open)(void); /* a watch fd (non-blocking), or -errno */
	/* a receive on name whose answer is the message itself (take) */
	int (*post)(int fd, mach_port_name_t name, mach_msg_option_t option,
	            mach_msg_size_t rcv_size);
	/* the same, sending msg (no descriptors) first in the same call */
	int (*post_send)(int fd, mach_port_name_t name, mach_msg_option_t option,
	                 mach_msg_size_t rcv_size, const mach_msg_header_t *msg);
	/* 1 with *mr (and the message in buf) when the answer came, 0 if not yet,
	 * -errno when the backend went away; never blocks */
	int (*take)(int fd, void *rx, mach_msg_header_t *buf, mach_msg_size_t rcv_size,
	            mach_msg_return_t *mr);
	/* readiness only: readable when a message is queued, which stays queued */
	int (*arm_peek)(int fd, mach_port_name_t name);
	int (*ack_peek)(int fd); /* 1 taken (arm again), 0 not yet, -errno */
	/* one fd readable when any of fds is (n == 1: fds[0] itself), or -errno */
	int (*group)(const int *fds, int n);
};

/* The backend's table, or NULL. A weak default returning NULL lives in
 * async.c; a backend overrides it with a strong definition in an object every
 * program that sends a message links (Linux: runtime/linux/msg.c). */
const struct machgen_async_watch_ops *machgen_async_watch_ops(void);

#endif
