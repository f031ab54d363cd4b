/* A private broker for one test program: a fresh temporary directory whose
 * socket MACHGEN_BROKER_SOCKET names (the first Mach call starts the broker
 * there), stopped and removed afterwards. */
#ifndef MACHGEN_TEST_RT_HEADERS_PRIVATE_BROKER_H
#define MACHGEN_TEST_RT_HEADERS_PRIVATE_BROKER_H

#include <stddef.h>

/* Makes the directory (its path into dir, at least 32 bytes) and sets the
 * environment. Returns 0, or -1 when no directory could be made. */
int rth_broker_start(char *dir, size_t n);

/* Stops the broker of dir, if one runs, and removes the directory (the broker
 * needs its lock file to exit). */
void rth_broker_stop(const char *dir);

#endif
