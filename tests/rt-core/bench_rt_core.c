/* Port-core micro-benchmark: in-core RPC round trip (request with a
 * MAKE_SEND_ONCE reply right, reply through it) with few names in the
 * spaces and again with 10,000 extra names. Prints ns per round trip. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "port_core.h"

typedef struct {
    mach_msg_header_t h;
    uint8_t ndr[8];
    uint32_t payload[4];
} req_t;

static double now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int rpc(mgc_space *client, mgc_space *server, mach_port_name_t dest,
               mach_port_name_t reply, mach_port_name_t service)
{
    union {
        req_t r;
        uint8_t b[256];
    } buf;
    memset(&buf.r, 0, sizeof buf.r);
    buf.r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, MACH_MSG_TYPE_MAKE_SEND_ONCE);
    buf.r.h.msgh_size = sizeof buf.r;
    buf.r.h.msgh_remote_port = dest;
    buf.r.h.msgh_local_port = reply;
    buf.r.h.msgh_id = 1000;
    if (mgc_msg_send(client, &buf.r, sizeof buf.r, NULL, 0, 0, NULL) != MACH_MSG_SUCCESS)
        return -1;
    mgc_rcv_info info;
    if (mgc_msg_receive(server, service, 0, buf.b, sizeof buf.b, NULL, 0, &info) !=
        MACH_MSG_SUCCESS)
        return -1;
    mach_port_name_t so = buf.r.h.msgh_remote_port;
    buf.r.h.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_MOVE_SEND_ONCE, 0);
    buf.r.h.msgh_remote_port = so;
    buf.r.h.msgh_local_port = MACH_PORT_NULL;
    buf.r.h.msgh_id = 1100;
    if (mgc_msg_send(server, &buf.r, sizeof buf.r, NULL, 0, 0, NULL) != MACH_MSG_SUCCESS)
        return -1;
    if (mgc_msg_receive(client, reply, 0, buf.b, sizeof buf.b, NULL, 0, &info) !=
        MACH_MSG_SUCCESS)
        return -1;
    return 0;
}

static double measure(mgc_space *c, mgc_space *s, mach_port_name_t dest, mach_port_name_t reply,
                      mach_port_name_t service, int iters)
{
    double best = 1e30;
    for (int round = 0; round < 5; round++) {
        double t0 = now_ns();
        for (int i = 0; i < iters; i++) {
            if (rpc(c, s, dest, reply, service) != 0) {
                fprintf(stderr, "rpc failed\n");
                exit(1);
            }
        }
        double per = (now_ns() - t0) / iters;
        if (per < best)
            best = per;
    }
    return best;
}

int main(int argc, char **argv)
{
    int iters = argc > 1 ? atoi(argv[1]) : 200000;
    mgc_core *core = mgc_core_create(NULL, NULL);
    mgc_creds cc = {.pid = 1}, sc = {.pid = 2};
    mgc_space *client = mgc_space_create(core, &cc), *server = mgc_space_create(core, &sc);
    mach_port_name_t service, reply, dest;
    mach_msg_type_name_t t;
    mgc_port_allocate(server, MACH_PORT_RIGHT_RECEIVE, &service);
    mgc_port_allocate(client, MACH_PORT_RIGHT_RECEIVE, &reply);
    mgc_port_extract_right(server, service, MACH_MSG_TYPE_MAKE_SEND, client, &dest, &t);

    measure(client, server, dest, reply, service, iters / 4); /* warm up */
    double few = measure(client, server, dest, reply, service, iters);
    for (int i = 0; i < 10000; i++) {
        mach_port_name_t n, m;
        mgc_port_allocate(client, MACH_PORT_RIGHT_RECEIVE, &n);
        mgc_port_allocate(server, MACH_PORT_RIGHT_RECEIVE, &m);
        /* Send rights too, so the port->name hash is populated. */
        mgc_port_extract_right(server, m, MACH_MSG_TYPE_MAKE_SEND, client, &n, &t);
    }
    double many = measure(client, server, dest, reply, service, iters);
    printf("port core RPC round trip: %.1f ns with %u/%u names, %.1f ns with %u/%u names, "
           "ratio %.3f\n",
           few, 3u, 1u, many, mgc_space_name_count(client), mgc_space_name_count(server),
           many / few);
    mgc_core_destroy(core);
    return 0;
}
