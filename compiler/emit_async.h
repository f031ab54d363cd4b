/* Asynchronous outputs (machgen -async / -asyncheader / -asyncserver /
 * -asyncsheader): client stubs that return once the request is sent and report
 * the reply to a completion callback through the runtime's machgen_async_t, and
 * server functions that send a routine's reply later from a saved reply right. */
#ifndef MACHGEN_EMIT_ASYNC_H
#define MACHGEN_EMIT_ASYNC_H

#include <stdbool.h>
#include <stdio.h>

#include "model.h"

struct mg_async_outputs {
    const char *client_header, *client_source; /* NULL = not wanted */
    const char *server_header, *server_source;
    const char *user_header_name; /* how the client header includes the user header */
};

/* Generates the wanted outputs in memory, then writes each atomically. */
bool mg_emit_async_files(const struct mg_interface *, const struct mg_async_outputs *, FILE *err);

/* One function per output (tests call them in-process). header_name is the base
 * name the source includes. */
void mg_emit_async_client_header(FILE *, const struct mg_interface *, const char *user_header_name);
void mg_emit_async_client_source(FILE *, const struct mg_interface *, const char *header_name);
void mg_emit_async_server_header(FILE *, const struct mg_interface *);
void mg_emit_async_server_source(FILE *, const struct mg_interface *, const char *header_name);

/* Why a routine has no async client stub / no deferred reply function (a
 * simpleroutine, which has no reply), or NULL when it has one. */
const char *mg_async_client_unsupported(const struct mg_routine *rt);
const char *mg_async_reply_unsupported(const struct mg_routine *rt);

#endif
