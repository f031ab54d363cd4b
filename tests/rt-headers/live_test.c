/*
 * MIG support routines on the real Linux backend: per-thread reply ports,
 * mach_msg_destroy and mach_msg_server_once through real messages. Every test
 * process uses its own private broker.
 */
#include <mach/mach.h>

#include "private_broker.h"

#include <criterion/criterion.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static char broker_dir[64];

static void private_broker(void)
{
	cr_assert_eq(rth_broker_start(broker_dir, sizeof(broker_dir)), 0);
	alarm(60); /* a hang fails the test instead of blocking the run */
}

static void cleanup(void)
{
	rth_broker_stop(broker_dir);
}

TestSuite(live, .init = private_broker, .fini = cleanup);

static mach_port_t new_receive_right(void)
{
	mach_port_t p = MACH_PORT_NULL;

	cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	return p;
}

static mach_port_urefs_t send_refs(mach_port_t p)
{
	mach_port_urefs_t refs = 0;

	if (mach_port_get_refs(mach_task_self(), p, MACH_PORT_RIGHT_SEND, &refs) != KERN_SUCCESS)
		return (mach_port_urefs_t)-1;
	return refs;
}

static int name_exists(mach_port_t p)
{
	mach_port_type_t t;

	return mach_port_type(mach_task_self(), p, &t) == KERN_SUCCESS;
}

Test(live, reply_port_is_a_cached_receive_right)
{
	mach_port_t a = mig_get_reply_port();
	mach_port_type_t t = 0;

	cr_assert(MACH_PORT_VALID(a));
	cr_assert_eq(mach_port_type(mach_task_self(), a, &t), KERN_SUCCESS);
	cr_assert(t & MACH_PORT_TYPE_RECEIVE);
	cr_assert_eq(mig_get_reply_port(), a);
	mig_dealloc_reply_port(a);
	cr_assert(!name_exists(a), "dealloc destroys the receive right");
	cr_assert_neq(mig_get_reply_port(), MACH_PORT_NULL);
}

static void *grab_reply_port(void *arg)
{
	*(mach_port_t *)arg = mig_get_reply_port();
	return NULL;
}

Test(live, thread_reply_port_destroyed_at_thread_exit)
{
	mach_port_t mine = mig_get_reply_port();
	mach_port_t theirs = MACH_PORT_NULL;
	pthread_t t;

	cr_assert_eq(pthread_create(&t, NULL, grab_reply_port, &theirs), 0);
	cr_assert_eq(pthread_join(t, NULL), 0);
	cr_assert(MACH_PORT_VALID(theirs));
	cr_assert_neq(theirs, mine);
	cr_assert(!name_exists(theirs), "exited thread's reply port is gone");
	cr_assert(name_exists(mine));
}

#pragma pack(push, 4)
struct carry_msg {
	mach_msg_header_t          head;
	mach_msg_body_t            body;
	mach_msg_port_descriptor_t port;
	mach_msg_ool_descriptor_t  ool;
};
struct carry_rcv {
	struct carry_msg       msg;
	mach_msg_max_trailer_t trailer;
};
#pragma pack(pop)

static void send_carry(mach_port_t dest, mach_port_t reply, mach_port_t carried, void *mem,
                       mach_msg_size_t size, int id)
{
	struct carry_msg m;

	memset(&m, 0, sizeof(m));
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX |
	                   MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND,
	                                  reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0);
	m.head.msgh_remote_port = dest;
	m.head.msgh_local_port = reply;
	m.head.msgh_size = sizeof(m);
	m.head.msgh_id = id;
	m.body.msgh_descriptor_count = 2;
	m.port.name = carried;
	m.port.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.port.type = MACH_MSG_PORT_DESCRIPTOR;
	m.ool.address = mem;
	m.ool.size = size;
	m.ool.copy = MACH_MSG_VIRTUAL_COPY;
	m.ool.deallocate = 0;
	m.ool.type = MACH_MSG_OOL_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0,
	                      MACH_PORT_NULL, 1000, MACH_PORT_NULL), MACH_MSG_SUCCESS);
}

static int is_mapped(void *addr)
{
	unsigned char vec;

	return mincore(addr, 1, &vec) == 0;
}

static void receive_carry(mach_port_t dest, struct carry_rcv *r)
{
	memset(r, 0, sizeof(*r));
	cr_assert_eq(mach_msg(&r->msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(*r), dest,
	                      1000, MACH_PORT_NULL), MACH_MSG_SUCCESS);
}

Test(live, destroy_releases_received_port_right)
{
	mach_port_t dest = new_receive_right();
	mach_port_t carried = new_receive_right();
	static char data[3 * 4096];
	struct carry_rcv r;

	send_carry(dest, MACH_PORT_NULL, carried, data, sizeof(data), 77);
	receive_carry(dest, &r);
	cr_assert_eq(r.msg.port.name, carried);
	cr_assert_eq(r.msg.port.disposition, MACH_MSG_TYPE_PORT_SEND);
	cr_assert_eq(send_refs(carried), 1);

	mach_msg_destroy(&r.msg.head);

	cr_assert_eq(send_refs(carried), 0, "received send right released");
	cr_assert(name_exists(dest), "destination receive right untouched");
	cr_assert(name_exists(carried), "the receive right itself stays");
}

/*
 * XNU marks a received virtual-copy OOL region deallocate=TRUE (the receiver
 * owns it), and mach_msg_destroy frees exactly the regions marked so.
 */
