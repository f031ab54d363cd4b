/* The generated kitchen client and server linked together: every routine
 * round-trips real values through the fake kernel, and the checks on both sides
 * reject malformed messages with the error codes MIG's wire contract specifies. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fake_kernel.h"
#include "kitchen.h"
#include "kitchenServer.h"
#include "kitchen_impl.h"
#include "roundtrip_util.h"

TestSuite(roundtrip, .init = setup);
TestSuite(server_checks, .init = setup);
TestSuite(client_checks, .init = setup);

Test(roundtrip, scalars)
{
    int c = 41;
    int64_t d = 0;
    cr_assert_eq(scalars(SERVER, 6, 7000000000LL, &c, &d), KERN_SUCCESS);
    cr_assert_eq(c, 42);
    cr_assert_eq(d, 42000000000LL);
    cr_assert_eq(klog.server_port, SERVER, "request port reaches the routine");
    const mach_msg_header_t *h = (const void *)fk.last_request;
    cr_assert_eq(h->msgh_id, 4000);
    cr_assert_eq(h->msgh_bits, MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE));
    cr_assert_eq(h->msgh_local_port, FK_REPLY_PORT);
    cr_assert_eq(fk.last_send_size, 24 + 8 + 4 + 8 + 4);
    cr_assert_eq(fk.last_option, MACH_SEND_MSG | MACH_RCV_MSG);
    cr_assert_eq(fk.last_rcv_name, FK_REPLY_PORT);
    /* NDR record bytes on the wire */
    static const unsigned char ndr[8] = {0, 0, 0, 0, 1, 0, 0, 0};
    cr_assert_arr_eq(fk.last_request + 24, ndr, 8);
}

Test(roundtrip, arrays_pack_tight_and_move_later_fields)
{
    fixed4_t fixed = {100, 200, 300, 400};
    int var[5] = {1, 2, 3, 4, 5};
    point_t pts[3] = {{1, 2}, {3, 4}, {5, 6}};
    int vout[64];
    mach_msg_type_number_t voutCnt = 64;
    int tail2 = 0;
    point_t pt = {0, 0};
    cr_assert_eq(arrays(SERVER, fixed, var, 5, 21, pts, 3, vout, &voutCnt, &tail2, &pt),
                 KERN_SUCCESS);
    cr_assert_eq(voutCnt, 5);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(vout[i], var[4 - i] + fixed[i % 4]);
    cr_assert_eq(tail2, 42);
    cr_assert_eq(pt.x, 9);
    cr_assert_eq(pt.y, 12);
    cr_assert_eq(klog.preset_count, 64, "out count preset to the bound");
    /* header+NDR+fixed(16)+varCnt+5 ints+tail+ptsCnt+3 points */
    cr_assert_eq(fk.last_send_size, 24 + 8 + 16 + 4 + 20 + 4 + 4 + 24);
    /* `tail` sits right after the 5 packed ints */
    int tail;
    memcpy(&tail, fk.last_request + 24 + 8 + 16 + 4 + 20, 4);
    cr_assert_eq(tail, 21);
    /* the reply was compacted too: NDR, RetCode, voutCnt, 5 ints, tail2, pt */
    const mach_msg_header_t *r = (const void *)fk.last_reply;
    cr_assert_eq(r->msgh_size, 24 + 8 + 4 + 4 + 20 + 4 + 8);
}

Test(roundtrip, countinout_truncates_and_reports)
{
    int data[64];
    mach_msg_type_number_t cnt = 4;
    cr_assert_eq(capped(SERVER, 10, data, &cnt), MIG_ARRAY_TOO_LARGE);
    cr_assert_eq(cnt, 10, "the server's count is reported");
    for (int i = 0; i < 4; i++)
        cr_assert_eq(data[i], i * i);
    cr_assert_eq(klog.preset_count, 4, "the caller's capacity reached the server");
    cnt = 20;
    cr_assert_eq(capped(SERVER, 10, data, &cnt), KERN_SUCCESS);
    cr_assert_eq(cnt, 10);
    cr_assert_eq(data[9], 81);
    cnt = 1000;
    cr_assert_eq(capped(SERVER, 3, data, &cnt), KERN_SUCCESS);
    cr_assert_eq(klog.preset_count, 64, "capacity is capped at the declared bound");
}

