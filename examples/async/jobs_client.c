/* jobs-client: keeps 20 jobs_square calls in flight from one thread. The
 * machgen_async_t object owns the pending calls; its file descriptor sits in a
 * poll() loop (where the program's sockets would be too), and each answer
 * arrives at a callback, in whatever order the server finishes the jobs. Then
 * one call with a 100 ms limit shows a timeout.
 *
 *   jobs-client */
#define _POSIX_C_SOURCE 200809L

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <servers/bootstrap.h>

#include <poll.h>
#include <stdio.h>
#include <time.h>

#include "jobsAsync.h"

#define JOBS_SERVICE "org.machgen.example.jobs"
#define NCALLS 20

struct result {
    int done;
    kern_return_t status;
    int64_t square;
    int finished_as; /* 0 for the first answer, 1 for the next... */
};
static int finished;

/* Runs from machgen_async_dispatch with the call's out argument. */
static void square_done(void *context, kern_return_t status, int64_t square)
{
    struct result *r = context;
    r->done = 1;
    r->status = status;
    r->square = square;
    r->finished_as = finished++;
}

/* The event loop: waits on the async fd (and the nearest call deadline). */
static void run_until_idle(machgen_async_t *async)
{
    while (machgen_async_pending(async) > 0) {
        struct pollfd fds[1] = {{.fd = machgen_async_fd(async), .events = POLLIN}};
        int timeout = machgen_async_next_timeout_ms(async);
        if (poll(fds, 1, timeout < 0 ? 10000 : timeout) < 0)
            return;
        machgen_async_dispatch(async); /* never blocks */
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    mach_port_t server;
    kern_return_t kr = bootstrap_look_up(bootstrap_port, JOBS_SERVICE, &server);
    for (int tries = 0; kr != KERN_SUCCESS && tries < 20; tries++) { /* server starting */
        struct timespec ts = {0, 100 * 1000 * 1000};
        nanosleep(&ts, NULL);
        kr = bootstrap_look_up(bootstrap_port, JOBS_SERVICE, &server);
    }
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "jobs-client: bootstrap_look_up(\"%s\"): %s\n", JOBS_SERVICE,
                bootstrap_strerror(kr));
        return 1;
    }
    printf("jobs-client: found \"%s\"\n", JOBS_SERVICE);

    machgen_async_t *async;
    kr = machgen_async_create(&async);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "jobs-client: machgen_async_create: %s\n", mach_error_string(kr));
        return 1;
    }

    /* Later calls get shorter jobs, so the answers come back in reverse. */
    struct result results[NCALLS] = {{0}};
    for (int i = 0; i < NCALLS; i++) {
        kr = jobs_square_async(async, server, i, (NCALLS - i) * 25, 0, square_done,
                               &results[i], NULL);
        if (kr != KERN_SUCCESS) {
            fprintf(stderr, "jobs-client: jobs_square_async: %s\n", mach_error_string(kr));
            return 1;
        }
    }
    printf("jobs-client: %u calls in flight\n", (unsigned)machgen_async_pending(async));
    run_until_idle(async);

    int correct = 0, out_of_order = 0;
    for (int i = 0; i < NCALLS; i++) {
        if (results[i].done && results[i].status == KERN_SUCCESS &&
            results[i].square == (int64_t)i * i)
            correct++;
        if (i > 0 && results[i].finished_as < results[i - 1].finished_as)
            out_of_order++;
    }
    printf("jobs-client: %d of %d answers correct, %d answered before the call sent ahead of them\n",
           correct, NCALLS, out_of_order);

    /* A job longer than the caller will wait: the callback gets the timeout,
     * and the late answer is dropped with the call's reply port. */
    struct result late = {0};
    kr = jobs_square_async(async, server, 7, 1500, 100, square_done, &late, NULL);
    if (kr == KERN_SUCCESS)
        run_until_idle(async);
    printf("jobs-client: jobs_square(7) with a 100 ms limit: %s\n",
           late.status == MACHGEN_ASYNC_TIMED_OUT ? "timed out" : mach_error_string(late.status));

    machgen_async_destroy(async);
    mach_port_deallocate(mach_task_self(), server);
    if (correct != NCALLS || late.status != MACHGEN_ASYNC_TIMED_OUT)
        return 1;
    printf("jobs-client: all answers correct\n");
    return 0;
}
