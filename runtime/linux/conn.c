/* Client connections: one SOCK_SEQPACKET socket per thread, made lazily, so a
 * thread blocked in mach_msg never stalls the others. A process is one task;
 * its first HELLO creates the task in the broker, later ones join it. The
 * task is keyed by (pid, cookie); a fork child picks a new cookie and drops
 * every inherited connection, so it starts with a fresh IPC space. */
#include "conn.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "channel.h"
#include "locate.h"

/* The task's own names are fixed (wire.h), so no call is needed to know them. */
mach_port_t mach_task_self_ = MGW_TASK_SELF_NAME;
mach_port_t bootstrap_port = MGW_BOOTSTRAP_NAME;

struct mgr_conn {
	int fd;
	struct mgr_channel ch;  /* shared-memory fast path, when the broker took it */
	unsigned char *rx;
	unsigned char *tx;
	struct mgr_conn *next, *prev;
};

static pthread_once_t g_once = PTHREAD_ONCE_INIT;
static pthread_key_t g_key;
static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static struct mgr_conn *g_conns;   /* every thread's connection (for fork) */
static uint64_t g_cookie;          /* identifies this process image to the broker */
static _Thread_local struct mgr_conn *t_conn;
static size_t g_frame_limit = MGW_MAX_FRAME; /* lowered once a socket says so */

#define RX_CAP (MGW_MAX_FRAME + 4096u)

static void unlink_conn(struct mgr_conn *c)
{
	if (c->prev)
		c->prev->next = c->next;
	else if (g_conns == c)
		g_conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
}

static void free_conn(struct mgr_conn *c)
{
	mgr_channel_close(&c->ch, 0);
	if (c->fd >= 0)
		close(c->fd);
	free(c->rx);
	free(c->tx);
	free(c);
}

static void thread_exit(void *p)
{
	struct mgr_conn *c = p;
	/* Other keys' destructors (e.g. the MIG reply port's) may still make
	 * calls: they get a new connection, released in a later round. */
	if (t_conn == c)
		t_conn = NULL;
	pthread_mutex_lock(&g_lock);
	unlink_conn(c);
	pthread_mutex_unlock(&g_lock);
	free_conn(c);
}

static uint64_t new_cookie(void)
{
	uint64_t v = 0;
	while (v == 0)
		if (getrandom(&v, sizeof v, 0) != (ssize_t)sizeof v)
			v = ((uint64_t)getpid() << 32) ^ (uint64_t)(uintptr_t)&v;
	return v;
}

static void before_fork(void) { pthread_mutex_lock(&g_lock); }
static void after_fork_parent(void) { pthread_mutex_unlock(&g_lock); }

/* The child is a new task: none of the parent's connections are its own. */
static void after_fork_child(void)
{
	struct mgr_conn *c = g_conns, *n;
	g_conns = NULL;
	for (; c; c = n) {
		n = c->next;
		mgr_channel_close(&c->ch, 1);
		if (c == t_conn) {
			close(c->fd);
			c->fd = -1;
			c->next = c->prev = NULL;
			g_conns = c;
		} else {
			/* Other threads do not exist in the child. */
			free_conn(c);
		}
	}
	g_cookie = new_cookie();
	pthread_mutex_unlock(&g_lock);
}

static void init_once(void)
{
	pthread_key_create(&g_key, thread_exit);
	pthread_atfork(before_fork, after_fork_parent, after_fork_child);
	g_cookie = new_cookie();
}

static struct mgr_conn *my_conn(void)
{
	struct mgr_conn *c = t_conn;
	if (c)
		return c;
	pthread_once(&g_once, init_once);
	c = calloc(1, sizeof *c);
	if (!c)
		return NULL;
	c->fd = -1;
	c->ch.efd = -1;
	c->rx = malloc(RX_CAP);
	if (!c->rx) {
		free(c);
		return NULL;
	}
	pthread_mutex_lock(&g_lock);
	c->next = g_conns;
	if (g_conns)
		g_conns->prev = c;
	g_conns = c;
	pthread_mutex_unlock(&g_lock);
	pthread_setspecific(g_key, c);
	t_conn = c;
	return c;
}

