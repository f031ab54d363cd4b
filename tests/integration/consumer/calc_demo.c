/* Client and server of calc.defs in one process: a server thread answers one request
 * at a time through the generated demux while the main thread calls the generated
 * client stubs. Prints each step; exit 0 = every answer was right. */
#include <mach/mach.h>
#include <mach/mach_error.h>

#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

#include "calc.h"
#include "calcServer.h"

static mach_msg_id_t last_request_id;

kern_return_t S_calc_add(mach_port_t server, int32_t a, int32_t b, int32_t *sum)
{
    (void)server;
    *sum = a + b;
    return KERN_SUCCESS;
}

kern_return_t S_calc_negate(mach_port_t server, int32_t x, int32_t *y)
{
    (void)server;
    *y = -x;
    return KERN_SUCCESS;
}

static boolean_t demux(mach_msg_header_t *in, mach_msg_header_t *out)
{
    last_request_id = in->msgh_id;
    return calc_server(in, out);
}

static void *serve(void *arg)
{
    mach_port_t port = *(mach_port_t *)arg;
    for (int i = 0; i < 2; i++) {
        kern_return_t kr = mach_msg_server_once(demux, 4096, port, 0);
        if (kr != KERN_SUCCESS) {
            fprintf(stderr, "server: mach_msg_server_once: %s\n", mach_error_string(kr));
            break;
        }
    }
    return NULL;
}

int main(void)
{
    alarm(30); /* a hung call fails the test instead of blocking it */
    mach_port_t port;
    kern_return_t kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port);
    if (kr == KERN_SUCCESS)
        kr = mach_port_insert_right(mach_task_self(), port, port, MACH_MSG_TYPE_MAKE_SEND);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "calc_demo: FAILED: port setup: %s\n", mach_error_string(kr));
        return 1;
    }
    pthread_t server;
    if (pthread_create(&server, NULL, serve, &port) != 0) {
        fputs("calc_demo: FAILED: pthread_create\n", stderr);
        return 1;
    }

    int32_t sum = 0;
    kr = calc_add(port, 2, 40, &sum);
    printf("client: calc_add(2, 40) -> %s, sum %d (request id %d)\n", mach_error_string(kr),
           (int)sum, (int)last_request_id);
    int ok = kr == KERN_SUCCESS && sum == 42 && last_request_id == CALC_BASE;

    int32_t neg = 0;
    kr = calc_negate(port, 17, &neg);
    printf("client: calc_negate(17) -> %s, %d (request id %d)\n", mach_error_string(kr),
           (int)neg, (int)last_request_id);
    ok = ok && kr == KERN_SUCCESS && neg == -17 && last_request_id == CALC_BASE + 1;

    pthread_join(server, NULL);
    puts(ok ? "calc_demo: ok" : "calc_demo: FAILED");
    return ok ? 0 : 1;
}
