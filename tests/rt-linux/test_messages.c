/* Inline messages within one process: bits, trailers, timeouts, queue limits,
 * too-large receives, rights in messages and name coalescing. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "helpers.h"

TestSuite(messages, .init = rt_private_broker, .fini = rt_stop_broker, .timeout = 30);

Test(messages, local_roundtrip_and_received_bits)
{
	mach_port_t p = rt_port_with_send(), reply;
	rt_simple_rcv r;

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &reply),
	             KERN_SUCCESS);
	cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, reply, 100, 42, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(p, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.value, 42);
	cr_assert_eq(r.msg.head.msgh_id, 100);
	cr_assert_eq(r.msg.head.msgh_size, sizeof(rt_simple_msg));
	cr_assert_eq(MACH_MSGH_BITS_REMOTE(r.msg.head.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_assert_eq(MACH_MSGH_BITS_LOCAL(r.msg.head.msgh_bits), MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(r.msg.head.msgh_local_port, p);
	cr_assert_neq(r.msg.head.msgh_remote_port, MACH_PORT_NULL);
	/* The reply right works: answer on it and receive on the reply port. */
	cr_assert_eq(rt_send(r.msg.head.msgh_remote_port, MACH_MSG_TYPE_MOVE_SEND_ONCE,
	                     MACH_PORT_NULL, 200, 43, RT_NO_TIMEOUT), MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(reply, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.value, 43);
	cr_assert_eq(MACH_MSGH_BITS_LOCAL(r.msg.head.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
}

Test(messages, combined_send_receive_one_call)
{
	mach_port_t p = rt_port_with_send();
	union {
		rt_simple_msg m;
		rt_simple_rcv r;
	} u;

	memset(&u, 0, sizeof u);
	u.m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	u.m.head.msgh_size = sizeof u.m;
	u.m.head.msgh_remote_port = p;
	u.m.head.msgh_id = 5;
	u.m.value = 55;
	cr_assert_eq(mach_msg(&u.m.head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof u.m,
	                      sizeof u.r, p, 1000, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	cr_assert_eq(u.m.value, 55);
	cr_assert_eq(u.m.head.msgh_id, 5);
}

Test(messages, trailers_seqno_and_audit)
{
	mach_port_t p = rt_port_with_send();
	rt_simple_rcv r;
	mach_msg_audit_trailer_t *t = (mach_msg_audit_trailer_t *)&r.trailer;

	for (int i = 0; i < 2; i++)
		cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 1, i, RT_NO_TIMEOUT),
		             MACH_MSG_SUCCESS);
	cr_assert_eq(rt_recv(p, &r, 1000, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.trailer.msgh_trailer_type, MACH_MSG_TRAILER_FORMAT_0);
	cr_assert_eq(r.trailer.msgh_trailer_size, sizeof(mach_msg_trailer_t));
	cr_assert_eq(rt_recv(p, &r, 1000,
	                     MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) |
	                     MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_AUDIT)),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(t->msgh_trailer_size, sizeof(mach_msg_audit_trailer_t));
	cr_assert_eq(t->msgh_seqno, 1);
	cr_assert_eq(t->msgh_audit.val[5], (unsigned)getpid());
	cr_assert_eq(t->msgh_audit.val[3], (unsigned)getuid());
	cr_assert_eq(t->msgh_sender.val[0], (unsigned)geteuid());
}

Test(messages, receive_timeout)
{
	mach_port_t p = rt_port_with_send();
	rt_simple_rcv r;
	uint64_t t0 = rt_now_ms();

	cr_assert_eq(rt_recv(p, &r, 0, 0), MACH_RCV_TIMED_OUT);
	cr_assert_eq(rt_recv(p, &r, 100, 0), MACH_RCV_TIMED_OUT);
	uint64_t dt = rt_now_ms() - t0;
	cr_assert_geq(dt, 100);
	cr_assert_lt(dt, 2000);
}

Test(messages, queue_limit_and_send_timeout)
{
	mach_port_t p = rt_port_with_send();
	rt_simple_rcv r;
	uint64_t t0;

	for (int i = 0; i < MACH_PORT_QLIMIT_DEFAULT; i++)
		cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 1, i, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 1, 99, 0), MACH_SEND_TIMED_OUT);
	t0 = rt_now_ms();
	cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 1, 99, 80), MACH_SEND_TIMED_OUT);
	cr_assert_geq(rt_now_ms() - t0, 80);
	/* A send-once right ignores the queue limit. */
	mach_port_t so;
	mach_msg_type_name_t ty;
	cr_assert_eq(mach_port_extract_right(mach_task_self(), p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so,
	                                     &ty), KERN_SUCCESS);
	cr_assert_eq(rt_send(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 2, 0, 0), MACH_MSG_SUCCESS);
	for (int i = 0; i < MACH_PORT_QLIMIT_DEFAULT; i++) {
		cr_assert_eq(rt_recv(p, &r, 0, 0), MACH_MSG_SUCCESS);
		cr_assert_eq(r.msg.value, i, "FIFO order");
	}
}