Test(roundtrip, server_error_comes_back_as_retcode)
{
    int data[64];
    mach_msg_type_number_t cnt = 64;
    cr_assert_eq(capped(SERVER, 65, data, &cnt), KERN_INVALID_ARGUMENT);
    const mach_msg_header_t *r = (const void *)fk.last_reply;
    cr_assert_eq(r->msgh_size, sizeof(mig_reply_error_t));
}

Test(roundtrip, samecount)
{
    int xs[3] = {1, 2, 3}, ys[3] = {4, 5, 6};
    int sum = 0;
    cr_assert_eq(paired(SERVER, xs, 3, ys, &sum), KERN_SUCCESS);
    cr_assert_eq(sum, 32);
    cr_assert_eq(fk.last_send_size, 24 + 8 + 4 + 12 + 12);
}

Test(roundtrip, strings)
{
    char oname[64], ovname[128];
    memset(oname, 'x', sizeof oname);
    memset(ovname, 'x', sizeof ovname);
    cr_assert_eq(strings(SERVER, "hello", "variable", oname, ovname), KERN_SUCCESS);
    cr_assert_str_eq(klog.name, "hello");
    cr_assert_str_eq(klog.vname, "variable");
    cr_assert_str_eq(oname, "HELLO");
    cr_assert_str_eq(ovname, "variable!");
    /* "variable" + NUL = 9 bytes, sent as 12 */
    cr_assert_eq(fk.last_send_size, 24 + 8 + 64 + 4 + 4 + 12);
    cr_assert_eq(fk.last_request[24 + 8 + 64 + 8 + 9], 0, "padding is zeroed");
}

Test(roundtrip, ports_every_disposition)
{
    mach_port_t ors = 0, orr = 0;
    cr_assert_eq(ports(SERVER, 0x201, 0x202, 0x203, 0x204, 0x205, 0x206, 0x207, &ors, &orr),
                 KERN_SUCCESS);
    for (int i = 0; i < 7; i++)
        cr_assert_eq(klog.ports[i], (mach_port_t)(0x201 + i));
    cr_assert_eq(ors, 0x700);
    cr_assert_eq(orr, 0x701);
    const __Request__ports_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX, MACH_MSGH_BITS_COMPLEX);
    cr_assert_eq(rq->msgh_body.msgh_descriptor_count, 6);
    cr_assert_eq(rq->rcv.disposition, MACH_MSG_TYPE_MOVE_RECEIVE);
    cr_assert_eq(rq->cs.disposition, MACH_MSG_TYPE_COPY_SEND);
    cr_assert_eq(rq->ms.disposition, MACH_MSG_TYPE_MAKE_SEND);
    cr_assert_eq(rq->mvs.disposition, MACH_MSG_TYPE_MOVE_SEND);
    cr_assert_eq(rq->mso.disposition, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    cr_assert_eq(rq->mvso.disposition, MACH_MSG_TYPE_MOVE_SEND_ONCE);
    cr_assert_eq(rq->mvso.type, MACH_MSG_PORT_DESCRIPTOR);
    cr_assert_eq(rq->nm, 0x207);
    const __Reply__ports_t *rp = (const void *)fk.last_reply;
    cr_assert_eq(rp->ors.disposition, MACH_MSG_TYPE_MAKE_SEND);
    cr_assert_eq(rp->orr.disposition, MACH_MSG_TYPE_MOVE_RECEIVE);
}

Test(roundtrip, polymorphic)
{
    mach_port_t pout = 0;
    mach_msg_type_name_t poutPoly = 0;
    cr_assert_eq(poly(SERVER, 0x300, MACH_MSG_TYPE_COPY_SEND, &pout, &poutPoly), KERN_SUCCESS);
    cr_assert_eq(klog.ports[0], 0x300);
    cr_assert_eq(klog.poly, MACH_MSG_TYPE_PORT_SEND, "server sees the right it received");
    cr_assert_eq(pout, 0x301);
    cr_assert_eq(poutPoly, MACH_MSG_TYPE_PORT_SEND_ONCE);
}

Test(roundtrip, polymorphic_request_port)
{
    cr_assert_eq(poly_target(SERVER, MACH_MSG_TYPE_MAKE_SEND, 1), KERN_SUCCESS);
    const mach_msg_header_t *h = (const void *)fk.last_request;
    cr_assert_eq(MACH_MSGH_BITS_REMOTE(h->msgh_bits), MACH_MSG_TYPE_MAKE_SEND);
    cr_assert_eq(h->msgh_remote_port, SERVER);
}

