/* ticker-server: takes subscriptions (ticker.defs) and, for each, sends the
 * subscriber's listener port a series of one-way event messages (ticker_events.defs)
 * from a thread of its own, asynchronously to the requests it keeps serving.
 *
 *   ticker-server [--idle SECONDS] */
#define _POSIX_C_SOURCE 200809L /* alarm, nanosleep in strict C11 */

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <servers/bootstrap.h>

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tickerServer.h"  /* we serve ticker */
#include "ticker_events.h" /* and call ticker_events */

#define TICKER_SERVICE "org.machgen.example.ticker"
#define TICKER_MAX_MSG                                                                   \
    (sizeof(union __RequestUnion__ticker_subsystem) >                                    \
             sizeof(union __ReplyUnion__ticker_subsystem)                                \
         ? sizeof(union __RequestUnion__ticker_subsystem)                                \
         : sizeof(union __ReplyUnion__ticker_subsystem))

struct subscription {
    uint32_t id;
    mach_port_t listener; /* our send right to the subscriber's port */
    topic_t topic;
    uint32_t count;
    uint32_t interval_ms;
};

static atomic_uint next_id = 1;
static atomic_uint active; /* subscriptions still sending: keeps the server from idling out */

/* One subscription's events, from its own thread. */
static void *send_events(void *arg)
{
    struct subscription *s = arg;
    uint32_t sent = 0;
    kern_return_t kr = KERN_SUCCESS;
    for (uint32_t seq = 1; seq <= s->count; seq++) {
        long ms = (long)s->interval_ms;
        nanosleep(&(struct timespec){.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000}, NULL);
        event_text_t text;
        snprintf(text, sizeof text, "%s update %u of %u", s->topic, (unsigned)seq,
                 (unsigned)s->count);
        printf("ticker-server: subscription %u: sending \"%s\"\n", (unsigned)s->id, text);
        kr = ticker_event(s->listener, s->id, seq, text);
        if (kr != KERN_SUCCESS)
            break;
        sent++;
    }
    if (kr == KERN_SUCCESS)
        kr = ticker_done(s->listener, s->id, sent);
    if (kr == KERN_SUCCESS)
        printf("ticker-server: subscription %u: done after %u events\n", (unsigned)s->id,
               (unsigned)sent);
    else /* e.g. MACH_SEND_INVALID_DEST: the subscriber exited and its port died */
        printf("ticker-server: subscription %u: listener gone after %u events (%s), stopping\n",
               (unsigned)s->id, (unsigned)sent, mach_error_string(kr));
    mach_port_deallocate(mach_task_self(), s->listener);
    free(s);
    atomic_fetch_sub(&active, 1);
    return NULL;
}

kern_return_t ticker_subscribe(mach_port_t server, mach_port_t listener, topic_t topic,
                               uint32_t count, uint32_t interval_ms, uint32_t *subscription)
{
    (void)server;
    if (count == 0 || count > 100 || interval_ms > 10000)
        return KERN_INVALID_ARGUMENT; /* the serve loop releases `listener` for us */
    struct subscription *s = calloc(1, sizeof *s);
    if (s == NULL)
        return KERN_RESOURCE_SHORTAGE;
    s->id = atomic_fetch_add(&next_id, 1);
    s->listener = listener; /* success: the send right the request carried is ours */
    strcpy(s->topic, topic);
    s->count = count;
    s->interval_ms = interval_ms;
    atomic_fetch_add(&active, 1);
    pthread_t thread;
    if (pthread_create(&thread, NULL, send_events, s) != 0) {
        atomic_fetch_sub(&active, 1);
        free(s);
        return KERN_RESOURCE_SHORTAGE;
    }
    pthread_detach(thread);
    *subscription = s->id;
    printf("ticker-server: subscription %u: \"%s\", %u events every %u ms, to listener 0x%x\n",
           (unsigned)s->id, topic, (unsigned)count, (unsigned)interval_ms, listener);
    return KERN_SUCCESS;
}

static unsigned idle_seconds = 10;

static void idle_check(int sig)
{
    static const char msg[] = "ticker-server: no request for a while, exiting\n";
    (void)sig;
    if (atomic_load(&active) > 0) { /* events still going out: not idle */
        alarm(idle_seconds);
        return;
    }
    (void)!write(STDOUT_FILENO, msg, sizeof msg - 1);
    _exit(0);
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--idle") == 0)
        idle_seconds = (unsigned)atoi(argv[2]);
    else if (argc != 1) {
        fprintf(stderr, "usage: %s [--idle SECONDS]\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    mach_port_t port;
    kern_return_t kr = bootstrap_check_in(bootstrap_port, TICKER_SERVICE, &port);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "ticker-server: bootstrap_check_in: %s\n", bootstrap_strerror(kr));
        return 1;
    }
    printf("ticker-server: checked in as \"%s\", waiting for subscriptions\n", TICKER_SERVICE);

    struct sigaction sa = {.sa_handler = idle_check, .sa_flags = SA_RESTART};
    sigaction(SIGALRM, &sa, NULL);
    for (;;) {
        alarm(idle_seconds);
        kr = mach_msg_server_once(ticker_server, (mach_msg_size_t)TICKER_MAX_MSG, port, 0);
        if (kr != MACH_MSG_SUCCESS) {
            fprintf(stderr, "ticker-server: mach_msg_server_once: %s\n", mach_error_string(kr));
            return 1;
        }
    }
}
