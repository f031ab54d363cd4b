/* Names, user references, types, dead names, port sets, insert/extract. */
#include "core_test_util.h"

TestSuite(names, .init = core_setup, .fini = core_teardown);

Test(names, allocate_receive_has_index_and_generation)
{
    mach_port_name_t a = new_port(A), b = new_port(A);
    cr_assert(MACH_PORT_VALID(a) && MACH_PORT_VALID(b));
    cr_assert_neq(a, b);
    cr_assert_neq(MACH_PORT_INDEX(a), 0u);
    cr_assert_neq(a & 0xff, 0u, "generation byte is never 0");
    cr_assert_eq(type_of(A, a), MACH_PORT_TYPE_RECEIVE);
    cr_assert_eq(refs_of(A, a, MACH_PORT_RIGHT_RECEIVE), 1u);
    cr_assert_eq(refs_of(A, a, MACH_PORT_RIGHT_SEND), 0u);
    cr_assert_eq(mgc_space_name_count(A), 2u);
}

Test(names, stale_name_after_reuse_is_invalid)
{
    mach_port_name_t a = new_port(A);
    OK(mgc_port_mod_refs(A, a, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(mgc_port_type(A, a, &(mach_port_type_t){0}), KERN_INVALID_NAME);
    mach_port_name_t b = new_port(A);
    cr_assert_eq(MACH_PORT_INDEX(b), MACH_PORT_INDEX(a), "slot reused first");
    cr_assert_neq(b, a, "generation advanced");
    cr_assert_eq(mgc_port_mod_refs(A, a, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_NAME);
    cr_assert_eq(type_of(A, b), MACH_PORT_TYPE_RECEIVE);
}

Test(names, type_of_null_and_dead)
{
    mach_port_type_t t = 0;
    cr_assert_eq(mgc_port_type(A, MACH_PORT_NULL, &t), KERN_INVALID_NAME);
    OK(mgc_port_type(A, MACH_PORT_DEAD, &t));
    cr_assert_eq(t, MACH_PORT_TYPE_DEAD_NAME);
    OK(mgc_port_deallocate(A, MACH_PORT_NULL));
    OK(mgc_port_destroy(A, MACH_PORT_DEAD));
}

Test(names, allocate_invalid_rights)
{
    mach_port_name_t n;
    cr_assert_eq(mgc_port_allocate(A, MACH_PORT_RIGHT_SEND, &n), KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_allocate(A, MACH_PORT_RIGHT_SEND_ONCE, &n), KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_allocate(A, 77, &n), KERN_INVALID_VALUE);
}

Test(names, allocate_name_and_exists)
{
    mach_port_name_t want = 0x3407;
    cr_assert_eq(mgc_port_allocate_name(A, MACH_PORT_RIGHT_RECEIVE, 0x12345607), KERN_NO_SPACE,
                 "index beyond the space's name limit");
    OK(mgc_port_allocate_name(A, MACH_PORT_RIGHT_RECEIVE, want));
    cr_assert_eq(type_of(A, want), MACH_PORT_TYPE_RECEIVE);
    cr_assert_eq(mgc_port_allocate_name(A, MACH_PORT_RIGHT_DEAD_NAME, want), KERN_NAME_EXISTS);
    cr_assert_eq(mgc_port_allocate_name(A, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_NULL),
                 KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_allocate_name(A, MACH_PORT_RIGHT_RECEIVE, MACH_PORT_DEAD),
                 KERN_INVALID_VALUE);
    /* Later anonymous allocations never collide with it. */
    for (int i = 0; i < 100; i++)
        cr_assert_neq(new_port(A), want);
}

Test(names, dead_name_refs)
{
    mach_port_name_t d;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &d));
    cr_assert_eq(type_of(A, d), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(refs_of(A, d, MACH_PORT_RIGHT_DEAD_NAME), 1u);
    OK(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_DEAD_NAME, 4));
    cr_assert_eq(refs_of(A, d, MACH_PORT_RIGHT_DEAD_NAME), 5u);
    cr_assert_eq(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_DEAD_NAME, -6), KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_SEND, -1), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_DEAD_NAME, MACH_PORT_UREFS_MAX + 1),
                 KERN_INVALID_VALUE);
    OK(mgc_port_deallocate(A, d));
    cr_assert_eq(refs_of(A, d, MACH_PORT_RIGHT_DEAD_NAME), 4u);
    OK(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_DEAD_NAME, -4));
    cr_assert_eq(mgc_port_deallocate(A, d), KERN_INVALID_NAME);
}