Test(roundtrip, anonymous_types)
{
    int xs[3] = {1, 2, 3}, ys[4] = {0}, pt[2] = {0};
    cr_assert_eq(anon(SERVER, xs, 3, ys, "abcde", pt), KERN_SUCCESS);
    cr_assert_eq(ys[2], 30);
    cr_assert_eq(ys[3], -1);
    cr_assert_eq(pt[0], 5);
    cr_assert_eq(pt[1], 3);
}

Test(roundtrip, translated_inline_values)
{
    int warmer = 0;
    cr_assert_eq(temperature(SERVER, 20, &warmer), KERN_SUCCESS);
    cr_assert_eq(warmer, 30, "intran to kelvin, +10, outtran back to celsius");
    const __Request__temperature_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->t, 20, "the wire carries the untranslated value");
}

/* Leaves non-zero bytes where the next call's stack frame will be. */
static void __attribute__((noinline)) dirty_stack(void)
{
    volatile unsigned char junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = 0xee;
}

Test(roundtrip, padding_is_zeroed)
{
    tiny_t on;
    bytes3_t b = {1, 2, 3}, ob;
    int y = 0;
    dirty_stack();
    cr_assert_eq(padded(SERVER, "ab", b, 41, on, ob, &y), KERN_SUCCESS);
    cr_assert_str_eq(on, "AB");
    cr_assert_eq(ob[2], 4);
    cr_assert_eq(y, 42);
    const __Request__padded_t *rq = (const void *)fk.last_request;
    cr_assert_eq(sizeof rq->nPad, 3);
    for (int i = 0; i < 3; i++)
        cr_assert_eq(rq->nPad[i], 0, "request padding byte %d", i);
    cr_assert_eq(rq->bPad[0], 0);
    cr_assert_eq(rq->x, 41);
    const __Reply__padded_t *rp = (const void *)fk.last_reply;
    for (int i = 0; i < 3; i++)
        cr_assert_eq(rp->onPad[i], 0, "reply padding byte %d", i);
    cr_assert_eq(rp->obPad[0], 0);
}

Test(roundtrip, ool_memory)
{
    unsigned char *moved = malloc(10), phys[20], maybe[30], small[40];
    for (int i = 0; i < 10; i++)
        moved[i] = 1;
    memset(phys, 2, sizeof phys);
    memset(maybe, 3, sizeof maybe);
    memset(small, 4, sizeof small);
    vm_offset_t back = 0;
    mach_msg_type_number_t backCnt = 0;
    cr_assert_eq(ool(SERVER, (vm_offset_t)moved, 10, (vm_offset_t)phys, 20, (vm_offset_t)maybe,
                     30, FALSE, (vm_offset_t)small, 40, &back, &backCnt),
                 KERN_SUCCESS);
    cr_assert_eq(klog.sum, 10u * 1 + 20u * 2 + 30u * 3 + 40u * 4);
    cr_assert_eq(klog.counts[3], 40);
    const __Request__ool_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->moved.deallocate, TRUE);
    cr_assert_eq(rq->moved.copy, MACH_MSG_VIRTUAL_COPY);
    cr_assert_eq(rq->phys.copy, MACH_MSG_PHYSICAL_COPY);
    cr_assert_eq(rq->maybe.deallocate, FALSE);
    cr_assert_eq(rq->small.size, 40);
    cr_assert_eq(rq->small.type, MACH_MSG_OOL_DESCRIPTOR);
    cr_assert_eq(backCnt, 100);
    const unsigned char *b = (const void *)back;
    for (int i = 0; i < 100; i++)
        cr_assert_eq(b[i], i);
    free((void *)back); /* the client owns the region it received */
}

Test(roundtrip, ool_bound_is_checked_before_sending)
{
    unsigned char m[1];
    vm_offset_t back;
    mach_msg_type_number_t backCnt;
    cr_assert_eq(ool(SERVER, (vm_offset_t)malloc(1), 1, (vm_offset_t)m, 1, (vm_offset_t)m, 1,
                     FALSE, (vm_offset_t)m, 4097, &back, &backCnt),
                 MIG_ARRAY_TOO_LARGE);
    cr_assert_eq(fk.sends, 0);
}

