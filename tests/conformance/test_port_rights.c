/* mach_port_allocate / allocate_name / deallocate / destroy / mod_refs /
 * get_refs / type: return codes and reference counts as XNU's
 * osfmk/ipc/mach_port.c and ipc_right.c define them. */
#include "conf.h"

#include <criterion/criterion.h>

TestSuite(conf_rights, .init = conf_broker_start, .fini = conf_broker_stop);

/* A name no right of this task has used: XNU rejects it as KERN_INVALID_NAME. */
#define UNUSED_NAME ((mach_port_name_t)0x7f0f03)
/* XNU keeps 16 bits of user references (osfmk/ipc/port.h, not a public header). */
#define UREFS_MAX ((mach_port_urefs_t)0xffff)

Test(conf_rights, allocate_each_kind)
{
	mach_port_t r, s, d;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_RECEIVE, &r), KERN_SUCCESS);
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_expect_eq(conf_type(r), MACH_PORT_TYPE_RECEIVE);
	cr_expect_eq(conf_type(s), MACH_PORT_TYPE_PORT_SET);
	cr_expect_eq(conf_type(d), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_RECEIVE), 1);
	cr_expect_eq(conf_refs(s, MACH_PORT_RIGHT_PORT_SET), 1);
	cr_expect_eq(conf_refs(d, MACH_PORT_RIGHT_DEAD_NAME), 1);
	cr_expect(r != s && s != d && r != d);
}

Test(conf_rights, new_port_status_is_pristine)
{
	/* "no extant send or send-once rights and no queued messages; queue limit
	 * MACH_PORT_QLIMIT_DEFAULT; make-send count 0; not in a set" */
	mach_port_t r = conf_receive_right();
	mach_port_status_t st = conf_status(r);
	cr_expect_eq(st.mps_pset, 0);
	cr_expect_eq(st.mps_seqno, 0);
	cr_expect_eq(st.mps_mscount, 0);
	cr_expect_eq(st.mps_qlimit, MACH_PORT_QLIMIT_DEFAULT);
	cr_expect_eq(st.mps_msgcount, 0);
	cr_expect_eq(st.mps_sorights, 0);
	cr_expect_eq(st.mps_srights, 0);
	cr_expect_eq(st.mps_pdrequest, 0);
	cr_expect_eq(st.mps_nsrequest, 0);
	cr_expect_eq(st.mps_flags, 0);
}

Test(conf_rights, allocate_rejects_other_rights)
{
	mach_port_t p = 0x1234;
	cr_expect_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_SEND, &p), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_SEND_ONCE, &p), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_LABELH, &p), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_NUMBER, &p), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_allocate(SELF, 77, &p), KERN_INVALID_VALUE);
}

Test(conf_rights, names_carry_the_generation_low_bits)
{
	/* XNU's generation field always has its two low bits set (ipc_entry_name_mask):
	 * names read 0x...03, 0x...07, ... */
	for (int i = 0; i < 40; i++) {
		mach_port_t p = conf_receive_right();
		cr_expect_eq(p & 3u, 3u, "name 0x%x", p);
		if (i % 2)
			cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	}
	cr_expect_eq(mach_task_self() & 3u, 3u);
	cr_expect_eq(bootstrap_port & 3u, 3u);
}

Test(conf_rights, reused_index_gets_a_new_name)
{
	mach_port_t a = conf_receive_right();
	cr_assert_eq(mach_port_mod_refs(SELF, a, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, a, &t), KERN_INVALID_NAME);
	for (int i = 0; i < 64; i++) {
		mach_port_t b = conf_receive_right();
		cr_expect_neq(b, a, "a stale name was handed out again at once");
	}
}

Test(conf_rights, allocate_name)
{
	mach_port_name_t n = 0x7703;
	cr_assert_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, n), KERN_SUCCESS);
	cr_expect_eq(conf_type(n), MACH_PORT_TYPE_RECEIVE);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, n), KERN_NAME_EXISTS);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_PORT_SET, n), KERN_NAME_EXISTS);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_DEAD_NAME, n), KERN_NAME_EXISTS);
	/* the same index under another generation collides */
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, 0x7707), KERN_FAILURE);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_PORT_SET, 0x7803), KERN_SUCCESS);
	cr_expect_eq(conf_type(0x7803), MACH_PORT_TYPE_PORT_SET);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_DEAD_NAME, 0x7903), KERN_SUCCESS);
	cr_expect_eq(conf_type(0x7903), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(0x7903, MACH_PORT_RIGHT_DEAD_NAME), 1);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_SEND, 0x7a03), KERN_INVALID_VALUE);
}

