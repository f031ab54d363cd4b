/* The two small headers mig writes on request: -dheader (message id defines) and
 * -iheader (user stub names redirected to NAME_external, for KernelServer builds that
 * link the stubs under other names). */
#ifndef MACHGEN_EMIT_DEFINES_H
#define MACHGEN_EMIT_DEFINES_H

#include <stdio.h>

#include "model.h"

void mg_emit_defines_header(FILE *out, const struct mg_interface *itf);
void mg_emit_internal_header(FILE *out, const struct mg_interface *itf);

#endif
