/* The shared-memory call channel: calls without fds go through it (unless
 * MACHGEN_LINUX_SHM=0, under which ctest runs this whole executable again),
 * calls and replies that do not fit fall back to the socket, and a client
 * that abuses its channel loses only its own connection. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "debug.h"
#include "helpers.h"
#include "wire.h"

TestSuite(channel, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

static int channel_on(void)
{
	const char *v = getenv("MACHGEN_LINUX_SHM");
	return !(v && strcmp(v, "0") == 0);
}

static uint64_t channel_calls(void)
{
	uint64_t n = 0;
	cr_assert_eq(machgen_linux_debug_channel_calls(&n), 0);
	return n;
}

Test(channel, calls_without_fds_use_it_unless_turned_off)
{
	mach_port_t p = rt_port_with_send();
	mach_port_type_t ty;
	rt_simple_rcv r;
	uint64_t before = channel_calls(), after;

	for (int i = 0; i < 100; i++) {
		cr_assert_eq(mach_port_type(mach_task_self(), p, &ty), KERN_SUCCESS);
		cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 7, i, RT_NO_TIMEOUT),
		             MACH_MSG_SUCCESS);
		cr_assert_eq(rt_recv(p, &r, 1000, 0), MACH_MSG_SUCCESS);
		cr_assert_eq(r.msg.value, i);
	}
	after = channel_calls();
	if (channel_on())
		cr_assert_geq(after - before, 301, "300 calls and one query through shared memory");
	else
		cr_assert_eq(after, before, "MACHGEN_LINUX_SHM=0: everything on the socket");
}

typedef struct {
	mach_msg_header_t head;
	unsigned char data[40000]; /* larger than a channel area */
} big_msg;