Test(roundtrip, ool_ports)
{
    mach_port_t in[3] = {0x10, 0x20, 0x30};
    mach_port_array_t out = NULL;
    mach_msg_type_number_t outCnt = 0;
    cr_assert_eq(ool_ports(SERVER, in, 3, &out, &outCnt), KERN_SUCCESS);
    cr_assert_eq(outCnt, 4);
    cr_assert_eq(out[0], 0x20);
    cr_assert_eq(out[2], 0x40);
    cr_assert_eq(out[3], 0x99);
    /* pin is an array[] (inline-looking, sent out of line): the server stub frees it
     * after the routine, as Apple's MIG does (found by tests/interop/mig_interop.sh) */
    cr_assert_eq(fk.mig_deallocated, 1);
    const __Request__ool_ports_t *rq = (const void *)fk.last_request;
    cr_assert_eq(rq->pin.count, 3, "the client's request itself is untouched");
    free(out);
}

Test(roundtrip, port_arrays)
{
    port_pair_t pair = {0x61, 0x62}, opair = {0, 0};
    int masks[4];
    mach_port_t handlers[4] = {0, 0, 0, 0x55};
    mach_msg_type_number_t masksCnt = 4;
    cr_assert_eq(port_arrays(SERVER, pair, opair, masks, &masksCnt, handlers), KERN_SUCCESS);
    cr_assert_eq(klog.ports[0], 0x61);
    cr_assert_eq(klog.ports[1], 0x62);
    cr_assert_eq(klog.preset_count, 4);
    cr_assert_eq(opair[0], 0x62);
    cr_assert_eq(opair[1], 0x61);
    cr_assert_eq(masksCnt, 3);
    cr_assert_eq(masks[2], 4);
    cr_assert_eq(handlers[2], 0x802);
    cr_assert_eq(handlers[3], 0x55, "only the counted handlers are written");
    const __Reply__port_arrays_t *rp = (const void *)fk.last_reply;
    cr_assert_eq(rp->msgh_body.msgh_descriptor_count, 2 + 4, "every handler slot is sent");
    cr_assert_eq(rp->handlers[3].name, MACH_PORT_NULL);
    cr_assert_eq(rp->handlers[3].type, MACH_MSG_PORT_DESCRIPTOR);
}

Test(roundtrip, server_tokens_from_the_trailer)
{
    int pid = 0;
    cr_assert_eq(tokens(SERVER, &pid), KERN_SUCCESS);
    cr_assert_eq(pid, 1005);
    cr_assert_eq(klog.sec.val[0], 501);
    cr_assert_eq(klog.seqno, 7);
    cr_assert_eq(klog.ctx, 0x1122334455667788ull);
}

Test(roundtrip, user_token_from_the_reply_trailer)
{
    security_token_t sec = {{0, 0}};
    int v = 0;
    cr_assert_eq(whoami(SERVER, &sec, &v), KERN_SUCCESS);
    cr_assert_eq(v, 42);
    cr_assert_eq(sec.val[0], 501);
    cr_assert_eq(sec.val[1], 20);
    cr_assert_eq(fk.last_option & 0x0f000000u, MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_SENDER));
}

Test(roundtrip, timeout_and_options)
{
    cr_assert_eq(timed(SERVER, 250, MACH_SEND_NOTIFY, 9), KERN_SUCCESS);
    cr_assert_eq(fk.last_timeout, 250);
    cr_assert_eq(fk.last_option, MACH_SEND_MSG | MACH_RCV_MSG | MACH_SEND_NOTIFY |
                                     MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT);
    cr_assert_eq(klog.sum, 9);
}

Test(roundtrip, global_waittime_sendtime_msgoption)
{
    cr_assert_eq(waited(SERVER, 1), KERN_SUCCESS);
    cr_assert_eq(fk.last_timeout, 1500);
    cr_assert_eq(fk.last_option, MACH_SEND_MSG | MACH_RCV_MSG | MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT);
    cr_assert_eq(sent_timed(SERVER, 8), KERN_SUCCESS);
    cr_assert_eq(klog.sum, 8);
    cr_assert_eq(fk.last_timeout, 700);
    cr_assert_eq(fk.last_option, MACH_SEND_MSG | MACH_SEND_NOTIFY | MACH_SEND_TIMEOUT);
    cr_assert_eq(with_reply(SERVER, 0x3333, 2, &(int){0}), KERN_SUCCESS);
    cr_assert_eq(fk.last_timeout, MACH_MSG_TIMEOUT_NONE, "nowaittime/nosendtime end them");
    cr_assert_eq(fk.last_option, MACH_SEND_MSG | MACH_RCV_MSG);
}

