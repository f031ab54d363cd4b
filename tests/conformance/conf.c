#include "conf.h"

#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char broker_dir[64];

void conf_broker_start(void)
{
	char sock[128];
	snprintf(broker_dir, sizeof broker_dir, "/tmp/mgconf-XXXXXX");
	if (!mkdtemp(broker_dir))
		abort();
	snprintf(sock, sizeof sock, "%s/broker.sock", broker_dir);
	setenv("MACHGEN_BROKER_SOCKET", sock, 1);
	setenv("MACHGEN_BROKER_IDLE", "2", 1);
}

/* The broker is the peer of a connection to its socket. */
static pid_t broker_pid(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct ucred cred;
	socklen_t len = sizeof cred;
	pid_t pid = -1;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	size_t n = strlen(path);
	if (n >= sizeof sa.sun_path) {
		close(fd);
		return -1;
	}
	memcpy(sa.sun_path, path, n + 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0)
		pid = cred.pid;
	close(fd);
	return pid;
}

void conf_broker_stop(void)
{
	char path[160];
	snprintf(path, sizeof path, "%s/broker.sock", broker_dir);
	pid_t pid = broker_pid(path);
	if (pid > 0)
		kill(pid, SIGTERM);
	unlink(path);
	snprintf(path, sizeof path, "%s/broker.sock.lock", broker_dir);
	unlink(path);
	rmdir(broker_dir);
}

pid_t conf_fork(int (*fn)(void *), void *arg)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(20);
		_exit(fn(arg));
	}
	return pid;
}

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int conf_wait(pid_t pid, int timeout_ms)
{
	uint64_t deadline = now_ms() + (uint64_t)timeout_ms;
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0)
			return -1;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(2000);
	}
}

mach_port_t conf_receive_right(void)
{
	mach_port_t p = MACH_PORT_NULL;
	cr_assert_eq(mach_port_allocate(SELF, MACH_PORT_RIGHT_RECEIVE, &p), KERN_SUCCESS);
	return p;
}

mach_port_t conf_port(void)
{
	mach_port_t p = conf_receive_right();
	cr_assert_eq(mach_port_insert_right(SELF, p, p, MACH_MSG_TYPE_MAKE_SEND), KERN_SUCCESS);
	return p;
}

void conf_port_msg_init(conf_port_msg *m, mach_port_t dest, mach_msg_type_name_t dest_disp,
                        mach_port_t reply, mach_port_t carried, mach_msg_type_name_t disp)
{
	memset(m, 0, sizeof *m);
	m->head.msgh_bits = MACH_MSGH_BITS_COMPLEX |
	                    MACH_MSGH_BITS(dest_disp, reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0);
	m->head.msgh_size = sizeof *m;
	m->head.msgh_remote_port = dest;
	m->head.msgh_local_port = reply;
	m->body.msgh_descriptor_count = 1;
	m->port.name = carried;
	m->port.disposition = disp;
	m->port.type = MACH_MSG_PORT_DESCRIPTOR;
}

mach_msg_return_t conf_send(mach_port_t dest, mach_msg_type_name_t dest_disp, mach_port_t reply,
                            mach_msg_type_name_t reply_disp, int32_t value)
{
	conf_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(dest_disp, reply_disp);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = dest;
	m.head.msgh_local_port = reply;
	m.head.msgh_id = 1000 + value;
	m.value = value;
	return mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL, 0,
	                MACH_PORT_NULL);
}

mach_msg_return_t conf_recv(mach_port_t name, conf_rcv *out, mach_msg_timeout_t timeout_ms,
                            mach_msg_option_t extra)
{
	memset(out, 0, sizeof *out);
	return mach_msg(&out->msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT | extra, 0, sizeof *out, name,
	                timeout_ms, MACH_PORT_NULL);
}

mach_port_urefs_t conf_refs(mach_port_t name, mach_port_right_t right)
{
	mach_port_urefs_t refs = 0;
	if (mach_port_get_refs(SELF, name, right, &refs) != KERN_SUCCESS)
		return 0;
	return refs;
}

mach_port_type_t conf_type(mach_port_t name)
{
	mach_port_type_t t = 0;
	if (mach_port_type(SELF, name, &t) != KERN_SUCCESS)
		return 0xffffffffu;
	return t;
}

mach_port_status_t conf_status(mach_port_t name)
{
	mach_port_status_t st;
	mach_msg_type_number_t n = MACH_PORT_RECEIVE_STATUS_COUNT;
	memset(&st, 0xa5, sizeof st);
	cr_assert_eq(mach_port_get_attributes(SELF, name, MACH_PORT_RECEIVE_STATUS,
	                                      (mach_port_info_t)&st, &n),
	             KERN_SUCCESS);
	cr_assert_eq(n, MACH_PORT_RECEIVE_STATUS_COUNT);
	return st;
}

kern_return_t conf_check_in(const char *name, mach_port_t *port)
{
	name_t n;
	memset(n, 0, sizeof n);
	strncpy(n, name, sizeof n - 1);
	return bootstrap_check_in(bootstrap_port, n, port);
}

kern_return_t conf_look_up(const char *name, mach_port_t *port)
{
	name_t n;
	memset(n, 0, sizeof n);
	strncpy(n, name, sizeof n - 1);
	return bootstrap_look_up(bootstrap_port, n, port);
}

kern_return_t conf_register(const char *name, mach_port_t port)
{
	name_t n;
	memset(n, 0, sizeof n);
	strncpy(n, name, sizeof n - 1);
	return bootstrap_register(bootstrap_port, n, port);
}

const char *conf_service_name(const char *tag)
{
	static _Thread_local char buf[96];
	snprintf(buf, sizeof buf, "org.machgen.conformance.%d.%s", (int)getpid(), tag);
	return buf;
}