Test(channel, frames_larger_than_the_area_go_over_the_socket)
{
	mach_port_t p = rt_port_with_send();
	static big_msg m;
	static struct {
		big_msg m;
		mach_msg_max_trailer_t t;
	} in;

	cr_assert_gt(sizeof m, MGW_SHM_AREA);
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = p;
	m.head.msgh_id = 99;
	for (size_t i = 0; i < sizeof m.data; i++)
		m.data[i] = (unsigned char)(i * 7);
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	/* The receive request is small (channel), its reply is not (socket). */
	memset(&in, 0, sizeof in);
	cr_assert_eq(mach_msg(&in.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, p, 5000, 0),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(in.m.head.msgh_id, 99);
	cr_assert_eq(memcmp(in.m.data, m.data, sizeof m.data), 0);
	/* The channel still works after the fallback. */
	cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 5, 55, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(p, (rt_simple_rcv *)(void *)&in, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(((rt_simple_rcv *)(void *)&in)->msg.value, 55);
}

struct late_send {
	mach_port_t port;
	int value;
};

static void *send_later(void *arg)
{
	struct late_send *ls = arg;
	usleep(200 * 1000);
	rt_send(ls->port, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 1, ls->value, RT_NO_TIMEOUT);
	return NULL;
}

Test(channel, parked_receives_are_answered_later)
{
	/* Blocked receives wait in the broker (parked) and get their answer
	 * through the same path when a message arrives, past several of the
	 * client's hang-up checks. */
	mach_port_t p = rt_port_with_send();
	struct late_send ls = { p, 4242 };
	pthread_t th;
	rt_simple_rcv r;
	uint64_t t0 = rt_now_ms();

	cr_assert_eq(pthread_create(&th, NULL, send_later, &ls), 0);
	cr_assert_eq(rt_recv(p, &r, 10000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.value, 4242);
	cr_assert_geq(rt_now_ms() - t0, 150);
	pthread_join(th, NULL);
	/* And a receive timeout still times out. */
	t0 = rt_now_ms();
	cr_assert_eq(rt_recv(p, &r, 120, 0), MACH_RCV_TIMED_OUT);
	cr_assert_geq(rt_now_ms() - t0, 110);
}

/* Ping-pong between two threads, each a connection of its own. */
struct pingpong {
	mach_port_t ping, pong;
	int rounds;
	int failed;
};

static void *pong_thread(void *arg)
{
	struct pingpong *pp = arg;
	rt_simple_rcv r;
	for (int i = 0; i < pp->rounds; i++) {
		if (rt_recv(pp->ping, &r, 10000, 0) != MACH_MSG_SUCCESS || r.msg.value != i ||
		    rt_send(pp->pong, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 2, i, RT_NO_TIMEOUT)) {
			pp->failed = 1;
			break;
		}
	}
	return NULL;
}

static void *query_thread(void *arg)
{
	struct pingpong *pp = arg;
	mach_port_type_t ty;
	for (int i = 0; i < pp->rounds; i++) {
		if (mach_port_type(mach_task_self(), pp->ping, &ty) != KERN_SUCCESS) {
			pp->failed = 1;
			break;
		}
	}
	return NULL;
}

static void ping_pong(const char *linger_us)
{
	/* The broker is started by the first call below, with this setting. */
	setenv("MACHGEN_BROKER_LINGER_US", linger_us, 1);
	struct pingpong pp = { rt_port_with_send(), rt_port_with_send(), 20000, 0 };
	struct pingpong q = pp;
	pthread_t th, tq;
	rt_simple_rcv r;

	cr_assert_eq(pthread_create(&th, NULL, pong_thread, &pp), 0);
	cr_assert_eq(pthread_create(&tq, NULL, query_thread, &q), 0);
	for (int i = 0; i < pp.rounds && !pp.failed; i++) {
		cr_assert_eq(rt_send(pp.ping, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 1, i,
		                     RT_NO_TIMEOUT), MACH_MSG_SUCCESS);
		cr_assert_eq(rt_recv(pp.pong, &r, 10000, 0), MACH_MSG_SUCCESS, "round %d lost", i);
		cr_assert_eq(r.msg.value, i);
	}
	pthread_join(th, NULL);
	pthread_join(tq, NULL);
	cr_assert_eq(pp.failed, 0);
	cr_assert_eq(q.failed, 0);
}

/* A client skips the doorbell while the broker promises to look at its
 * channel; the broker takes the promise back before it sleeps. A request
 * posted just as it does must still be served (a lost one would leave its
 * caller waiting until the 10 s receive timeout fails the test). With a
 * 1 µs linger the broker cools its channels after almost every call. */
Test(channel, requests_posted_while_the_broker_goes_to_sleep_are_not_lost)
{
	ping_pong("1");
}

Test(channel, requests_are_served_with_lingering_turned_off)
{
	ping_pong("0");
}

Test(channel, requests_are_served_with_a_long_linger)
{
	ping_pong("1000");
}

/* A raw client that offers a channel made of memfd and efd. Returns the
 * socket (or -1); *accepted = the broker's answer. Runs in a forked child,
 * so it reports failures instead of asserting. */
static int raw_hello(int memfd, int efd, int *accepted)
{
	struct sockaddr_un sa;
	struct mgw_hdr h;
	unsigned char buf[512];
	size_t len = 0;
	unsigned nfds = 0;
	int fds[2] = { memfd, efd };
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, getenv("MACHGEN_BROKER_SOCKET"), sizeof sa.sun_path - 1);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return -1;
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_HELLO;
	h.arg[0] = (uint64_t)getpid();
	h.arg[1] = 0xc4a77e1;
	h.arg[2] = MGW_VERSION;
	if (mgw_send(fd, &h, NULL, 0, fds, 2) != 0 ||
	    mgw_recv(fd, buf, sizeof buf, &len, NULL, &nfds) != 0 || len < sizeof h) {
		close(fd);
		return -1;
	}
	memcpy(&h, buf, sizeof h);
	*accepted = h.arg[2] == 1;
	return fd;
}

static int channel_memfd(size_t size, int seal)
{
	int fd = memfd_create("test-channel", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, (off_t)size) != 0 ||
	    (seal && fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK) != 0))
		_exit(30);
	return fd;
}