Test(roundtrip, explicit_reply_ports)
{
    int b = 0;
    cr_assert_eq(with_reply(SERVER, 0x3333, 2, &b), KERN_SUCCESS);
    cr_assert_eq(b, 6);
    cr_assert_eq(klog.ports[0], 0x3333, "replyport: the server sees it");
    cr_assert_eq(fk.last_rcv_name, 0x3333, "the client waits on it");
    cr_assert_eq(fk.get_reply, 0, "the thread's reply port is not used");
    cr_assert_eq(async_reply(SERVER, 0x4444, 1), KERN_SUCCESS);
    const mach_msg_header_t *h = (const void *)fk.last_request;
    cr_assert_eq(h->msgh_local_port, 0x4444);
    cr_assert_eq(MACH_MSGH_BITS_LOCAL(h->msgh_bits), MACH_MSG_TYPE_MAKE_SEND_ONCE);
}

Test(roundtrip, sreplyport_and_no_reply)
{
    int b = 0;
    cr_assert_eq(later(SERVER, 5, &b), KERN_SUCCESS);
    cr_assert_eq(b, 6);
    cr_assert_eq(klog.ports[0], FK_REPLY_PORT, "the server routine sees the reply right");
    /* MIG_NO_REPLY: nothing comes back; the wait fails and the reply port is destroyed */
    cr_assert_eq(later(SERVER, -1, &b), MACH_RCV_TIMED_OUT);
    cr_assert_eq(fk.dealloc_reply, 1);
}

Test(roundtrip, intran_and_destructor)
{
    int v = 0;
    mach_port_t back = 0;
    cr_assert_eq(widget(0x4242, &v, &back), KERN_SUCCESS);
    cr_assert_eq(back, 0x4242, "outtran turned the returned widget into its port");
    cr_assert_eq(klog.widgets_converted, 1);
    cr_assert_eq(v, 0x4242);
    cr_assert_eq(klog.widgets_made, 1);
    cr_assert_eq(klog.widgets_released, 1);
}

Test(roundtrip, simpleroutine_sends_only)
{
    cr_assert_eq(notify_one(SERVER, 77, "note"), KERN_SUCCESS);
    cr_assert_eq(klog.sum, 77);
    cr_assert_str_eq(klog.name, "note");
    cr_assert_eq(fk.last_option, MACH_SEND_MSG);
    const mach_msg_header_t *h = (const void *)fk.last_request;
    cr_assert_eq(h->msgh_local_port, MACH_PORT_NULL);
    cr_assert_eq(fk.get_reply, 0);
}

/* ---- send failures --------------------------------------------------------- */

Test(client_checks, send_failure_keeps_or_destroys_the_reply_port)
{
    int c = 0;
    int64_t d;
    fk.send_error = MACH_SEND_INVALID_DEST;
    cr_assert_eq(scalars(SERVER, 1, 2, &c, &d), MACH_SEND_INVALID_DEST);
    cr_assert_eq(fk.put_reply, 1);
    cr_assert_eq(fk.dealloc_reply, 0);
    cr_assert_eq(fk.destroyed, 1, "ConsumeOnSendError Any destroys the unsent request");
    fk.send_error = MACH_SEND_TIMED_OUT;
    cr_assert_eq(scalars(SERVER, 1, 2, &c, &d), MACH_SEND_TIMED_OUT);
    cr_assert_eq(fk.dealloc_reply, 1);
    cr_assert_eq(fk.destroyed, 2);
    fk.send_error = MACH_SEND_INVALID_DATA;
    cr_assert_eq(scalars(SERVER, 1, 2, &c, &d), MACH_SEND_INVALID_DATA);
    cr_assert_eq(fk.put_reply, 2);
    cr_assert_eq(fk.destroyed, 2, "only timeouts and invalid destinations are consumed");
}

/* ---- reply checks ---------------------------------------------------------- */