Test(conf_rights, allocate_name_rejects_bad_names)
{
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_NULL),
	             KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD),
	             KERN_INVALID_VALUE);
	/* generation bits without their two low bits set */
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, 0x7b00), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, 0x7b01), KERN_INVALID_VALUE);
	/* index 0 is reserved */
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_RECEIVE, 0x03), KERN_FAILURE);
}

Test(conf_rights, deallocate)
{
	mach_port_t r = conf_receive_right();
	mach_port_t s;
	mach_port_t d;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);

	cr_expect_eq(mach_port_deallocate(SELF, r), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_deallocate(SELF, s), KERN_SUCCESS); /* ipc_right_dealloc destroys a port set */
	cr_expect_eq(conf_type(s), 0xffffffffu);
	cr_expect_eq(mach_port_deallocate(SELF, UNUSED_NAME), KERN_INVALID_NAME);
	cr_expect_eq(mach_port_deallocate(SELF, MACH_PORT_NULL), KERN_SUCCESS);
	cr_expect_eq(mach_port_deallocate(SELF, MACH_PORT_DEAD), KERN_SUCCESS);

	/* send + receive: the send reference goes, the receive right stays */
	cr_assert_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_assert_eq(mach_port_insert_right(SELF, r, r, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_SEND), 2);
	cr_expect_eq(mach_port_deallocate(SELF, r), KERN_SUCCESS);
	cr_expect_eq(conf_refs(r, MACH_PORT_RIGHT_SEND), 1);
	cr_expect_eq(mach_port_deallocate(SELF, r), KERN_SUCCESS);
	cr_expect_eq(conf_type(r), MACH_PORT_TYPE_RECEIVE);
	cr_expect_eq(mach_port_deallocate(SELF, r), KERN_INVALID_RIGHT);

	/* dead names lose one reference per call and vanish at zero */
	cr_assert_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_SUCCESS);
	cr_expect_eq(mach_port_deallocate(SELF, d), KERN_SUCCESS);
	cr_expect_eq(conf_refs(d, MACH_PORT_RIGHT_DEAD_NAME), 1);
	cr_expect_eq(mach_port_deallocate(SELF, d), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, d, &t), KERN_INVALID_NAME);
}

Test(conf_rights, deallocate_send_once)
{
	mach_port_t r = conf_receive_right();
	mach_port_t so;
	mach_msg_type_name_t got;
	cr_assert_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &got),
	             KERN_SUCCESS);
	cr_expect_eq(got, MACH_MSG_TYPE_PORT_SEND_ONCE);
	cr_expect_eq(conf_status(r).mps_sorights, 1);
	cr_expect_eq(mach_port_deallocate(SELF, so), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, so, &t), KERN_INVALID_NAME);
	/* destroying a send-once right sends a send-once notification to the port */
	conf_rcv in;
	cr_assert_eq(conf_recv(r, &in, 2000, 0), MACH_MSG_SUCCESS);
	cr_expect_eq(in.msg.head.msgh_id, MACH_NOTIFY_SEND_ONCE);
	cr_expect_eq(in.msg.head.msgh_size, sizeof(mach_msg_header_t));
	cr_expect_eq(conf_status(r).mps_sorights, 0);
}

Test(conf_rights, destroy)
{
	cr_expect_eq(mach_port_destroy(SELF, MACH_PORT_NULL), KERN_SUCCESS);
	cr_expect_eq(mach_port_destroy(SELF, MACH_PORT_DEAD), KERN_SUCCESS);
	cr_expect_eq(mach_port_destroy(SELF, UNUSED_NAME), KERN_INVALID_NAME);

	mach_port_t p = conf_port();
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 4), KERN_SUCCESS);
	cr_expect_eq(mach_port_destroy(SELF, p), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, p, &t), KERN_INVALID_NAME);

	mach_port_t s, d;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_expect_eq(mach_port_destroy(SELF, s), KERN_SUCCESS);
	cr_expect_eq(mach_port_type(SELF, s, &t), KERN_INVALID_NAME);
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, 9), KERN_SUCCESS);
	cr_expect_eq(mach_port_destroy(SELF, d), KERN_SUCCESS);
	cr_expect_eq(mach_port_type(SELF, d, &t), KERN_INVALID_NAME);
}

