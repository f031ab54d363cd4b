#include "private_broker.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int rth_broker_start(char *dir, size_t n)
{
	char sock[160];

	if (snprintf(dir, n, "/tmp/mgrth-XXXXXX") >= (int)n || !mkdtemp(dir))
		return -1;
	snprintf(sock, sizeof(sock), "%s/broker.sock", dir);
	setenv("MACHGEN_BROKER_SOCKET", sock, 1);
	setenv("MACHGEN_BROKER_IDLE", "1", 1);
	return 0;
}

void rth_broker_stop(const char *dir)
{
	char path[160];
	struct sockaddr_un sa;
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);

	/* The broker is the peer of a fresh connection to its socket. */
	snprintf(path, sizeof(path), "%s/broker.sock", dir);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strnlen(path, sizeof(sa.sun_path) - 1));
	if (fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid > 0)
		kill(cred.pid, SIGTERM);
	if (fd >= 0)
		close(fd);
	unlink(path);
	snprintf(path, sizeof(path), "%s/broker.sock.lock", dir);
	unlink(path);
	rmdir(dir);
}