static void wrong_id(mach_msg_header_t *r) { r->msgh_id = 1; }
static void send_once_notification(mach_msg_header_t *r) { r->msgh_id = MACH_NOTIFY_SEND_ONCE; }
static void short_reply(mach_msg_header_t *r) { r->msgh_size -= 4; }
static void complex_bit(mach_msg_header_t *r) { r->msgh_bits |= MACH_MSGH_BITS_COMPLEX; }
static void remote_port(mach_msg_header_t *r) { r->msgh_remote_port = 0x77; }
static void error_reply(mach_msg_header_t *r)
{
    r->msgh_size = sizeof(mig_reply_error_t);
    r->msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
    ((mig_reply_error_t *)r)->RetCode = KERN_FAILURE;
}
static void zero_error_reply(mach_msg_header_t *r)
{
    r->msgh_size = sizeof(mig_reply_error_t);
    ((mig_reply_error_t *)r)->RetCode = KERN_SUCCESS;
}
static void wrong_port_right(mach_msg_header_t *r)
{
    ((__Reply__ports_t *)r)->ors.disposition = MACH_MSG_TYPE_MOVE_SEND_ONCE;
}
static void wrong_desc_type(mach_msg_header_t *r)
{
    ((__Reply__ports_t *)r)->orr.type = MACH_MSG_OOL_DESCRIPTOR;
}
static void desc_count(mach_msg_header_t *r)
{
    ((__Reply__ports_t *)r)->msgh_body.msgh_descriptor_count = 1;
}
static void ool_size(mach_msg_header_t *r)
{
    ((__Reply__ool_t *)r)->back.size = 99;
}
static void count_over_bound(mach_msg_header_t *r)
{
    ((__Reply__capped_t *)r)->dataCnt = 65;
}

static kern_return_t call_scalars(void)
{
    int c = 0;
    int64_t d;
    return scalars(SERVER, 1, 2, &c, &d);
}

static kern_return_t call_ports(void)
{
    mach_port_t a, b;
    return ports(SERVER, 1, 2, 3, 4, 5, 6, 7, &a, &b);
}

Test(client_checks, reply_id_and_shape)
{
    struct {
        void (*tamper)(mach_msg_header_t *);
        kern_return_t (*call)(void);
        kern_return_t want;
        int destroyed;
    } cases[] = {
        {wrong_id, call_scalars, MIG_REPLY_MISMATCH, 1},
        {send_once_notification, call_scalars, MIG_SERVER_DIED, 1},
        {short_reply, call_scalars, MIG_TYPE_ERROR, 1},
        {complex_bit, call_scalars, MIG_TYPE_ERROR, 1},
        {remote_port, call_scalars, MIG_TYPE_ERROR, 1},
        {error_reply, call_scalars, KERN_FAILURE, 0},
        {zero_error_reply, call_scalars, MIG_TYPE_ERROR, 1},
        {error_reply, call_ports, KERN_FAILURE, 0},
        {wrong_port_right, call_ports, MIG_TYPE_ERROR, 1},
        {wrong_desc_type, call_ports, MIG_TYPE_ERROR, 1},
        {desc_count, call_ports, MIG_TYPE_ERROR, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setup();
        fk.tamper_reply = cases[i].tamper;
        cr_expect_eq(cases[i].call(), cases[i].want, "case %zu", i);
        cr_expect_eq(fk.destroyed, cases[i].destroyed, "case %zu: reply destroyed", i);
    }
}

Test(client_checks, trace_names_the_failing_stub)
{
    fk.tamper_reply = short_reply;
    cr_assert_eq(call_scalars(), MIG_TYPE_ERROR);
    cr_assert_eq(fk.traces, 1);
    cr_assert_str_eq(fk.trace_func, "scalars");
    cr_assert_eq(fk.trace_code, MIG_TYPE_ERROR);
}

Test(client_checks, ool_size_and_counts)
{
    unsigned char m[4];
    vm_offset_t back = 0;
    mach_msg_type_number_t backCnt = 0;
    fk.tamper_reply = ool_size;
    cr_assert_eq(ool(SERVER, (vm_offset_t)malloc(1), 1, (vm_offset_t)m, 1, (vm_offset_t)m, 1,
                     FALSE, (vm_offset_t)m, 1, &back, &backCnt),
                 MIG_TYPE_ERROR);
    cr_assert_eq(back, 0, "out arguments untouched on error");
    cr_assert_eq(fk.destroyed, 1);
    setup();
    fk.tamper_reply = count_over_bound;
    int data[64];
    mach_msg_type_number_t cnt = 64;
    cr_assert_eq(capped(SERVER, 3, data, &cnt), MIG_TYPE_ERROR);
    cr_assert_eq(fk.destroyed, 1);
}

/* ---- server checks: hand-made malformed requests ---------------------------- */

Test(server_checks, valid_captured_request_is_served)
{
    int c = 1;
    int64_t d;
    CAPTURE(scalars(SERVER, 2, 3, &c, &d));
    cr_assert_eq(serve_request(fk.last_request, fk.last_send_size), KERN_SUCCESS);
    cr_assert_eq(klog.calls, 1);
}

Test(server_checks, unknown_id)
{
    mig_reply_error_t m;
    memset(&m, 0, sizeof m);
    m.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    m.Head.msgh_size = 24;
    boolean_t handled = TRUE;
    int ids[] = {3999, 4004 /* skip */, 4032, -5};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        m.Head.msgh_id = ids[i];
        cr_assert_eq(serve(&m, 24, 8, &handled), MIG_BAD_ID, "id %d", ids[i]);
        cr_assert_not(handled);
    }
    cr_assert_eq(klog.calls, 0);
}