Test(messages, too_large_with_and_without_rcv_large)
{
	mach_port_t p = rt_port_with_send();
	mach_msg_header_t small;
	rt_simple_rcv r;

	cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 1, 1, RT_NO_TIMEOUT), MACH_MSG_SUCCESS);
	memset(&small, 0, sizeof small);
	cr_assert_eq(mach_msg(&small, MACH_RCV_MSG | MACH_RCV_LARGE | MACH_RCV_TIMEOUT, 0,
	                      sizeof small, p, 0, MACH_PORT_NULL), MACH_RCV_TOO_LARGE);
	cr_assert_geq(small.msgh_size, sizeof(rt_simple_msg));
	/* Still queued: a big enough buffer gets it. */
	cr_assert_eq(rt_recv(p, &r, 0, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(r.msg.value, 1);
	cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 1, 2, RT_NO_TIMEOUT), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_msg(&small, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof small, p, 0,
	                      MACH_PORT_NULL), MACH_RCV_TOO_LARGE);
	cr_assert_eq(rt_recv(p, &r, 0, 0), MACH_RCV_TIMED_OUT, "dropped without MACH_RCV_LARGE");
}

typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t port;
} port_msg;

Test(messages, rights_in_messages_coalesce)
{
	mach_port_t p = rt_port_with_send(), q = rt_port_with_send();
	port_msg m;
	struct {
		port_msg m;
		mach_msg_max_trailer_t t;
	} r;
	mach_port_urefs_t refs;

	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = p;
	m.body.msgh_descriptor_count = 1;
	m.port.name = q;
	m.port.disposition = MACH_MSG_TYPE_COPY_SEND;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, p, 1000, 0),
	             MACH_MSG_SUCCESS);
	cr_assert(r.m.head.msgh_bits & MACH_MSGH_BITS_COMPLEX);
	cr_assert_eq(r.m.port.name, q, "a send right to a port we hold coalesces with its name");
	cr_assert_eq(r.m.port.disposition, MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(mach_port_get_refs(mach_task_self(), q, MACH_PORT_RIGHT_SEND, &refs),
	             KERN_SUCCESS);
	cr_assert_eq(refs, 2);
}

Test(messages, invalid_destination_is_rejected)
{
	cr_assert_eq(rt_send(0x4242400, MACH_MSG_TYPE_COPY_SEND, 0, 1, 1, RT_NO_TIMEOUT),
	             MACH_SEND_INVALID_DEST);
	cr_assert_eq(rt_send(MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, 0, 1, 1, RT_NO_TIMEOUT),
	             MACH_SEND_INVALID_DEST);
}

Test(messages, send_timeout_returns_rights_to_sender)
{
	mach_port_t p = rt_port_with_send(), q = rt_port_with_send();
	port_msg m;
	mach_port_urefs_t refs;

	for (int i = 0; i < MACH_PORT_QLIMIT_DEFAULT; i++)
		cr_assert_eq(rt_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 1, i, 0), MACH_MSG_SUCCESS);
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | MACH_MSGH_BITS_COMPLEX;
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = p;
	m.body.msgh_descriptor_count = 1;
	m.port.name = q;
	m.port.disposition = MACH_MSG_TYPE_MOVE_SEND;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, 0, 50, 0),
	             MACH_SEND_TIMED_OUT);
	/* The moved send right came back (pseudo-receive), named as before. */
	cr_assert_eq(m.port.name, q);
	cr_assert_eq(m.port.disposition, MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(mach_port_get_refs(mach_task_self(), q, MACH_PORT_RIGHT_SEND, &refs),
	             KERN_SUCCESS);
	cr_assert_eq(refs, 1);
}

