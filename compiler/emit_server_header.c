/* The server header: routines the server implements, the demux and its table. */
#include "emit.h"
#include "emit_common.h"
#include "emit_server.h"

#include <inttypes.h>

void mg_emit_server_header(FILE *fp, const struct mg_interface *itf, const char *header_name)
{
    struct mg_cw w = {fp, 0};
    (void)header_name;
    mg_cw_line(&w, "#ifndef _%s_server_", itf->subsystem);
    mg_cw_line(&w, "#define _%s_server_", itf->subsystem);
    mg_cw_blank(&w);
    mg_em_banner(&w, itf, "Server interface");
    mg_cw_blank(&w);
    mg_em_std_includes(&w);
    mg_em_imports(&w, itf, MG_EM_SERVER_HEADER, true);
    mg_cw_blank(&w);
    mg_em_static_assert_macro(&w);
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "extern \"C\" {");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_em_server_declarations(&w, itf);
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "}");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_em_message_types(&w, itf, MG_EM_SERVER);
    mg_em_message_unions(&w, itf, MG_EM_SERVER);
    mg_cw_blank(&w);
    mg_cw_line(&w, "#endif /* !_%s_server_ */", itf->subsystem);
}
