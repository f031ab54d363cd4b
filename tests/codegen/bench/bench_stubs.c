/* Generated stubs versus a hand-written mach_msg RPC of the same message, in the
 * same run, between two processes through the Linux runtime.
 *   generated: client add() -> server mach_msg receive, bench_server() demux, reply
 *   hand:      raw 40-byte request -> server mach_msg receive, inline handler, reply
 * Both servers use the same receive/send loop; rounds alternate; the median of each
 * side's rounds is reported with their ratio (target <= 1.05).
 * Usage: bench_codegen_stubs [iterations per round] [rounds] */
#define _GNU_SOURCE
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

#include "bench.h"
#include "benchServer.h"

enum { QUIT_ID = 999 };

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

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void hand_handler(const hand_request *in, hand_reply *out)
{
    out->Head.msgh_bits = MACH_MSGH_BITS(MACH_MSGH_BITS_REMOTE(in->Head.msgh_bits), 0);
    out->Head.msgh_remote_port = in->Head.msgh_remote_port;
    out->Head.msgh_local_port = MACH_PORT_NULL;
    out->Head.msgh_voucher_port = MACH_PORT_NULL;
    out->Head.msgh_id = in->Head.msgh_id + 100;
    out->Head.msgh_size = sizeof *out;
    out->NDR = NDR_record;
    out->RetCode = KERN_SUCCESS;
    out->sum = in->a + in->b;
}

static int serve(const char *name, int generated)
{
    name_t n = {0};
    strncpy(n, name, sizeof n - 1);
    mach_port_t port;
    if (bootstrap_check_in(bootstrap_port, n, &port) != KERN_SUCCESS)
        return 10;
    union {
        mach_msg_header_t Head;
        hand_request req;
        unsigned char buf[256];
    } in;
    union {
        mach_msg_header_t Head;
        hand_reply rep;
        unsigned char buf[256];
    } out;
    for (;;) {
        if (mach_msg(&in.Head, MACH_RCV_MSG, 0, sizeof in, port, MACH_MSG_TIMEOUT_NONE,
                     MACH_PORT_NULL) != MACH_MSG_SUCCESS)
            return 11;
        if (in.Head.msgh_id == QUIT_ID)
            return 0;
        if (generated)
            bench_server(&in.Head, &out.Head);
        else
            hand_handler(&in.req, &out.rep);
        if (mach_msg(&out.Head, MACH_SEND_MSG, out.Head.msgh_size, 0, MACH_PORT_NULL,
                     MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
            return 12;
    }
}

/* the server routine behind the generated stub */
kern_return_t s_add(mach_port_t server, int a, int b, int *sum)
{
    (void)server;
    *sum = a + b;
    return KERN_SUCCESS;
}

static int hand_call(mach_port_t svc, mach_port_t reply, int a, int b, int *sum)
{
    union {
        hand_request req;
        struct {
            hand_reply rep;
            mach_msg_trailer_t trailer;
        } rep;
    } m;
    m.req.Head.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    m.req.Head.msgh_size = sizeof m.req;
    m.req.Head.msgh_remote_port = svc;
    m.req.Head.msgh_local_port = reply;
    m.req.Head.msgh_voucher_port = MACH_PORT_NULL;
    m.req.Head.msgh_id = 100;
    m.req.NDR = NDR_record;
    m.req.a = a;
    m.req.b = b;
    if (mach_msg(&m.req.Head, MACH_SEND_MSG | MACH_RCV_MSG, sizeof m.req, sizeof m, reply,
                 MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL) != MACH_MSG_SUCCESS)
        return -1;
    if (m.rep.rep.Head.msgh_id != 200 || m.rep.rep.RetCode != KERN_SUCCESS)
        return -1;
    *sum = m.rep.rep.sum;
    return 0;
}

static mach_port_t look_up(const char *name)
{
    name_t n = {0};
    strncpy(n, name, sizeof n - 1);
    mach_port_t p = MACH_PORT_NULL;
    for (int i = 0; i < 2000; i++) {
        if (bootstrap_look_up(bootstrap_port, n, &p) == KERN_SUCCESS)
            return p;
        usleep(2000);
    }
    return MACH_PORT_NULL;
}

static void quit(mach_port_t svc)
{
    mach_msg_header_t h = {0};
    h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    h.msgh_size = sizeof h;
    h.msgh_remote_port = svc;
    h.msgh_id = QUIT_ID;
    mach_msg(&h, MACH_SEND_MSG, sizeof h, 0, MACH_PORT_NULL, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
}

/* One round: ns per call for `iters` calls, or a negative value on failure. */
static double round_ns(int generated, int iters)
{
    static int serial;
    char name[64];
    snprintf(name, sizeof name, "machgen.bench.%d.%d", (int)getpid(), serial++);
    pid_t kid = fork();
    if (kid == 0) {
        alarm(120);
        _exit(serve(name, generated));
    }
    mach_port_t svc = look_up(name);
    if (svc == MACH_PORT_NULL)
        return -1;
    mach_port_t reply = mig_get_reply_port();
    int sum = 0;
    for (int i = 0; i < 1000; i++) /* warm up */
        if (generated ? add(svc, i, 1, &sum) != KERN_SUCCESS : hand_call(svc, reply, i, 1, &sum) != 0)
            return -1;
    double t0 = now_ns();
    for (int i = 0; i < iters; i++) {
        int r = generated ? (add(svc, i, 1, &sum) == KERN_SUCCESS ? 0 : -1)
                          : hand_call(svc, reply, i, 1, &sum);
        if (r != 0 || sum != i + 1)
            return -1;
    }
    double t = (now_ns() - t0) / iters;
    quit(svc);
    int st;
    waitpid(kid, &st, 0);
    mach_port_deallocate(mach_task_self(), svc);
    return t;
}

/* The pid of the broker behind a socket (its peer), to stop the one we started. */
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

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 20000;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    if (rounds < 1 || rounds > 64 || iters < 1)
        return 2;
    static char dir[64] = "/tmp/mgcg-bench-XXXXXX", sock[128];
    bool own_broker = !getenv("MACHGEN_BROKER_SOCKET");
    if (own_broker) {
        if (!mkdtemp(dir))
            return 1;
        snprintf(sock, sizeof sock, "%s/broker.sock", dir);
        setenv("MACHGEN_BROKER_SOCKET", sock, 1);
        setenv("MACHGEN_BROKER_IDLE", "2", 1);
    }
    double gen[64], hand[64];
    for (int r = 0; r < rounds; r++) {
        hand[r] = round_ns(0, iters);
        gen[r] = round_ns(1, iters);
        if (gen[r] < 0 || hand[r] < 0) {
            fprintf(stderr, "bench: RPC failed\n");
            rounds = -1;
            break;
        }
        printf("round %d: generated %.0f ns/call, hand-written %.0f ns/call\n", r, gen[r], hand[r]);
    }
    if (own_broker) {
        pid_t b = broker_pid(sock);
        if (b > 0)
            kill(b, SIGTERM);
        char lock[160];
        snprintf(lock, sizeof lock, "%s.lock", sock);
        unlink(sock);
        unlink(lock);
        rmdir(dir);
    }
    if (rounds < 0)
        return 1;
    qsort(gen, (size_t)rounds, sizeof gen[0], cmp);
    qsort(hand, (size_t)rounds, sizeof hand[0], cmp);
    double g = gen[rounds / 2], h = hand[rounds / 2];
    printf("median: generated %.0f ns/call, hand-written %.0f ns/call, ratio %.3f\n", g, h, g / h);
    return 0;
}
