/* Mutated frames from a raw client must never crash or wedge the broker:
 * each one is answered or gets that one connection dropped. */
#include <criterion/criterion.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "helpers.h"
#include "wire.h"

TestSuite(fuzz, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 120);

static int raw_connect(void)
{
	struct sockaddr_un sa;
	struct mgw_hdr h;
	char buf[256];
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, getenv("MACHGEN_BROKER_SOCKET"), sizeof sa.sun_path - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		_exit(20);
	memset(&h, 0, sizeof h);
	h.op = MGW_OP_HELLO;
	h.arg[0] = (uint64_t)getpid();
	h.arg[1] = 0x5eed;
	h.arg[2] = MGW_VERSION;
	if (write(fd, &h, sizeof h) != (ssize_t)sizeof h || read(fd, buf, sizeof buf) <= 0)
		_exit(21);
	return fd;
}

/* A plausible complex message: one port, one inline OOL, one OOL-ports array. */
static size_t build_frame(unsigned char *f, mach_port_t dest, mach_port_t extra)
{
	struct mgw_hdr *h = (struct mgw_hdr *)(void *)f;
	struct mgw_msg *m = (struct mgw_msg *)(void *)(f + sizeof *h);
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_port_descriptor_t port;
		mach_msg_ool_descriptor_t ool;
		mach_msg_ool_ports_descriptor_t ports;
	} msg;
	struct mgw_ool tab[2];
	size_t off = sizeof *h + sizeof *m;

	memset(f, 0, 4096);
	h->op = MGW_OP_MSG;
	memset(&msg, 0, sizeof msg);
	msg.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	msg.head.msgh_size = sizeof msg;
	msg.head.msgh_remote_port = dest;
	msg.body.msgh_descriptor_count = 3;
	msg.port.name = extra;
	msg.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	msg.port.type = MACH_MSG_PORT_DESCRIPTOR;
	msg.ool.address = (void *)1;
	msg.ool.size = 40;
	msg.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	msg.ports.address = (void *)1;
	msg.ports.count = 2;
	msg.ports.disposition = MACH_MSG_TYPE_MAKE_SEND;
	msg.ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	m->option = MACH_SEND_MSG | MACH_SEND_TIMEOUT;
	m->send_size = m->msg_bytes = sizeof msg;
	m->ool_count = 2;
	memcpy(f + off, &msg, sizeof msg);
	off += mgw_pad8(sizeof msg);
	tab[0] = (struct mgw_ool){ MGW_OOL_INLINE, 0, 40 };
	tab[1] = (struct mgw_ool){ MGW_OOL_INLINE, 0, 8 };
	memcpy(f + off, tab, sizeof tab);
	off += sizeof tab;
	memset(f + off, 0x42, 40);
	off += 40;
	memcpy(f + off, &extra, 4);
	memcpy(f + off + 4, &extra, 4);
	return off + 8;
}

/* Runs in a child: its own pid, so its raw task is apart from the parent's. */
static int fuzz_child(void *arg)
{
	const mach_port_t *names = arg;
	unsigned char frame[4096], mutated[4096];
	unsigned seed = 12345;
	int fd = raw_connect(), answered = 0, dropped = 0;
	/* The parent's names mean nothing in this task, but they are realistic
	 * bit patterns; the frame structure is what gets mutated. */
	size_t len = build_frame(frame, names[0], names[1]);

	for (int i = 0; i < 3000; i++) {
		size_t n = len;
		memcpy(mutated, frame, len);
		int flips = 1 + (int)(rand_r(&seed) % 4);
		for (int k = 0; k < flips; k++) {
			size_t at = sizeof(struct mgw_hdr) + rand_r(&seed) % (len - sizeof(struct mgw_hdr));
			mutated[at] = (unsigned char)rand_r(&seed);
		}
		if (rand_r(&seed) % 8 == 0)
			n = sizeof(struct mgw_hdr) + rand_r(&seed) % (len - sizeof(struct mgw_hdr));
		if (write(fd, mutated, n) != (ssize_t)n) {
			close(fd);
			fd = raw_connect();
			continue;
		}
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 5000) != 1)
			return 10; /* neither answered nor hung up */
		char buf[1024];
		if (read(fd, buf, sizeof buf) > 0) {
			answered++;
		} else {
			dropped++;
			close(fd);
			fd = raw_connect();
		}
	}
	close(fd);
	return answered > 0 && dropped > 0 ? 0 : 11;
}

Test(fuzz, mutated_frames_leave_the_broker_serving)
{
	mach_port_t names[2] = { rt_port_with_send(), rt_port_with_send() };
	pid_t broker = rt_broker_pid();
	rt_simple_rcv r;

	pid_t kid = rt_fork_limit(fuzz_child, names, 100);
	cr_assert_eq(rt_wait(kid, 100000), 0);
	cr_assert_eq(rt_broker_pid(), broker, "still the same broker");
	cr_assert_eq(rt_send(names[0], MACH_MSG_TYPE_COPY_SEND, 0, 1, 77, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(names[0], &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.value, 77);
}
