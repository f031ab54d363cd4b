/* Frame I/O shared by the client library and the broker. */
#include "wire.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

int mgw_send(int fd, const struct mgw_hdr *hdr, const struct iovec *iov, int iovcnt,
             const int *fds, unsigned nfds)
{
	struct iovec v[8];
	union {
		char buf[CMSG_SPACE(sizeof(int) * MGW_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh;
	ssize_t n;

	if (iovcnt < 0 || iovcnt > 7 || nfds > MGW_MAX_FDS)
		return -EINVAL;
	v[0].iov_base = (void *)hdr;
	v[0].iov_len = sizeof *hdr;
	for (int i = 0; i < iovcnt; i++)
		v[i + 1] = iov[i];
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = v;
	mh.msg_iovlen = (size_t)iovcnt + 1;
	if (nfds) {
		struct cmsghdr *c;
		memset(&ctl, 0, sizeof ctl);
		mh.msg_control = ctl.buf;
		mh.msg_controllen = CMSG_SPACE(sizeof(int) * nfds);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * nfds);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * nfds);
	}
	do
		n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

int mgw_recv(int fd, void *buf, size_t cap, size_t *len, int *fds, unsigned *nfds)
{
	struct iovec v = { buf, cap };
	union {
		char buf[CMSG_SPACE(sizeof(int) * MGW_MAX_FDS)];
		struct cmsghdr align;
	} ctl;
	struct msghdr mh;
	ssize_t n;
	unsigned got = 0;
	int truncated;

	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &v;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof ctl.buf;
	do
		n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		unsigned k = (unsigned)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
		int tmp[MGW_MAX_FDS];
		memcpy(tmp, CMSG_DATA(c), sizeof(int) * k);
		for (unsigned i = 0; i < k; i++) {
			if (fds && got < MGW_MAX_FDS)
				fds[got++] = tmp[i];
			else
				close(tmp[i]);
		}
	}
	truncated = (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0;
	if (nfds)
		*nfds = got;
	if (n == 0) {
		for (unsigned i = 0; i < got; i++)
			close(fds[i]);
		if (nfds)
			*nfds = 0;
		return -EPIPE;
	}
	if (truncated) {
		for (unsigned i = 0; i < got; i++)
			close(fds[i]);
		if (nfds)
			*nfds = 0;
		return -EMSGSIZE;
	}
	*len = (size_t)n;
	return 0;
}

void mgw_tune_socket(int fd)
{
	int sz = (int)(MGW_MAX_FRAME * 2);
	/* Best effort: the limit may be lower than asked for (net.core.wmem_max);
	 * senders then see EMSGSIZE and report MACH_SEND_TOO_LARGE. */
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sz, sizeof sz);
	(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof sz);
}

int mgw_memfd_acceptable(int fd, uint64_t size)
{
	const int need = F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK;
	struct stat st;
	int seals;

	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size < 0 ||
	    (uint64_t)st.st_size < size)
		return 0;
	/* F_GET_SEALS fails (EINVAL) on anything but shmem files. */
	seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & need) == need;
}
