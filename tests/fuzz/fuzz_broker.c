/* libFuzzer target: the broker's client protocol, in-process. Each input is a
 * sequence of request frames from two client connections of two tasks, served by
 * bcore_dispatch (the function the broker runs for every frame after HELLO), with
 * the event loop's follow-up (kernel ports, parked calls) after each frame. A
 * fresh broker per input; at the end every connection and task goes away and the
 * broker's resource accounting must be back to zero (LeakSanitizer checks memory,
 * the harness checks OOL bytes, memfds and objects).
 *
 * Input: frames, each as
 *   u8 selector (bit 0: connection, bits 1-2: memfds to attach), u16 length, bytes. */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "broker/broker.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NCONN = 2, MAX_FRAMES = 64 };

struct client {
    struct bconn conn;  /* the broker's side */
    struct btask task;
    int peer;           /* the client's end of the socket pair */
    int live;
};

static void fail(const char *what)
{
    fprintf(stderr, "fuzz_broker: %s\n", what);
    abort();
}

/* Reads and discards every reply waiting for a client (and any fds in it). */
static void drain(struct client *cl)
{
    static unsigned char buf[MGW_MAX_FRAME];
    for (;;) {
        int fds[MGW_MAX_FDS];
        unsigned nfds = 0;
        size_t len = 0;
        int rc = mgw_recv(cl->peer, buf, sizeof buf, &len, fds, &nfds);
        for (unsigned i = 0; i < nfds; i++)
            close(fds[i]);
        if (rc != 0)
            return;
    }
}

/* What conn_drop does, minus epoll: the broker forgets the connection. */
static void drop_conn(struct broker *b, struct client *cl)
{
    if (!cl->live)
        return;
    bmsg_conn_gone(b, &cl->conn);
    broker_unpark(b, &cl->conn);
    if (cl->conn.thread_port) {
        mgc_port_destroy(b->kspace, cl->conn.thread_port);
        cl->conn.thread_port = MACH_PORT_NULL;
        b->dirty = true;
    }
    close(cl->conn.fd);
    cl->live = 0;
}

/* The event loop's work after a batch: kernel ports, then parked calls. */
static void settle(struct broker *b)
{
    for (int round = 0; b->dirty && round < 64; round++) {
        b->dirty = false;
        bkernel_serve(b);
        for (struct bconn *c = b->parked_head, *next; c; c = next) {
            next = c->pnext;
            if (c->wake) {
                c->wake = false;
                bmsg_retry(b, c);
            }
        }
    }
}

static int make_memfd(unsigned i, size_t size)
{
    int fd = memfd_create("fuzz-ool", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (fd < 0)
        fail("memfd_create");
    if (ftruncate(fd, (off_t)size) != 0)
        fail("ftruncate");
    /* The broker takes only sealed memfds (MACH_SEND_INVALID_MEMORY else):
     * the first of a frame is left unsealed so both paths are reached. */
    if (i > 0 && fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK) != 0)
        fail("F_ADD_SEALS");
    return fd;
}

static void serve_frame(struct broker *b, struct client *cl, const uint8_t *bytes, size_t len,
                        unsigned nfds)
{
    if (len < sizeof(struct mgw_hdr))
        return; /* conn_input drops the connection: nothing reaches dispatch */
    if (cl->conn.parked) {
        drop_conn(b, cl); /* a parked client must not send */
        return;
    }
    /* The frame alone in its allocation (8-aligned like the broker's buffer),
     * so ASan sees any read past it. */
    void *frame = malloc(len);
    if (!frame)
        fail("malloc");
    memcpy(frame, bytes, len);
    const struct mgw_hdr *h = frame;
    int fds[MGW_MAX_FDS];
    for (unsigned i = 0; i < nfds; i++)
        fds[i] = make_memfd(i, 4096u * (i + 1));
    if (h->op == MGW_OP_HELLO) {
        for (unsigned i = 0; i < nfds; i++)
            close(fds[i]);
    } else {
        int drop = 0;
        bcore_dispatch(b, &cl->conn, frame, len, fds, nfds, &drop);
        if (drop)
            drop_conn(b, cl);
    }
    free(frame);
    settle(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct broker b;
    struct client cl[NCONN];

    memset(&b, 0, sizeof b);
    memset(cl, 0, sizeof cl);
    b.epfd = -1;
    b.lfd = -1;
    b.uid = getuid();
    b.ool_fds_max = 16;
    if (bcore_init(&b) != 0)
        fail("bcore_init");
    for (int i = 0; i < NCONN; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv) != 0)
            fail("socketpair");
        mgw_tune_socket(sv[0]);
        mgw_tune_socket(sv[1]);
        cl[i].task.kind = BK_TASK;
        cl[i].task.pid = getpid() + i;
        cl[i].task.uid = getuid();
        cl[i].task.gid = getgid();
        cl[i].task.pidfd = -1;
        if (bcore_task_create(&b, &cl[i].task) != 0)
            fail("bcore_task_create");
        cl[i].task.nconns = 1;
        cl[i].task.next = b.tasks;
        b.tasks = &cl[i].task;
        b.ntasks++;
        cl[i].conn.kind = BK_CONN;
        cl[i].conn.fd = sv[0];
        cl[i].conn.task = &cl[i].task;
        cl[i].peer = sv[1];
        cl[i].live = 1;
        b.nconns++;
    }

    size_t off = 0;
    for (int n = 0; n < MAX_FRAMES && off + 3 <= size; n++) {
        uint8_t sel = data[off];
        size_t len = (size_t)data[off + 1] | (size_t)data[off + 2] << 8;
        off += 3;
        if (len > size - off)
            len = size - off;
        struct client *c = &cl[sel & 1];
        if (c->live)
            serve_frame(&b, c, data + off, len, (sel >> 1) & 3);
        off += len;
        for (int i = 0; i < NCONN; i++)
            drain(&cl[i]);
    }

    /* Time passes: every call waiting with a deadline times out. */
    for (struct bconn *c = b.parked_head, *next; c; c = next) {
        next = c->pnext;
        if (c->has_deadline)
            bmsg_timeout(&b, c);
    }
    settle(&b);
    /* Both clients exit. */
    for (int i = 0; i < NCONN; i++) {
        drain(&cl[i]);
        drop_conn(&b, &cl[i]);
        close(cl[i].peer);
    }
    for (int i = 0; i < NCONN; i++)
        bcore_task_destroy(&b, &cl[i].task);
    settle(&b);
    if (b.ool_bytes || b.ool_fds || b.ool_live) {
        fprintf(stderr, "ool bytes %llu fds %u objects %llu\n", (unsigned long long)b.ool_bytes,
                b.ool_fds, (unsigned long long)b.ool_live);
        fail("OOL accounting not back to zero after every task died");
    }
    bcore_fini(&b);
    return 0;
}
