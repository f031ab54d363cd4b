/* Shared fixture for the port core unit tests: one core, two task spaces
 * (A and B) with distinct credentials, and a host that records callbacks. */
#ifndef MACHGEN_CORE_TEST_UTIL_H
#define MACHGEN_CORE_TEST_UTIL_H

#include <criterion/criterion.h>
#include <string.h>

#include <mach/notify.h>

#include "port_core.h"

typedef struct test_host {
    int arrived;
    mach_port_name_t last_arrived_name, last_arrived_pset;
    int gone;
    mach_port_name_t last_gone_name;
    mach_msg_return_t last_gone_why;
    int send_possible;
    int ool_released;
    uint64_t ool_tokens[16];
    uint64_t ool_sizes[16];
} test_host;

extern test_host th;
extern mgc_core *core;
extern mgc_space *A, *B;

void core_setup(void);
void core_teardown(void);
void core_setup_limits(const mgc_limits *limits);

/* A receive right in `s`. */
mach_port_name_t new_port(mgc_space *s);
/* Receive right in `owner` plus a send right for it inserted into `to`
 * (returned); *rcv gets the receive name. */
mach_port_name_t send_right_to(mgc_space *owner, mgc_space *to, mach_port_name_t *rcv);

/* Simple (non-complex) message with `extra` payload words. */
typedef struct {
    mach_msg_header_t h;
    uint32_t words[8];
} simple_msg;

mach_msg_return_t send_simple(mgc_space *s, mach_port_name_t dest, mach_msg_type_name_t dt,
                              mach_port_name_t reply, mach_msg_type_name_t rt, mach_msg_id_t id);

/* Complex message with up to 4 descriptors built from raw bytes. */
typedef struct {
    uint8_t bytes[256];
    uint32_t size;
    uint32_t ndesc;
} cmsg;

void cmsg_init(cmsg *m, mach_port_name_t dest, mach_msg_type_name_t dt, mach_msg_id_t id);
void cmsg_port(cmsg *m, mach_port_name_t name, mach_msg_type_name_t disp);
void cmsg_ool(cmsg *m, uint64_t token, uint32_t size, int dealloc, int copy);
void cmsg_ool_ports(cmsg *m, uint32_t count, mach_msg_type_name_t disp);
void cmsg_inline(cmsg *m, uint32_t word);
mach_msg_return_t cmsg_send(mgc_space *s, cmsg *m, const mach_port_name_t *names, size_t n);

/* Receive buffer large enough for anything the tests send + max trailer. */
typedef struct {
    union {
        mach_msg_header_t h;
        uint8_t bytes[512];
    };
    mgc_rcv_info info;
    mach_port_name_t names[16];
} rbuf;

mach_msg_return_t rcv(mgc_space *s, mach_port_name_t name, rbuf *r, mach_msg_option_t opts);
mach_msg_return_t rcv_sized(mgc_space *s, mach_port_name_t name, rbuf *r,
                            mach_msg_option_t opts, mach_msg_size_t size);

/* Read descriptor i of a received complex message. */
const uint8_t *rdesc(const rbuf *r, uint32_t i);
uint32_t rd32at(const uint8_t *p, uint32_t off);

mach_port_urefs_t refs_of(mgc_space *s, mach_port_name_t name, mach_port_right_t right);
mach_port_type_t type_of(mgc_space *s, mach_port_name_t name);
mach_port_status_t status_of(mgc_space *s, mach_port_name_t name);

#define OK(expr) cr_assert_eq((expr), KERN_SUCCESS, "%s failed", #expr)

#endif
