/* The user header: client prototypes, message types and the id map. */
#include "emit.h"
#include "emit_common.h"

#include <inttypes.h>

static void guard_name(char *buf, size_t n, const struct mg_interface *itf, const char *what)
{
    snprintf(buf, n, "_%s_%s_", itf->subsystem, what);
}

void mg_emit_user_header(FILE *fp, const struct mg_interface *itf, const char *header_name)
{
    struct mg_cw w = {fp, 0};
    char guard[256];
    (void)header_name;
    guard_name(guard, sizeof guard, itf, "user_");
    mg_cw_line(&w, "#ifndef %s", guard);
    mg_cw_line(&w, "#define %s", guard);
    mg_cw_blank(&w);
    mg_em_banner(&w, itf, "Client interface");
    mg_cw_blank(&w);
    mg_em_std_includes(&w);
    mg_em_imports(&w, itf, MG_EM_USER_HEADER, false);
    mg_cw_blank(&w);
    mg_em_static_assert_macro(&w);
    mg_cw_blank(&w);
    /* like mig: message slots, skips included */
    mg_cw_line(&w, "#ifndef %s_MSG_COUNT", itf->subsystem);
    mg_cw_line(&w, "#define %s_MSG_COUNT %" PRIu32, itf->subsystem, itf->nroutines);
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "extern \"C\" {");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_em_contract_comment(&w, MG_EM_USER);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (!mg_em_is_routine(rt))
            continue;
        mg_cw_blank(&w);
        mg_cw_line(&w, "/* %s %s: request id %" PRId32 " */",
                   rt->kind == MG_RT_SIMPLEROUTINE ? "SimpleRoutine" : "Routine", rt->name,
                   rt->request_id);
        mg_em_doc_comment(&w, rt->doc);
        mg_em_ownership_comment(&w, rt, MG_EM_USER);
        mg_cw_line(&w, "kern_return_t %s", rt->user_name);
        mg_cw_line(&w, "(");
        w.indent++;
        mg_em_params(&w, rt, MG_EM_USER);
        w.indent--;
        mg_cw_line(&w, ");");
    }
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "}");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_em_message_types(&w, itf, MG_EM_USER);
    mg_em_message_unions(&w, itf, MG_EM_USER);
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifndef subsystem_to_name_map_%s", itf->subsystem);
    mg_cw_line(&w, "#define subsystem_to_name_map_%s \\", itf->subsystem);
    bool first = true;
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (!mg_em_is_routine(rt))
            continue;
        mg_cw_line(&w, "    %s{ \"%s\", %" PRId32 " }\\", first ? "" : ", ", rt->name,
                   rt->request_id);
        first = false;
    }
    mg_cw_blank(&w);
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#endif /* !%s */", guard);
}
