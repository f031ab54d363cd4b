/* Shared pieces of the fault-injection, leak and soak programs: the generated
 * faults server run in a child process, and the broker's resources read from /proc. */
#ifndef MACHGEN_TEST_FAULTS_UTIL_H
#define MACHGEN_TEST_FAULTS_UTIL_H

#include <stdint.h>
#include <sys/types.h>

#include <mach/mach.h>

/* Under AddressSanitizer freed memory waits in quarantine, so the broker's RSS
 * says little: memory bounds are then printed, not asserted. */
#if defined(__SANITIZE_ADDRESS__)
#define FT_RSS_ASSERTED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FT_RSS_ASSERTED 0
#endif
#endif
#ifndef FT_RSS_ASSERTED
#define FT_RSS_ASSERTED 1
#endif

typedef struct {
	pid_t pid;
	mach_port_t port; /* send right to the server's service port */
	int busy_fd;      /* read end: one byte each time a stall begins */
} ft_server;

/* Forks a faults server checked in under name (alarm after alarm_s seconds) and
 * looks it up. Returns 0, or -1 if it never checked in. */
int ft_start_server(ft_server *s, const char *name, unsigned alarm_s);
/* Asks the server to quit and waits for it; returns its exit status or -1. */
int ft_stop_server(ft_server *s, int timeout_ms);
/* Waits up to timeout_ms for a byte on fd; 1 if one came, 0 on timeout. */
int ft_wait_byte(int fd, int timeout_ms);

/* The serve loop of the child: checks in under name and serves until quit. */
int ft_serve(const char *name, int busy_fd);

/* A "Vm...:" field of /proc/<pid>/status in KiB, or -1. */
long ft_proc_kib(pid_t pid, const char *field);
/* Open fds of pid, or -1. */
int ft_proc_fds(pid_t pid);
/* Waits up to timeout_ms until pid no longer exists; 0 when gone. */
int ft_wait_gone(pid_t pid, int timeout_ms);

/* Broker-wide figures for leak comparisons. */
typedef struct {
	pid_t broker;
	uint64_t ports, tasks, connections, ool, names;
	long rss_kib;
	int broker_fds;
	int own_fds;
} ft_snapshot;
/* Finds the broker (a probe connection of its own, waited out) and reads it. */
int ft_snapshot_take(ft_snapshot *s);
/* The same for a broker already found: no probe, so its fd count is exact. */
int ft_snapshot_with(ft_snapshot *s, pid_t broker);

#endif