Test(names, urefs_overflow_pegs_like_xnu)
{
    /* XNU no longer fails an overflowing uref count: it pegs it at
     * MACH_PORT_UREFS_MAX, and only removing all of them changes it. */
    mach_port_name_t d;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &d));
    OK(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_DEAD_NAME, MACH_PORT_UREFS_MAX));
    cr_assert_eq(refs_of(A, d, MACH_PORT_RIGHT_DEAD_NAME), MACH_PORT_UREFS_MAX);
    OK(mgc_port_deallocate(A, d));
    OK(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_DEAD_NAME, -4));
    cr_assert_eq(refs_of(A, d, MACH_PORT_RIGHT_DEAD_NAME), MACH_PORT_UREFS_MAX, "pegged");
    OK(mgc_port_mod_refs(A, d, MACH_PORT_RIGHT_DEAD_NAME, -(mach_port_delta_t)MACH_PORT_UREFS_MAX));
    cr_assert_eq(mgc_port_type(A, d, &(mach_port_type_t){0}), KERN_INVALID_NAME);
}

Test(names, mod_refs_errors)
{
    mach_port_name_t r = new_port(A);
    cr_assert_eq(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, 1), KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -2), KERN_INVALID_VALUE);
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, 0));
    cr_assert_eq(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_NUMBER, 0), KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_PORT_SET, -1), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND_ONCE, -1), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_mod_refs(A, 0x777707, MACH_PORT_RIGHT_SEND, 1), KERN_INVALID_NAME);
    /* NULL / DEAD names are accepted for send rights and rejected otherwise
     * (XNU's mach_port_mod_refs: KERN_INVALID_NAME). */
    OK(mgc_port_mod_refs(A, MACH_PORT_NULL, MACH_PORT_RIGHT_SEND, -1));
    OK(mgc_port_mod_refs(A, MACH_PORT_DEAD, MACH_PORT_RIGHT_SEND_ONCE, -1));
    cr_assert_eq(mgc_port_mod_refs(A, MACH_PORT_NULL, MACH_PORT_RIGHT_RECEIVE, -1),
                 KERN_INVALID_NAME);
    mach_port_urefs_t u;
    cr_assert_eq(mgc_port_get_refs(A, r, 99, &u), KERN_INVALID_VALUE);
    OK(mgc_port_get_refs(A, MACH_PORT_DEAD, MACH_PORT_RIGHT_SEND, &u));
    cr_assert_eq(u, 1u);
    cr_assert_eq(mgc_port_get_refs(A, MACH_PORT_NULL, MACH_PORT_RIGHT_RECEIVE, &u),
                 KERN_INVALID_NAME);
    cr_assert_eq(mgc_port_deallocate(A, r), KERN_INVALID_RIGHT, "receive-only name");
}

Test(names, make_send_coalesces_with_receive)
{
    mach_port_name_t r = new_port(A);
    OK(mgc_port_insert_right(A, r, A, r, MACH_MSG_TYPE_MAKE_SEND));
    cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_SEND_RECEIVE);
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), 1u);
    OK(mgc_port_insert_right(A, r, A, r, MACH_MSG_TYPE_MAKE_SEND));
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), 2u);
    mach_port_status_t st = status_of(A, r);
    cr_assert_eq(st.mps_mscount, 2u);
    cr_assert_eq(st.mps_srights, 1, "one send right for the name");
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND, -2));
    cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_RECEIVE);
    cr_assert_eq(status_of(A, r).mps_srights, 0);
    cr_assert_eq(mgc_space_name_count(A), 1u);
}

