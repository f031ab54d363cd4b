/* mach_msg send side: header, destination, reply, voucher and descriptor
 * errors, what a failed send leaves behind, queue limits and send-once
 * rights, as XNU's osfmk/ipc/mach_msg.c and ipc_kmsg.c define them. */
#include "conf.h"

#include <criterion/criterion.h>
#include <string.h>

TestSuite(conf_send, .init = conf_broker_start, .fini = conf_broker_stop);

#define UNUSED_NAME ((mach_port_name_t)0x7f0f03)

static mach_msg_return_t send_raw(void *msg, mach_msg_size_t size)
{
	return mach_msg((mach_msg_header_t *)msg, MACH_SEND_MSG | MACH_SEND_TIMEOUT, size, 0,
	                MACH_PORT_NULL, 0, MACH_PORT_NULL);
}

static void header(conf_msg *m, mach_msg_bits_t bits, mach_port_t dest, mach_port_t reply)
{
	memset(m, 0, sizeof *m);
	m->head.msgh_bits = bits;
	m->head.msgh_size = sizeof *m;
	m->head.msgh_remote_port = dest;
	m->head.msgh_local_port = reply;
	m->head.msgh_id = 4242;
}

Test(conf_send, sizes)
{
	mach_port_t p = conf_port();
	conf_msg m;
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), p, MACH_PORT_NULL);
	cr_expect_eq(send_raw(&m, 20), MACH_SEND_MSG_TOO_SMALL);
	cr_expect_eq(send_raw(&m, 0), MACH_SEND_MSG_TOO_SMALL);
	cr_expect_eq(send_raw(&m, 26), MACH_SEND_MSG_TOO_SMALL, "not a multiple of 4");
	/* a complex message needs its descriptor count */
	header(&m, MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), p,
	       MACH_PORT_NULL);
	cr_expect_eq(send_raw(&m, sizeof(mach_msg_header_t)), MACH_SEND_MSG_TOO_SMALL);
	/* descriptors beyond the message */
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
	} c;
	memset(&c, 0, sizeof c);
	c.head.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	c.head.msgh_remote_port = p;
	c.body.msgh_descriptor_count = 1;
	cr_expect_eq(send_raw(&c, sizeof c), MACH_SEND_MSG_TOO_SMALL);
	cr_expect_eq(conf_status(p).mps_msgcount, 0);
	/* the header's size field is ignored: the send size rules */
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), p, MACH_PORT_NULL);
	m.head.msgh_size = 9999;
	cr_expect_eq(send_raw(&m, sizeof m), MACH_MSG_SUCCESS);
	conf_rcv in;
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_size, sizeof m);
}

Test(conf_send, header_errors)
{
	mach_port_t p = conf_port(), r = conf_port();
	conf_msg m;
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0) | 0x40000000u, p, MACH_PORT_NULL);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_HEADER, "bits outside MACH_MSGH_BITS_USER");
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), p, r);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_HEADER, "a reply name without type");
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MOVE_RECEIVE), p, r);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_HEADER);
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 15), p, r);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_HEADER);
	header(&m, MACH_MSGH_BITS(0, 0), p, MACH_PORT_NULL);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_HEADER);
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_RECEIVE, 0), p, MACH_PORT_NULL);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_HEADER);
	header(&m, MACH_MSGH_BITS_SET(MACH_MSG_TYPE_COPY_SEND, 0, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0), p,
	       MACH_PORT_NULL);
	m.head.msgh_voucher_port = r;
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_VOUCHER);
	/* an ordinary port is no voucher */
	header(&m, MACH_MSGH_BITS_SET(MACH_MSG_TYPE_COPY_SEND, 0, MACH_MSG_TYPE_COPY_SEND, 0), p,
	       MACH_PORT_NULL);
	m.head.msgh_voucher_port = r;
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_VOUCHER);
	cr_expect_eq(conf_status(p).mps_msgcount, 0);
}

