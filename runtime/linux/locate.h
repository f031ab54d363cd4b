/* Finding, starting and connecting to the per-user broker. */
#ifndef MACHGEN_LINUX_LOCATE_H
#define MACHGEN_LINUX_LOCATE_H

#include <stddef.h>

/* Environment knobs (documented in docs/linux-backend.md). */
#define MGL_ENV_SOCKET "MACHGEN_BROKER_SOCKET" /* private broker socket path */
#define MGL_ENV_PATH "MACHGEN_BROKER_PATH"     /* broker executable */
#define MGL_ENV_IDLE "MACHGEN_BROKER_IDLE"     /* idle seconds before the broker exits */
#define MGL_ENV_LINGER "MACHGEN_BROKER_LINGER_US" /* µs the broker polls before sleeping */

/* Writes the socket path this process uses into buf. Creates the private 0700
 * directory when the default location is used. Returns 0 or -errno. */
int mgl_socket_path(char *buf, size_t cap);

/* Connects to the broker, starting it first when nobody listens. Returns a
 * connected, close-on-exec SOCK_SEQPACKET fd or -errno. */
int mgl_connect(void);

#endif
