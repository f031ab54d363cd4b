/* machgen-broker: event loop, connections, task lifetime and idle exit.
 *
 * Single-threaded epoll loop. Each client thread connects once; the first
 * connection of a process creates its task (keyed by kernel pid + a random
 * cookie chosen by the client, so a recycled pid never inherits a dead task's
 * space). A pidfd per task reports process death, which destroys the space and
 * lets the core fire dead-name / send-once notifications. */
#include "broker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <linux/futex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>


static unsigned char g_frame[MGW_MAX_FRAME];

uint64_t broker_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}


/* Answers a call that came through the shared-memory channel: into the reply
 * area when it fits and has no fds, else on the socket; then wakes the
 * client's futex wait either way. */
static int reply_shm(struct bconn *c, const struct mgw_hdr *h, const struct iovec *iov,
                     int iovcnt, const int *fds, unsigned nfds)
{
	unsigned char *area = (unsigned char *)c->shm + MGW_SHM_REP_OFF;
	size_t len = sizeof *h;
	uint32_t st = MGW_SHM_REPLY;
	int rc = 0;

	for (int i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	if (nfds == 0 && len <= MGW_SHM_AREA) {
		memcpy(area, h, sizeof *h);
		len = sizeof *h;
		for (int i = 0; i < iovcnt; i++) {
			memcpy(area + len, iov[i].iov_base, iov[i].iov_len);
			len += iov[i].iov_len;
		}
		c->shm->rep_len = (uint32_t)len;
	} else {
		rc = mgw_send(c->fd, h, iov, iovcnt, fds, nfds);
		if (rc != 0)
			shutdown(c->fd, SHUT_RDWR);
		st = MGW_SHM_REPLY_ON_SOCKET;
	}
	__atomic_store_n(&c->shm->state, st, __ATOMIC_RELEASE);
	syscall(SYS_futex, &c->shm->state, FUTEX_WAKE, 1, NULL, NULL, 0);
	return rc;
}

int broker_reply(struct bconn *c, const struct mgw_hdr *h, const struct iovec *iov,
                 int iovcnt, const int *fds, unsigned nfds)
{
	if (c->batch)
		return bbatch_reply(c, h, iov, iovcnt, fds, nfds);
	if (c->via_shm) {
		c->via_shm = false;
		return reply_shm(c, h, iov, iovcnt, fds, nfds);
	}
	int rc = mgw_send(c->fd, h, iov, iovcnt, fds, nfds);
	/* A reply that cannot be delivered (e.g. larger than the socket allows)
	 * must not leave the client waiting: hang up; the loop then drops it. */
	if (rc != 0)
		shutdown(c->fd, SHUT_RDWR);
	return rc;
}

static void close_fds(const int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		close(fds[i]);
}

void broker_park(struct broker *b, struct bconn *c, bool has_deadline, uint64_t deadline_ns)
{
	if (!c->parked) {
		c->parked = true;
		c->pnext = NULL;
		c->pprev = b->parked_tail;
		if (b->parked_tail)
			b->parked_tail->pnext = c;
		else
			b->parked_head = c;
		b->parked_tail = c;
	}
	c->has_deadline = has_deadline;
	c->deadline_ns = deadline_ns;
}

void broker_unpark(struct broker *b, struct bconn *c)
{
	if (!c->parked)
		return;
	if (c->pprev)
		c->pprev->pnext = c->pnext;
	else
		b->parked_head = c->pnext;
	if (c->pnext)
		c->pnext->pprev = c->pprev;
	else
		b->parked_tail = c->pprev;
	c->pnext = c->pprev = NULL;
	c->parked = false;
	c->has_deadline = false;
	c->gone = 0;
	c->wake = false;
}

static void conn_drop(struct broker *b, struct bconn *c);

static void hot_remove(struct broker *b, struct bconn *c)
{
	if (!c->hot)
		return;
	c->hot = false;
	for (unsigned i = 0; i < b->nhot; i++) {
		if (b->hot[i] == c) {
			b->hot[i] = b->hot[--b->nhot];
			break;
		}
	}
}

static void task_destroy(struct broker *b, struct btask *t)
{
	/* The process is gone: its connections go first so none points at t. */
	for (struct bconn *c = b->conns, *nx; c; c = nx) {
		nx = c->next;
		if (c->task == t)
			conn_drop(b, c);
	}
	bcore_task_destroy(b, t);
	epoll_ctl(b->epfd, EPOLL_CTL_DEL, t->pidfd, NULL);
	close(t->pidfd);
	if (t->prev)
		t->prev->next = t->next;
	else
		b->tasks = t->next;
	if (t->next)
		t->next->prev = t->prev;
	b->ntasks--;
	t->dead = true;
	t->dead_next = b->dead_tasks;
	b->dead_tasks = t;
	if (b->nconns == 0 && b->ntasks == 0)
		b->idle_since_ns = broker_now_ns();
}

static void conn_drop(struct broker *b, struct bconn *c)
{
	bmsg_conn_gone(b, c);
	broker_unpark(b, c);
	if (c->thread_port) {
		/* The thread is gone (or its connection): names for its port
		 * become dead names. */
		mgc_port_destroy(b->kspace, c->thread_port);
		c->thread_port = MACH_PORT_NULL;
		b->dirty = true;
	}
	epoll_ctl(b->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->bell_fd >= 0) {
		/* The client holds the same eventfd: only DEL takes it out of epoll. */
		epoll_ctl(b->epfd, EPOLL_CTL_DEL, c->bell_fd, NULL);
		close(c->bell_fd);
		c->bell_fd = -1;
	}
	hot_remove(b, c);
	if (c->shm) {
		if (c->via_shm) {
			/* Its thread waits for this call: send it to the socket,
			 * where it reads EOF now instead of at its next hang-up check. */
			__atomic_store_n(&c->shm->state, MGW_SHM_REPLY_ON_SOCKET, __ATOMIC_RELEASE);
			syscall(SYS_futex, &c->shm->state, FUTEX_WAKE, 1, NULL, NULL, 0);
		}
		munmap(c->shm, MGW_SHM_SIZE);
		c->shm = NULL;
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		b->conns = c->next;
	if (c->next)
		c->next->prev = c->prev;
	b->nconns--;
	if (c->task)
		c->task->nconns--;
	c->dead = true;
	c->dead_next = b->dead_conns;
	b->dead_conns = c;
	if (b->nconns == 0 && b->ntasks == 0)
		b->idle_since_ns = broker_now_ns();
}

static struct btask *task_find_or_create(struct broker *b, const struct ucred *cr,
                                         uint64_t cookie)
{
	struct btask *t;
	struct epoll_event ev;

	for (t = b->tasks; t; t = t->next) {
		if (t->pid != cr->pid)
			continue;
		if (t->cookie == cookie)
			return t;
		/* Same pid, other cookie: the old process died (or exec'd) and its
		 * pidfd event has not been handled yet. */
		task_destroy(b, t);
		break;
	}
	t = calloc(1, sizeof *t);
	if (!t)
		return NULL;
	t->kind = BK_TASK;
	t->pid = cr->pid;
	t->uid = cr->uid;
	t->gid = cr->gid;
	t->cookie = cookie;
	t->pidfd = (int)syscall(SYS_pidfd_open, cr->pid, 0);
	if (t->pidfd < 0) {
		free(t);
		return NULL;
	}
	if (bcore_task_create(b, t) != 0) {
		close(t->pidfd);
		free(t);
		return NULL;
	}
	ev.events = EPOLLIN;
	ev.data.ptr = t;
	epoll_ctl(b->epfd, EPOLL_CTL_ADD, t->pidfd, &ev);
	t->next = b->tasks;
	if (b->tasks)
		b->tasks->prev = t;
	b->tasks = t;
	b->ntasks++;
	return t;
}

static void accept_conns(struct broker *b)
{
	for (;;) {
		int fd = accept4(b->lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		struct ucred cr;
		socklen_t cl = sizeof cr;
		struct bconn *c;
		struct epoll_event ev;

		if (fd < 0)
			return;
		/* Only the broker's own user may talk to it. */
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) != 0 || cr.uid != b->uid) {
			close(fd);
			continue;
		}
		mgw_tune_socket(fd);
		c = calloc(1, sizeof *c);
		if (!c) {
			close(fd);
			continue;
		}
		c->kind = BK_CONN;
		c->fd = fd;
		c->bell_fd = -1;
		ev.events = EPOLLIN;
		ev.data.ptr = c;
		epoll_ctl(b->epfd, EPOLL_CTL_ADD, fd, &ev);
		c->next = b->conns;
		if (b->conns)
			b->conns->prev = c;
		b->conns = c;
		b->nconns++;
	}
}

/* Takes the client's shared-memory channel: a memfd of exactly MGW_SHM_SIZE
 * bytes that cannot shrink (so touching it never faults) and an eventfd. */
static bool channel_attach(struct broker *b, struct bconn *c, int memfd, int efd)
{
	const int need = F_SEAL_GROW | F_SEAL_SHRINK;
	struct stat st;
	struct epoll_event ev;
	int seals = fcntl(memfd, F_GET_SEALS);
	void *p;

	if (seals < 0 || (seals & need) != need || fstat(memfd, &st) != 0 ||
	    !S_ISREG(st.st_mode) || st.st_size != (off_t)MGW_SHM_SIZE)
		return false;
	p = mmap(NULL, MGW_SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (p == MAP_FAILED)
		return false;
	c->bell.kind = BK_BELL;
	c->bell.conn = c;
	/* Edge-triggered: every write of the client rings once and the broker
	 * never needs to read the counter. */
	ev.events = EPOLLIN | EPOLLET;
	ev.data.ptr = &c->bell;
	if (epoll_ctl(b->epfd, EPOLL_CTL_ADD, efd, &ev) != 0) {
		munmap(p, MGW_SHM_SIZE);
		return false;
	}
	c->shm = p;
	c->bell_fd = efd;
	return true;
}

/* HELLO binds a connection to its task; everything else needs one. Its fds,
 * if any, are a shared-memory channel offered by the client. */
static bool hello(struct broker *b, struct bconn *c, const struct mgw_hdr *h, int *fds,
                  unsigned nfds)
{
	struct ucred cr;
	socklen_t cl = sizeof cr;
	struct mgw_hdr r;

	memset(&r, 0, sizeof r);
	r.op = MGW_OP_HELLO;
	if (c->task || h->arg[2] != MGW_VERSION ||
	    getsockopt(c->fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) != 0) {
		close_fds(fds, nfds);
		return false;
	}
	c->task = task_find_or_create(b, &cr, h->arg[1]);
	if (!c->task) {
		close_fds(fds, nfds);
		return false;
	}
	c->task->nconns++;
	r.arg[0] = MGW_TASK_SELF_NAME;
	r.arg[1] = MGW_BOOTSTRAP_NAME;
	if (nfds == 2 && channel_attach(b, c, fds[0], fds[1])) {
		r.arg[2] = 1;
		close(fds[0]);
	} else {
		close_fds(fds, nfds);
	}
	return broker_reply(c, &r, NULL, 0, NULL, 0) == 0;
}

/* Reads one frame from a connection and serves it; drops the connection on
 * EOF or on any malformed frame. */
static void conn_input(struct broker *b, struct bconn *c)
{
	int fds[MGW_MAX_FDS];
	unsigned nfds = 0;
	size_t len = 0;
	int rc = mgw_recv(c->fd, g_frame, sizeof g_frame, &len, fds, &nfds);
	const struct mgw_hdr *h = (const struct mgw_hdr *)(void *)g_frame;
	int drop = 0;

	if (rc == -EAGAIN)
		return;
	if (rc == 0 && len == sizeof *h && nfds == 0 && h->op == MGW_OP_INTERRUPT) {
		/* May cross the call's reply: then there is nothing left to end. */
		if (c->parked)
			bmsg_interrupt(b, c);
		return;
	}
	if (rc != 0 || len < sizeof *h || c->parked) {
		/* A parked client must not send: its thread is blocked in a call. */
		close_fds(fds, nfds);
		conn_drop(b, c);
		return;
	}
	if (h->op == MGW_OP_HELLO) {
		if (!hello(b, c, h, fds, nfds))
			conn_drop(b, c);
		return;
	}
	if (!c->task) {
		close_fds(fds, nfds);
		conn_drop(b, c);
		return;
	}
	bcore_dispatch(b, c, g_frame, len, fds, nfds, &drop);
	if (drop)
		conn_drop(b, c);
}

/* The doorbell rang: serves the request in the channel's request area. It
 * is copied out first (the client may rewrite shared memory at any time) and
 * then served exactly as a frame from the socket. */
static void channel_input(struct broker *b, struct bconn *c)
{
	struct mgw_shm *s = c->shm;
	uint32_t len;
	int drop = 0;

	if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != MGW_SHM_REQUEST)
		return; /* nothing posted (a stale ring) */
	len = __atomic_load_n(&s->req_len, __ATOMIC_RELAXED);
	if (c->parked || c->via_shm || !c->task || len < sizeof(struct mgw_hdr) ||
	    len > MGW_SHM_AREA) {
		/* A parked client must not call: its thread is blocked in one. */
		conn_drop(b, c);
		return;
	}
	__atomic_store_n(&s->state, MGW_SHM_TAKEN, __ATOMIC_RELAXED);
	memcpy(g_frame, (const unsigned char *)s + MGW_SHM_REQ_OFF, len);
	if (((const struct mgw_hdr *)(void *)g_frame)->op == MGW_OP_HELLO) {
		conn_drop(b, c);
		return;
	}
	c->via_shm = true;
	b->channel_calls++;
	bcore_dispatch(b, c, g_frame, len, NULL, 0, &drop);
	if (drop) {
		conn_drop(b, c);
	} else if (!c->hot && !b->cooling && b->nhot < BROKER_HOT_MAX) {
		/* Its next call will likely come before the broker sleeps. */
		c->hot = true;
		b->hot[b->nhot++] = c;
		__atomic_store_n(&c->shm->listening, 1, __ATOMIC_SEQ_CST);
	}
}

/* Serves the requests hot channels posted without ringing. */
static bool hot_scan(struct broker *b)
{
	bool served = false;
	for (unsigned i = 0; i < b->nhot;) {
		struct bconn *c = b->hot[i];
		if (__atomic_load_n(&c->shm->state, __ATOMIC_SEQ_CST) == MGW_SHM_REQUEST) {
			channel_input(b, c);
			served = true;
		}
		if (i < b->nhot && b->hot[i] == c)
			i++; /* else c was dropped and another took its place */
	}
	return served;
}

#define LINGER_POLL_NS 4000u /* how often a lingering broker polls its other fds */
#define HOT_EPOLL_EVERY 8u    /* loop turns served from hot channels between epolls */

/* Before sleeping, waits a little for the next call of a hot channel,
 * yielding the CPU meanwhile: in an RPC the peer usually answers within
 * microseconds, and finding its request here saves it the doorbell and the
 * broker a wake-up (on one CPU, yielding is what lets the peer run). */
static bool hot_linger(struct broker *b, uint64_t now)
{
	uint64_t until = now + (uint64_t)b->linger_ns, polled = now;
	struct pollfd ep = { b->epfd, POLLIN, 0 };
	while (b->nhot && (now = broker_now_ns()) < until) {
		sched_yield();
		if (hot_scan(b))
			return true;
		/* Sockets and doorbells too, but every few µs only: each
		 * syscall costs about as much as a scan of every hot channel. */
		if (now - polled >= LINGER_POLL_NS) {
			polled = now;
			if (poll(&ep, 1, 0) > 0)
				return true;
		}
	}
	return false;
}

/* Before sleeping: takes back every promise to look, then serves what was
 * posted before its client could see that (seq_cst on both sides). */
static bool hot_cool(struct broker *b)
{
	bool served = false;
	b->cooling = true;
	while (b->nhot) {
		struct bconn *c = b->hot[--b->nhot];
		c->hot = false;
		__atomic_store_n(&c->shm->listening, 0, __ATOMIC_SEQ_CST);
		if (__atomic_load_n(&c->shm->state, __ATOMIC_SEQ_CST) == MGW_SHM_REQUEST) {
			channel_input(b, c);
			served = true;
		}
	}
	b->cooling = false;
	return served;
}

static void free_dead(struct broker *b)
{
	while (b->dead_conns) {
		struct bconn *c = b->dead_conns;
		b->dead_conns = c->dead_next;
		free(c);
	}
	while (b->dead_tasks) {
		struct btask *t = b->dead_tasks;
		b->dead_tasks = t->dead_next;
		free(t);
	}
}

/* Parked calls whose awaited event happened (core callbacks set wake) are
 * retried in the order they parked. */
static void retry_parked(struct broker *b)
{
	struct bconn *c = b->parked_head, *next;
	while (c) {
		next = c->pnext;
		if (c->wake) {
			c->wake = false;
			bmsg_retry(b, c);
		}
		c = next;
	}
}

static void expire_parked(struct broker *b, uint64_t now)
{
	struct bconn *c = b->parked_head, *next;
	while (c) {
		next = c->pnext;
		if (c->has_deadline && c->deadline_ns <= now)
			bmsg_timeout(b, c);
		c = next;
	}
}

static int next_timeout_ms(struct broker *b, uint64_t now)
{
	uint64_t best = UINT64_MAX;
	for (struct bconn *c = b->parked_head; c; c = c->pnext)
		if (c->has_deadline && c->deadline_ns < best)
			best = c->deadline_ns;
	if (b->nconns == 0 && b->ntasks == 0) {
		uint64_t idle_end = b->idle_since_ns + (uint64_t)b->idle_s * 1000000000u;
		if (idle_end < best)
			best = idle_end;
	}
	if (best == UINT64_MAX)
		return -1;
	if (best <= now)
		return 0;
	return (int)((best - now + 999999u) / 1000000u);
}

/* Exits when idle, unless a client is connecting right now. Holding the start
 * lock makes "no pending connection" and "socket unlinked" one atomic step for
 * starting clients. */
static bool idle_exit(struct broker *b)
{
	char lp[128];
	int lk;

	struct stat st;

	/* Socket gone or replaced (e.g. its private directory was removed): no
	 * client can reach us any more, so there is nothing to coordinate. */
	if (lstat(b->sock_path, &st) != 0 || st.st_dev != b->sock_dev || st.st_ino != b->sock_ino) {
		close(b->lfd);
		return true;
	}
	snprintf(lp, sizeof lp, "%s.lock", b->sock_path);
	lk = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk < 0 || flock(lk, LOCK_EX | LOCK_NB) != 0) {
		if (lk >= 0)
			close(lk);
		return false;
	}
	accept_conns(b);
	if (b->nconns) {
		close(lk);
		return false;
	}
	unlink(b->sock_path);
	close(b->lfd);
	/* A connect that slipped in between gets EOF and restarts the broker. */
	close(lk);
	return true;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	unlink(path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) != 0 || chmod(path, 0600) != 0 ||
	    listen(fd, 128) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void usage(void)
{
	fprintf(stderr, "usage: machgen-broker --socket PATH [--idle SECONDS] [--linger-us US] "
	                "[--ready-fd FD] [--daemon]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	struct broker b;
	const char *sock = NULL;
	int ready_fd = -1;
	bool daemon_mode = false;

	memset(&b, 0, sizeof b);
	b.idle_s = 10;
	b.linger_ns = BROKER_LINGER_US_DEFAULT * 1000u;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--socket") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "--idle") && i + 1 < argc)
			b.idle_s = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--linger-us") && i + 1 < argc)
			b.linger_ns = strtoul(argv[++i], NULL, 10) * 1000u;
		else if (!strcmp(argv[i], "--ready-fd") && i + 1 < argc)
			ready_fd = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--daemon"))
			daemon_mode = true;
		else
			usage();
	}
	if (!sock || strlen(sock) >= sizeof(((struct sockaddr_un *)0)->sun_path) - 6)
		usage();
	/* Keep nothing of the starting client but stdio and the readiness pipe. */
	syscall(SYS_close_range, ready_fd == 3 ? 4u : 3u, ~0u, 0u);
	if (daemon_mode) {
		pid_t pid = fork();
		if (pid < 0)
			return 1;
		if (pid > 0)
			_exit(0);
		setsid();
	}
	signal(SIGPIPE, SIG_IGN);
	umask(077);
	{
		/* Queued memfds cost the broker fds: take what the hard limit allows
		 * and keep half of it for client connections. */
		struct rlimit rl = { 0, 0 };
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
			rl.rlim_cur = rl.rlim_max;
			setrlimit(RLIMIT_NOFILE, &rl);
			getrlimit(RLIMIT_NOFILE, &rl);
		}
		b.ool_fds_max = rl.rlim_cur > 512 ? (unsigned)(rl.rlim_cur / 2) : 128;
	}
	b.uid = getuid();
	b.sock_path = sock;
	b.lfd = listen_on(sock);
	b.epfd = epoll_create1(EPOLL_CLOEXEC);
	{
		struct stat st;
		if (b.lfd >= 0 && stat(sock, &st) == 0) {
			b.sock_dev = st.st_dev;
			b.sock_ino = st.st_ino;
		}
	}
	if (b.lfd < 0 || b.epfd < 0 || bcore_init(&b) != 0) {
		perror("machgen-broker");
		return 1;
	}
	b.listen_tag.kind = BK_LISTEN;
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &b.listen_tag };
		epoll_ctl(b.epfd, EPOLL_CTL_ADD, b.lfd, &ev);
	}
	b.idle_since_ns = broker_now_ns();
	if (ready_fd >= 0) {
		if (write(ready_fd, "R", 1) != 1)
			return 1;
		close(ready_fd);
	}

	for (;;) {
		struct epoll_event evs[64];
		uint64_t now = broker_now_ns();
		bool served = hot_scan(&b);
		int timeout = served || b.dirty ? 0 : next_timeout_ms(&b, now);
		if (timeout != 0 && b.nhot && b.linger_ns && hot_linger(&b, now))
			timeout = 0;
		if (timeout != 0 && hot_cool(&b))
			timeout = 0;
		int n = 0;
		/* While hot channels keep the broker busy, look at the other fds
		 * every few turns only (one syscall saved per call). */
		if (timeout != 0 || !served || ++b.epoll_skipped > HOT_EPOLL_EVERY) {
			b.epoll_skipped = 0;
			n = epoll_wait(b.epfd, evs, 64, timeout);
		}

		if (n < 0 && errno != EINTR)
			break;
		for (int i = 0; i < n; i++) {
			enum bkind k = *(enum bkind *)evs[i].data.ptr;
			if (k == BK_LISTEN) {
				accept_conns(&b);
			} else if (k == BK_CONN) {
				struct bconn *c = evs[i].data.ptr;
				if (!c->dead)
					conn_input(&b, c);
			} else if (k == BK_BELL) {
				struct bconn *c = ((struct bbell *)evs[i].data.ptr)->conn;
				if (!c->dead)
					channel_input(&b, c);
			} else {
				struct btask *t = evs[i].data.ptr;
				if (!t->dead)
					task_destroy(&b, t);
			}
		}
		/* Retrying may change queues again (a blocked send goes through). */
		for (int round = 0; b.dirty && round < 64; round++) {
			b.dirty = false;
			bkernel_serve(&b);
			retry_parked(&b);
		}
		now = broker_now_ns();
		expire_parked(&b, now);
		free_dead(&b);
		if (b.nconns == 0 && b.ntasks == 0 &&
		    now >= b.idle_since_ns + (uint64_t)b.idle_s * 1000000000u) {
			if (idle_exit(&b))
				break;
			b.idle_since_ns = now;
		}
	}
	bcore_fini(&b);
	return 0;
}
