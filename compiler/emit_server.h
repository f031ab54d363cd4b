/* Declarations the server header and the server source share. */
#ifndef MACHGEN_EMIT_SERVER_H
#define MACHGEN_EMIT_SERVER_H

#include "cwriter.h"
#include "model.h"

/* Server routine prototypes (MIG_SERVER_ROUTINE), the demux functions and the
 * subsystem table's declaration. */
void mg_em_server_declarations(struct mg_cw *w, const struct mg_interface *itf);

#endif
