/* Client half of the shared-memory call channel: a memfd with a request and a
 * reply area, an eventfd the broker watches, and FUTEX_WAIT on the state word
 * for the answer (see wire.h). Saves the two socket hops of a call that needs
 * no fds: an eventfd write and a futex wait instead of sendmsg + recvmsg on
 * both sides; and the eventfd write too while the broker is busy and has
 * promised to look at this channel before it sleeps. */
#include "channel.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* How long one futex wait lasts before the socket is checked for hang-up:
 * bounds how late a call notices a dead broker. */
#define HANGUP_CHECK_NS 50000000L

int mgr_channel_wanted(void)
{
	const char *v = getenv("MACHGEN_LINUX_SHM");
	return !(v && v[0] == '0' && v[1] == '\0');
}

int mgr_channel_create(struct mgr_channel *ch, int *memfd_out)
{
	int fd, err;
	void *p;

	ch->shm = NULL;
	ch->efd = -1;
	fd = memfd_create("machgen-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return -errno;
	/* Sealed size: the broker maps it and must never fault on it. */
	if (ftruncate(fd, MGW_SHM_SIZE) != 0 ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) != 0)
		goto fail;
	p = mmap(NULL, MGW_SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		goto fail;
	/* A fork child is a new task with connections of its own: it must not
	 * even see this one. */
	(void)madvise(p, MGW_SHM_SIZE, MADV_DONTFORK);
	ch->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ch->efd < 0) {
		err = -errno;
		munmap(p, MGW_SHM_SIZE);
		close(fd);
		return err;
	}
	ch->shm = p;
	*memfd_out = fd;
	return 0;
fail:
	err = -errno;
	close(fd);
	return err;
}

void mgr_channel_close(struct mgr_channel *ch, int forked)
{
	if (ch->shm && !forked)
		munmap(ch->shm, MGW_SHM_SIZE);
	if (ch->efd >= 0)
		close(ch->efd);
	ch->shm = NULL;
	ch->efd = -1;
}

static int hung_up(int sock)
{
	struct pollfd p = { sock, POLLRDHUP, 0 };
	return poll(&p, 1, 0) == 1 && (p.revents & (POLLHUP | POLLRDHUP | POLLERR | POLLNVAL));
}

int mgr_channel_call(struct mgr_channel *ch, int sock, const struct mgw_hdr *req,
                     const struct iovec *iov, int iovcnt, size_t len,
                     const unsigned char **reply, size_t *reply_len, int *seen)
{
	struct mgw_shm *s = ch->shm;
	unsigned char *area = (unsigned char *)s + MGW_SHM_REQ_OFF;
	const struct timespec slice = { 0, HANGUP_CHECK_NS };
	uint64_t one = 1;
	size_t off = sizeof *req;
	uint32_t st;

	*seen = 0;
	memcpy(area, req, sizeof *req);
	for (int i = 0; i < iovcnt; i++) {
		memcpy(area + off, iov[i].iov_base, iov[i].iov_len);
		off += iov[i].iov_len;
	}
	s->req_len = (uint32_t)len;
	__atomic_store_n(&s->state, MGW_SHM_REQUEST, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&s->listening, __ATOMIC_SEQ_CST) &&
	    write(ch->efd, &one, sizeof one) != (ssize_t)sizeof one)
		return -EIO;
	for (;;) {
		st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (st == MGW_SHM_REPLY || st == MGW_SHM_REPLY_ON_SOCKET)
			break;
		if (syscall(SYS_futex, &s->state, FUTEX_WAIT, st, &slice, NULL, 0) == 0 ||
		    errno != ETIMEDOUT)
			continue;
		if (hung_up(sock)) {
			/* A request the broker never took may be made again on a new
			 * broker; one it took may have had effects. */
			*seen = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != MGW_SHM_REQUEST;
			return -EPIPE;
		}
	}
	*seen = 1;
	if (st == MGW_SHM_REPLY_ON_SOCKET)
		return 0;
	*reply = (const unsigned char *)s + MGW_SHM_REP_OFF;
	*reply_len = s->rep_len;
	if (*reply_len > MGW_SHM_AREA)
		return -EPROTO;
	return 1;
}
