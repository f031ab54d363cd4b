/* libFuzzer target: arbitrary requests into the generated demux of examples/hello,
 * with test doubles of its routines (the example's own server runs a serve loop
 * against the broker). */
#include "fuzz_kernel.h"
#include "helloServer.h"

#include <stdio.h>
#include <string.h>

kern_return_t hello_add(mach_port_t server, int32_t a, int32_t b, int32_t *sum)
{
    (void)server;
    *sum = (int32_t)((uint32_t)a + (uint32_t)b);
    return KERN_SUCCESS;
}

kern_return_t hello_greet(mach_port_t server, text_t name, text_t greeting)
{
    (void)server;
    if (!name[0])
        return KERN_INVALID_ARGUMENT;
    /* strlen: the stub promised a NUL within the string's bound */
    snprintf(greeting, sizeof(text_t), "hello, %.*s", (int)strlen(name), name);
    return KERN_SUCCESS;
}

kern_return_t hello_stats(mach_port_t server, samples_t samples, mach_msg_type_number_t samplesCnt,
                          samples_t sorted, mach_msg_type_number_t *sortedCnt, int32_t *min,
                          int32_t *max, int64_t *total)
{
    (void)server;
    if (samplesCnt == 0)
        return KERN_INVALID_ARGUMENT;
    if (*sortedCnt < samplesCnt)
        return KERN_RESOURCE_SHORTAGE;
    int64_t t = 0;
    int32_t lo = samples[0], hi = samples[0];
    for (mach_msg_type_number_t i = 0; i < samplesCnt; i++) {
        t += samples[i];
        lo = samples[i] < lo ? samples[i] : lo;
        hi = samples[i] > hi ? samples[i] : hi;
        sorted[samplesCnt - 1 - i] = samples[i];
    }
    *sortedCnt = samplesCnt;
    *min = lo;
    *max = hi;
    *total = t;
    return KERN_SUCCESS;
}

FUZZ_SERVER_ENTRY(hello_server, hello_subsystem)
