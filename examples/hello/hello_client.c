/* hello-client: looks up the hello service and calls its routines through the
 * generated stubs, printing each call and its answer. Exit status 0 when every
 * answer was right, 1 otherwise (including a server that is missing or silent:
 * the lookup gives up after 5 s, each call after the .defs file's waittime).
 *
 *   hello-client [NAME] */
#define _POSIX_C_SOURCE 200809L /* alarm, nanosleep, sigaction in strict C11 */

#include <mach/mach.h>
#include <mach/mach_error.h>
#include <servers/bootstrap.h>

#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "hello.h"

#define HELLO_SERVICE "org.machgen.example.hello"

/* The server may still be starting: retry the lookup for up to 5 seconds. */
static kern_return_t look_up_service(const char *name, mach_port_t *port)
{
    kern_return_t kr = KERN_FAILURE;
    for (int tries = 0; tries < 100; tries++) {
        kr = bootstrap_look_up(bootstrap_port, name, port);
        if (kr != BOOTSTRAP_UNKNOWN_SERVICE)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 50 * 1000 * 1000}, NULL);
    }
    return kr;
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "machgen";
    int failures = 0;
    setvbuf(stdout, NULL, _IOLBF, 0);

    mach_port_t server;
    kern_return_t kr = look_up_service(HELLO_SERVICE, &server);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "hello-client: cannot find \"%s\": %s (is hello-server running?)\n",
                HELLO_SERVICE, bootstrap_strerror(kr));
        return 1;
    }
    printf("hello-client: found \"%s\" (send right 0x%x)\n", HELLO_SERVICE, server);

    /* Numbers: a request with two int32_t, a reply with one. */
    int32_t sum = 0;
    kr = hello_add(server, 2, 40, &sum);
    if (kr != KERN_SUCCESS) {
        fprintf(stderr, "hello-client: hello_add failed: %s\n", mach_error_string(kr));
        return 1; /* the server is missing or stuck: the rest would fail the same way */
    }
    printf("hello-client: hello_add(2, 40) = %d\n", (int)sum);
    failures += sum != 42;

    /* Strings: the request carries only the bytes used, up to the NUL. */
    text_t greeting;
    kr = hello_greet(server, name, greeting);
    printf("hello-client: hello_greet(\"%s\") = %s \"%s\"\n", name, mach_error_string(kr),
           kr == KERN_SUCCESS ? greeting : "");
    failures += kr != KERN_SUCCESS;

    /* A server routine's error code comes back as the call's result. */
    kr = hello_greet(server, "", greeting);
    printf("hello-client: hello_greet(\"\") = %s (the server refused it)\n",
           mach_error_string(kr));
    failures += kr != KERN_INVALID_ARGUMENT;

    /* Arrays: variable-sized, with a count; the reply's array comes back into ours. */
    samples_t samples = {31, -4, 15, 9, 26, 5, 3};
    mach_msg_type_number_t n = 7;
    samples_t sorted;
    mach_msg_type_number_t sortedCnt = 32; /* room we have */
    int32_t min = 0, max = 0;
    int64_t total = 0;
    kr = hello_stats(server, samples, n, sorted, &sortedCnt, &min, &max, &total);
    printf("hello-client: hello_stats({31, -4, 15, 9, 26, 5, 3}) = %s\n", mach_error_string(kr));
    if (kr == KERN_SUCCESS) {
        printf("hello-client:   sorted:");
        for (mach_msg_type_number_t i = 0; i < sortedCnt; i++)
            printf(" %d", (int)sorted[i]);
        printf("\nhello-client:   min %d, max %d, total %lld\n", (int)min, (int)max,
               (long long)total);
    }
    failures += kr != KERN_SUCCESS || sortedCnt != 7 || sorted[0] != -4 || sorted[6] != 31 ||
                min != -4 || max != 31 || total != 85;

    /* Give our send right back; the service itself stays registered. */
    mach_port_deallocate(mach_task_self(), server);
    printf("hello-client: %s\n", failures ? "SOME ANSWERS WERE WRONG" : "all answers correct");
    return failures ? 1 : 0;
}
