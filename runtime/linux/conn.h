/* Per-thread connection of a client to the broker, and the call helper every
 * Mach API function of the Linux backend goes through. */
#ifndef MACHGEN_LINUX_CONN_H
#define MACHGEN_LINUX_CONN_H

#include "wire.h"

/* A reply; payload points into the calling thread's receive buffer and stays
 * valid until that thread's next call. Received fds belong to the caller. */
struct mgr_reply {
	struct mgw_hdr hdr;
	unsigned char *payload;
	size_t plen;
	int fds[MGW_MAX_FDS];
	unsigned nfds;
};

/* One synchronous call. Returns 0, or -errno when the broker could not be
 * reached or went away (the connection is dropped and re-made next call). */
int mgr_call(const struct mgw_hdr *req, const struct iovec *iov, int iovcnt,
             const int *fds, unsigned nfds, struct mgr_reply *out);

/* Same, for a mach_msg that a signal may interrupt (MACH_SEND_INTERRUPT /
 * MACH_RCV_INTERRUPT): it goes over the socket and waits in poll(), which a
 * signal always interrupts (SA_RESTART or not); then the broker is told
 * (MGW_OP_INTERRUPT) and the call's reply says how it ended. */
int mgr_call_interruptible(const struct mgw_hdr *req, const struct iovec *iov, int iovcnt,
                           const int *fds, unsigned nfds, struct mgr_reply *out);

/* A new connection bound to this process's task, owned by the caller (not
 * tracked for fork). Returns the fd or -errno. */
int mgr_open_task_fd(void);

/* Largest frame this process may send: MGW_MAX_FRAME, or less when the
 * system capped the socket buffers (net.core.wmem_max). */
size_t mgr_frame_limit(void);

/* The calling thread's scratch buffer for building large frames. */
unsigned char *mgr_tx_buffer(void);

#endif
