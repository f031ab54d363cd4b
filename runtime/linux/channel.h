/* Client half of the shared-memory call channel of a connection (wire.h). */
#ifndef MACHGEN_LINUX_CHANNEL_H
#define MACHGEN_LINUX_CHANNEL_H

#include "wire.h"

struct mgr_channel {
	struct mgw_shm *shm;    /* MAP_SHARED memfd mapping, NULL when off */
	int efd;                /* doorbell eventfd, -1 when off */
};

/* Whether new connections should offer a channel: MACHGEN_LINUX_SHM=0 turns
 * the fast path off (every call then goes over the socket). */
int mgr_channel_wanted(void);

/* Creates a channel; memfd_out is the fd to hand to the broker in HELLO
 * (with ch->efd), closed by the caller afterwards. Returns 0 or -errno. */
int mgr_channel_create(struct mgr_channel *ch, int *memfd_out);

/* Unmaps and closes. forked: in a fork child, where the mapping was not
 * inherited (MADV_DONTFORK) and only the eventfd is to be closed. */
void mgr_channel_close(struct mgr_channel *ch, int forked);

/* Whether a frame of len bytes without fds can use the channel. */
static inline int mgr_channel_fits(const struct mgr_channel *ch, size_t len, unsigned nfds)
{
	return ch->shm && nfds == 0 && len <= MGW_SHM_AREA;
}

/* Posts a request frame (header + iov) and waits for the answer. Returns 1
 * when the reply is in the reply area (*reply, *reply_len: valid until the
 * next call), 0 when it waits on socket sock, or -errno when the broker hung
 * up (*seen: whether it had taken the request). */
int mgr_channel_call(struct mgr_channel *ch, int sock, const struct mgw_hdr *req,
                     const struct iovec *iov, int iovcnt, size_t len,
                     const unsigned char **reply, size_t *reply_len, int *seen);

#endif
