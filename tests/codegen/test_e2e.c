/* The generated kitchen client and server in separate processes through the Linux
 * runtime (a private broker per test): real values, real rights, real VM regions,
 * and malformed requests that the server rejects while it keeps serving. Every
 * wait is bounded; the server child runs under alarm(). */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <mach/vm_map.h>
#include <servers/bootstrap.h>

#include "kitchen.h"
#include "kitchenServer.h"
#include "kitchen_e2e.h"

static char broker_dir[64];
static pid_t server_pid;
static mach_port_t svc;

/* up to the context: what tokens and implicit_data (ServerImpl msgh_audit) need */
static const mach_msg_options_t server_options =
    MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) | MACH_RCV_TRAILER_ELEMENTS(MACH_RCV_TRAILER_CTX);

static int serve(const char *service)
{
    name_t n = {0};
    strncpy(n, service, sizeof n - 1);
    mach_port_t port;
    if (bootstrap_check_in(bootstrap_port, n, &port) != KERN_SUCCESS)
        return 10;
    while (!kitchen_e2e_quit)
        if (mach_msg_server_once(kitchen_server, 16384, port, server_options) != MACH_MSG_SUCCESS)
            return 11;
    return 0;
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Exit status of pid, or -1 if it did not exit within timeout_ms (then it is killed). */
static int wait_deadline(pid_t pid, int timeout_ms)
{
    uint64_t end = now_ms() + (uint64_t)timeout_ms;
    int st;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        if (r < 0 || now_ms() >= end) {
            kill(pid, SIGKILL);
            waitpid(pid, &st, 0);
            return -1;
        }
        usleep(2000);
    }
}

static void start(void)
{
    char sock[128];
    strcpy(broker_dir, "/tmp/mgcg-e2e-XXXXXX");
    cr_assert_not_null(mkdtemp(broker_dir));
    snprintf(sock, sizeof sock, "%s/broker.sock", broker_dir);
    setenv("MACHGEN_BROKER_SOCKET", sock, 1);
    setenv("MACHGEN_BROKER_IDLE", "2", 1);
    server_pid = fork();
    cr_assert_geq(server_pid, 0);
    if (server_pid == 0) {
        alarm(30);
        _exit(serve("machgen.kitchen"));
    }
    name_t n = "machgen.kitchen";
    svc = MACH_PORT_NULL;
    for (int i = 0; i < 2000 && svc == MACH_PORT_NULL; i++)
        if (bootstrap_look_up(bootstrap_port, n, &svc) != KERN_SUCCESS) {
            svc = MACH_PORT_NULL;
            usleep(2000);
        }
    cr_assert_neq(svc, MACH_PORT_NULL, "server never checked in");
}

/* The pid of the broker this test started (its socket's peer). */
static pid_t broker_pid(const char *sock)
{
    struct sockaddr_un sa;
    struct ucred cr;
    socklen_t cl = sizeof cr;
    pid_t pid = -1;
    int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    size_t len = strlen(sock);
    if (len >= sizeof sa.sun_path) {
        close(fd);
        return -1;
    }
    memcpy(sa.sun_path, sock, len + 1);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
        getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
        pid = cr.pid;
    close(fd);
    return pid;
}