Test(server_checks, wrong_size)
{
    int c = 1;
    int64_t d;
    CAPTURE(scalars(SERVER, 2, 3, &c, &d));
    __Request__scalars_t *rq = (void *)fk.last_request;
    rq->Head.msgh_size += 4;
    cr_assert_eq(serve_request(rq, fk.last_send_size + 4), MIG_BAD_ARGUMENTS);
    rq->Head.msgh_size -= 8;
    cr_assert_eq(serve_request(rq, fk.last_send_size - 4), MIG_BAD_ARGUMENTS);
    cr_assert_eq(klog.calls, 0);
    cr_assert_eq(fk.traces, 2, "each failed check is reported to the trace hook");
    cr_assert_str_eq(fk.trace_func, "_Xscalars");
    cr_assert_eq(fk.trace_code, MIG_BAD_ARGUMENTS);
    cr_assert_gt(fk.trace_line, 0);
}

Test(server_checks, complex_bit_and_descriptor_count)
{
    int c = 1;
    int64_t d;
    CAPTURE(scalars(SERVER, 2, 3, &c, &d));
    __Request__scalars_t *rq = (void *)fk.last_request;
    rq->Head.msgh_bits |= MACH_MSGH_BITS_COMPLEX;
    cr_assert_eq(serve_request(rq, fk.last_send_size), MIG_BAD_ARGUMENTS);

    mach_port_t a, b;
    CAPTURE(ports(SERVER, 1, 2, 3, 4, 5, 6, 7, &a, &b));
    __Request__ports_t *pq = (void *)fk.last_request;
    pq->msgh_body.msgh_descriptor_count = 5;
    cr_assert_eq(serve_request(pq, fk.last_send_size), MIG_BAD_ARGUMENTS);
    pq->msgh_body.msgh_descriptor_count = 6;
    pq->Head.msgh_bits &= ~MACH_MSGH_BITS_COMPLEX;
    cr_assert_eq(serve_request(pq, fk.last_send_size), MIG_BAD_ARGUMENTS);
    cr_assert_eq(klog.calls, 0);
}

Test(server_checks, descriptor_type_and_disposition)
{
    mach_port_t a, b;
    CAPTURE(ports(SERVER, 1, 2, 3, 4, 5, 6, 7, &a, &b));
    unsigned char saved[FK_BUF];
    memcpy(saved, fk.last_request, fk.last_send_size);
    __Request__ports_t *pq = (void *)fk.last_request;
    pq->cs.disposition = MACH_MSG_TYPE_MAKE_SEND_ONCE; /* arrives as a send-once right */
    cr_assert_eq(serve_request(pq, fk.last_send_size), MIG_TYPE_ERROR);
    memcpy(fk.last_request, saved, fk.last_send_size);
    pq->rcv.type = MACH_MSG_GUARDED_PORT_DESCRIPTOR;
    cr_assert_eq(serve_request(pq, fk.last_send_size), MIG_TYPE_ERROR);
    cr_assert_eq(klog.calls, 0);
}