Test(names, insert_right_errors)
{
    mach_port_name_t r = new_port(A), r2 = new_port(A);
    cr_assert_eq(mgc_port_insert_right(A, 0x5503, A, r, MACH_MSG_TYPE_MAKE_SEND),
                 KERN_RIGHT_EXISTS, "port already named r in A");
    cr_assert_eq(mgc_port_insert_right(A, r2, A, r, MACH_MSG_TYPE_MAKE_SEND), KERN_RIGHT_EXISTS);
    cr_assert_eq(mgc_port_insert_right(A, MACH_PORT_NULL, A, r, MACH_MSG_TYPE_MAKE_SEND),
                 KERN_INVALID_VALUE);
    /* own space: XNU's trap copies the right in first, and a bad disposition
     * fails that copyin */
    cr_assert_eq(mgc_port_insert_right(A, r, A, r, 3), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_insert_right(A, r, A, r, MACH_MSG_TYPE_COPY_SEND),
                 KERN_INVALID_RIGHT, "no send right to copy");
    cr_assert_eq(mgc_port_insert_right(A, r2, A, r, MACH_MSG_TYPE_MOVE_SEND), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_insert_right(B, 0x7703, A, r, MACH_MSG_TYPE_MOVE_SEND),
                 MACH_SEND_INVALID_RIGHT, "across spaces: the MIG request fails to send");
    /* Into B under a chosen name. */
    OK(mgc_port_insert_right(B, 0x4403, A, r, MACH_MSG_TYPE_MAKE_SEND));
    cr_assert_eq(type_of(B, 0x4403), MACH_PORT_TYPE_SEND);
    cr_assert_eq(mgc_port_insert_right(B, 0x4403, A, r2, MACH_MSG_TYPE_MAKE_SEND),
                 KERN_NAME_EXISTS);
    /* The failed insert destroyed its right: r2 has no senders. */
    cr_assert_eq(status_of(A, r2).mps_srights, 0);
    cr_assert_eq(status_of(A, r2).mps_mscount, 1u);
    OK(mgc_port_insert_right(B, 0x4403, A, r, MACH_MSG_TYPE_MAKE_SEND));
    cr_assert_eq(refs_of(B, 0x4403, MACH_PORT_RIGHT_SEND), 2u, "same port coalesces");
}

Test(names, extract_right_every_disposition)
{
    mach_port_name_t r = new_port(A), n;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND, B, &n, &t));
    cr_assert_eq(t, MACH_MSG_TYPE_PORT_SEND);
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &n, &t));
    cr_assert_eq(t, MACH_MSG_TYPE_PORT_SEND_ONCE);
    cr_assert_eq(type_of(B, n), MACH_PORT_TYPE_SEND_ONCE);
    mach_port_name_t so = n;
    OK(mgc_port_extract_right(B, so, MACH_MSG_TYPE_MOVE_SEND_ONCE, B, &n, &t));
    cr_assert_eq(t, MACH_MSG_TYPE_PORT_SEND_ONCE);
    cr_assert_neq(n, MACH_PORT_NULL);
    mach_port_name_t bsend = 0;
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND, B, &bsend, &t));
    cr_assert_eq(refs_of(B, bsend, MACH_PORT_RIGHT_SEND), 2u);
    OK(mgc_port_extract_right(B, bsend, MACH_MSG_TYPE_COPY_SEND, A, &n, &t));
    cr_assert_eq(n, r, "send right coalesces with A's receive name");
    cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_SEND_RECEIVE);
    OK(mgc_port_extract_right(B, bsend, MACH_MSG_TYPE_MOVE_SEND, A, &n, &t));
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), 2u);
    cr_assert_eq(refs_of(B, bsend, MACH_PORT_RIGHT_SEND), 1u);
    /* Receive right moves to B: B's send name gains the receive right. */
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MOVE_RECEIVE, B, &n, &t));
    cr_assert_eq(t, MACH_MSG_TYPE_PORT_RECEIVE);
    cr_assert_eq(n, bsend);
    cr_assert_eq(type_of(B, bsend), MACH_PORT_TYPE_SEND_RECEIVE);
    cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_SEND, "A keeps its send right");
    cr_assert_eq(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MOVE_RECEIVE, B, &n, &t),
                 KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_extract_right(A, r, 7, B, &n, &t), KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_extract_right(A, MACH_PORT_NULL, MACH_MSG_TYPE_COPY_SEND, B, &n, &t),
                 KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_extract_right(A, 0x99903, MACH_MSG_TYPE_COPY_SEND, B, &n, &t),
                 KERN_INVALID_NAME);
}

