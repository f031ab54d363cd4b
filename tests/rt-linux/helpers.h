/* Shared fixtures of the Linux backend tests: a private broker per test,
 * fork/wait with deadlines, and small message helpers. */
#ifndef MACHGEN_TEST_RT_LINUX_HELPERS_H
#define MACHGEN_TEST_RT_LINUX_HELPERS_H

#include <stdint.h>
#include <sys/types.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

/* Criterion .init: points this test (and its children) at a fresh broker. */
void rt_private_broker(void);
/* Criterion .fini: stops that broker and removes its directory. */
void rt_stop_broker(void);

/* Forks; the child runs fn(arg) under a 20 s alarm and exits with its result. */
pid_t rt_fork(int (*fn)(void *), void *arg);
/* Same with a longer (or shorter) alarm for the child. */
pid_t rt_fork_limit(int (*fn)(void *), void *arg, unsigned seconds);
/* Waits for pid at most timeout_ms; kills it on timeout. Returns the exit
 * code, 128 + signal, or -1 on timeout. */
int rt_wait(pid_t pid, int timeout_ms);

/* Pid of the broker serving this process (via SO_PEERCRED), or -1. */
pid_t rt_broker_pid(void);

/* Open file descriptors of this process. */
int rt_fd_count(void);
uint64_t rt_now_ms(void);

/* A simple message: header + one int. */
typedef struct {
	mach_msg_header_t head;
	int32_t value;
} rt_simple_msg;

typedef struct {
	rt_simple_msg msg;
	mach_msg_max_trailer_t trailer;
} rt_simple_rcv;

#define RT_NO_TIMEOUT ((mach_msg_timeout_t)0xffffffffu)
/* Sends value to dest (copy-send), with an optional reply right made from reply. */
mach_msg_return_t rt_send(mach_port_t dest, mach_msg_type_name_t disp, mach_port_t reply,
                          mach_msg_id_t id, int32_t value, mach_msg_timeout_t send_timeout);
/* Receives on port with a timeout in ms (0 = poll). */
mach_msg_return_t rt_recv(mach_port_t port, rt_simple_rcv *out, mach_msg_timeout_t timeout,
                          mach_msg_option_t extra);
/* Allocates a receive right with a send right under the same name. */
mach_port_t rt_port_with_send(void);



/* bootstrap calls taking a plain string (the name_t parameters make GCC 12
 * warn about string literals shorter than 128 bytes). */
kern_return_t rt_check_in(const char *name, mach_port_t *port);
kern_return_t rt_look_up(const char *name, mach_port_t *port);
kern_return_t rt_register(const char *name, mach_port_t port);
/* Looks name up until it is registered (at most ~4 s). */
mach_port_t rt_look_up_wait(const char *name);
#endif
