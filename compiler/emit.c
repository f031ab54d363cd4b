/* mg_emit_files: every wanted output generated in memory first, then written whole. */
#include "emit.h"

#include <string.h>

#include "output.h"

/* ServerImpl/UserImpl arguments take the trailer field they are named after. */
static bool is_trailer_field(const char *name)
{
    static const char *const fields[] = {"msgh_seqno", "msgh_sender", "msgh_audit",
                                         "msgh_context", "msgh_ad", "msgh_labels"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (strcmp(name, fields[i]) == 0)
            return true;
    return false;
}

const char *mg_emit_unsupported(const struct mg_interface *itf)
{
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        const struct mg_layout *ls[2] = {&rt->request, &rt->reply};
        for (int k = 0; k < 2; k++) {
            const struct mg_layout *l = ls[k];
            if (!l->has_native)
                continue;
            /* a native's size is known only to C: supported as the message's last and
             * only part whose size is not fixed */
            uint32_t natives = 0;
            for (uint32_t j = 0; j < l->nfields; j++) {
                natives += l->fields[j].kind == MG_FIELD_NATIVE;
                if (l->fields[j].kind == MG_FIELD_VAR_DATA)
                    return "a native C type (PointerTo/ValueOf) in a message with variable-length data";
            }
            if (natives > 1 || l->fields[l->nfields - 1].kind != MG_FIELD_NATIVE)
                return "a native C type (PointerTo/ValueOf) that is not the message's last argument";
        }
        for (uint32_t j = 0; j < rt->nargs; j++) {
            const struct mg_param *a = &rt->args[j];
            if (a->role == MG_ROLE_IMPLICIT && !is_trailer_field(a->name))
                return "a ServerImpl/UserImpl argument whose name is not a trailer field "
                       "(msgh_seqno, msgh_sender, msgh_audit, msgh_context, msgh_ad, msgh_labels)";
        }
    }
    return NULL;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

bool mg_emit_files(const struct mg_interface *itf, const struct mg_emit_outputs *out, FILE *err)
{
    const char *why = mg_emit_unsupported(itf);
    if (why) {
        fprintf(err, "machgen: error: subsystem %s uses %s, which code generation does not "
                     "support yet\n", itf->subsystem, why);
        return false;
    }
    const char *paths[4] = {out->user_header, out->user_source, out->server_source,
                            out->server_header};
    struct mg_membuf bufs[4];
    bool ok = true;
    /* a suppressed header still names the include line the source needs */
    const char *uh = out->user_header && strcmp(out->user_header, "/dev/null") != 0
                         ? base_name(out->user_header)
                         : NULL;
    const char *sh = out->server_header && strcmp(out->server_header, "/dev/null") != 0
                         ? base_name(out->server_header)
                         : NULL;
    char uh_default[512];
    if (!uh) {
        snprintf(uh_default, sizeof uh_default, "%s.h", itf->subsystem);
        uh = uh_default;
    }
    for (int i = 0; i < 4; i++) {
        mg_membuf_init(&bufs[i]);
        if (!paths[i])
            continue;
        switch (i) {
        case 0: mg_emit_user_header(bufs[i].fp, itf, uh); break;
        case 1: mg_emit_user_source(bufs[i].fp, itf, uh); break;
        case 2: mg_emit_server_source(bufs[i].fp, itf, sh); break;
        case 3: mg_emit_server_header(bufs[i].fp, itf, sh); break;
        }
        ok &= mg_membuf_finish(&bufs[i]);
    }
    if (!ok)
        fprintf(err, "machgen: error: out of memory while generating code\n");
    for (int i = 0; ok && i < 4; i++)
        if (paths[i])
            ok &= mg_write_file_atomic(paths[i], bufs[i].data, bufs[i].len, err);
    for (int i = 0; i < 4; i++)
        mg_membuf_free(&bufs[i]);
    return ok;
}