/* Runs in a child (a task of its own, so the raw cookie is its own). */
static int hostile_child(void *arg)
{
	int memfd, efd = eventfd(0, EFD_CLOEXEC), ok, fd;
	struct mgw_shm *s;
	uint64_t one = 1;
	struct pollfd pf;
	(void)arg;

	/* Unsealed or wrongly sized memfds are refused; the connection works. */
	memfd = channel_memfd(MGW_SHM_SIZE, 0);
	fd = raw_hello(memfd, efd, &ok);
	if (fd < 0 || ok)
		return 1;
	close(fd);
	close(memfd);
	memfd = channel_memfd(4096, 1);
	fd = raw_hello(memfd, efd, &ok);
	if (fd < 0 || ok)
		return 2;
	close(fd);
	close(memfd);
	/* A proper one is taken; then a request length beyond the area hangs
	 * that connection up. */
	memfd = channel_memfd(MGW_SHM_SIZE, 1);
	fd = raw_hello(memfd, efd, &ok);
	if (fd < 0 || !ok)
		return 3;
	s = mmap(NULL, MGW_SHM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
	if (s == MAP_FAILED)
		return 4;
	s->req_len = MGW_SHM_AREA + 1;
	__atomic_store_n(&s->state, MGW_SHM_REQUEST, __ATOMIC_RELEASE);
	if (write(efd, &one, sizeof one) != (ssize_t)sizeof one)
		return 5;
	pf = (struct pollfd){ fd, POLLIN, 0 };
	if (poll(&pf, 1, 5000) != 1 || !(pf.revents & (POLLHUP | POLLIN)))
		return 6;
	{
		char b[64];
		if (read(fd, b, sizeof b) != 0)
			return 7; /* EOF: dropped, no reply */
	}
	/* A ring with nothing posted is ignored, a valid request is served. */
	close(fd);
	__atomic_store_n(&s->state, MGW_SHM_IDLE, __ATOMIC_RELEASE);
	fd = raw_hello(memfd, efd, &ok);
	if (fd < 0 || !ok)
		return 8;
	if (write(efd, &one, sizeof one) != (ssize_t)sizeof one)
		return 9;
	{
		struct mgw_hdr h;
		memset(&h, 0, sizeof h);
		h.op = MGW_OP_PING;
		memcpy((unsigned char *)s + MGW_SHM_REQ_OFF, &h, sizeof h);
		s->req_len = sizeof h;
		__atomic_store_n(&s->state, MGW_SHM_REQUEST, __ATOMIC_RELEASE);
		if (write(efd, &one, sizeof one) != (ssize_t)sizeof one)
			return 10;
		for (int i = 0; i < 500; i++) {
			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) == MGW_SHM_REPLY)
				break;
			usleep(10000);
		}
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != MGW_SHM_REPLY ||
		    s->rep_len != sizeof h)
			return 11;
		memcpy(&h, (unsigned char *)s + MGW_SHM_REP_OFF, sizeof h);
		if (h.op != MGW_OP_PING)
			return 12;
	}
	close(fd);
	return 0;
}

Test(channel, a_client_abusing_its_channel_loses_only_its_connection)
{
	uint64_t st[5];
	pid_t broker, kid;

	if (!channel_on())
		cr_skip_test("exercises the channel itself");
	cr_assert_eq(machgen_linux_debug_stats(st), 0); /* starts the broker */
	broker = rt_broker_pid();
	cr_assert_gt(broker, 0);
	kid = rt_fork(hostile_child, NULL);
	int rc = rt_wait(kid, 20000);
	cr_assert_eq(rc, 0, "hostile client step %d failed", rc);
	cr_assert_eq(rt_broker_pid(), broker, "the broker survived");
	cr_assert_eq(machgen_linux_debug_stats(st), 0, "and still serves");
}
