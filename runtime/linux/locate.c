/* Broker discovery and auto-start.
 *
 * One broker per user (or per MACHGEN_BROKER_SOCKET path). Starting is serialised
 * by an flock on "<socket>.lock": the first client that finds nobody listening
 * takes the lock, re-checks, spawns the broker and waits for its readiness byte.
 * The broker takes the same lock before it unlinks its socket on idle exit, so a
 * starting client and an exiting broker never race on the path. */
#include "locate.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "wire.h"

#ifndef MACHGEN_LIBEXEC_DIR
#define MACHGEN_LIBEXEC_DIR "/usr/local/libexec"
#endif

extern char **environ;

static int private_dir(const char *dir)
{
	struct stat st;

	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return -errno;
	if (lstat(dir, &st) != 0)
		return -errno;
	/* Refuse anything another user could have planted or can enter. */
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077) != 0)
		return -EACCES;
	return 0;
}

int mgl_socket_path(char *buf, size_t cap)
{
	const char *env = getenv(MGL_ENV_SOCKET);
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	char dir[200];
	int rc;

	if (env && *env) {
		if (strlen(env) >= cap || strlen(env) >= sizeof(((struct sockaddr_un *)0)->sun_path))
			return -ENAMETOOLONG;
		strcpy(buf, env);
		return 0;
	}
	if (xdg && *xdg && strlen(xdg) < 150 && access(xdg, W_OK) == 0)
		snprintf(dir, sizeof dir, "%s/machgen", xdg);
	else
		snprintf(dir, sizeof dir, "/tmp/machgen-%u", (unsigned)getuid());
	rc = private_dir(dir);
	if (rc)
		return rc;
	if ((size_t)snprintf(buf, cap, "%s/broker.sock", dir) >= cap)
		return -ENAMETOOLONG;
	return 0;
}

static int try_connect(const char *path)
{
	struct sockaddr_un sa;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&sa, 0, sizeof sa);
	sa.sun_family = AF_UNIX;
	strncpy(sa.sun_path, path, sizeof sa.sun_path - 1);
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	mgw_tune_socket(fd);
	return fd;
}

#ifdef MACHGEN_BUILD_TREE
/* True when this code runs from the build tree (a test or an in-tree
 * program, linked statically or against the build's shared library), not
 * from an installed copy. */
static const char g_anchor; /* any object of this library, for dladdr */

static int running_in_build_tree(void)
{
	Dl_info info;
	char path[4096];
	size_t n = strlen(MACHGEN_BUILD_TREE);
	ssize_t len;

	if (!dladdr(&g_anchor, &info) || !info.dli_fname)
		return 0;
	if (info.dli_fname[0] == '/' && realpath(info.dli_fname, path)) {
		/* a shared library, by its absolute path */
	} else {
		/* the main program (named as it was invoked): ask the kernel */
		len = readlink("/proc/self/exe", path, sizeof path - 1);
		if (len <= 0)
			return 0;
		path[len] = 0;
	}
	return strncmp(path, MACHGEN_BUILD_TREE, n) == 0 && path[n] == '/';
}
#endif

static const char *broker_binary(char *buf, size_t cap)
{
	const char *env = getenv(MGL_ENV_PATH);
	if (env && *env)
		return env;
#if defined(MACHGEN_BROKER_BUILD_PATH) && defined(MACHGEN_BUILD_TREE)
	/* In-tree builds and tests use the broker built next to this library. */
	if (running_in_build_tree() && access(MACHGEN_BROKER_BUILD_PATH, X_OK) == 0)
		return MACHGEN_BROKER_BUILD_PATH;
#endif
	snprintf(buf, cap, "%s/machgen-broker", MACHGEN_LIBEXEC_DIR);
	return buf;
}

/* Spawns the broker (it daemonises itself) and waits for its readiness byte. */
static int spawn_broker(const char *sock)
{
	char binbuf[512], idle[32] = "", linger[32] = "", fdarg[16];
	const char *bin = broker_binary(binbuf, sizeof binbuf);
	const char *idle_env = getenv(MGL_ENV_IDLE);
	const char *linger_env = getenv(MGL_ENV_LINGER);
	char *argv[12];
	int argc = 0, p[2], rc;
	posix_spawn_file_actions_t fa;
	pid_t pid;
	struct pollfd pfd;
	char byte;

	if (pipe2(p, O_CLOEXEC) != 0)
		return -errno;
	snprintf(fdarg, sizeof fdarg, "%d", 3);
	argv[argc++] = (char *)"machgen-broker";
	argv[argc++] = (char *)"--socket";
	argv[argc++] = (char *)sock;
	argv[argc++] = (char *)"--ready-fd";
	argv[argc++] = fdarg;
	argv[argc++] = (char *)"--daemon";
	if (idle_env && *idle_env) {
		snprintf(idle, sizeof idle, "%s", idle_env);
		argv[argc++] = (char *)"--idle";
		argv[argc++] = idle;
	}
	if (linger_env && *linger_env) {
		snprintf(linger, sizeof linger, "%s", linger_env);
		argv[argc++] = (char *)"--linger-us";
		argv[argc++] = linger;
	}
	argv[argc] = NULL;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	if (!getenv("MACHGEN_BROKER_DEBUG")) {
		posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
		posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	}
	/* dup2 onto 3 clears close-on-exec; when the pipe already sits on 3, move it. */
	if (p[1] == 3) {
		int moved = fcntl(p[1], F_DUPFD_CLOEXEC, 4);
		close(p[1]);
		p[1] = moved;
	}
	posix_spawn_file_actions_adddup2(&fa, p[1], 3);
	rc = posix_spawn(&pid, bin, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(p[1]);
	if (rc != 0) {
		close(p[0]);
		return -rc;
	}
	/* The spawned process forks the real broker and exits at once. */
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	pfd.fd = p[0];
	pfd.events = POLLIN;
	do
		rc = poll(&pfd, 1, 5000);
	while (rc < 0 && errno == EINTR);
	rc = (rc == 1 && read(p[0], &byte, 1) == 1) ? 0 : -ETIMEDOUT;
	close(p[0]);
	return rc;
}

static int lock_path(const char *sock)
{
	char lp[128];
	int fd;
	if ((size_t)snprintf(lp, sizeof lp, "%s.lock", sock) >= sizeof lp)
		return -ENAMETOOLONG;
	fd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	while (flock(fd, LOCK_EX) != 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return -e;
		}
	}
	return fd;
}

int mgl_connect(void)
{
	char sock[128];
	int fd, lk, rc;

	rc = mgl_socket_path(sock, sizeof sock);
	if (rc)
		return rc;
	fd = try_connect(sock);
	if (fd >= 0)
		return fd;
	lk = lock_path(sock);
	if (lk < 0)
		return lk;
	fd = try_connect(sock);
	if (fd < 0) {
		rc = spawn_broker(sock);
		fd = rc ? rc : try_connect(sock);
	}
	close(lk);
	return fd;
}
