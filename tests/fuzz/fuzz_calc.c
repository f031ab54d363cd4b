/* libFuzzer target: arbitrary requests into the generated demux of tests/async's
 * calc interface (serverprefix S_), with test doubles of its routines. */
#include "fuzz_kernel.h"
#include "calcServer.h"

#include <stdio.h>
#include <string.h>

static unsigned g_sink;

kern_return_t S_calc_add(mach_port_t server, int32_t a, int32_t b, int32_t *sum)
{
    (void)server;
    *sum = (int32_t)((uint32_t)a + (uint32_t)b);
    return KERN_SUCCESS;
}

kern_return_t S_calc_later(mach_port_t server, mach_port_t reply, int32_t delay_ms, int32_t value,
                           int32_t *result)
{
    (void)server;
    (void)reply;
    if (delay_ms < 0) /* deferred: the routine keeps the send-once reply right */
        return MIG_NO_REPLY;
    *result = (int32_t)((uint32_t)value * 2u);
    return KERN_SUCCESS;
}

kern_return_t S_calc_fail(mach_port_t server, int32_t code)
{
    (void)server;
    return code;
}

kern_return_t S_calc_name(mach_port_t server, label_t who, vec_t v, label_t greeting, vec_t doubled)
{
    (void)server;
    /* a fixed-size c_string need not hold a NUL: bounded */
    const char *nul = memchr(who, '\0', sizeof(label_t));
    int len = nul ? (int)(nul - who) : (int)sizeof(label_t);
    snprintf(greeting, sizeof(label_t), "hi %.*s", len, who);
    for (int i = 0; i < 4; i++)
        doubled[i] = (int32_t)((uint32_t)v[i] * 2u);
    return KERN_SUCCESS;
}

kern_return_t S_calc_port(mach_port_t server, mach_port_t p, int32_t *ptype)
{
    (void)server;
    if (p == MACH_PORT_DEAD)
        return KERN_INVALID_RIGHT;
    *ptype = MACH_PORT_VALID(p) ? 1 : 0;
    /* on success the received send right is the routine's */
    mach_port_deallocate(mach_task_self(), p);
    return KERN_SUCCESS;
}

kern_return_t S_calc_sum(mach_port_t server, int32_t *v, mach_msg_type_number_t vCnt, int32_t *total)
{
    (void)server;
    uint32_t t = 0;
    for (mach_msg_type_number_t i = 0; i < vCnt; i++)
        t += (uint32_t)v[i];
    *total = (int32_t)t;
    return KERN_SUCCESS;
}

kern_return_t S_calc_quit(mach_port_t server)
{
    g_sink += server;
    return KERN_SUCCESS;
}

FUZZ_SERVER_ENTRY(calc_server, S_calc_subsystem)
