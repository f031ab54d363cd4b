/* The portable MIG support (reply ports, serve loop) on top of the Linux
 * backend, MIG-style RPCs from several threads at once, and a client that
 * breaks the protocol. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "helpers.h"

TestSuite(mig, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 60);

typedef struct {
	mach_msg_header_t Head;
	NDR_record_t NDR;
	int32_t x;
} add_request;

/* Answers id 1000 with RetCode = x + 1 (a MIG error reply carries it). */
static boolean_t add_demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	const add_request *req = (const add_request *)in;
	mig_reply_error_t *rep = (mig_reply_error_t *)out;
	rep->Head.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->msgh_bits), 0);
	rep->Head.msgh_remote_port = in->msgh_remote_port;
	rep->Head.msgh_local_port = MACH_PORT_NULL;
	rep->Head.msgh_size = sizeof *rep;
	rep->Head.msgh_id = in->msgh_id + 100;
	rep->NDR = NDR_record;
	if (in->msgh_id != 1000) {
		rep->RetCode = MIG_BAD_ID;
		return FALSE;
	}
	rep->RetCode = KERN_SUCCESS;
	if (req->x >= 0)
		rep->RetCode = req->x + 1;
	return TRUE;
}

static int mig_server(void *arg)
{
	mach_port_t svc;
	if (rt_check_in(arg, &svc))
		return 10;
	for (;;) {
		mach_msg_return_t mr = mach_msg_server_once(add_demux, 256, svc, 0);
		if (mr != MACH_MSG_SUCCESS)
			return 0;
	}
}

static int32_t mig_call(mach_port_t svc, int32_t x)
{
	union {
		add_request req;
		struct {
			mig_reply_error_t rep;
			mach_msg_max_trailer_t t;
		} r;
	} u;
	mach_port_t reply = mig_get_reply_port();
	memset(&u, 0, sizeof u);
	u.req.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
	u.req.Head.msgh_size = sizeof u.req;
	u.req.Head.msgh_remote_port = svc;
	u.req.Head.msgh_local_port = reply;
	u.req.Head.msgh_id = 1000;
	u.req.NDR = NDR_record;
	u.req.x = x;
	mach_msg_return_t mr = mach_msg(&u.req.Head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
	                                sizeof u.req, sizeof u.r, reply, 10000, MACH_PORT_NULL);
	if (mr != MACH_MSG_SUCCESS)
		return -1;
	if (u.r.rep.Head.msgh_id != 1100)
		return -2;
	return u.r.rep.RetCode;
}

struct caller {
	mach_port_t svc;
	int base;
	int bad;
};

static void *caller_thread(void *arg)
{
	struct caller *c = arg;
	for (int i = 0; i < 300; i++)
		if (mig_call(c->svc, c->base + i) != c->base + i + 1)
			c->bad++;
	return NULL;
}

Test(mig, serve_loop_and_concurrent_threads)
{
	pid_t kid = rt_fork(mig_server, "test.mig");
	mach_port_t svc = rt_look_up_wait("test.mig");
	struct caller c[3];
	pthread_t th[3];

	cr_assert_neq(svc, MACH_PORT_NULL);
	cr_assert_eq(mig_call(svc, 41), 42);
	for (int i = 0; i < 3; i++) {
		c[i] = (struct caller){ svc, 1000 * (i + 1), 0 };
		pthread_create(&th[i], NULL, caller_thread, &c[i]);
	}
	for (int i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		cr_assert_eq(c[i].bad, 0, "thread %d got someone else's replies", i);
	}
	kill(kid, 9);
	rt_wait(kid, 5000);
}

Test(mig, malformed_client_is_dropped_alone)
{
	const char *path = getenv("MACHGEN_BROKER_SOCKET");
	struct sockaddr_un sa;
	mach_port_t p;
	char junk[7] = "garbage";
	int fd;

	/* Start the broker and hold a right in it. */
	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	cr_assert_eq(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
	cr_assert_eq(write(fd, junk, sizeof junk), (ssize_t)sizeof junk);
	char buf[64];
	cr_assert_eq(read(fd, buf, sizeof buf), 0, "the broker hung up on the bad client");
	close(fd);
	mach_port_type_t t;
	cr_assert_eq(mach_port_type(mach_task_self(), p, &t), KERN_SUCCESS, "others unaffected");
	cr_assert_eq(t, MACH_PORT_TYPE_RECEIVE);
}

Test(mig, broker_ports_answer_unknown_routines)
{
	mach_port_t targets[3] = { mach_task_self(), bootstrap_port, mach_host_self() };
	mach_port_t q = rt_port_with_send();
	mach_port_urefs_t refs;

	for (int i = 0; i < 3; i++) {
		struct {
			mach_msg_header_t head;
			mach_msg_body_t body;
			mach_msg_port_descriptor_t port;
		} req;
		struct {
			mig_reply_error_t rep;
			mach_msg_max_trailer_t t;
		} r;
		mach_port_t reply = mig_get_reply_port();
		memset(&req, 0, sizeof req);
		req.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
		                     MACH_MSGH_BITS_COMPLEX;
		req.head.msgh_size = sizeof req;
		req.head.msgh_remote_port = targets[i];
		req.head.msgh_local_port = reply;
		req.head.msgh_id = 3409;
		req.body.msgh_descriptor_count = 1;
		req.port.name = q;
		req.port.disposition = MACH_MSG_TYPE_COPY_SEND;
		req.port.type = MACH_MSG_PORT_DESCRIPTOR;
		memset(&r, 0, sizeof r);
		cr_assert_eq(mach_msg_overwrite(&req.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
		                                sizeof req, sizeof r, reply, 5000, 0, &r.rep.Head,
		                                sizeof r), MACH_MSG_SUCCESS);
		cr_assert_eq(r.rep.Head.msgh_id, 3509);
		cr_assert_eq(r.rep.RetCode, MIG_BAD_ID);
	}
	/* The rights the requests carried were released by the broker. */
	cr_assert_eq(mach_port_get_refs(mach_task_self(), q, MACH_PORT_RIGHT_SEND, &refs),
	             KERN_SUCCESS);
	cr_assert_eq(refs, 1);
}
