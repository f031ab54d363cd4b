#include "helpers.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char g_dir[64];

void rt_private_broker(void)
{
	char sock[128];
	strcpy(g_dir, "/tmp/mgrt-XXXXXX");
	if (!mkdtemp(g_dir))
		abort();
	snprintf(sock, sizeof sock, "%s/broker.sock", g_dir);
	setenv("MACHGEN_BROKER_SOCKET", sock, 1);
	setenv("MACHGEN_BROKER_IDLE", "2", 1);
}

void rt_stop_broker(void)
{
	char path[128];
	pid_t b = rt_broker_pid();
	if (b > 0)
		kill(b, SIGTERM);
	snprintf(path, sizeof path, "%s/broker.sock", g_dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/broker.sock.lock", g_dir);
	unlink(path);
	rmdir(g_dir);
}

pid_t rt_fork_limit(int (*fn)(void *), void *arg, unsigned seconds)
{
	pid_t pid = fork();
	if (pid == 0) {
		alarm(seconds);
		_exit(fn(arg));
	}
	return pid;
}

pid_t rt_fork(int (*fn)(void *), void *arg)
{
	return rt_fork_limit(fn, arg, 20);
}

uint64_t rt_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int rt_wait(pid_t pid, int timeout_ms)
{
	uint64_t end = rt_now_ms() + (uint64_t)timeout_ms;
	int st;
	for (;;) {
		pid_t r = waitpid(pid, &st, WNOHANG);
		if (r == pid)
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		if (r < 0)
			return -1;
		if (rt_now_ms() >= end) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
			return -1;
		}
		usleep(2000);
	}
}

pid_t rt_broker_pid(void)
{
	const char *path = getenv("MACHGEN_BROKER_SOCKET");
	struct sockaddr_un sa;
	struct ucred cr;
	socklen_t cl = sizeof cr;
	int fd;
	pid_t pid = -1;

	if (!path)
		return -1;
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &cl) == 0)
		pid = cr.pid;
	close(fd);
	return pid;
}

int rt_fd_count(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;
	if (!d)
		return -1;
	while (readdir(d))
		n++;
	closedir(d);
	return n - 3; /* ".", ".." and the directory's own fd */
}

mach_msg_return_t rt_send(mach_port_t dest, mach_msg_type_name_t disp, mach_port_t reply,
                          mach_msg_id_t id, int32_t value, mach_msg_timeout_t send_timeout)
{
	rt_simple_msg m;
	memset(&m, 0, sizeof m);
	m.head.msgh_bits = MACH_MSGH_BITS(disp, reply ? MACH_MSG_TYPE_MAKE_SEND_ONCE : 0);
	m.head.msgh_size = sizeof m;
	m.head.msgh_remote_port = dest;
	m.head.msgh_local_port = reply;
	m.head.msgh_id = id;
	m.value = value;
	if (send_timeout == RT_NO_TIMEOUT)
		return mach_msg(&m.head, MACH_SEND_MSG, sizeof m, 0, MACH_PORT_NULL, 0,
		                MACH_PORT_NULL);
	return mach_msg(&m.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, sizeof m, 0, MACH_PORT_NULL,
	                send_timeout, MACH_PORT_NULL);
}

mach_msg_return_t rt_recv(mach_port_t port, rt_simple_rcv *out, mach_msg_timeout_t timeout,
                          mach_msg_option_t extra)
{
	memset(out, 0, sizeof *out);
	return mach_msg(&out->msg.head, MACH_RCV_MSG | MACH_RCV_TIMEOUT | extra, 0, sizeof *out,
	                port, timeout, MACH_PORT_NULL);
}

mach_port_t rt_port_with_send(void)
{
	mach_port_t p = MACH_PORT_NULL;
	if (mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, &p) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	if (mach_port_insert_right(mach_task_self(), p, p, MACH_MSG_TYPE_MAKE_SEND) != KERN_SUCCESS)
		return MACH_PORT_NULL;
	return p;
}

kern_return_t rt_check_in(const char *name, mach_port_t *port)
{
	name_t n;
	strncpy(n, name, sizeof n - 1);
	n[sizeof n - 1] = 0;
	return bootstrap_check_in(bootstrap_port, n, port);
}

kern_return_t rt_look_up(const char *name, mach_port_t *port)
{
	name_t n;
	strncpy(n, name, sizeof n - 1);
	n[sizeof n - 1] = 0;
	return bootstrap_look_up(bootstrap_port, n, port);
}

kern_return_t rt_register(const char *name, mach_port_t port)
{
	name_t n;
	strncpy(n, name, sizeof n - 1);
	n[sizeof n - 1] = 0;
	return bootstrap_register(bootstrap_port, n, port);
}

mach_port_t rt_look_up_wait(const char *name)
{
	mach_port_t p = MACH_PORT_NULL;
	for (int i = 0; i < 2000; i++) {
		if (rt_look_up(name, &p) == KERN_SUCCESS)
			return p;
		usleep(2000);
	}
	return MACH_PORT_NULL;
}