Test(server_checks, count_over_bound_and_inconsistent_size)
{
    fixed4_t fixed = {0};
    int var[5] = {0};
    point_t pts[1] = {{0, 0}};
    int vout[64];
    mach_msg_type_number_t voutCnt = 64;
    int tail2;
    point_t pt;
    CAPTURE(arrays(SERVER, fixed, var, 5, 0, pts, 1, vout, &voutCnt, &tail2, &pt));
    __Request__arrays_t *rq = (void *)fk.last_request;
    mach_msg_size_t size = fk.last_send_size;
    rq->varCnt = 65;
    cr_assert_eq(serve_request(rq, size), MIG_BAD_ARGUMENTS);
    rq->varCnt = 6; /* count says 24 bytes, size carries 20 */
    cr_assert_eq(serve_request(rq, size), MIG_BAD_ARGUMENTS);
    rq->varCnt = 5;
    cr_assert_eq(serve_request(rq, size), KERN_SUCCESS);
    cr_assert_eq(klog.calls, 1);
}

Test(server_checks, ool_size_mismatch)
{
    /* large enough that the fake kernel can copy the oversized region below */
    static unsigned char m[8192];
    vm_offset_t back;
    mach_msg_type_number_t backCnt;
    CAPTURE(ool(SERVER, (vm_offset_t)m, 8, (vm_offset_t)m, 8, (vm_offset_t)m, 8, FALSE,
                (vm_offset_t)m, 8, &back, &backCnt));
    __Request__ool_t *rq = (void *)fk.last_request;
    rq->physCnt = 7;
    cr_assert_eq(serve_request(rq, fk.last_send_size), MIG_TYPE_ERROR);
    rq->physCnt = 8;
    rq->smallCnt = rq->small.size = 4097;
    cr_assert_eq(serve_request(rq, fk.last_send_size), MIG_BAD_ARGUMENTS);
    cr_assert_eq(klog.calls, 0);
}

Test(server_checks, unterminated_strings)
{
    char o[64], ov[128];
    CAPTURE(strings(SERVER, "abc", "defg", o, ov));
    __Request__strings_t *rq = (void *)fk.last_request;
    unsigned char saved[FK_BUF];
    memcpy(saved, rq, fk.last_send_size);
    memset(rq->name, 'x', sizeof rq->name);
    cr_assert_eq(serve_request(rq, fk.last_send_size), MIG_BAD_ARGUMENTS);
    memcpy(rq, saved, fk.last_send_size);
    rq->vname[4] = 'x'; /* "defg" + NUL, the NUL overwritten */
    cr_assert_eq(serve_request(rq, fk.last_send_size), MIG_BAD_ARGUMENTS);
    memcpy(rq, saved, fk.last_send_size);
    cr_assert_eq(serve_request(rq, fk.last_send_size), KERN_SUCCESS);
    cr_assert_eq(klog.calls, 1);
}

Test(server_checks, trailer_too_small_for_tokens)
{
    int pid;
    CAPTURE(tokens(SERVER, &pid));
    boolean_t handled;
    cr_assert_eq(serve(fk.last_request, fk.last_send_size, sizeof(mach_msg_trailer_t), &handled),
                 MIG_TRAILER_ERROR);
    cr_assert_eq(klog.calls, 0);
}

Test(server_checks, simpleroutine_records_retcode)
{
    CAPTURE(notify_one(SERVER, 5, "x"));
    cr_assert_eq(serve_request(fk.last_request, fk.last_send_size), KERN_SUCCESS);
    cr_assert_eq(klog.sum, 5);
}

Test(server_checks, subsystem_table)
{
    cr_assert_eq(do_kitchen_subsystem.start, 4000);
    cr_assert_eq(do_kitchen_subsystem.end, 4032);
    cr_assert_null(do_kitchen_subsystem.routine[4].stub_routine, "skip slot");
    cr_assert_not_null(do_kitchen_subsystem.routine[0].stub_routine);
    cr_assert_eq(do_kitchen_subsystem.routine[0].max_reply_msg, sizeof(__Reply__scalars_t));
    cr_assert_geq(do_kitchen_subsystem.maxsize, sizeof(__Reply__arrays_t));
    mig_subsystem_t generic = (mig_subsystem_t)&do_kitchen_subsystem;
    cr_assert_eq(generic->start, 4000);
    mach_msg_header_t h = {.msgh_id = 4001};
    cr_assert_eq(kitchen_server_routine(&h), generic->routine[1].stub_routine);
    h.msgh_id = 4004;
    cr_assert_null(kitchen_server_routine(&h));
}