Test(names, send_once_names_are_distinct)
{
    mach_port_name_t r = new_port(A), n1, n2;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &n1, &t));
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND_ONCE, B, &n2, &t));
    cr_assert_neq(n1, n2);
    cr_assert_eq(status_of(A, r).mps_sorights, 2u);
    cr_assert_eq(refs_of(B, n1, MACH_PORT_RIGHT_SEND_ONCE), 1u);
    cr_assert_eq(mgc_port_mod_refs(B, n1, MACH_PORT_RIGHT_SEND_ONCE, 1), KERN_INVALID_VALUE);
}

Test(names, send_urefs_overflow)
{
    mach_port_name_t r = new_port(A);
    OK(mgc_port_insert_right(A, r, A, r, MACH_MSG_TYPE_MAKE_SEND));
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND, MACH_PORT_UREFS_MAX - 1));
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND, 1));
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
    /* The in-place insert leaves urefs pegged instead of failing. */
    OK(mgc_port_insert_right(A, r, A, r, MACH_MSG_TYPE_MAKE_SEND));
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
    cr_assert_eq(status_of(A, r).mps_mscount, 2u);
    /* A right arriving from elsewhere merges into the pegged name. */
    mach_port_name_t n;
    mach_msg_type_name_t t;
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MAKE_SEND, B, &n, &t));
    OK(mgc_port_insert_right(A, r, B, n, MACH_MSG_TYPE_MOVE_SEND));
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
    cr_assert_eq(mgc_port_type(B, n, &t), KERN_INVALID_NAME);
    cr_assert_eq(status_of(A, r).mps_srights, 1);
    /* Moving or deallocating a pegged right leaves the count pegged. */
    OK(mgc_port_deallocate(A, r));
    OK(mgc_port_extract_right(A, r, MACH_MSG_TYPE_MOVE_SEND, B, &n, &t));
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_SEND), MACH_PORT_UREFS_MAX);
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_SEND, -(mach_port_delta_t)MACH_PORT_UREFS_MAX));
    cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_RECEIVE);
}

Test(names, port_set_membership)
{
    mach_port_name_t ps, r1 = new_port(A), r2 = new_port(A);
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    cr_assert_eq(type_of(A, ps), MACH_PORT_TYPE_PORT_SET);
    cr_assert_eq(refs_of(A, ps, MACH_PORT_RIGHT_PORT_SET), 1u);
    OK(mgc_port_insert_member(A, r1, ps));
    cr_assert_eq(mgc_port_insert_member(A, r1, ps), KERN_ALREADY_IN_SET);
    OK(mgc_port_move_member(A, r2, ps));
    mach_port_name_t names[4];
    uint32_t cnt = 4;
    OK(mgc_port_get_set_status(A, ps, names, &cnt));
    cr_assert_eq(cnt, 2u);
    cr_assert_eq(names[0], r1);
    cr_assert_eq(names[1], r2);
    cr_assert_eq(status_of(A, r1).mps_pset, 1u);
    cr_assert_eq(mgc_port_insert_member(A, ps, ps), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_insert_member(A, r1, r2), KERN_INVALID_RIGHT);
    OK(mgc_port_extract_member(A, r1, ps));
    cr_assert_eq(mgc_port_extract_member(A, r1, ps), KERN_NOT_IN_SET);
    OK(mgc_port_move_member(A, r2, MACH_PORT_NULL));
    cr_assert_eq(mgc_port_move_member(A, r2, MACH_PORT_NULL), KERN_NOT_IN_SET);
    cr_assert_eq(mgc_port_move_member(A, MACH_PORT_NULL, ps), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_move_member(A, r2, MACH_PORT_DEAD), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_insert_member(A, r2, MACH_PORT_NULL), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_extract_member(A, MACH_PORT_DEAD, ps), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_insert_member(A, 0x77703, ps), KERN_INVALID_NAME);
    cnt = 4;
    OK(mgc_port_get_set_status(A, ps, names, &cnt));
    cr_assert_eq(cnt, 0u);
    OK(mgc_port_insert_member(A, r1, ps));
    OK(mgc_port_deallocate(A, ps));
    cr_assert_eq(status_of(A, r1).mps_pset, 0u, "destroying the set dissolves it");
    cr_assert_eq(type_of(A, r1), MACH_PORT_TYPE_RECEIVE);
}

