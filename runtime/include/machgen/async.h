/* Asynchronous Mach calls: a client-side object that owns pending calls and
 * gives an event loop one readiness handle.
 *
 * Every call gets its own reply port (a receive right kept in the object's port
 * set), so a reply is matched to its call by the port it arrives on, in any
 * order. Completions run from machgen_async_dispatch(), which never blocks, on
 * the thread that calls it. Generated async stubs (machgen -async) sit on top
 * of this; machgen_async_start() is the raw interface they use.
 *
 * Every started call completes exactly once: with its reply, with
 * MIG_SERVER_DIED (the request's reply right died), MACHGEN_ASYNC_TIMED_OUT or
 * MACHGEN_ASYNC_CANCELLED (machgen_async_cancel, or the object destroyed with
 * the call pending). An object is used by one thread at a time. */
#ifndef MACHGEN_ASYNC_H
#define MACHGEN_ASYNC_H

#include <stdint.h>

#include <mach/mach.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Completion statuses besides a reply (a reply's own errors come from the
 * stub's checks: MIG_SERVER_DIED, MIG_TYPE_ERROR, the server's RetCode...). */
#define MACHGEN_ASYNC_TIMED_OUT MACH_RCV_TIMED_OUT
#define MACHGEN_ASYNC_CANCELLED MACH_RCV_INTERRUPTED

typedef struct machgen_async machgen_async_t;
typedef uint64_t machgen_async_id_t; /* 0 is never a call */

/* What a completion handler receives. msg is the reply with its trailer (valid
 * during the handler only; the handler owns the rights and memory it carries
 * and must consume or mach_msg_destroy them), or NULL when status is not
 * KERN_SUCCESS. user_fn / user_ctx are what machgen_async_start was given. */
struct machgen_async_completion {
	kern_return_t status;
	mach_msg_header_t *msg;
	mach_msg_size_t size; /* msg->msgh_size plus the trailer */
	machgen_async_id_t id;
	void (*user_fn)(void);
	void *user_ctx;
};
typedef void (*machgen_async_handler_t)(const struct machgen_async_completion *);

kern_return_t machgen_async_create(machgen_async_t **out);
/* Completes every pending call with MACHGEN_ASYNC_CANCELLED, then frees every
 * port and buffer. Not from inside a handler. */
void machgen_async_destroy(machgen_async_t *a);

/* The readiness handle. Linux: a file descriptor that polls readable when a
 * reply (or notification) is queued; -1 if none could be made (or with
 * MACHGEN_LINUX_WATCH=0). Darwin: -1, use machgen_async_port_set() with
 * EVFILT_MACHPORT or a dispatch source (or machgen_async_wait). */
int machgen_async_fd(machgen_async_t *a);
mach_port_t machgen_async_port_set(machgen_async_t *a);

/* Milliseconds until the earliest per-call deadline (0 if one has passed), or
 * -1 when no pending call has a timeout: a poll() timeout. */
int machgen_async_next_timeout_ms(machgen_async_t *a);

/* Blocks until dispatch has work (a reply or notification queued, or a call's
 * deadline reached) or timeout_ms passes (-1: no limit). 1 when dispatch has
 * work, 0 on timeout or a signal, -1 on error. For loops that have nothing
 * else to watch; the same on every platform (Linux: polls the fd; Darwin and
 * without an fd: waits on the port set, leaving the message queued). */
int machgen_async_wait(machgen_async_t *a, int timeout_ms);

/* Processes whatever is ready without blocking: delivers every queued reply
 * and every expired timeout to its handler. Returns the number of completions
 * delivered, or -1 when called from inside a handler. */
int machgen_async_dispatch(machgen_async_t *a);

/* Sends the request msg (msgh_local_port and its MAKE_SEND_ONCE disposition
 * are set here) and registers the call. timeout_ms 0 = none. On success the
 * handler will run once and *id names the call; on failure (the mach_msg send
 * result is returned) nothing was registered and the handler never runs.
 * options: extra mach_msg options for the send (e.g. MACH_SEND_TIMEOUT with
 * send_timeout).
 * Linux: called from a completion handler inside machgen_async_dispatch, a
 * simple request (no descriptors, options 0) is sent together with the
 * receive dispatch posts next, right after the handler returns (one broker
 * call for both); KERN_SUCCESS is returned and a send error (e.g.
 * MACH_SEND_INVALID_DEST) then completes the call with that status. */
kern_return_t machgen_async_start(machgen_async_t *a, mach_msg_header_t *msg,
                                  mach_msg_option_t options, mach_msg_timeout_t send_timeout,
                                  uint32_t timeout_ms, machgen_async_handler_t handler,
                                  void (*user_fn)(void), void *user_ctx,
                                  machgen_async_id_t *id);

/* Completes a pending call with MACHGEN_ASYNC_CANCELLED now (its handler runs
 * before this returns). KERN_INVALID_NAME if it already completed. */
kern_return_t machgen_async_cancel(machgen_async_t *a, machgen_async_id_t id);

/* Calls pending. */
uint32_t machgen_async_pending(machgen_async_t *a);

/* ---- server side: a readiness handle for any port or port set ---------------
 *
 * A server watches its receive right (or a port set of them) in the same loop
 * as its sockets: poll the fd, then machgen_port_watch_serve() runs the demux
 * on every queued request without blocking and re-arms the watch. A routine
 * that answers later returns MIG_NO_REPLY and keeps its reply right (an
 * `sreplyport` argument), then sends the answer with the generated
 * <routine>_deferred_reply() function (machgen -asyncserver). */
typedef struct machgen_port_watch machgen_port_watch_t;

kern_return_t machgen_port_watch_create(mach_port_t port_or_set, machgen_port_watch_t **out);
/* Closes the fd; the port itself is untouched. */
void machgen_port_watch_destroy(machgen_port_watch_t *w);
/* Linux: readable when a message is queued on the port. Darwin: -1. */
int machgen_port_watch_fd(machgen_port_watch_t *w);
/* Takes the readiness and posts the watch again: call after receiving
 * everything queued yourself (machgen_port_watch_serve does it for you). */
void machgen_port_watch_rearm(machgen_port_watch_t *w);
/* Blocks until a message is queued on the port (it stays queued) or timeout_ms
 * passes (-1: no limit): 1, 0 on timeout or a signal, -1 on error. The same on
 * every platform (Linux: polls the fd; Darwin and without an fd: waits on the
 * port). */
int machgen_port_watch_wait(machgen_port_watch_t *w, int timeout_ms);
/* Serves every queued request with demux (as mach_msg_server_once, never
 * blocking) and re-arms. Returns the number served, or -1 with a receive
 * error (e.g. the port died). */
int machgen_port_watch_serve(machgen_port_watch_t *w,
                             boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *),
                             mach_msg_size_t max_size);

#ifdef __cplusplus
}
#endif

#endif
