/* The generated faults server's routines and a serve loop that records what
 * happened to every reply (mach_msg_server would hide a failed reply). Runs in a
 * forked child; the counters are that process's own. */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <mach/mach.h>
#include <mach/vm_map.h>

#include "debug.h"
#include "faults.h"
#include "faultsServer.h"
#include "faults_util.h"
#include "helpers.h"

static struct {
	int busy_fd;
	int quit;
	int served, failed, last_failure;
} srv = {-1, 0, 0, 0, 0};

kern_return_t do_add(mach_port_t server, int a, int b, int *c)
{
	(void)server;
	*c = a + b;
	return KERN_SUCCESS;
}

kern_return_t do_stall(mach_port_t server, int ms, int *slept)
{
	(void)server;
	char one = 1;
	if (srv.busy_fd >= 0 && write(srv.busy_fd, &one, 1) != 1)
		return KERN_FAILURE;
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
	*slept = ms;
	return KERN_SUCCESS;
}

kern_return_t do_blob(mach_port_t server, vm_offset_t data, mach_msg_type_number_t dataCnt,
                      int stride, int64_t *sum)
{
	(void)server;
	if (stride <= 0)
		return KERN_INVALID_ARGUMENT;
	int64_t s = 0;
	const unsigned char *p = (const unsigned char *)data;
	for (mach_msg_type_number_t i = 0; i < dataCnt; i += (mach_msg_type_number_t)stride)
		s += p[i];
	/* the reply packs fields to 4 bytes: this int64_t may be misaligned */
	memcpy(sum, &s, sizeof s);
	if (dataCnt)
		vm_deallocate(mach_task_self(), data, dataCnt); /* success: the region is ours */
	return KERN_SUCCESS;
}

kern_return_t do_take_ports(mach_port_t server, mach_port_array_t ports,
                            mach_msg_type_number_t portsCnt, int *count)
{
	(void)server;
	/* the rights are ours; the array (an array[]) is freed by the stub */
	for (mach_msg_type_number_t i = 0; i < portsCnt; i++)
		mach_port_deallocate(mach_task_self(), ports[i]);
	*count = (int)portsCnt;
	return KERN_SUCCESS;
}

kern_return_t do_new_port(mach_port_t server, mach_port_t *p)
{
	(void)server;
	return mach_port_allocate(mach_task_self(), MACH_PORT_RIGHT_RECEIVE, p);
}

kern_return_t do_counters(mach_port_t server, int *served, int *failed, int *last_failure,
                          int *names)
{
	(void)server;
	uint64_t st[5];
	*served = srv.served;
	*failed = srv.failed;
	*last_failure = srv.last_failure;
	*names = machgen_linux_debug_stats(st) == 0 ? (int)st[MACHGEN_STAT_NAMES] : -1;
	return KERN_SUCCESS;
}

kern_return_t do_quit(mach_port_t server)
{
	(void)server;
	srv.quit = 1;
	return KERN_SUCCESS;
}

int ft_serve(const char *name, int busy_fd)
{
	union {
		mach_msg_header_t head;
		unsigned char bytes[8192];
	} in, out;
	mach_port_t port;

	srv.busy_fd = busy_fd;
	if (rt_check_in(name, &port) != KERN_SUCCESS)
		return 10;
	while (!srv.quit) {
		mach_msg_return_t mr = mach_msg(&in.head, MACH_RCV_MSG, 0, sizeof in, port,
		                                MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS)
			return 11;
		srv.served++;
		faults_server(&in.head, &out.head);
		mig_reply_error_t *rep = (mig_reply_error_t *)&out.head;
		int error = !(out.head.msgh_bits & MACH_MSGH_BITS_COMPLEX) && rep->RetCode != KERN_SUCCESS;
		if (error && rep->RetCode != MIG_NO_REPLY) {
			/* a rejected request's rights and memory are the server's to free */
			in.head.msgh_remote_port = MACH_PORT_NULL;
			mach_msg_destroy(&in.head);
		}
		if ((error && rep->RetCode == MIG_NO_REPLY) || out.head.msgh_remote_port == MACH_PORT_NULL)
			continue;
		mr = mach_msg(&out.head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, out.head.msgh_size, 0,
		              MACH_PORT_NULL, 2000, MACH_PORT_NULL);
		if (mr != MACH_MSG_SUCCESS) {
			/* the client is gone: the reply (and its rights) are still ours */
			srv.failed++;
			srv.last_failure = (int)mr;
			mach_msg_destroy(&out.head);
		}
	}
	return 0;
}

int ft_start_server(ft_server *s, const char *name, unsigned alarm_s)
{
	int p[2];
	if (pipe(p) != 0)
		return -1;
	s->pid = fork();
	if (s->pid < 0)
		return -1;
	if (s->pid == 0) {
		close(p[0]);
		alarm(alarm_s);
		_exit(ft_serve(name, p[1]));
	}
	close(p[1]);
	s->busy_fd = p[0];
	s->port = rt_look_up_wait(name);
	return s->port == MACH_PORT_NULL ? -1 : 0;
}

int ft_stop_server(ft_server *s, int timeout_ms)
{
	quit(s->port);
	int st = rt_wait(s->pid, timeout_ms);
	close(s->busy_fd);
	mach_port_deallocate(mach_task_self(), s->port);
	return st;
}

int ft_wait_byte(int fd, int timeout_ms)
{
	struct pollfd pfd = {fd, POLLIN, 0};
	char c;
	if (poll(&pfd, 1, timeout_ms) != 1)
		return 0;
	return read(fd, &c, 1) == 1;
}