Test(names, destroy_every_kind)
{
    mach_port_name_t r = new_port(A), ps, d;
    OK(mgc_port_insert_right(A, r, A, r, MACH_MSG_TYPE_MAKE_SEND));
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_PORT_SET, &ps));
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &d));
    OK(mgc_port_destroy(A, r));
    OK(mgc_port_destroy(A, ps));
    OK(mgc_port_destroy(A, d));
    cr_assert_eq(mgc_space_name_count(A), 0u);
    cr_assert_eq(mgc_core_object_count(core), 0u, "no port or set leaked");
    cr_assert_eq(mgc_port_destroy(A, r), KERN_INVALID_NAME);
}

Test(names, receiver_death_turns_send_into_dead_name)
{
    mach_port_name_t r, s = send_right_to(A, B, &r);
    OK(mgc_port_mod_refs(B, s, MACH_PORT_RIGHT_SEND, 2));
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(type_of(B, s), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(refs_of(B, s, MACH_PORT_RIGHT_DEAD_NAME), 3u, "urefs carry over");
    cr_assert_eq(refs_of(B, s, MACH_PORT_RIGHT_SEND), 0u);
    OK(mgc_port_mod_refs(B, s, MACH_PORT_RIGHT_DEAD_NAME, -3));
    cr_assert_eq(mgc_space_name_count(B), 0u);
    cr_assert_eq(mgc_core_object_count(core), 0u);
}

Test(names, receive_plus_send_mod_refs_receive_leaves_dead_name)
{
    mach_port_name_t r = new_port(A);
    OK(mgc_port_insert_right(A, r, A, r, MACH_MSG_TYPE_MAKE_SEND));
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -1));
    cr_assert_eq(type_of(A, r), MACH_PORT_TYPE_DEAD_NAME);
    cr_assert_eq(refs_of(A, r, MACH_PORT_RIGHT_DEAD_NAME), 1u);
}

Test(names, context_and_guard)
{
    mach_port_name_t r = new_port(A);
    mach_port_context_t c = 1;
    OK(mgc_port_set_context(A, r, 0xabcdef0123ull));
    OK(mgc_port_get_context(A, r, &c));
    cr_assert_eq(c, 0xabcdef0123ull);
    cr_assert_eq(mgc_port_guard(A, r, 0x55, 0), KERN_INVALID_ARGUMENT, "a context is set");
    OK(mgc_port_set_context(A, r, 0));
    OK(mgc_port_guard(A, r, 0x55, 0));
    cr_assert_eq(mgc_port_guard(A, r, 0x55, 0), KERN_INVALID_ARGUMENT);
    OK(mgc_port_set_context(A, r, 0x55)); /* non-strict guards can be rewritten */
    cr_assert_eq(mgc_port_get_context(A, MACH_PORT_NULL, &c), KERN_INVALID_RIGHT);
    cr_assert_eq(mgc_port_guard(A, MACH_PORT_DEAD, 1, 0), KERN_INVALID_NAME);
    cr_assert_eq(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -1), KERN_INVALID_RIGHT,
                 "guarded receive cannot be destroyed without its guard");
    cr_assert_eq(mgc_port_unguard(A, r, 0x56), KERN_INVALID_ARGUMENT);
    OK(mgc_port_unguard(A, r, 0x55));
    OK(mgc_port_mod_refs(A, r, MACH_PORT_RIGHT_RECEIVE, -1));
    mach_port_name_t s;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &s));
    cr_assert_eq(mgc_port_get_context(A, s, &c), KERN_INVALID_RIGHT);
}