Test(conf_send, destination_errors)
{
	mach_port_t p = conf_port(), rcv = conf_receive_right(), d, so;
	mach_msg_type_name_t t;
	conf_msg m;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_assert_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_expect_eq(conf_send(MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(MACH_PORT_DEAD, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(UNUSED_NAME, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(d, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(rcv, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(rcv, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(so, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(so, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 1), MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_send(mach_task_self(), MACH_MSG_TYPE_MAKE_SEND, 0, 0, 1),
	             MACH_SEND_INVALID_DEST);
	/* destination and reply the same name with a move-send-once */
	cr_expect_eq(conf_send(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 1),
	             MACH_SEND_INVALID_DEST);
	cr_expect_eq(conf_type(so), MACH_PORT_TYPE_SEND_ONCE, "a refused header consumes nothing");
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0), p, MACH_PORT_NULL);
	cr_expect_eq(conf_status(p).mps_msgcount, 0);
}

Test(conf_send, reply_errors_consume_nothing)
{
	mach_port_t p = conf_port(), rcv = conf_receive_right(), d;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_MOVE_SEND, UNUSED_NAME, MACH_MSG_TYPE_MAKE_SEND_ONCE, 1),
	             MACH_SEND_INVALID_REPLY);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_MOVE_SEND, mach_task_self(), MACH_MSG_TYPE_MAKE_SEND, 1),
	             MACH_SEND_INVALID_REPLY);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_MOVE_SEND, rcv, MACH_MSG_TYPE_COPY_SEND, 1),
	             MACH_SEND_INVALID_REPLY);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_MOVE_SEND, rcv, MACH_MSG_TYPE_MOVE_SEND_ONCE, 1),
	             MACH_SEND_INVALID_REPLY);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 2, "the moved destination is still ours");
	cr_expect_eq(conf_status(p).mps_msgcount, 0);
	cr_expect_eq(conf_status(rcv).mps_sorights, 0);
	/* a dead name holds no port right: no reply either */
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, d, MACH_MSG_TYPE_COPY_SEND, 1),
	             MACH_SEND_INVALID_REPLY);
	cr_expect_eq(conf_refs(d, MACH_PORT_RIGHT_DEAD_NAME), 1);
}

Test(conf_send, descriptor_errors_release_the_header)
{
	mach_port_t p = conf_port(), reply = conf_receive_right(), q = conf_port();
	conf_port_msg m;
	conf_rcv in;
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);

	conf_port_msg_init(&m, p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, q, MACH_MSG_TYPE_COPY_SEND);
	m.port.type = 9;
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_TYPE);

	/* a body error after the header was copied in: the header's rights are
	 * destroyed (the moved destination is gone, the made send-once right
	 * comes back as a send-once notification) */
	conf_port_msg_init(&m, p, MACH_MSG_TYPE_MOVE_SEND, reply, UNUSED_NAME, MACH_MSG_TYPE_COPY_SEND);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_RIGHT);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 1);
	cr_assert_eq(conf_recv(reply, &in, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE);

	conf_port_msg_init(&m, p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, q, MACH_MSG_TYPE_MAKE_SEND_ONCE + 1);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_RIGHT, "bad disposition");
	conf_port_msg_init(&m, p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, mach_task_self(),
	             MACH_MSG_TYPE_MOVE_RECEIVE);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_RIGHT);
	cr_expect_eq(conf_status(p).mps_msgcount, 0);

	/* NULL and DEAD names travel as they are */
	conf_port_msg_init(&m, p, MACH_MSG_TYPE_COPY_SEND, MACH_PORT_NULL, MACH_PORT_DEAD,
	             MACH_MSG_TYPE_COPY_SEND);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_MSG_SUCCESS);
	struct {
		conf_port_msg m;
		mach_msg_max_trailer_t t;
	} r;
	memset(&r, 0, sizeof r);
	cr_assert_eq(mach_msg(&r.m.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof r, p, 0,
	                      MACH_PORT_NULL),
	             MACH_MSG_SUCCESS);
	cr_expect_eq(r.m.port.name, MACH_PORT_DEAD);
	cr_expect_eq(r.m.port.disposition, MACH_MSG_TYPE_PORT_SEND);
}

Test(conf_send, ool_descriptor_errors)
{
	mach_port_t p = conf_port();
	struct {
		mach_msg_header_t head;
		mach_msg_body_t body;
		mach_msg_ool_descriptor_t ool;
	} m;
	static char data[64] = "out of line";
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
	m.head.msgh_remote_port = p;
	m.body.msgh_descriptor_count = 1;
	m.ool.address = data;
	m.ool.size = sizeof data;
	m.ool.copy = 7;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_INVALID_TYPE, "bad copy option");
	cr_expect_eq(conf_status(p).mps_msgcount, 0);
}

