/* KernelUser and KernelServer stubs (golden/kuser.defs, golden/kserver.defs), built
 * twice. The kernel form (__MigKernelSpecificCode=1): the client sends through the
 * kernel's functions, which this test provides, and the server reads the request
 * and reply ports from a request in the kernel's orientation. The user-space form:
 * the client goes through mach_msg (the fake kernel) and the server is an ordinary
 * one. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fake_kernel.h"
#include "kserverServer.h"
#include "kuser.h"

#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode
#define KERNEL_FORM 1
#else
#define KERNEL_FORM 0
#endif

/* ---- the kernel's send functions, recorded ---------------------------------- */

static struct {
    int rpcs, sends, destroyed;
    unsigned char request[256];
    mach_msg_size_t send_size, rcv_size;
    mach_msg_id_t reply_id; /* what the "server" answers with */
} kx;

#if KERNEL_FORM
mach_msg_return_t mach_msg_rpc_from_kernel(mach_msg_header_t *msg, mach_msg_size_t send_size,
                                           mach_msg_size_t rcv_size)
{
    kx.rpcs++;
    kx.send_size = send_size;
    kx.rcv_size = rcv_size;
    memcpy(kx.request, msg, send_size < sizeof kx.request ? send_size : sizeof kx.request);
    const __Request__ask_t *rq = (const void *)kx.request;
    __Reply__ask_t *rp = (void *)msg; /* the reply lands in the same buffer */
    memset(rp, 0, sizeof *rp);
    rp->Head.msgh_bits = MACH_MSGH_BITS(0, 0);
    rp->Head.msgh_size = (mach_msg_size_t)sizeof *rp;
    rp->Head.msgh_id = kx.reply_id;
    rp->NDR = NDR_record;
    rp->RetCode = KERN_SUCCESS;
    rp->b = rq->a * 2;
    return MACH_MSG_SUCCESS;
}

mach_msg_return_t mach_msg_send_from_kernel(mach_msg_header_t *msg, mach_msg_size_t send_size)
{
    kx.sends++;
    kx.send_size = send_size;
    memcpy(kx.request, msg, send_size < sizeof kx.request ? send_size : sizeof kx.request);
    return MACH_MSG_SUCCESS;
}

void mach_msg_destroy_from_kernel(mach_msg_header_t *msg)
{
    (void)msg;
    kx.destroyed++;
}
#endif

static void setup(void)
{
    memset(&kx, 0, sizeof kx);
    kx.reply_id = 1000;
    fk_reset(NULL);
}

TestSuite(kernel_user, .init = setup);

#if KERNEL_FORM
Test(kernel_user, routine_goes_through_rpc_from_kernel)
{
    int b = 0;
    cr_assert_eq(ask(0x4403, 21, &b), KERN_SUCCESS);
    cr_assert_eq(b, 42);
    cr_assert_eq(kx.rpcs, 1);
    cr_assert_eq(fk.sends, 0, "mach_msg is not used in the kernel form");
    cr_assert_eq(kx.send_size, sizeof(__Request__ask_t));
    cr_assert_eq(kx.rcv_size, sizeof(__Reply__ask_t));
    const __Request__ask_t *rq = (const void *)kx.request;
    cr_assert_eq(rq->Head.msgh_id, 900);
    cr_assert_eq(rq->Head.msgh_remote_port, 0x4403);
    cr_assert_eq(rq->a, 21);
}

Test(kernel_user, bad_reply_is_destroyed_by_the_kernel_function)
{
    kx.reply_id = 1234;
    int b = 0;
    cr_assert_eq(ask(0x4403, 1, &b), MIG_REPLY_MISMATCH);
    cr_assert_eq(kx.destroyed, 1);
    cr_assert_eq(fk.destroyed, 0, "mach_msg_destroy is not used in the kernel form");
}

Test(kernel_user, simpleroutine_goes_through_send_from_kernel)
{
    static char data[3] = "abc";
    cr_assert_eq(tell(0x4403, (vm_offset_t)data, 3), KERN_SUCCESS);
    cr_assert_eq(kx.sends, 1);
    cr_assert_eq(fk.sends, 0);
    const __Request__tell_t *rq = (const void *)kx.request;
    cr_assert_eq(rq->Head.msgh_id, 901);
    cr_assert_eq(rq->data.size, 3);
    cr_assert_eq(kx.send_size, sizeof(__Request__tell_t));
}

#else
/* the user-space form: an ordinary client through mach_msg (the fake kernel) */
static boolean_t ask_server(mach_msg_header_t *in, mach_msg_header_t *out)
{
    const __Request__ask_t *rq = (const void *)in;
    __Reply__ask_t *rp = (void *)out;
    memset(rp, 0, sizeof *rp);
    rp->Head.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->msgh_bits), 0);
    rp->Head.msgh_remote_port = in->msgh_remote_port;
    rp->Head.msgh_size = (mach_msg_size_t)sizeof *rp;
    rp->Head.msgh_id = in->msgh_id + 100;
    rp->NDR = NDR_record;
    rp->b = rq->a * 2;
    return TRUE;
}

