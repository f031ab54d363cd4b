/* The generated stubs' own cost, with the transport taken out: client and server
 * in one process, mach_msg replaced by a loopback that hands the request to a demux
 * and copies the reply back (header swapped, trailer appended). Compared with a
 * hand-written client and server exchanging the same 40-byte messages over the same
 * loopback. Usage: bench_codegen_inproc [calls per round] [rounds] */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <mach/mach.h>

#include "bench.h"
#include "benchServer.h"

NDR_record_t NDR_record = {0, 0, 0, 0, 1, 0, 0, 0};
static boolean_t (*demux)(mach_msg_header_t *, mach_msg_header_t *);

mach_port_t mig_get_reply_port(void) { return 0x103; }
void mig_put_reply_port(mach_port_t p) { (void)p; }
void mig_dealloc_reply_port(mach_port_t p) { (void)p; }
void mach_msg_destroy(mach_msg_header_t *m) { (void)m; }

mach_msg_return_t mach_msg(mach_msg_header_t *msg, mach_msg_option_t option,
                           mach_msg_size_t send_size, mach_msg_size_t rcv_size,
                           mach_port_name_t rcv_name, mach_msg_timeout_t timeout,
                           mach_port_name_t notify)
{
    (void)option, (void)rcv_name, (void)timeout, (void)notify;
    union {
        mach_msg_header_t h;
        unsigned char b[256];
    } in, out;
    memcpy(&in, msg, send_size);
    in.h.msgh_remote_port = msg->msgh_local_port;
    in.h.msgh_local_port = msg->msgh_remote_port;
    in.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_PORT_SEND_ONCE, MACH_MSG_TYPE_PORT_SEND);
    memset(in.b + send_size, 0, sizeof(mach_msg_trailer_t));
    demux(&in.h, &out.h);
    mach_msg_size_t size = out.h.msgh_size;
    if (size + sizeof(mach_msg_trailer_t) > rcv_size)
        return MACH_RCV_TOO_LARGE;
    memcpy(msg, &out, size);
    msg->msgh_remote_port = MACH_PORT_NULL;
    msg->msgh_local_port = 0x103;
    mach_msg_trailer_t t = {MACH_MSG_TRAILER_FORMAT_0, sizeof t};
    memcpy((char *)msg + size, &t, sizeof t);
    return MACH_MSG_SUCCESS;
}

kern_return_t s_add(mach_port_t server, int a, int b, int *sum)
{
    (void)server;
    *sum = a + b;
    return KERN_SUCCESS;
}

typedef struct {
    mach_msg_header_t Head;
    NDR_record_t NDR;
    int a, b;
} hand_request;

typedef struct {
    mach_msg_header_t Head;
    NDR_record_t NDR;
    kern_return_t RetCode;
    int sum;
} hand_reply;

/* The same checks the generated server makes, written by hand. */
static boolean_t hand_demux(mach_msg_header_t *inh, mach_msg_header_t *outh)
{
    const hand_request *in = (const hand_request *)inh;
    hand_reply *out = (hand_reply *)outh;
    out->Head.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(inh->msgh_bits), 0);
    out->Head.msgh_remote_port = inh->msgh_remote_port;
    out->Head.msgh_local_port = MACH_PORT_NULL;
    out->Head.msgh_voucher_port = MACH_PORT_NULL;
    out->Head.msgh_id = inh->msgh_id + 100;
    out->NDR = NDR_record;
    if (inh->msgh_id != 100 || (inh->msgh_bits & MACH_MSGH_BITS_COMPLEX) ||
        inh->msgh_size != sizeof *in) {
        out->Head.msgh_size = sizeof(mig_reply_error_t);
        out->RetCode = inh->msgh_id != 100 ? MIG_BAD_ID : MIG_BAD_ARGUMENTS;
        return inh->msgh_id == 100;
    }
    out->RetCode = s_add(inh->msgh_local_port, in->a, in->b, &out->sum);
    out->Head.msgh_size = sizeof *out;
    return TRUE;
}

static kern_return_t hand_add(mach_port_t server, int a, int b, int *sum)
{
    union {
        hand_request req;
        struct {
            hand_reply rep;
            mach_msg_trailer_t t;
        } rep;
    } m;
    mach_port_t reply = mig_get_reply_port();
    m.req.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    m.req.Head.msgh_size = sizeof m.req;
    m.req.Head.msgh_remote_port = server;
    m.req.Head.msgh_local_port = reply;
    m.req.Head.msgh_voucher_port = MACH_PORT_NULL;
    m.req.Head.msgh_id = 100;
    m.req.NDR = NDR_record;
    m.req.a = a;
    m.req.b = b;
    mach_msg_return_t mr = mach_msg(&m.req.Head, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m.req,
                                    sizeof m, reply, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
    if (mr != MACH_MSG_SUCCESS)
        return mr;
    if (m.rep.rep.Head.msgh_id != 200 || m.rep.rep.Head.msgh_size != sizeof m.rep.rep)
        return MIG_TYPE_ERROR;
    if (m.rep.rep.RetCode != KERN_SUCCESS)
        return m.rep.rep.RetCode;
    *sum = m.rep.rep.sum;
    return KERN_SUCCESS;
}

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return a < b ? -1 : a > b;
}

int main(int argc, char **argv)
{
    int calls = argc > 1 ? atoi(argv[1]) : 1000000;
    int rounds = argc > 2 ? atoi(argv[2]) : 7;
    if (calls < 1 || rounds < 1 || rounds > 64)
        return 2;
    double gen[64], hand[64];
    volatile int sink = 0;
    for (int r = 0; r < rounds; r++) {
        int sum = 0;
        demux = bench_server;
        double t0 = now_ns();
        for (int i = 0; i < calls; i++) {
            if (add(1, i, 1, &sum) != KERN_SUCCESS || sum != i + 1)
                return 1;
        }
        gen[r] = (now_ns() - t0) / calls;
        demux = hand_demux;
        t0 = now_ns();
        for (int i = 0; i < calls; i++) {
            if (hand_add(1, i, 1, &sum) != KERN_SUCCESS || sum != i + 1)
                return 1;
        }
        hand[r] = (now_ns() - t0) / calls;
        sink += sum;
    }
    qsort(gen, (size_t)rounds, sizeof gen[0], cmp);
    qsort(hand, (size_t)rounds, sizeof hand[0], cmp);
    printf("in-process loopback, median of %d rounds of %d calls: generated %.1f ns/call, "
           "hand-written %.1f ns/call, ratio %.3f\n",
           rounds, calls, gen[rounds / 2], hand[rounds / 2], gen[rounds / 2] / hand[rounds / 2]);
    return sink == 0;
}