Test(conf_rights, mod_refs_argument_errors)
{
	mach_port_t r = conf_receive_right();
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_NUMBER, 0), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, r, 99, -1), KERN_INVALID_VALUE);
	/* invalid names: success for send rights (nothing to do), else invalid name */
	cr_expect_eq(mach_port_mod_refs(SELF, MACH_PORT_NULL, MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
	cr_expect_eq(mach_port_mod_refs(SELF, MACH_PORT_DEAD, MACH_PORT_RIGHT_SEND_ONCE, 1),
	             KERN_SUCCESS);
	cr_expect_eq(mach_port_mod_refs(SELF, MACH_PORT_NULL, MACH_PORT_RIGHT_RECEIVE, -1),
	             KERN_INVALID_NAME);
	cr_expect_eq(mach_port_mod_refs(SELF, MACH_PORT_DEAD, MACH_PORT_RIGHT_DEAD_NAME, -1),
	             KERN_INVALID_NAME);
	cr_expect_eq(mach_port_mod_refs(SELF, UNUSED_NAME, MACH_PORT_RIGHT_SEND, 1),
	             KERN_INVALID_NAME);
}

Test(conf_rights, mod_refs_on_receive_right)
{
	mach_port_t r = conf_receive_right();
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_PORT_SET, -1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_DEAD_NAME, 1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_LABELH, 0), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_RECEIVE, 1), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_RECEIVE, -2), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_RECEIVE, 0), KERN_SUCCESS);
	cr_expect_eq(conf_type(r), MACH_PORT_TYPE_RECEIVE);
	cr_expect_eq(mach_port_mod_refs(SELF, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, r, &t), KERN_INVALID_NAME);
}

Test(conf_rights, receive_destroyed_under_send_leaves_dead_name)
{
	/* ipc_right_delta: the send references of the name survive as a dead name */
	mach_port_t p = conf_port();
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 2), KERN_SUCCESS);
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_RECEIVE, -1), KERN_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_DEAD_NAME), 3);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 0);
	/* SEND on a dead name is the wrong right */
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_DEAD_NAME, -3), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, p, &t), KERN_INVALID_NAME);
}

Test(conf_rights, mod_refs_port_set_and_dead_name)
{
	mach_port_t s, d;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_PORT_SET, &s), KERN_SUCCESS);
	cr_expect_eq(mach_port_mod_refs(SELF, s, MACH_PORT_RIGHT_PORT_SET, 1), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, s, MACH_PORT_RIGHT_PORT_SET, 0), KERN_SUCCESS);
	cr_expect_eq(mach_port_mod_refs(SELF, s, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, s, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, s, MACH_PORT_RIGHT_PORT_SET, -1), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, s, &t), KERN_INVALID_NAME);

	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, -2), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, 5), KERN_SUCCESS);
	cr_expect_eq(conf_refs(d, MACH_PORT_RIGHT_DEAD_NAME), 6);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, -6), KERN_SUCCESS);
	cr_expect_eq(mach_port_type(SELF, d, &t), KERN_INVALID_NAME);
}

Test(conf_rights, send_urefs_saturate_at_max)
{
	/* Current XNU pegs user references at UREFS_MAX instead of
	 * returning KERN_UREFS_OVERFLOW; a pegged count only drops by -MAX. */
	mach_port_t p = conf_port();
	const mach_port_delta_t max = (mach_port_delta_t)UREFS_MAX;
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, max + 1), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, -max - 1), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, max), KERN_SUCCESS);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), UREFS_MAX);
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 1), KERN_SUCCESS);
	cr_expect_eq(mach_port_insert_right(SELF, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), UREFS_MAX);
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, -1), KERN_SUCCESS);
	cr_expect_eq(mach_port_deallocate(SELF, p), KERN_SUCCESS);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), UREFS_MAX);
	cr_expect_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, -max), KERN_SUCCESS);
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_RECEIVE);
	cr_expect_eq(conf_status(p).mps_srights, 0);
}

Test(conf_rights, dead_name_urefs_saturate_at_max)
{
	mach_port_t d;
	const mach_port_delta_t max = (mach_port_delta_t)UREFS_MAX;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_DEAD_NAME, &d), KERN_SUCCESS);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, max), KERN_SUCCESS);
	cr_expect_eq(conf_refs(d, MACH_PORT_RIGHT_DEAD_NAME), UREFS_MAX);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, -5), KERN_SUCCESS);
	cr_expect_eq(conf_refs(d, MACH_PORT_RIGHT_DEAD_NAME), UREFS_MAX);
	cr_expect_eq(mach_port_mod_refs(SELF, d, MACH_PORT_RIGHT_DEAD_NAME, -max), KERN_SUCCESS);
	mach_port_type_t t;
	cr_expect_eq(mach_port_type(SELF, d, &t), KERN_INVALID_NAME);
}

