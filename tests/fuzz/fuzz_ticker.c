/* libFuzzer target: arbitrary requests into the generated demux of
 * examples/callbacks' ticker interface, with a test double of its routine. */
#include "fuzz_kernel.h"
#include "tickerServer.h"

#include <string.h>

kern_return_t ticker_subscribe(mach_port_t server, mach_port_t listener, topic_t topic,
                               uint32_t count, uint32_t interval_ms, uint32_t *subscription)
{
    (void)server;
    if (!MACH_PORT_VALID(listener) || count == 0)
        return KERN_INVALID_ARGUMENT; /* the stub's caller destroys the request */
    *subscription = (uint32_t)strlen(topic) + count + interval_ms;
    /* on success the listener's send right is the routine's: the example keeps it
     * for the notifications; the double is done with it */
    mach_port_deallocate(mach_task_self(), listener);
    return KERN_SUCCESS;
}

FUZZ_SERVER_ENTRY(ticker_server, ticker_subsystem)