Test(names, construct_and_destruct)
{
    mach_port_options_t opts;
    memset(&opts, 0, sizeof opts);
    opts.flags = MPO_INSERT_SEND_RIGHT | MPO_QLIMIT | MPO_CONTEXT_AS_GUARD | MPO_STRICT;
    opts.mpl.mpl_qlimit = 9;
    mach_port_name_t n;
    OK(mgc_port_construct(A, &opts, 0x1234, &n));
    cr_assert_eq(type_of(A, n), MACH_PORT_TYPE_SEND_RECEIVE);
    mach_port_status_t st = status_of(A, n);
    cr_assert_eq(st.mps_qlimit, 9u);
    cr_assert_eq(st.mps_mscount, 1u);
    cr_assert_eq(st.mps_flags & (MACH_PORT_STATUS_FLAG_GUARDED | MACH_PORT_STATUS_FLAG_STRICT_GUARD),
                 MACH_PORT_STATUS_FLAG_GUARDED | MACH_PORT_STATUS_FLAG_STRICT_GUARD);
    mach_port_context_t c = 7;
    OK(mgc_port_get_context(A, n, &c));
    cr_assert_eq(c, 0u, "strict guard hides the context");
    cr_assert_eq(mgc_port_set_context(A, n, 5), KERN_INVALID_ARGUMENT, "strict guard");
    cr_assert_eq(mgc_port_destruct(A, n, -1, 0x9999), KERN_INVALID_ARGUMENT);
    cr_assert_eq(mgc_port_destruct(A, n, 1, 0x1234), KERN_INVALID_VALUE);
    cr_assert_eq(mgc_port_destruct(A, n, -2, 0x1234), KERN_INVALID_VALUE);
    OK(mgc_port_destruct(A, n, -1, 0x1234));
    cr_assert_eq(mgc_port_type(A, n, &(mach_port_type_t){0}), KERN_INVALID_NAME);
    cr_assert_eq(mgc_core_object_count(core), 0u);

    opts.flags = MPO_QLIMIT;
    opts.mpl.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
    cr_assert_eq(mgc_port_construct(A, &opts, 0, &n), KERN_INVALID_VALUE);
    opts.flags = MPO_REPLY_PORT | MPO_EXCEPTION_PORT;
    cr_assert_eq(mgc_port_construct(A, &opts, 0, &n), KERN_INVALID_ARGUMENT);
    opts.flags = MPO_IMMOVABLE_RECEIVE; /* without a guard: ignored */
    OK(mgc_port_construct(A, &opts, 0x77, &n));
    mach_port_context_t c2 = 1;
    OK(mgc_port_get_context(A, n, &c2));
    cr_assert_eq(c2, 0u, "the context argument is only a guard");
    cr_assert_eq(status_of(A, n).mps_flags, 0u);
    OK(mgc_port_destruct(A, n, 0, 0));
    opts.flags = MPO_REPLY_PORT;
    OK(mgc_port_construct(A, &opts, 0, &n));
    cr_assert_eq(mgc_port_destruct(A, n, -1, 0), KERN_INVALID_RIGHT, "no send right to drop");
    OK(mgc_port_destruct(A, n, 0, 0));
}

Test(names, attributes_limits)
{
    mach_port_name_t r = new_port(A);
    mach_port_limits_t lim = {.mpl_qlimit = 0};
    mach_msg_type_number_t cnt = MACH_PORT_LIMITS_INFO_COUNT;
    OK(mgc_port_get_attributes(A, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, &cnt));
    cr_assert_eq(lim.mpl_qlimit, MACH_PORT_QLIMIT_DEFAULT);
    lim.mpl_qlimit = 1;
    OK(mgc_port_set_attributes(A, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, cnt));
    cr_assert_eq(status_of(A, r).mps_qlimit, 1u);
    lim.mpl_qlimit = MACH_PORT_QLIMIT_MAX + 1;
    cr_assert_eq(mgc_port_set_attributes(A, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, cnt),
                 KERN_INVALID_VALUE);
    cnt = 0;
    cr_assert_eq(mgc_port_get_attributes(A, r, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, &cnt),
                 KERN_FAILURE);
    cnt = 1;
    cr_assert_eq(mgc_port_get_attributes(A, r, 4242, (mach_port_info_t)&lim, &cnt),
                 KERN_INVALID_ARGUMENT);
    mach_port_name_t d;
    OK(mgc_port_allocate(A, MACH_PORT_RIGHT_DEAD_NAME, &d));
    cnt = MACH_PORT_LIMITS_INFO_COUNT;
    cr_assert_eq(mgc_port_get_attributes(A, d, MACH_PORT_LIMITS_INFO, (mach_port_info_t)&lim, &cnt),
                 KERN_INVALID_RIGHT);
}
