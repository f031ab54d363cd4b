/* Fixtures of the conformance suite: a private broker per test, bounded
 * fork/wait, and message helpers. Public Darwin headers only. */
#ifndef MACHGEN_TEST_CONFORMANCE_CONF_H
#define MACHGEN_TEST_CONFORMANCE_CONF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

#include <mach/mach.h>
#include <servers/bootstrap.h>

/* Criterion .init / .fini: a fresh broker for this test and its children. */
void conf_broker_start(void);
void conf_broker_stop(void);

/* Forks; the child runs fn(arg) under a 20 s alarm and exits with its result. */
pid_t conf_fork(int (*fn)(void *), void *arg);
/* Waits at most timeout_ms; exit code, 128 + signal, or -1 (killed) on timeout. */
int conf_wait(pid_t pid, int timeout_ms);

#define SELF mach_task_self()

typedef struct {
	mach_msg_header_t head;
	int32_t value;
} conf_msg;

typedef struct {
	conf_msg msg;
	mach_msg_max_trailer_t trailer;
} conf_rcv;

/* A 32-bit field of a notification received into a conf_rcv, read without
 * breaking strict aliasing: CONF_NOTE(in, mach_dead_name_notification_t, not_port). */
static inline uint32_t conf_note_u32(const conf_rcv *in, size_t off)
{
	uint32_t v;
	memcpy(&v, (const char *)in + off, sizeof v);
	return v;
}
#define CONF_NOTE(in, type, field) conf_note_u32(&(in), offsetof(type, field))

/* Receive right + send right under one name. */
mach_port_t conf_port(void);
/* A receive right only. */
mach_port_t conf_receive_right(void);
/* Sends {value} to dest with the given dispositions; send timeout 0 with MACH_SEND_TIMEOUT. */
mach_msg_return_t conf_send(mach_port_t dest, mach_msg_type_name_t dest_disp, mach_port_t reply,
                            mach_msg_type_name_t reply_disp, int32_t value);
/* A message carrying one port descriptor. */
typedef struct {
	mach_msg_header_t head;
	mach_msg_body_t body;
	mach_msg_port_descriptor_t port;
} conf_port_msg;
/* Fills m: to dest (dest_disp), reply (made send-once) if not MACH_PORT_NULL,
 * carrying `carried` with disposition disp. */
void conf_port_msg_init(conf_port_msg *m, mach_port_t dest, mach_msg_type_name_t dest_disp,
                        mach_port_t reply, mach_port_t carried, mach_msg_type_name_t disp);
/* Receives on name within timeout_ms into out. */
mach_msg_return_t conf_recv(mach_port_t name, conf_rcv *out, mach_msg_timeout_t timeout_ms,
                            mach_msg_option_t extra);
/* User references of right under name (0 on error). */
mach_port_urefs_t conf_refs(mach_port_t name, mach_port_right_t right);
/* mach_port_type, or 0xffffffff on error. */
mach_port_type_t conf_type(mach_port_t name);
/* RECEIVE_STATUS of a receive right; aborts the test on failure. */
mach_port_status_t conf_status(mach_port_t name);

/* bootstrap with plain strings */
kern_return_t conf_check_in(const char *name, mach_port_t *port);
kern_return_t conf_look_up(const char *name, mach_port_t *port);
kern_return_t conf_register(const char *name, mach_port_t port);
/* A service name unique to this process and tag. */
const char *conf_service_name(const char *tag);
#endif