Test(kernel_user, user_form_goes_through_mach_msg)
{
    fk_reset(ask_server);
    int b = 0;
    cr_assert_eq(ask(0x4403, 21, &b), KERN_SUCCESS);
    cr_assert_eq(b, 42);
    cr_assert_eq(fk.sends, 1);
    cr_assert_eq(kx.rpcs, 0);
}
#endif

/* ---- the server ------------------------------------------------------------- */

struct kthing {
    mach_port_t port;
};
static struct kthing things[2];
static int released;
static mach_port_t seen_port;
static mach_msg_type_name_t seen_poly;

thing_ref_t thing_from_port(mach_port_t port)
{
    things[0].port = port;
    return &things[0];
}

void thing_release(thing_ref_t t)
{
    (void)t;
    released++;
}

mach_port_t thing_to_port(thing_ref_t t)
{
    return t->port + 1;
}

kern_return_t poke(thing_ref_t target, int a, thing_ref_t *made)
{
    seen_port = target->port;
    things[1].port = (mach_port_t)(0x9000 + a);
    *made = &things[1];
    return KERN_SUCCESS;
}

kern_return_t poly_poke(mach_port_t target, mach_msg_type_name_t targetPoly, int a)
{
    (void)a;
    seen_port = target;
    seen_poly = targetPoly;
    return KERN_SUCCESS;
}

TestSuite(kernel_server);

Test(kernel_server, request_and_reply_ports_in_kernel_orientation)
{
    __Request__poke_t rq;
    memset(&rq, 0, sizeof rq);
#if KERNEL_FORM
    /* not yet turned around: remote = the object's port, local = the reply port */
    rq.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    rq.Head.msgh_remote_port = 0x7700;
    rq.Head.msgh_local_port = 0x8800;
#else
    /* as a user-space receiver gets it: local = the object's port, remote = the reply port */
    rq.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND);
    rq.Head.msgh_remote_port = 0x8800;
    rq.Head.msgh_local_port = 0x7700;
#endif
    rq.Head.msgh_size = (mach_msg_size_t)sizeof rq;
    rq.Head.msgh_id = 950;
    rq.NDR = NDR_record;
    rq.a = 5;
    union {
        __Reply__poke_t r;
        mig_reply_error_t e;
    } out;
    memset(&out, 0, sizeof out);
    released = 0;
    cr_assert(kserver_server(&rq.Head, &out.r.Head));
    cr_assert_eq(seen_port, 0x7700, "intran gets the request port");
    cr_assert_eq(released, 1, "the destructor runs after the call");
    cr_assert_eq(out.r.Head.msgh_remote_port, 0x8800, "the reply goes to the reply port");
#if KERNEL_FORM
    cr_assert_eq(MACH_MSGH_BITS_REMOTE(out.r.Head.msgh_bits), MACH_MSG_TYPE_MAKE_SEND_ONCE);
    /* the kernel made the right: the receiver gets it moved */
    cr_assert_eq(out.r.made.disposition, MACH_MSG_TYPE_MOVE_SEND);
#else
    cr_assert_eq(MACH_MSGH_BITS_REMOTE(out.r.Head.msgh_bits), MACH_MSG_TYPE_PORT_SEND_ONCE);
    cr_assert_eq(out.r.made.disposition, MACH_MSG_TYPE_MAKE_SEND, "the type's own disposition");
#endif
    cr_assert_eq(out.r.Head.msgh_id, 1050);
    cr_assert_eq(out.r.made.name, 0x9005 + 1, "outtran converts the object made");
}

Test(kernel_server, poly_request_port_disposition_from_the_remote_bits)
{
    __Request__poly_poke_t rq;
    memset(&rq, 0, sizeof rq);
#if KERNEL_FORM
    rq.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    rq.Head.msgh_remote_port = 0x7701;
    rq.Head.msgh_local_port = 0x8801;
#else
    rq.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_MOVE_SEND);
    rq.Head.msgh_remote_port = 0x8801;
    rq.Head.msgh_local_port = 0x7701;
#endif
    rq.Head.msgh_size = (mach_msg_size_t)sizeof rq;
    rq.Head.msgh_id = 951;
    rq.NDR = NDR_record;
    mig_reply_error_t out;
    memset(&out, 0, sizeof out);
    cr_assert(kserver_server(&rq.Head, &out.Head));
    cr_assert_eq(out.RetCode, KERN_SUCCESS);
    cr_assert_eq(seen_port, 0x7701);
    cr_assert_eq(seen_poly, MACH_MSG_TYPE_MOVE_SEND);
}