size_t mgr_frame_limit(void)
{
	size_t v;
	pthread_mutex_lock(&g_lock);
	v = g_frame_limit;
	pthread_mutex_unlock(&g_lock);
	return v;
}

unsigned char *mgr_tx_buffer(void)
{
	struct mgr_conn *c = my_conn();
	if (!c)
		return NULL;
	if (!c->tx)
		c->tx = malloc(RX_CAP);
	return c->tx;
}

/* Waits for the reply of an interruptible call: every signal that interrupts
 * poll() is reported to the broker, which ends the call if it is still parked
 * in a phase the caller asked to be interruptible. */
static void wait_reply_interruptible(int fd)
{
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		int n = poll(&p, 1, -1);
		if (n > 0)
			return;
		if (n < 0 && errno == EINTR) {
			struct mgw_hdr ih;
			memset(&ih, 0, sizeof ih);
			ih.op = MGW_OP_INTERRUPT;
			if (mgw_send(fd, &ih, NULL, 0, NULL, 0) != 0)
				return; /* the receive below sees why */
		} else if (n < 0) {
			return;
		}
	}
}

static int roundtrip(struct mgr_conn *c, const struct mgw_hdr *req, const struct iovec *iov,
                     int iovcnt, const int *fds, unsigned nfds, struct mgr_reply *out,
                     int *sent, int interruptible)
{
	size_t len = sizeof *req;
	int rc;

	out->nfds = 0;
	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (!interruptible && mgr_channel_fits(&c->ch, len, nfds)) {
		const unsigned char *rep = NULL;
		size_t rlen = 0;
		rc = mgr_channel_call(&c->ch, c->fd, req, iov, iovcnt, len, &rep, &rlen, sent);
		if (rc < 0)
			return rc;
		if (rc == 1) {
			if (rlen < sizeof out->hdr ||
			    ((const struct mgw_hdr *)(const void *)rep)->op != req->op)
				return -EPROTO;
			memcpy(&out->hdr, rep, sizeof out->hdr);
			/* Valid until this thread's next call, like the socket buffer. */
			out->payload = (unsigned char *)rep + sizeof out->hdr;
			out->plen = rlen - sizeof out->hdr;
			return 0;
		}
		/* The reply carries fds or is large: it is on the socket. */
	} else {
		rc = mgw_send(c->fd, req, iov, iovcnt, fds, nfds);
		*sent = rc == 0;
		if (rc)
			return rc;
		if (interruptible)
			wait_reply_interruptible(c->fd);
	}
	len = 0;
	rc = mgw_recv(c->fd, c->rx, RX_CAP, &len, out->fds, &out->nfds);
	if (rc)
		return rc;
	if (len < sizeof out->hdr || ((const struct mgw_hdr *)(void *)c->rx)->op != req->op) {
		for (unsigned i = 0; i < out->nfds; i++)
			close(out->fds[i]);
		out->nfds = 0;
		return -EPROTO;
	}
	memcpy(&out->hdr, c->rx, sizeof out->hdr);
	out->payload = c->rx + sizeof out->hdr;
	out->plen = len - sizeof out->hdr;
	return 0;
}

