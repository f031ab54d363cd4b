/* What the async objects (async.c, async_watch.c) need from a backend to give
 * an event loop a file descriptor. Those two files use only the public Mach
 * API and this table, and build on every platform; without a table
 * (machgen_async_watch_ops() returns NULL: Darwin, or Linux with
 * MACHGEN_LINUX_WATCH=0) the objects have no fd, the event loop waits on the
 * port set (kqueue EVFILT_MACHPORT, a dispatch source) and dispatch takes the
 * replies with zero-timeout receives. */
#ifndef MACHGEN_MIG_ASYNC_PLATFORM_H
#define MACHGEN_MIG_ASYNC_PLATFORM_H

#include <stddef.h>

#include <mach/mach.h>

struct machgen_async_watch_ops {
	size_t rx_size;    /* scratch buffer the batched calls need */
	unsigned sends_max; /* requests one post may carry */
	size_t send_max;   /* largest request it may carry (simple messages only) */
	unsigned rcv_max;  /* messages one answer may carry */
	int (*open)(void); /* a watch fd (non-blocking), or -errno */
	/* sends the requests (in order, each a blocking send of its own), then
	 * posts a receive on name whose answer brings up to max_msgs messages */
	int (*post_many)(int fd, void *rx, mach_port_name_t name, mach_msg_option_t option,
	                 mach_msg_size_t rcv_size, unsigned max_msgs,
	                 const mach_msg_header_t *const *sends, unsigned nsends);
	/* 1 when the answer came (read it with next_send, then next_msg), 0 if
	 * not yet, -errno when the backend went away; never blocks */
	int (*take_many)(int fd, void *rx);
	int (*next_send)(void *rx, mach_msg_return_t *mr); /* 1 with *mr, 0: no more */
	/* 1 with *mr and the message in buf, 0: no more (rest of the answer freed) */
	int (*next_msg)(void *rx, mach_msg_header_t *buf, mach_msg_size_t rcv_size,
	                mach_msg_return_t *mr);
	/* readiness only: readable when a message is queued, which stays queued */
	int (*arm_peek)(int fd, mach_port_name_t name);
	int (*ack_peek)(int fd); /* 1 taken (arm again), 0 not yet, -errno */
};

/* The backend's table, or NULL. A weak default returning NULL lives in
 * async.c; a backend overrides it with a strong definition in an object every
 * program that sends a message links (Linux: runtime/linux/msg.c). */
const struct machgen_async_watch_ops *machgen_async_watch_ops(void);

/* Blocking waits (wait.c): 1 when ready (a message stays queued; a dead name
 * counts as ready, the next receive reports it), 0 on timeout or a signal, -1
 * on error. timeout_ms -1: none. */
int mga_wait_fd(int fd, int timeout_ms);
int mga_wait_queued(mach_port_t name, int timeout_ms);

#endif
