/* hello-server: implements the three routines of hello.defs. It checks in with the
 * bootstrap service under HELLO_SERVICE, then answers requests through the generated
 * demux (hello_server) until no request arrives for --idle seconds.
 *
 *   hello-server [--idle SECONDS] [--stall]
 *
 * --stall checks in but answers nothing for 8 s, longer than the client waits (5 s):
 * shows what a client sees when its server hangs. */
#define _POSIX_C_SOURCE 200809L /* alarm, nanosleep, sigaction in strict C11 */

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <servers/bootstrap.h>

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "helloServer.h"

#define HELLO_SERVICE "org.machgen.example.hello"

/* The largest request or reply of the subsystem: the serve loop's buffer size. */
#define HELLO_MAX_MSG                                                                    \
    (sizeof(union __RequestUnion__hello_subsystem) >                                     \
             sizeof(union __ReplyUnion__hello_subsystem)                                 \
         ? sizeof(union __RequestUnion__hello_subsystem)                                 \
         : sizeof(union __ReplyUnion__hello_subsystem))

kern_return_t hello_add(mach_port_t server, int32_t a, int32_t b, int32_t *sum)
{
    (void)server;
    *sum = a + b;
    printf("hello-server: hello_add(%d, %d) -> %d\n", (int)a, (int)b, (int)*sum);
    return KERN_SUCCESS;
}

kern_return_t hello_greet(mach_port_t server, text_t name, text_t greeting)
{
    (void)server;
    if (name[0] == '\0') {
        printf("hello-server: hello_greet(\"\") -> KERN_INVALID_ARGUMENT\n");
        return KERN_INVALID_ARGUMENT; /* the client's call returns this code */
    }
    snprintf(greeting, sizeof(text_t), "Hello, %s!", name);
    printf("hello-server: hello_greet(\"%s\") -> \"%s\"\n", name, greeting);
    return KERN_SUCCESS;
}

static int compare_int32(const void *x, const void *y)
{
    int32_t a = *(const int32_t *)x, b = *(const int32_t *)y;
    return (a > b) - (a < b);
}

kern_return_t hello_stats(mach_port_t server, samples_t samples, mach_msg_type_number_t samplesCnt,
                          samples_t sorted, mach_msg_type_number_t *sortedCnt, int32_t *min,
                          int32_t *max, int64_t *total)
{
    (void)server;
    if (samplesCnt == 0)
        return KERN_INVALID_ARGUMENT;
    /* `sorted` has room for the type's maximum (32); we say how many we filled. */
    memcpy(sorted, samples, samplesCnt * sizeof samples[0]);
    qsort(sorted, samplesCnt, sizeof sorted[0], compare_int32);
    *sortedCnt = samplesCnt;
    *min = sorted[0];
    *max = sorted[samplesCnt - 1];
    *total = 0;
    for (mach_msg_type_number_t i = 0; i < samplesCnt; i++)
        *total += sorted[i];
    printf("hello-server: hello_stats(%u numbers) -> min %d, max %d, total %lld\n",
           (unsigned)samplesCnt, (int)*min, (int)*max, (long long)*total);
    return KERN_SUCCESS;
}

static void idle_exit(int sig)
{
    static const char msg[] = "hello-server: no request for a while, exiting\n";
    (void)sig;
    (void)!write(STDOUT_FILENO, msg, sizeof msg - 1);
    _exit(0);
}

int main(int argc, char **argv)
{
    unsigned idle = 10;
    int stall = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--idle") == 0 && i + 1 < argc)
            idle = (unsigned)atoi(argv[++i]);
        else if (strcmp(argv[i], "--stall") == 0)
            stall = 1;
        else {
            fprintf(stderr, "usage: %s [--idle SECONDS] [--stall]\n", argv[0]);
            return 2;
        }
    }
    setvbuf(stdout, NULL, _IOLBF, 0); /* lines appear in order when piped */

    /* Creates the service and gives us its receive right; clients look it up by name. */
    mach_port_t port;
    kern_return_t kr = bootstrap_check_in(bootstrap_port, HELLO_SERVICE, &port);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "hello-server: bootstrap_check_in: %s\n", bootstrap_strerror(kr));
        return 1;
    }
    printf("hello-server: checked in as \"%s\", waiting for requests\n", HELLO_SERVICE);

    signal(SIGALRM, idle_exit);
    if (stall) {
        printf("hello-server: --stall: not answering for 8 s\n");
        alarm(8);
        for (;;)
            pause();
    }
    for (;;) {
        alarm(idle); /* re-armed before each wait: exits after `idle` quiet seconds */
        kr = mach_msg_server_once(hello_server, (mach_msg_size_t)HELLO_MAX_MSG, port, 0);
        if (kr != MACH_MSG_SUCCESS) {
            fprintf(stderr, "hello-server: mach_msg_server_once: %s\n", mach_error_string(kr));
            return 1;
        }
    }
}
