#include "core_test_util.h"

test_host th;
mgc_core *core;
mgc_space *A, *B;

static void on_arrived(void *ctx, mgc_space *s, mach_port_name_t name, mach_port_name_t pset)
{
    (void)ctx;
    (void)s;
    th.arrived++;
    th.last_arrived_name = name;
    th.last_arrived_pset = pset;
}

static void on_gone(void *ctx, mgc_space *s, mach_port_name_t name, mach_msg_return_t why)
{
    (void)ctx;
    (void)s;
    th.gone++;
    th.last_gone_name = name;
    th.last_gone_why = why;
}

static void on_send_possible(void *ctx, mgc_port *p)
{
    (void)ctx;
    (void)p;
    th.send_possible++;
}

static void on_ool(void *ctx, uint64_t token, uint64_t size)
{
    (void)ctx;
    if (th.ool_released < 16) {
        th.ool_tokens[th.ool_released] = token;
        th.ool_sizes[th.ool_released] = size;
    }
    th.ool_released++;
}

void core_setup_limits(const mgc_limits *limits)
{
    memset(&th, 0, sizeof th);
    mgc_host_ops ops = {
        .ctx = &th,
        .msg_arrived = on_arrived,
        .receive_gone = on_gone,
        .send_possible = on_send_possible,
        .ool_release = on_ool,
    };
    core = mgc_core_create(&ops, limits);
    cr_assert_not_null(core);
    mgc_creds ca = {.pid = 100, .uid = 501, .gid = 20, .euid = 502, .egid = 21,
                    .auid = 7, .asid = 99, .pidversion = 3};
    mgc_creds cb = {.pid = 200, .uid = 601, .gid = 30, .euid = 602, .egid = 31,
                    .auid = 8, .asid = 98, .pidversion = 4};
    A = mgc_space_create(core, &ca);
    B = mgc_space_create(core, &cb);
    cr_assert_not_null(A);
    cr_assert_not_null(B);
}

void core_setup(void)
{
    core_setup_limits(NULL);
}

void core_teardown(void)
{
    mgc_core_destroy(core);
    core = NULL;
}

mach_port_name_t new_port(mgc_space *s)
{
    mach_port_name_t n = MACH_PORT_NULL;
    OK(mgc_port_allocate(s, MACH_PORT_RIGHT_RECEIVE, &n));
    return n;
}

mach_port_name_t send_right_to(mgc_space *owner, mgc_space *to, mach_port_name_t *rcv)
{
    mach_port_name_t r = new_port(owner), out = MACH_PORT_NULL;
    mach_msg_type_name_t t = 0;
    OK(mgc_port_extract_right(owner, r, MACH_MSG_TYPE_MAKE_SEND, to, &out, &t));
    cr_assert_eq(t, MACH_MSG_TYPE_PORT_SEND);
    if (rcv)
        *rcv = r;
    return out;
}

mach_msg_return_t send_simple(mgc_space *s, mach_port_name_t dest, mach_msg_type_name_t dt,
                              mach_port_name_t reply, mach_msg_type_name_t rt, mach_msg_id_t id)
{
    simple_msg m;
    memset(&m, 0, sizeof m);
    m.h.msgh_bits = MACH_MSGH_BITS(dt, rt);
    m.h.msgh_size = sizeof m;
    m.h.msgh_remote_port = dest;
    m.h.msgh_local_port = reply;
    m.h.msgh_id = id;
    for (int i = 0; i < 8; i++)
        m.words[i] = (uint32_t)(id * 100 + i);
    return mgc_msg_send(s, &m, sizeof m, NULL, 0, 0, NULL);
}

void cmsg_init(cmsg *m, mach_port_name_t dest, mach_msg_type_name_t dt, mach_msg_id_t id)
{
    memset(m, 0, sizeof *m);
    mach_msg_header_t h = {
        .msgh_bits = MACH_MSGH_BITS_COMPLEX | MACH_MSGH_BITS(dt, 0),
        .msgh_remote_port = dest,
        .msgh_id = id,
    };
    memcpy(m->bytes, &h, sizeof h);
    m->size = sizeof(mach_msg_base_t);
}