Test(conf_send, queue_limit_and_timeout_return_the_rights)
{
	mach_port_t p = conf_port(), reply = conf_receive_right(), so;
	mach_msg_type_name_t t;
	mach_port_limits_t lim = {.mpl_qlimit = 1};
	cr_assert_eq(mach_port_set_attributes(SELF, p, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_MSG_SUCCESS);
	/* MACH_SEND_TIMED_OUT pseudo-receives the message: the rights it carries
	 * come back, a copied send right as one more reference */
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_COPY_SEND, 0, 0, 2), MACH_SEND_TIMED_OUT);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 3);
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_MOVE_SEND, 0, 0, 3), MACH_SEND_TIMED_OUT);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 3);
	conf_msg m;
	header(&m, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE), p, reply);
	cr_expect_eq(send_raw(&m, sizeof m), MACH_SEND_TIMED_OUT);
	cr_expect_eq(conf_status(reply).mps_sorights, 1, "the made send-once right is ours now");
	cr_expect_eq(MACH_MSGH_BITS_LOCAL(m.head.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_expect_eq(conf_type(m.head.msgh_local_port), MACH_PORT_TYPE_SEND_ONCE);
	cr_expect_eq(conf_status(p).mps_msgcount, 1);
	/* send-once rights get through a full queue */
	cr_assert_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_expect_eq(conf_send(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 4), MACH_MSG_SUCCESS);
	cr_expect_eq(conf_status(p).mps_msgcount, 2);
	mach_port_type_t ty;
	cr_expect_eq(mach_port_type(SELF, so, &ty), KERN_INVALID_NAME, "the send-once right is used up");
	/* a zero queue limit */
	lim.mpl_qlimit = 0;
	mach_port_t z = conf_port();
	cr_assert_eq(mach_port_set_attributes(SELF, z, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim,
	                                      MACH_PORT_LIMITS_INFO_COUNT),
	             KERN_SUCCESS);
	cr_expect_eq(conf_send(z, MACH_MSG_TYPE_COPY_SEND, 0, 0, 1), MACH_SEND_TIMED_OUT);
}

Test(conf_send, send_once_rights)
{
	mach_port_t p = conf_receive_right(), so;
	mach_msg_type_name_t t;
	conf_rcv in;
	cr_assert_eq(mach_port_extract_right(SELF, p, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_expect_eq(conf_status(p).mps_sorights, 1);
	cr_expect_eq(conf_send(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 5), MACH_MSG_SUCCESS);
	cr_expect_eq(conf_type(so), 0xffffffffu);
	cr_expect_eq(conf_status(p).mps_sorights, 1, "still in the queued message");
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(MACH_MSGH_BITS_LOCAL(in.msg.head.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_expect_eq(conf_status(p).mps_sorights, 0, "consumed by the receive");
	/* MAKE_SEND_ONCE as destination */
	cr_expect_eq(conf_send(p, MACH_MSG_TYPE_MAKE_SEND_ONCE, 0, 0, 6), MACH_MSG_SUCCESS);
	cr_assert_eq(conf_recv(p, &in, 0, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(MACH_MSGH_BITS_LOCAL(in.msg.head.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_expect_eq(conf_status(p).mps_sorights, 0);
}

Test(conf_send, a_dead_send_once_destination_is_accepted)
{
	/* ipc_kmsg_copyin_header copies the destination in with
	 * IPC_OBJECT_COPYIN_FLAGS_ALLOW_DEAD_SEND_ONCE: a send-once right whose
	 * port died still "sends" (the message is destroyed) and is used up */
	mach_port_t r = conf_receive_right(), so;
	mach_msg_type_name_t t;
	cr_assert_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_expect_eq(conf_send(so, MACH_MSG_TYPE_MOVE_SEND_ONCE, 0, 0, 1), MACH_MSG_SUCCESS);
	mach_port_type_t ty;
	cr_expect_eq(mach_port_type(SELF, so, &ty), KERN_INVALID_NAME);
}
