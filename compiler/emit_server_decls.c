/* Prototypes the server implements, the demux entry points and the subsystem table
 * declaration (Darwin's mig_subsystem shape, so generic serve loops can use it). */
#include "emit_common.h"
#include "emit_server.h"

#include <inttypes.h>

void mg_em_server_declarations(struct mg_cw *w, const struct mg_interface *itf)
{
    mg_em_contract_comment(w, MG_EM_SERVER);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (!mg_em_is_routine(rt))
            continue;
        mg_cw_blank(w);
        mg_cw_line(w, "/* %s %s: request id %" PRId32 " */",
                   rt->kind == MG_RT_SIMPLEROUTINE ? "SimpleRoutine" : "Routine", rt->name,
                   rt->request_id);
        mg_em_doc_comment(w, rt->doc);
        mg_em_ownership_comment(w, rt, MG_EM_SERVER);
        mg_cw_line(w, "MIG_SERVER_ROUTINE");
        mg_cw_line(w, "kern_return_t %s", rt->server_name);
        mg_cw_line(w, "(");
        w->indent++;
        mg_em_params(w, rt, MG_EM_SERVER);
        w->indent--;
        mg_cw_line(w, ");");
    }
    mg_cw_blank(w);
    mg_cw_line(w, "/* Serves one request: FALSE (reply RetCode MIG_BAD_ID) for an id not in this");
    mg_cw_line(w, " * subsystem. The reply's RetCode tells the serve loop what to do. */");
    mg_cw_line(w, "boolean_t %s(mach_msg_header_t *InHeadP, mach_msg_header_t *OutHeadP);",
               itf->server_demux);
    mg_cw_blank(w);
    mg_cw_line(w, "/* The stub for a request, or NULL for an id not in this subsystem. */");
    mg_cw_line(w, "mig_routine_t %s_routine(mach_msg_header_t *InHeadP);", itf->server_demux);
    mg_cw_blank(w);
    mg_cw_line(w, "/* Layout-compatible with struct mig_subsystem (cast it to mig_subsystem_t). */");
    mg_cw_open(w, "extern const struct %s%s_subsystem", itf->server_prefix, itf->subsystem);
    mg_cw_line(w, "mig_server_routine_t server; /* id -> stub */");
    mg_cw_line(w, "mach_msg_id_t start; /* first request id */");
    mg_cw_line(w, "mach_msg_id_t end; /* last request id + 1 */");
    mg_cw_line(w, "unsigned int maxsize; /* largest reply */");
    mg_cw_line(w, "vm_address_t reserved;");
    mg_cw_line(w, "struct routine_descriptor routine[%" PRIu32 "];",
               mg_em_nslots(itf) ? mg_em_nslots(itf) : 1);
    mg_cw_close(w, " %s%s_subsystem;", itf->server_prefix, itf->subsystem);
}
