/* libFuzzer target: arbitrary requests into the generated demux of tests/async's
 * kinds interface (inline and OOL arrays, OOL port arrays, polymorphic ports,
 * CountInOut, a deferring routine), with test doubles of its routines. */
#include "fuzz_kernel.h"
#include "kindsServer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned g_sink;

kern_return_t S_kinds_echo(mach_port_t server, ints_t v, mach_msg_type_number_t vCnt, ints_t w,
                           mach_msg_type_number_t *wCnt, int32_t *n)
{
    (void)server;
    if (*wCnt < vCnt)
        return KERN_RESOURCE_SHORTAGE;
    memcpy(w, v, vCnt * sizeof v[0]);
    *wCnt = vCnt;
    *n = (int32_t)((uint32_t)*n + vCnt);
    return KERN_SUCCESS;
}

kern_return_t S_kinds_ool(mach_port_t server, bytes_t data, mach_msg_type_number_t dataCnt,
                          bytes_t *back, mach_msg_type_number_t *backCnt)
{
    (void)server;
    if (dataCnt == 1)
        return KERN_INVALID_ARGUMENT; /* the region goes back with the request */
    uint8_t *copy = dataCnt ? malloc(dataCnt) : NULL;
    if (dataCnt && !copy)
        return KERN_RESOURCE_SHORTAGE;
    for (mach_msg_type_number_t i = 0; i < dataCnt; i++)
        copy[i] = data[dataCnt - 1 - i];
    /* `array[]` looks inline to the routine: the stub frees the received region;
     * the reply's (dealloc) is the kernel's after the send */
    *back = copy;
    *backCnt = dataCnt;
    return KERN_SUCCESS;
}

kern_return_t S_kinds_ports(mach_port_t server, mach_port_array_t ps, mach_msg_type_number_t psCnt,
                            mach_port_t *p, mach_port_array_t *qs, mach_msg_type_number_t *qsCnt)
{
    if (psCnt > 100)
        return KERN_INVALID_ARGUMENT;
    mach_port_array_t out = malloc(sizeof *out * (psCnt + 1));
    if (!out)
        return KERN_RESOURCE_SHORTAGE;
    /* on success the send rights are the routine's; the array (an `array[]`,
     * inline-looking) the stub frees */
    for (mach_msg_type_number_t i = 0; i < psCnt; i++) {
        out[i] = MACH_PORT_NULL;
        mach_port_deallocate(mach_task_self(), ps[i]);
    }
    *p = server;
    *qs = out;
    *qsCnt = psCnt;
    return KERN_SUCCESS;
}

kern_return_t S_kinds_poly(mach_port_t server, mach_port_t p, mach_msg_type_name_t pPoly,
                           mach_port_t *q, mach_msg_type_name_t *qPoly)
{
    (void)server;
    if (!MACH_PORT_VALID(p))
        return KERN_INVALID_RIGHT;
    /* the received right is the routine's: give it back as it came */
    switch (pPoly) {
    case MACH_MSG_TYPE_PORT_SEND: *qPoly = MACH_MSG_TYPE_MOVE_SEND; break;
    case MACH_MSG_TYPE_PORT_SEND_ONCE: *qPoly = MACH_MSG_TYPE_MOVE_SEND_ONCE; break;
    case MACH_MSG_TYPE_PORT_RECEIVE: *qPoly = MACH_MSG_TYPE_MOVE_RECEIVE; break;
    default:
        fprintf(stderr, "fuzz_kinds: a received right of disposition %u\n", pPoly);
        abort();
    }
    *q = p;
    return KERN_SUCCESS;
}

kern_return_t S_kinds_str(mach_port_t server, label64_t s, label64_t t)
{
    (void)server;
    size_t n = strlen(s);
    for (size_t i = 0; i < n; i++)
        t[i] = s[n - 1 - i];
    t[n] = '\0';
    return KERN_SUCCESS;
}

kern_return_t S_kinds_cio(mach_port_t server, ints_t w, mach_msg_type_number_t *wCnt)
{
    (void)server;
    if (*wCnt > 64)
        return KERN_INVALID_ARGUMENT;
    for (mach_msg_type_number_t i = 0; i < *wCnt; i++)
        w[i] = (int32_t)i;
    return KERN_SUCCESS;
}

kern_return_t S_kinds_ping(mach_port_t server, int32_t *v)
{
    *v = (int32_t)server;
    return KERN_SUCCESS;
}

kern_return_t S_kinds_later(mach_port_t server, mach_port_t reply, int32_t delay_ms, int32_t n,
                            bytes_t *back, mach_msg_type_number_t *backCnt, mach_port_t *p,
                            ints_t w, mach_msg_type_number_t *wCnt, label64_t t)
{
    (void)reply;
    if (delay_ms < 0) /* deferred: the routine keeps the send-once reply right */
        return MIG_NO_REPLY;
    mach_msg_type_number_t len = (mach_msg_type_number_t)n % 300u;
    uint8_t *b = len ? malloc(len) : NULL;
    if (len && !b)
        return KERN_RESOURCE_SHORTAGE;
    if (len)
        memset(b, n, len);
    mach_msg_type_number_t k = *wCnt < 5 ? *wCnt : 5;
    for (mach_msg_type_number_t i = 0; i < k; i++)
        w[i] = n;
    *wCnt = k;
    *back = b;
    *backCnt = len;
    *p = server;
    snprintf(t, sizeof(label64_t), "later %d", n);
    return KERN_SUCCESS;
}

kern_return_t S_kinds_stats(mach_port_t server, int32_t *gone, int32_t *too_large, int32_t *names)
{
    *gone = 0;
    *too_large = 1;
    *names = (int32_t)server;
    return KERN_SUCCESS;
}

kern_return_t S_kinds_who(mach_port_t server, int32_t *v)
{
    *v = (int32_t)(server + g_sink);
    return KERN_SUCCESS;
}

int32_t kinds_whole_from_tenths(tenths_t t)
{
    return t / 10;
}

kern_return_t S_kinds_tenths(mach_port_t server, mach_port_t reply, int32_t t, tenths_t *whole)
{
    (void)reply;
    g_sink += server;
    *whole = (tenths_t)((uint32_t)t * 10u); /* wraps: t comes from the fuzzer */
    return KERN_SUCCESS;
}

kern_return_t S_kinds_pair(mach_port_t server, mach_port_t reply, int32_t a, kinds_pair_t *p)
{
    (void)reply;
    g_sink += server;
    p->x = (int32_t)((uint32_t)p->x + (uint32_t)a); /* wraps: values come from the fuzzer */
    p->y = (int32_t)((uint32_t)p->y - (uint32_t)a);
    return KERN_SUCCESS;
}

static const struct kinds_counter g_counter = {{1, 2, 3, 4}, "counter"};

kern_return_t S_kinds_counter(mach_port_t server, mach_port_t reply, int32_t which,
                              boolean_t deferred, kinds_counter_ref_t *readings,
                              kinds_counter_ref_t *name)
{
    (void)reply;
    g_sink += server + (uint32_t)which + deferred;
    if (which < 0)
        return KERN_INVALID_ARGUMENT;
    *readings = *name = &g_counter;
    return KERN_SUCCESS;
}

kern_return_t S_kinds_quit(mach_port_t server)
{
    g_sink += server;
    return KERN_SUCCESS;
}

FUZZ_SERVER_ENTRY(kinds_server, S_kinds_subsystem)
