/* ticker-client: subscribes to two topics, passing the server a send right to a port
 * of its own, then receives the server's asynchronous events on that port and hands
 * each to the generated ticker_events demux, which calls ticker_event / ticker_done
 * below. Every wait has a timeout: no event for 3 s is an error.
 *
 *   ticker-client [--leave-after N]   (exit after N events, leaving the subscriptions) */
#define _POSIX_C_SOURCE 200809L /* nanosleep in strict C11 */

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <servers/bootstrap.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ticker.h"               /* we call ticker */
#include "ticker_eventsServer.h"  /* and serve ticker_events */

#define TICKER_SERVICE "org.machgen.example.ticker"

static unsigned events_received, subscriptions_done;

kern_return_t ticker_event(mach_port_t listener, uint32_t subscription, uint32_t seq,
                           event_text_t text)
{
    (void)listener;
    events_received++;
    printf("ticker-client: event from subscription %u, #%u: %s\n", (unsigned)subscription,
           (unsigned)seq, text);
    return KERN_SUCCESS;
}

kern_return_t ticker_done(mach_port_t listener, uint32_t subscription, uint32_t sent)
{
    (void)listener;
    subscriptions_done++;
    printf("ticker-client: subscription %u finished after %u events\n", (unsigned)subscription,
           (unsigned)sent);
    return KERN_SUCCESS;
}

static kern_return_t look_up_service(mach_port_t *port)
{
    kern_return_t kr = KERN_FAILURE;
    for (int tries = 0; tries < 100; tries++) { /* the server may still be starting: 5 s */
        kr = bootstrap_look_up(bootstrap_port, TICKER_SERVICE, port);
        if (kr != BOOTSTRAP_UNKNOWN_SERVICE)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    return kr;
}

/* Receives one message on `port` (at most timeout_ms) and dispatches it. */
static mach_msg_return_t handle_one(mach_port_t port, mach_msg_timeout_t timeout_ms)
{
    union {
        union __RequestUnion__ticker_events_subsystem requests;
        mach_msg_header_t head;
        char room[sizeof(union __RequestUnion__ticker_events_subsystem) + MAX_TRAILER_SIZE];
    } in;
    mig_reply_error_t out;
    mach_msg_return_t mr = mach_msg(&in.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in,
                                    port, timeout_ms, MACH_PORT_NULL);
    if (mr != MACH_MSG_SUCCESS)
        return mr;
    ticker_events_server(&in.head, &out.Head);
    /* One-way messages get no reply. On an error (a malformed message) whatever the
     * message carried is still ours to release. */
    if (out.RetCode != KERN_SUCCESS && out.RetCode != MIG_NO_REPLY) {
        printf("ticker-client: dropped message %d: %s\n", in.head.msgh_id,
               mach_error_string(out.RetCode));
        mach_msg_destroy(&in.head);
    }
    return MACH_MSG_SUCCESS;
}

int main(int argc, char **argv)
{
    unsigned leave_after = 0;
    if (argc == 3 && strcmp(argv[1], "--leave-after") == 0)
        leave_after = (unsigned)atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--leave-after N]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    mach_port_t server;
    kern_return_t kr = look_up_service(&server);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "ticker-client: cannot find \"%s\": %s (is ticker-server running?)\n",
                TICKER_SERVICE, bootstrap_strerror(kr));
        return 1;
    }

    /* The port the events arrive on: we hold its receive right. */
    mach_port_t listener;
    kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &listener);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "ticker-client: mach_port_allocate: %s\n", mach_error_string(kr));
        return 1;
    }
    printf("ticker-client: listening on port 0x%x\n", listener);

    /* Each subscription sends the server a new send right to `listener`. */
    /* Leaving early: longer subscriptions, so the server is still sending when we go. */
    uint32_t weather = 0, stocks = 0;
    kr = ticker_subscribe(server, listener, "weather", leave_after ? 20 : 3, 150, &weather);
    if (kr == KERN_SUCCESS)
        kr = ticker_subscribe(server, listener, "stocks", leave_after ? 20 : 2, 250, &stocks);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "ticker-client: ticker_subscribe: %s\n", mach_error_string(kr));
        return 1;
    }
    printf("ticker-client: subscribed: weather is subscription %u, stocks is %u\n",
           (unsigned)weather, (unsigned)stocks);

    /* A bad request: the server refuses it, and its right to `listener` is released. */
    uint32_t none = 0;
    kr = ticker_subscribe(server, listener, "nothing", 0, 100, &none);
    printf("ticker-client: subscribing to 0 events -> %s\n", mach_error_string(kr));
    int ok = kr == KERN_INVALID_ARGUMENT;

    while (subscriptions_done < 2) {
        mach_msg_return_t mr = handle_one(listener, 3000);
        if (mr != MACH_MSG_SUCCESS) {
            fprintf(stderr, "ticker-client: waiting for events: %s\n", mach_error_string(mr));
            return 1;
        }
        if (leave_after && events_received >= leave_after) {
            printf("ticker-client: leaving after %u events; our port dies with us\n",
                   events_received);
            return 0;
        }
    }
    ok = ok && events_received == 5;
    printf("ticker-client: %u events received, %s\n", events_received,
           ok ? "as expected" : "NOT as expected");
    return ok ? 0 : 1;
}