Test(live, destroy_unmaps_received_virtual_copy_ool_region)
{
	mach_port_t dest = new_receive_right();
	mach_port_t carried = new_receive_right();
	static char data[3 * 4096];
	struct carry_rcv r;

	memset(data, 'z', sizeof(data));
	send_carry(dest, MACH_PORT_NULL, carried, data, sizeof(data), 78);
	receive_carry(dest, &r);
	cr_assert_eq(r.msg.ool.size, sizeof(data));
	cr_assert(is_mapped(r.msg.ool.address));
	cr_assert_eq(((char *)r.msg.ool.address)[4096], 'z');
	cr_assert_eq(r.msg.ool.copy, MACH_MSG_VIRTUAL_COPY);
	cr_assert_eq(r.msg.ool.deallocate, 1, "received OOL region must be marked deallocate, as XNU does");

	mach_msg_destroy(&r.msg.head);

	cr_assert(!is_mapped(r.msg.ool.address), "received OOL region unmapped");
}

static kern_return_t routine_result;

static boolean_t demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
	mig_reply_error_t *err = (mig_reply_error_t *)(void *)out;

	out->msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->msgh_bits), 0);
	out->msgh_remote_port = in->msgh_remote_port;
	out->msgh_local_port = MACH_PORT_NULL;
	out->msgh_size = sizeof(mig_reply_error_t);
	out->msgh_id = in->msgh_id + 100;
	err->NDR = NDR_record;
	err->RetCode = routine_result;
	return TRUE;
}

static kern_return_t rpc_via_server_once(mach_port_t *carried_out, void **ool_out)
{
	mach_port_t service = new_receive_right();
	mach_port_t carried = new_receive_right();
	mach_port_t reply = mig_get_reply_port();
	static char data[8192];
	struct carry_rcv r;
	mach_msg_return_t mr;

	*carried_out = carried;
	send_carry(service, reply, carried, data, sizeof(data), 500);
	cr_assert_eq(mach_msg_server_once(demux, sizeof(struct carry_msg), service,
	                                  MACH_RCV_TIMEOUT), MACH_MSG_SUCCESS);
	memset(&r, 0, sizeof(r));
	mr = mach_msg(&r.msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(r), reply, 300,
	              MACH_PORT_NULL);
	*ool_out = NULL;
	if (mr != MACH_MSG_SUCCESS)
		return mr;
	cr_assert_eq(r.msg.head.msgh_id, 600);
	cr_assert_eq(r.msg.head.msgh_size, sizeof(mig_reply_error_t));
	kern_return_t ret;
	memcpy(&ret, (const char *)&r + offsetof(mig_reply_error_t, RetCode), sizeof ret);
	return ret;
}

Test(live, server_once_error_reply_destroys_request_resources)
{
	mach_port_t carried;
	void *ool;

	routine_result = KERN_INVALID_VALUE;
	cr_assert_eq(rpc_via_server_once(&carried, &ool), KERN_INVALID_VALUE);
	cr_assert_eq(send_refs(carried), 0, "the loop released the request's send right");
}

Test(live, server_once_success_leaves_request_resources_to_the_routine)
{
	mach_port_t carried;
	void *ool;

	routine_result = KERN_SUCCESS;
	cr_assert_eq(rpc_via_server_once(&carried, &ool), KERN_SUCCESS);
	cr_assert_eq(send_refs(carried), 1, "on success the routine owns the right");
}

Test(live, server_once_no_reply_sends_nothing)
{
	mach_port_t carried;
	void *ool;

	routine_result = MIG_NO_REPLY;
	cr_assert_eq(rpc_via_server_once(&carried, &ool), MACH_RCV_TIMED_OUT);
	cr_assert_eq(send_refs(carried), 1, "nothing destroyed");
}

#pragma pack(push, 4)
struct ports_msg {
	mach_msg_header_t               head;
	mach_msg_body_t                 body;
	mach_msg_ool_ports_descriptor_t ports;
};
struct ports_rcv {
	struct ports_msg       msg;
	mach_msg_max_trailer_t trailer;
};
#pragma pack(pop)

/* XNU hands out received port arrays with deallocate=TRUE: destroy frees rights and array. */
Test(live, destroy_releases_rights_in_a_received_port_array_and_the_array)
{
	mach_port_t dest = new_receive_right();
	mach_port_t a = new_receive_right();
	mach_port_t b = new_receive_right();
	mach_port_t names[2];
	struct ports_msg m;
	struct ports_rcv r;
	mach_port_t *got;

	names[0] = a;
	names[1] = b;
	memset(&m, 0, sizeof(m));
	m.head.msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(MACH_MSG_TYPE_MAKE_SEND, 0);
	m.head.msgh_remote_port = dest;
	m.head.msgh_size = sizeof(m);
	m.head.msgh_id = 79;
	m.body.msgh_descriptor_count = 1;
	m.ports.address = names;
	m.ports.count = 2;
	m.ports.disposition = MACH_MSG_TYPE_MAKE_SEND;
	m.ports.copy = MACH_MSG_VIRTUAL_COPY;
	m.ports.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
	cr_assert_eq(mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof(m), 0,
	                      MACH_PORT_NULL, 1000, MACH_PORT_NULL), MACH_MSG_SUCCESS);
	memset(&r, 0, sizeof(r));
	cr_assert_eq(mach_msg(&r.msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof(r), dest, 1000,
	                      MACH_PORT_NULL), MACH_MSG_SUCCESS);
	got = (mach_port_t *)r.msg.ports.address;
	cr_assert_eq(r.msg.ports.count, 2);
	cr_assert_eq(got[0], a);
	cr_assert_eq(got[1], b);
	cr_assert_eq(send_refs(a), 1);
	cr_assert_eq(send_refs(b), 1);
	cr_assert_eq(r.msg.ports.deallocate, 1, "received port arrays are owned by the receiver");

	mach_msg_destroy(&r.msg.head);

	cr_assert_eq(send_refs(a), 0);
	cr_assert_eq(send_refs(b), 0);
	cr_assert(!is_mapped(got), "the array was unmapped");
}
