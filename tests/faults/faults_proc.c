/* Readings of the broker (and our own) resources for leak comparisons. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debug.h"
#include "faults_util.h"
#include "helpers.h"

long ft_proc_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t flen = strlen(field);
	long v = -1;
	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, field, flen) == 0 && line[flen] == ':') {
			v = strtol(line + flen + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

int ft_proc_fds(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/fd", (int)pid);
	DIR *d = opendir(path);
	int n = 0;
	struct dirent *e;
	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

int ft_wait_gone(pid_t pid, int timeout_ms)
{
	uint64_t end = rt_now_ms() + (uint64_t)timeout_ms;
	while (kill(pid, 0) == 0 || errno != ESRCH) {
		if (rt_now_ms() >= end)
			return -1;
		usleep(2000);
	}
	return 0;
}

int ft_snapshot_with(ft_snapshot *s, pid_t broker)
{
	uint64_t st[5];
	memset(s, 0, sizeof *s);
	if (machgen_linux_debug_stats(st) != 0)
		return -1;
	s->ports = st[MACHGEN_STAT_PORTS];
	s->tasks = st[MACHGEN_STAT_TASKS];
	s->connections = st[MACHGEN_STAT_CONNECTIONS];
	s->ool = st[MACHGEN_STAT_OOL];
	s->names = st[MACHGEN_STAT_NAMES];
	s->broker = broker;
	s->rss_kib = ft_proc_kib(broker, "VmRSS");
	s->broker_fds = ft_proc_fds(broker);
	s->own_fds = rt_fd_count();
	return broker > 0 && s->rss_kib > 0 ? 0 : -1;
}

int ft_snapshot_take(ft_snapshot *s)
{
	pid_t broker = rt_broker_pid();
	/* that probe was a connection of its own: let the broker close it first */
	int fds = ft_proc_fds(broker), stable = 0;
	for (int i = 0; i < 100 && stable < 3; i++) {
		usleep(10000);
		int again = ft_proc_fds(broker);
		stable = again == fds ? stable + 1 : 0;
		fds = again;
	}
	return ft_snapshot_with(s, broker);
}
