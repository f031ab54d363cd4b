/* libFuzzer target: arbitrary requests into the generated demux of
 * examples/callbacks' ticker_events interface (the client's listener side: one-way
 * simpleroutines), with test doubles of its routines. */
#include "fuzz_kernel.h"
#include "ticker_eventsServer.h"

#include <string.h>

static unsigned g_sink;

kern_return_t ticker_event(mach_port_t listener, uint32_t subscription, uint32_t seq,
                           event_text_t text)
{
    (void)listener;
    if (seq == 0)
        return KERN_INVALID_ARGUMENT;
    g_sink += subscription + fuzz_touch(text, strlen(text));
    return KERN_SUCCESS;
}

kern_return_t ticker_done(mach_port_t listener, uint32_t subscription, uint32_t sent)
{
    (void)listener;
    g_sink += subscription ^ sent;
    return sent ? KERN_SUCCESS : KERN_FAILURE;
}

FUZZ_SERVER_ENTRY(ticker_events_server, ticker_events_subsystem)