Test(messages, port_names_lists_the_space)
{
	mach_port_t p = rt_port_with_send();
	mach_port_name_array_t names;
	mach_port_type_array_t types;
	mach_msg_type_number_t n, nt;
	int found = 0;

	cr_assert_eq(mach_port_names(mach_task_self(), &names, &n, &types, &nt), KERN_SUCCESS);
	cr_assert_eq(n, nt);
	for (mach_msg_type_number_t i = 0; i < n; i++)
		if (names[i] == p) {
			found = 1;
			cr_assert_eq(types[i], MACH_PORT_TYPE_RECEIVE | MACH_PORT_TYPE_SEND);
		}
	cr_assert(found);
	cr_assert_geq(n, 4, "task, host and bootstrap ports plus ours");
	vm_deallocate(mach_task_self(), (vm_address_t)names, n * sizeof *names);
	vm_deallocate(mach_task_self(), (vm_address_t)types, n * sizeof *types);
}

struct waiter {
	mach_port_t port;
	mach_msg_return_t mr;
};

static void *wait_on_port(void *arg)
{
	struct waiter *w = arg;
	rt_simple_rcv r;
	w->mr = rt_recv(w->port, &r, 10000, 0);
	return NULL;
}

/* XNU: a receiver of a destroyed port is woken with THREAD_RESTART
 * (MACH_RCV_PORT_CHANGED); one blocked on a port that joins a set keeps
 * waiting and gets the next message. */
Test(messages, blocked_receiver_sees_port_die_or_move_into_set)
{
	struct waiter a = { rt_port_with_send(), 0 }, b = { rt_port_with_send(), 0 };
	mach_port_t set;
	pthread_t ta, tb;
	uint64_t t0 = rt_now_ms();

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_PORT_SET, &set),
	             KERN_SUCCESS);
	pthread_create(&ta, NULL, wait_on_port, &a);
	pthread_create(&tb, NULL, wait_on_port, &b);
	usleep(200 * 1000); /* both are parked in the broker by now */
	cr_assert_eq(mach_port_destroy(mach_task_self(), a.port), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_member(mach_task_self(), b.port, set), KERN_SUCCESS);
	pthread_join(ta, NULL);
	usleep(100 * 1000);
	cr_assert_eq(rt_send(b.port, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, 5, 50, RT_NO_TIMEOUT),
	             MACH_MSG_SUCCESS);
	pthread_join(tb, NULL);
	cr_assert_eq(a.mr, MACH_RCV_PORT_CHANGED);
	cr_assert_eq(b.mr, MACH_MSG_SUCCESS);
	cr_assert_lt(rt_now_ms() - t0, 5000, "woken at once, not by the timeout");
}

Test(messages, large_inline_body)
{
	enum { BODY = 256 * 1024 };
	mach_port_t p = rt_port_with_send();
	struct big {
		mach_msg_header_t head;
		unsigned char body[BODY];
	};
	struct big *m = calloc(1, sizeof *m);
	struct big *r = calloc(1, sizeof *r + sizeof(mach_msg_max_trailer_t));

	m->head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m->head.msgh_size = sizeof *m;
	m->head.msgh_remote_port = p;
	for (int i = 0; i < BODY; i++)
		m->body[i] = (unsigned char)(i * 13);
	cr_assert_eq(mach_msg(&m->head, MACH_SEND_MSG, sizeof *m, 0, 0, 0, 0), MACH_MSG_SUCCESS);
	cr_assert_eq(mach_msg(&r->head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0,
	                      sizeof *r + sizeof(mach_msg_max_trailer_t), p, 5000, 0),
	             MACH_MSG_SUCCESS);
	cr_assert_eq(r->head.msgh_size, sizeof *m);
	cr_assert_eq(memcmp(r->body, m->body, BODY), 0);
	free(m);
	free(r);
}