Test(conf_rights, get_refs)
{
	mach_port_urefs_t n = 77;
	mach_port_t p = conf_port();
	cr_expect_eq(mach_port_get_refs(SELF, p, MACH_PORT_RIGHT_NUMBER, &n), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_get_refs(SELF, MACH_PORT_NULL, MACH_PORT_RIGHT_SEND, &n), KERN_SUCCESS);
	cr_expect_eq(n, 1);
	n = 77;
	cr_expect_eq(mach_port_get_refs(SELF, MACH_PORT_DEAD, MACH_PORT_RIGHT_SEND_ONCE, &n),
	             KERN_SUCCESS);
	cr_expect_eq(n, 1);
	cr_expect_eq(mach_port_get_refs(SELF, MACH_PORT_NULL, MACH_PORT_RIGHT_RECEIVE, &n),
	             KERN_INVALID_NAME);
	cr_expect_eq(mach_port_get_refs(SELF, UNUSED_NAME, MACH_PORT_RIGHT_SEND, &n),
	             KERN_INVALID_NAME);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_RECEIVE), 1);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 1);
	n = 77;
	cr_expect_eq(mach_port_get_refs(SELF, p, MACH_PORT_RIGHT_PORT_SET, &n), KERN_SUCCESS);
	cr_expect_eq(n, 0);
	n = 77;
	cr_expect_eq(mach_port_get_refs(SELF, p, MACH_PORT_RIGHT_SEND_ONCE, &n), KERN_SUCCESS);
	cr_expect_eq(n, 0);
	n = 77;
	cr_expect_eq(mach_port_get_refs(SELF, p, MACH_PORT_RIGHT_DEAD_NAME, &n), KERN_SUCCESS);
	cr_expect_eq(n, 0);
	cr_assert_eq(mach_port_mod_refs(SELF, p, MACH_PORT_RIGHT_SEND, 6), KERN_SUCCESS);
	cr_expect_eq(conf_refs(p, MACH_PORT_RIGHT_SEND), 7);
}

Test(conf_rights, type_of_special_names)
{
	mach_port_type_t t = 0x55;
	cr_expect_eq(mach_port_type(SELF, MACH_PORT_NULL, &t), KERN_INVALID_NAME);
	cr_expect_eq(mach_port_type(SELF, MACH_PORT_DEAD, &t), KERN_SUCCESS);
	cr_expect_eq(t, MACH_PORT_TYPE_DEAD_NAME);
	cr_expect_eq(mach_port_type(SELF, UNUSED_NAME, &t), KERN_INVALID_NAME);
	mach_port_t p = conf_port();
	cr_expect_eq(conf_type(p), MACH_PORT_TYPE_SEND_RECEIVE);
	cr_expect_eq(conf_type(mach_task_self()), MACH_PORT_TYPE_SEND);
	cr_expect_eq(conf_type(bootstrap_port), MACH_PORT_TYPE_SEND);
}

Test(conf_rights, null_task_is_refused)
{
	/* the MIG stubs send to the task port: a null one is an invalid destination */
	mach_port_t p;
	cr_expect_eq(mach_port_allocate(MACH_PORT_NULL, MACH_PORT_RIGHT_RECEIVE, &p),
	             MACH_SEND_INVALID_DEST);
	cr_expect_eq(mach_port_deallocate(MACH_PORT_NULL, p), MACH_SEND_INVALID_DEST);
}

Test(conf_rights, send_once_refs_and_name_space_limit)
{
	mach_port_t r = conf_receive_right(), so;
	mach_msg_type_name_t t;
	cr_assert_eq(mach_port_extract_right(SELF, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, &so, &t),
	             KERN_SUCCESS);
	cr_expect_eq(conf_refs(so, MACH_PORT_RIGHT_SEND_ONCE), 1);
	cr_expect_eq(conf_refs(so, MACH_PORT_RIGHT_SEND), 0);
	cr_expect_eq(mach_port_mod_refs(SELF, so, MACH_PORT_RIGHT_SEND_ONCE, 1), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, so, MACH_PORT_RIGHT_SEND_ONCE, -2), KERN_INVALID_VALUE);
	cr_expect_eq(mach_port_mod_refs(SELF, so, MACH_PORT_RIGHT_SEND_ONCE, 0), KERN_SUCCESS);
	cr_expect_eq(mach_port_mod_refs(SELF, so, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
	/* an index beyond the space's name table limit (305,834 on macOS) */
	cr_expect_eq(mach_port_allocate_name(SELF, MACH_PORT_RIGHT_DEAD_NAME, 0x7fffff03), KERN_NO_SPACE);
}