static void disconnect(struct mgr_conn *c)
{
	mgr_channel_close(&c->ch, 0);
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

/* Connects and says HELLO, offering a shared-memory channel when asked. */
static int connect_task(struct mgr_conn *c, int with_channel)
{
	/* A broker that is just exiting idle may accept and then close us:
	 * nothing is lost yet, so start over a few times. */
	for (int attempt = 0; attempt < 5; attempt++) {
		struct mgw_hdr h;
		struct mgr_reply r;
		int fd = mgl_connect();
		if (fd < 0) {
			if (attempt < 4 && (fd == -ECONNREFUSED || fd == -ENOENT))
				continue;
			return fd;
		}
		c->fd = fd;
		{
			/* A datagram must fit the send buffer the kernel granted. */
			int sb = 0;
			socklen_t sl = sizeof sb;
			if (getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sb, &sl) == 0 && sb > 4096) {
				pthread_mutex_lock(&g_lock);
				if ((size_t)sb - 64 < g_frame_limit)
					g_frame_limit = (size_t)sb - 64;
				pthread_mutex_unlock(&g_lock);
			}
		}
		memset(&h, 0, sizeof h);
		h.op = MGW_OP_HELLO;
		h.arg[0] = (uint64_t)getpid();
		pthread_mutex_lock(&g_lock);
		h.arg[1] = g_cookie;
		pthread_mutex_unlock(&g_lock);
		h.arg[2] = MGW_VERSION;
		int sent, memfd = -1, chfds[2], rc;
		if (with_channel && mgr_channel_create(&c->ch, &memfd) != 0)
			memfd = -1;
		chfds[0] = memfd;
		chfds[1] = c->ch.efd;
		{
			/* The channel is not in use until the broker said yes. */
			struct mgr_channel ch = c->ch;
			c->ch.shm = NULL;
			rc = roundtrip(c, &h, NULL, 0, chfds, memfd >= 0 ? 2u : 0u, &r, &sent, 0);
			c->ch = ch;
		}
		if (memfd >= 0)
			close(memfd);
		if (rc == 0) {
			if (r.hdr.arg[2] != 1)
				mgr_channel_close(&c->ch, 0);
			return 0;
		}
		disconnect(c);
	}
	return -ECONNREFUSED;
}

int mgr_open_task_fd(void)
{
	/* A private connection for callers that post a call and collect its
	 * reply later (readiness watches); it joins this process's task. */
	struct mgr_conn c;
	int rc;

	pthread_once(&g_once, init_once);
	memset(&c, 0, sizeof c);
	c.fd = -1;
	c.ch.efd = -1;
	c.rx = malloc(RX_CAP);
	if (!c.rx)
		return -ENOMEM;
	/* Socket only: its owner polls it for the reply. */
	rc = connect_task(&c, 0);
	free(c.rx);
	return rc ? rc : c.fd;
}

static int call(const struct mgw_hdr *req, const struct iovec *iov, int iovcnt, const int *fds,
                unsigned nfds, struct mgr_reply *out, int interruptible)
{
	struct mgr_conn *c = my_conn();
	int rc, sent;

	out->nfds = 0;
	if (!c)
		return -ENOMEM;
	if (c->fd < 0) {
		rc = connect_task(c, mgr_channel_wanted());
		if (rc)
			return rc;
	}
	rc = roundtrip(c, req, iov, iovcnt, fds, nfds, out, &sent, interruptible);
	if (!sent && (rc == -EPIPE || rc == -ECONNRESET || rc == -ENOTCONN)) {
		/* The broker went away before this call. The task's names died with
		 * it, but a call it never saw is safe to make on a new broker. */
		disconnect(c);
		rc = connect_task(c, mgr_channel_wanted());
		if (rc == 0)
			rc = roundtrip(c, req, iov, iovcnt, fds, nfds, out, &sent, interruptible);
	}
	if (rc && c->fd >= 0) {
		/* The broker died or we broke the protocol: this task's state is
		 * gone; the next call starts over with a new broker and space. */
		disconnect(c);
	}
	return rc;
}

int mgr_call(const struct mgw_hdr *req, const struct iovec *iov, int iovcnt, const int *fds,
             unsigned nfds, struct mgr_reply *out)
{
	return call(req, iov, iovcnt, fds, nfds, out, 0);
}

int mgr_call_interruptible(const struct mgw_hdr *req, const struct iovec *iov, int iovcnt,
                           const int *fds, unsigned nfds, struct mgr_reply *out)
{
	return call(req, iov, iovcnt, fds, nfds, out, 1);
}