static void stop(void)
{
    if (server_pid > 0) {
        notify_one(svc, -1, "bye");
        cr_expect_eq(wait_deadline(server_pid, 5000), 0, "server exit status");
    }
    /* the private broker does not outlive the test */
    pid_t b = broker_pid(getenv("MACHGEN_BROKER_SOCKET"));
    if (b > 0)
        kill(b, SIGTERM);
    char path[128];
    snprintf(path, sizeof path, "%s/broker.sock", broker_dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/broker.sock.lock", broker_dir);
    unlink(path);
    rmdir(broker_dir);
}

TestSuite(e2e, .init = start, .fini = stop, .timeout = 60);

static mach_port_t new_port(void)
{
    mach_port_t p;
    cr_assert_eq(mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
    return p;
}

static mach_msg_id_t receive_id(mach_port_t p)
{
    struct {
        mach_msg_header_t h;
        mach_msg_max_trailer_t t;
    } m;
    if (mach_msg(&m.h, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof m, p, 2000, MACH_PORT_NULL) !=
        MACH_MSG_SUCCESS)
        return -1;
    return m.h.msgh_id;
}

Test(e2e, values)
{
    int c = 41;
    int64_t d = 0;
    cr_assert_eq(scalars(svc, 6, 7000000000LL, &c, &d), KERN_SUCCESS);
    cr_assert_eq(c, 42);
    cr_assert_eq(d, 42000000000LL);

    fixed4_t fixed = {100, 200, 300, 400};
    int var[5] = {1, 2, 3, 4, 5}, vout[64];
    point_t pts[2] = {{1, 2}, {3, 4}}, pt;
    mach_msg_type_number_t voutCnt = 64;
    int tail2;
    cr_assert_eq(arrays(svc, fixed, var, 5, 21, pts, 2, vout, &voutCnt, &tail2, &pt), KERN_SUCCESS);
    cr_assert_eq(voutCnt, 5);
    cr_assert_eq(vout[4], 1 + 100);
    cr_assert_eq(tail2, 42);
    cr_assert_eq(pt.y, 6);

    int data[64];
    mach_msg_type_number_t cnt = 4;
    cr_assert_eq(capped(svc, 10, data, &cnt), MIG_ARRAY_TOO_LARGE);
    cr_assert_eq(cnt, 10);
    cr_assert_eq(data[3], 9);
    cnt = 64;
    cr_assert_eq(capped(svc, 99, data, &cnt), KERN_INVALID_ARGUMENT);

    int xs[3] = {1, 2, 3}, ys[3] = {4, 5, 6}, sum;
    cr_assert_eq(paired(svc, xs, 3, ys, &sum), KERN_SUCCESS);
    cr_assert_eq(sum, 32);

    char oname[64], ovname[128];
    cr_assert_eq(strings(svc, "hello", "variable", oname, ovname), KERN_SUCCESS);
    cr_assert_str_eq(oname, "HELLO");
    cr_assert_str_eq(ovname, "variable!");

    cr_assert_eq(timed(svc, 2000, MACH_MSG_OPTION_NONE, 9), KERN_SUCCESS);
    int b;
    cr_assert_eq(later(svc, 5, &b), KERN_SUCCESS);
    cr_assert_eq(b, 6);
    int v;
    mach_port_t back = MACH_PORT_NULL;
    cr_assert_eq(widget(svc, &v, &back), KERN_SUCCESS);
    cr_assert_eq(v, 1);
    cr_assert_eq(back, svc, "outtran: a send right to the service port came back");
    cr_assert_eq(notify_one(svc, 3, "one-way"), KERN_SUCCESS);
    cr_assert_eq(poly_target(svc, MACH_MSG_TYPE_COPY_SEND, 1), KERN_SUCCESS);
    int pid = 0;
    cr_assert_eq(tokens(svc, &pid), KERN_SUCCESS);
    cr_assert_eq(pid, getpid(), "the audit token names the real client process");
}

Test(e2e, rights)
{
    mach_port_t moved = new_port();   /* its receive right goes to the server */
    mach_port_t watched = new_port(); /* we keep receive rights; server gets send rights */
    mach_port_t made = new_port();
    mach_port_t once = new_port();
    cr_assert_eq(mach_port_insert_right(mach_task_self(), watched, watched, MACH_MSG_TYPE_MAKE_SEND),
                 KERN_SUCCESS);
    mach_port_t ors = MACH_PORT_NULL, orr = MACH_PORT_NULL;
    cr_assert_eq(ports(svc, moved, watched, made, MACH_PORT_NULL, once, MACH_PORT_NULL, 1234, &ors,
                       &orr),
                 KERN_SUCCESS);
    /* the moved receive right is no longer ours */
    mach_port_type_t type = 0;
    kern_return_t kr = mach_port_type(mach_task_self(), moved, &type);
    cr_assert(kr != KERN_SUCCESS || !(type & MACH_PORT_TYPE_RECEIVE),
              "a moved receive right can no longer be received on");
    /* the server used the send and send-once rights it got */
    cr_assert_eq(receive_id(watched), KITCHEN_E2E_PING + 0);
    cr_assert_eq(receive_id(made), KITCHEN_E2E_PING + 1);
    cr_assert_eq(receive_id(once), KITCHEN_E2E_PING + 3);
    /* we got the receive right of a new port and a send right to it: one name */
    cr_assert_eq(ors, orr);
    cr_assert_eq(mach_port_type(mach_task_self(), orr, &type), KERN_SUCCESS);
    cr_assert(type & MACH_PORT_TYPE_RECEIVE);
    cr_assert(type & MACH_PORT_TYPE_SEND);

    mach_port_t pout = MACH_PORT_NULL;
    mach_msg_type_name_t poutPoly = 0;
    cr_assert_eq(poly(svc, watched, MACH_MSG_TYPE_MAKE_SEND, &pout, &poutPoly), KERN_SUCCESS);
    cr_assert_eq(pout, watched, "our own port comes back under its name");
    cr_assert_eq(poutPoly, MACH_MSG_TYPE_PORT_SEND);

    mach_port_t arr[2] = {watched, made};
    cr_assert_eq(mach_port_insert_right(mach_task_self(), made, made, MACH_MSG_TYPE_MAKE_SEND),
                 KERN_SUCCESS);
    mach_port_array_t out = NULL;
    mach_msg_type_number_t outCnt = 0;
    kr = ool_ports(svc, arr, 2, &out, &outCnt);
    cr_assert_eq(kr, KERN_SUCCESS, "ool_ports: %#x", kr);
    cr_assert_eq(outCnt, 2);
    cr_assert_eq(out[0], watched);
    cr_assert_eq(out[1], made);
    /* the client owns the rights and the array */
    for (mach_msg_type_number_t i = 0; i < outCnt; i++)
        mach_port_deallocate(mach_task_self(), out[i]);
    vm_deallocate(mach_task_self(), (vm_address_t)out, outCnt * sizeof *out);

    port_pair_t pair = {watched, made}, opair = {0, 0};
    int masks[4];
    mach_port_t handlers[4] = {0};
    mach_msg_type_number_t masksCnt = 4;
    cr_assert_eq(port_arrays(svc, pair, opair, masks, &masksCnt, handlers), KERN_SUCCESS);
    cr_assert_eq(opair[0], made);
    cr_assert_eq(opair[1], watched);
    cr_assert_eq(masksCnt, 1);
    cr_assert_eq(handlers[0], watched);
}

Test(e2e, ool_memory)
{
    vm_address_t moved = 0;
    cr_assert_eq(vm_allocate(mach_task_self(), &moved, 4096, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
    memset((void *)moved, 1, 10);
    unsigned char phys[20], maybe[30], small[40];
    memset(phys, 2, sizeof phys);
    memset(maybe, 3, sizeof maybe);
    memset(small, 4, sizeof small);
    vm_offset_t back = 0;
    mach_msg_type_number_t backCnt = 0;
    cr_assert_eq(ool(svc, moved, 10, (vm_offset_t)phys, 20, (vm_offset_t)maybe, 30, FALSE,
                     (vm_offset_t)small, 40, &back, &backCnt),
                 KERN_SUCCESS);
    cr_assert_eq(backCnt, 100);
    unsigned sum;
    memcpy(&sum, (void *)back, sizeof sum);
    cr_assert_eq(sum, 10u * 1 + 20u * 2 + 30u * 3 + 40u * 4);
    cr_assert_eq(((unsigned char *)back)[99], 99);
    cr_assert_eq(vm_deallocate(mach_task_self(), back, backCnt), KERN_SUCCESS);
    /* a region sent with dealloc is unmapped from the sender */
    unsigned char vec;
    cr_assert_eq(mincore((void *)moved, 4096, &vec), -1);
    cr_assert_eq(errno, ENOMEM);
}

Test(e2e, xnu_shapes)
{
    /* arrays the .defs declares over integers and C over structs */
    span_t list[2] = {{1, 5}, {100, 300}};
    span_block_t block = {{0, 1}, {0, 1}, {0, 1}, {0, 2}};
    int64_t total = 0;
    cr_assert_eq(spans(svc, list, 2, block, &total), KERN_SUCCESS);
    cr_assert_eq(total, 4 + 200 + 1000 * 5);
    /* an out-of-line region and its count both ways */
    vm_address_t r = 0;
    cr_assert_eq(vm_allocate(mach_task_self(), &r, 4096, VM_FLAGS_ANYWHERE), KERN_SUCCESS);
    memcpy((void *)r, "xyz", 3);
    vm_offset_t blob = r;
    mach_msg_type_number_t blobCnt = 3;
    cr_assert_eq(reshape(svc, &blob, &blobCnt), KERN_SUCCESS);
    cr_assert_eq(blobCnt, 6);
    cr_assert_arr_eq((const void *)blob, "xyzzyx", 6);
    cr_assert_eq(vm_deallocate(mach_task_self(), blob, blobCnt), KERN_SUCCESS);
    unsigned char vec; /* sent with dealloc: gone from the client */
    cr_assert_eq(mincore((void *)r, 4096, &vec), -1);
}

Test(e2e, server_death_during_an_rpc)
{
    /* the reply right dies with the server: the client gets MIG_SERVER_DIED */
    cr_assert_eq(timed(svc, 5000, MACH_MSG_OPTION_NONE, -2), MIG_SERVER_DIED);
}

Test(e2e, malformed_requests_are_rejected_and_destroyed)
{
    /* a ports request with a wrong descriptor count, carrying a receive right */
    mach_port_t victim = new_port();
    cr_assert_eq(mach_port_insert_right(mach_task_self(), victim, victim, MACH_MSG_TYPE_MAKE_SEND),
                 KERN_SUCCESS);
    union {
        struct {
            mach_msg_header_t Head;
            mach_msg_body_t msgh_body;
            mach_msg_port_descriptor_t port;
            NDR_record_t NDR;
        } req;
        struct {
            mig_reply_error_t rep;
            mach_msg_max_trailer_t trailer;
        } rep;
        unsigned char buf[512];
    } m;
    memset(&m, 0, sizeof m);
    mach_port_t reply = mig_get_reply_port();
    m.req.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE) |
                           MACH_MSGH_BITS_COMPLEX;
    m.req.Head.msgh_size = sizeof m.req;
    m.req.Head.msgh_remote_port = svc;
    m.req.Head.msgh_local_port = reply;
    m.req.Head.msgh_id = 4006; /* ports: expects 6 descriptors */
    m.req.msgh_body.msgh_descriptor_count = 1;
    m.req.port.name = victim;
    m.req.port.disposition = MACH_MSG_TYPE_MOVE_RECEIVE;
    m.req.port.type = MACH_MSG_PORT_DESCRIPTOR;
    m.req.NDR = NDR_record;
    cr_assert_eq(mach_msg(&m.req.Head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT, sizeof m.req,
                          sizeof m, reply, 5000, MACH_PORT_NULL),
                 MACH_MSG_SUCCESS);
    cr_assert_eq(m.rep.rep.Head.msgh_id, 4106);
    cr_assert_eq(m.rep.rep.RetCode, MIG_BAD_ARGUMENTS);
    /* the server destroyed the request: the receive right died, our send right is dead */
    mach_port_type_t type = 0;
    for (int i = 0; i < 200; i++) {
        if (mach_port_type(mach_task_self(), victim, &type) == KERN_SUCCESS &&
            (type & MACH_PORT_TYPE_DEAD_NAME))
            break;
        usleep(5000);
    }
    cr_assert(type & MACH_PORT_TYPE_DEAD_NAME, "type %#x", type);

    /* an unknown id gets MIG_BAD_ID */
    memset(&m, 0, sizeof m);
    m.req.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    m.req.Head.msgh_size = sizeof(mach_msg_header_t);
    m.req.Head.msgh_remote_port = svc;
    m.req.Head.msgh_local_port = reply;
    m.req.Head.msgh_id = 4004; /* the skipped slot */
    cr_assert_eq(mach_msg(&m.req.Head, MACH_SEND_MSG | MACH_RCV_MSG | MACH_RCV_TIMEOUT,
                          sizeof(mach_msg_header_t), sizeof m, reply, 5000, MACH_PORT_NULL),
                 MACH_MSG_SUCCESS);
    cr_assert_eq(m.rep.rep.RetCode, MIG_BAD_ID);

    /* and the server keeps serving */
    int c = 1;
    int64_t d;
    cr_assert_eq(scalars(svc, 2, 3, &c, &d), KERN_SUCCESS);
    cr_assert_eq(d, 6);
}

Test(e2e, array_of_ool_regions)
{
    unsigned char a[64], b[64];
    memset(a, 3, sizeof a);
    memset(b, 4, sizeof b);
    blobs_t r = {a, b};
    blobs_t back = {NULL, NULL};
    kern_return_t kr = regions(svc, r, back);
    cr_assert_eq(kr, KERN_SUCCESS, "regions: %#x", kr);
    for (int k = 0; k < 2; k++) {
        unsigned sum;
        memcpy(&sum, back[k], sizeof sum);
        cr_assert_eq(sum, 64u * 3 + 64u * 4);
        cr_assert_eq(back[k][63], 10 + k);
        cr_assert_eq(vm_deallocate(mach_task_self(), (vm_offset_t)back[k], 64), KERN_SUCCESS);
    }
}

Test(e2e, native_values)
{
    geo_t g = {3.0, 4.0, "e2e"};
    cr_assert_eq(native_put(svc, 3, g), KERN_SUCCESS);
    cr_assert_eq(native_put(svc, 4, g), KERN_INVALID_ARGUMENT);
#ifdef KITCHEN_E2E_NO_NATIVE_POINTERS
    /* Apple's migcom cannot generate native_swap's server (docs/interop.md) */
    g = (geo_t){4.0, 3.0, "e2e"};
#else
    cr_assert_eq(native_swap(svc, &g), KERN_SUCCESS);
#endif
    cr_assert_eq(g.lat, 4.0);
    cr_assert_eq(g.lon, 3.0);
    cr_assert_str_eq(g.tag, "e2e");
}

#ifndef KITCHEN_E2E_NO_NATIVE_POINTERS
Test(e2e, native_optional_pointer)
{
    int present = -1;
    geo_t g = {9.0, 0, "e2e"};
    cr_assert_eq(native_opt(svc, 9, &g, &present), KERN_SUCCESS);
    cr_assert_eq(present, 1);
    cr_assert_eq(native_opt(svc, 9, NULL, &present), KERN_SUCCESS);
    cr_assert_eq(present, 0);
}
#endif

Test(e2e, anonymous_types)
{
    int xs[3] = {1, 2, 3}, ys[4] = {0}, pt[2] = {0};
    char s[16] = "abcde";
    cr_assert_eq(anon(svc, xs, 3, ys, s, pt), KERN_SUCCESS);
    cr_assert_eq(ys[0], 10);
    cr_assert_eq(ys[2], 30);
    cr_assert_eq(ys[3], -1);
    cr_assert_eq(pt[0], 5);
    cr_assert_eq(pt[1], 3);
}

Test(e2e, translated_and_padded_values)
{
    int warmer = 0;
    cr_assert_eq(temperature(svc, 20, &warmer), KERN_SUCCESS);
    cr_assert_eq(warmer, 30, "intran to kelvin, +10, outtran back to celsius");
    cr_assert_eq(temperature(svc, -300, &warmer), KERN_INVALID_ARGUMENT);

    tiny_t on;
    bytes3_t b = {1, 2, 3}, ob = {0};
    int y = 0;
    cr_assert_eq(padded(svc, "ab", b, 41, on, ob, &y), KERN_SUCCESS);
    cr_assert_str_eq(on, "AB");
    cr_assert_eq(ob[0], 2);
    cr_assert_eq(ob[2], 4);
    cr_assert_eq(y, 42);
}

Test(e2e, reply_ports_options_and_trailers)
{
    /* replyport: the client waits on the port it names */
    mach_port_t rp = new_port();
    int b = 0;
    cr_assert_eq(with_reply(svc, rp, 2, &b), KERN_SUCCESS);
    cr_assert_eq(b, 6);
    /* ureplyport: a one-way request carrying a send-once right the server ignores */
    cr_assert_eq(async_reply(svc, rp, 1), KERN_SUCCESS);
    /* global waittime, sendtime and msgoption */
    cr_assert_eq(waited(svc, 1), KERN_SUCCESS);
    cr_assert_eq(waited(svc, 2), KERN_FAILURE);
    cr_assert_eq(sent_timed(svc, 8), KERN_SUCCESS);
    /* usersectoken: the server's credentials, from the reply's trailer */
    security_token_t sec = {{~0u, ~0u}};
    int v = 0;
    cr_assert_eq(whoami(svc, &sec, &v), KERN_SUCCESS);
    cr_assert_eq(v, 42);
    cr_assert_eq(sec.val[0], (unsigned)geteuid());
    cr_assert_eq(sec.val[1], (unsigned)getegid());
#ifndef KITCHEN_E2E_NO_IMPLICIT_DATA
    /* ServerImpl / UserImpl trailer fields (Apple's migcom leaves their field unnamed) */
    mach_port_context_t ctx = 0;
    b = 0;
    kern_return_t kr = implicit_data(svc, 6, &ctx, &b);
    cr_assert_eq(kr, KERN_SUCCESS, "%#x", kr);
    cr_assert_eq(b, 7);
#endif
    mach_port_mod_refs(mach_task_self(), rp, MACH_PORT_RIGHT_RECEIVE, -1);
}