static void bump_desc(cmsg *m)
{
    m->ndesc++;
    memcpy(m->bytes + sizeof(mach_msg_header_t), &m->ndesc, 4);
}

void cmsg_port(cmsg *m, mach_port_name_t name, mach_msg_type_name_t disp)
{
    mach_msg_port_descriptor_t d;
    memset(&d, 0, sizeof d);
    d.name = name;
    d.disposition = disp;
    d.type = MACH_MSG_PORT_DESCRIPTOR;
    memcpy(m->bytes + m->size, &d, sizeof d);
    m->size += sizeof d;
    bump_desc(m);
}

void cmsg_ool(cmsg *m, uint64_t token, uint32_t size, int dealloc, int copy)
{
    mach_msg_ool_descriptor64_t d;
    memset(&d, 0, sizeof d);
    d.address = token;
    d.size = size;
    d.deallocate = (unsigned)dealloc;
    d.copy = (unsigned)copy;
    d.type = MACH_MSG_OOL_DESCRIPTOR;
    memcpy(m->bytes + m->size, &d, sizeof d);
    m->size += sizeof d;
    bump_desc(m);
}

void cmsg_ool_ports(cmsg *m, uint32_t count, mach_msg_type_name_t disp)
{
    mach_msg_ool_ports_descriptor64_t d;
    memset(&d, 0, sizeof d);
    d.address = 0x1000;
    d.count = count;
    d.disposition = disp;
    d.copy = MACH_MSG_PHYSICAL_COPY;
    d.type = MACH_MSG_OOL_PORTS_DESCRIPTOR;
    memcpy(m->bytes + m->size, &d, sizeof d);
    m->size += sizeof d;
    bump_desc(m);
}

void cmsg_inline(cmsg *m, uint32_t word)
{
    memcpy(m->bytes + m->size, &word, 4);
    m->size += 4;
}

mach_msg_return_t cmsg_send(mgc_space *s, cmsg *m, const mach_port_name_t *names, size_t n)
{
    memcpy(m->bytes + 4, &m->size, 4);
    return mgc_msg_send(s, m->bytes, m->size, names, n, 0, NULL);
}

mach_msg_return_t rcv_sized(mgc_space *s, mach_port_name_t name, rbuf *r,
                            mach_msg_option_t opts, mach_msg_size_t size)
{
    memset(r, 0xa5, sizeof *r);
    return mgc_msg_receive(s, name, opts, r->bytes, size, r->names, 16, &r->info);
}

mach_msg_return_t rcv(mgc_space *s, mach_port_name_t name, rbuf *r, mach_msg_option_t opts)
{
    return rcv_sized(s, name, r, opts, sizeof r->bytes);
}

const uint8_t *rdesc(const rbuf *r, uint32_t i)
{
    const uint8_t *d = r->bytes + sizeof(mach_msg_base_t);
    while (i--)
        d += d[11] == MACH_MSG_PORT_DESCRIPTOR ? 12 : 16;
    return d;
}

uint32_t rd32at(const uint8_t *p, uint32_t off)
{
    uint32_t v;
    memcpy(&v, p + off, 4);
    return v;
}

mach_port_urefs_t refs_of(mgc_space *s, mach_port_name_t name, mach_port_right_t right)
{
    mach_port_urefs_t r = 12345;
    OK(mgc_port_get_refs(s, name, right, &r));
    return r;
}

mach_port_type_t type_of(mgc_space *s, mach_port_name_t name)
{
    mach_port_type_t t = 0;
    kern_return_t kr = mgc_port_type(s, name, &t);
    return kr == KERN_SUCCESS ? t : 0xdeadbeef;
}

mach_port_status_t status_of(mgc_space *s, mach_port_name_t name)
{
    mach_port_status_t st;
    mach_msg_type_number_t cnt = MACH_PORT_RECEIVE_STATUS_COUNT;
    memset(&st, 0xff, sizeof st);
    OK(mgc_port_get_attributes(s, name, MACH_PORT_RECEIVE_STATUS, (mach_port_info_t)&st, &cnt));
    cr_assert_eq(cnt, MACH_PORT_RECEIVE_STATUS_COUNT);
    return st;
}
