/* jobs-server: answers jobs_square requests out of order from a poll() loop.
 * The service port is watched through a machgen_port_watch_t file descriptor,
 * next to a timer (the poll timeout): requests are taken as they come, each
 * job is kept with its reply right, and answered when its delay has passed.
 *
 *   jobs-server [--idle SECONDS]
 *
 * Exits after SECONDS (default 10) with no request and no job pending. */
#define _POSIX_C_SOURCE 200809L

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <servers/bootstrap.h>

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <machgen/async.h>

#include "jobsAsyncServer.h"
#include "jobsServer.h"

#define JOBS_SERVICE "org.machgen.example.jobs"
#define MAX_JOBS 256

struct job {
    mach_port_t reply; /* the send-once right the client's request carried */
    int32_t n;
    uint64_t due_ms;
};
static struct job jobs[MAX_JOBS];
static int njobs;

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

kern_return_t jobs_square(mach_port_t server, mach_port_t reply, int32_t n, int32_t delay_ms,
                          int64_t *square)
{
    (void)server;
    if (delay_ms <= 0 || njobs == MAX_JOBS) {
        *square = (int64_t)n * n; /* answered at once, like any routine */
        return KERN_SUCCESS;
    }
    jobs[njobs++] = (struct job){reply, n, now_ms() + (uint64_t)delay_ms};
    /* We keep the reply right: the serve loop sends nothing now. */
    return MIG_NO_REPLY;
}

/* Answers every job that is due; returns the poll timeout until the next one. */
static int finish_due_jobs(void)
{
    uint64_t now = now_ms();
    int next = -1;
    for (int i = 0; i < njobs;) {
        if (jobs[i].due_ms > now) {
            int left = (int)(jobs[i].due_ms - now);
            if (next < 0 || left < next)
                next = left;
            i++;
            continue;
        }
        kern_return_t kr = jobs_square_deferred_reply(jobs[i].reply, KERN_SUCCESS,
                                                      (int64_t)jobs[i].n * jobs[i].n);
        /* A reply to a client that gave up still succeeds, as on Darwin: a
         * send-once right whose port died is accepted and the reply dropped.
         * MACH_SEND_INVALID_DEST comes only when the right was already a dead
         * name (a dead-name request fired on it). */
        if (kr == MACH_SEND_INVALID_DEST)
            printf("jobs-server: the client gave up on job %d\n", (int)jobs[i].n);
        else if (kr != KERN_SUCCESS)
            printf("jobs-server: reply to job %d: %s\n", (int)jobs[i].n, mach_error_string(kr));
        jobs[i] = jobs[--njobs];
    }
    return next;
}

int main(int argc, char **argv)
{
    int idle_s = 10;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc)
            idle_s = atoi(argv[++i]);
        else {
            fprintf(stderr, "usage: %s [--idle SECONDS]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    mach_port_t port;
    kern_return_t kr = bootstrap_check_in(bootstrap_port, JOBS_SERVICE, &port);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "jobs-server: bootstrap_check_in: %s\n", bootstrap_strerror(kr));
        return 1;
    }
    machgen_port_watch_t *watch;
    kr = machgen_port_watch_create(port, &watch);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "jobs-server: machgen_port_watch_create: %s\n", mach_error_string(kr));
        return 1;
    }
    printf("jobs-server: checked in as \"%s\", serving from a poll() loop\n", JOBS_SERVICE);

    unsigned served = 0;
    uint64_t quiet_since = now_ms();
    for (;;) {
        int timeout = finish_due_jobs();
        if (njobs == 0) {
            uint64_t quiet = now_ms() - quiet_since;
            if (quiet >= (uint64_t)idle_s * 1000u)
                break;
            timeout = (int)((uint64_t)idle_s * 1000u - quiet);
        }
        /* Sockets, pipes or timers of a real server would sit in this array too. */
        struct pollfd fds[1] = {{.fd = machgen_port_watch_fd(watch), .events = POLLIN}};
        if (poll(fds, 1, timeout) < 0)
            break;
        int n = machgen_port_watch_serve(watch, jobs_server,
                                         sizeof(union __RequestUnion__jobs_subsystem) + 256);
        if (n < 0) {
            fprintf(stderr, "jobs-server: the service port failed\n");
            break;
        }
        if (n > 0) {
            served += (unsigned)n;
            quiet_since = now_ms();
        }
    }
    printf("jobs-server: served %u requests, no request for a while, exiting\n", served);
    machgen_port_watch_destroy(watch);
    return 0;
}
