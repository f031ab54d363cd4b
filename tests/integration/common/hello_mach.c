/* A small Darwin-style program: nothing here is machgen-specific, it is written
 * against the Mach API exactly as on macOS. Prints what it checks; exit 0 = all good. */
#include <mach/mach.h>
#include <mach/mach_error.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define CHECK(cond, ...)                                                                   \
    do {                                                                                   \
        if (!(cond)) {                                                                     \
            fprintf(stderr, "hello_mach: FAILED: " __VA_ARGS__);                           \
            fputc('\n', stderr);                                                           \
            return 1;                                                                      \
        }                                                                                  \
    } while (0)

struct hello_msg {
    mach_msg_header_t header;
    int32_t value;
};

struct hello_rcv {
    struct hello_msg msg;
    mach_msg_trailer_t trailer;
};

int main(void)
{
    alarm(30); /* a hung call fails the test instead of blocking it */

    const char *text = mach_error_string(KERN_INVALID_ARGUMENT);
    CHECK(text && strcmp(text, "(os/kern) invalid argument") == 0,
          "mach_error_string(KERN_INVALID_ARGUMENT) = \"%s\"", text ? text : "(null)");
    printf("mach_error_string(KERN_INVALID_ARGUMENT) = \"%s\"\n", text);

    mach_port_t port = MACH_PORT_NULL;
    kern_return_t kr = mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &port);
    CHECK(kr == KERN_SUCCESS, "mach_port_allocate: %s", mach_error_string(kr));
    CHECK(MACH_PORT_VALID(port), "mach_port_allocate returned an invalid name");
    kr = mach_port_insert_right(mach_task_self(), port, port, MACH_MSG_TYPE_MAKE_SEND);
    CHECK(kr == KERN_SUCCESS, "mach_port_insert_right: %s", mach_error_string(kr));
    printf("allocated port 0x%x with a send right\n", (unsigned)port);

    struct hello_msg out;
    memset(&out, 0, sizeof out);
    out.header.msgh_bits = MACH_MSGH_BITS(MACH_MSG_TYPE_COPY_SEND, 0);
    out.header.msgh_size = sizeof out;
    out.header.msgh_remote_port = port;
    out.header.msgh_id = 4242;
    out.value = 1234567;
    kr = mach_msg(&out.header, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof out, 0,
                  MACH_PORT_NULL, 5000, MACH_PORT_NULL);
    CHECK(kr == MACH_MSG_SUCCESS, "mach_msg send: %s", mach_error_string(kr));

    struct hello_rcv in;
    memset(&in, 0, sizeof in);
    kr = mach_msg(&in.msg.header, MACH_RCV_MSG | MACH_RCV_TIMEOUT, 0, sizeof in, port, 5000,
                  MACH_PORT_NULL);
    CHECK(kr == MACH_MSG_SUCCESS, "mach_msg receive: %s", mach_error_string(kr));
    CHECK(in.msg.header.msgh_id == 4242 && in.msg.value == 1234567,
          "received id %d value %d", (int)in.msg.header.msgh_id, (int)in.msg.value);
    printf("sent and received message id %d carrying %d\n", (int)in.msg.header.msgh_id,
           (int)in.msg.value);

    kr = mach_port_deallocate(mach_task_self(), (mach_port_name_t)0x7ffffff3);
    CHECK(kr == KERN_INVALID_NAME, "deallocating a name never allocated: %s",
          mach_error_string(kr));

    kr = mach_port_mod_refs(mach_task_self(), port, MACH_PORT_RIGHT_RECEIVE, -1);
    CHECK(kr == KERN_SUCCESS, "dropping the receive right: %s", mach_error_string(kr));
    kr = mach_port_deallocate(mach_task_self(), port);
    CHECK(kr == KERN_SUCCESS, "deallocating the dead name left behind: %s",
          mach_error_string(kr));
    puts("hello_mach: ok");
    return 0;
}
