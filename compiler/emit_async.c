/* Deferred server replies and the async output files (emit_async.h; the
 * client stubs are in emit_async_client.c). A deferred reply function builds
 * the routine's reply (or a mig_reply_error_t) and sends it to a reply right
 * the server routine kept by returning MIG_NO_REPLY. */
#include "emit_async.h"

#include <inttypes.h>
#include <string.h>

#include "emit_common.h"
#include "emit_user_msg.h"
#include "output.h"

const char *mg_async_reply_unsupported(const struct mg_routine *rt)
{
    return rt->kind == MG_RT_ROUTINE ? NULL : "a simpleroutine sends no reply";
}

/* ---- C spellings ------------------------------------------------------------ */

/* An argument of a deferred reply: the server routine's out arguments and their
 * counts, Poly and Dealloc companions. */
static bool is_reply_arg(const struct mg_param *a)
{
    if (!a->server_visible || a->server_trailer)
        return false;
    switch (a->role) {
    case MG_ROLE_OUT:
    case MG_ROLE_INOUT: return true;
    case MG_ROLE_COUNT:
    case MG_ROLE_POLY:
    case MG_ROLE_DEALLOC:
        return a->parent && (a->parent->role == MG_ROLE_OUT || a->parent->role == MG_ROLE_INOUT);
    default: return false;
    }
}

/* A deferred reply parameter: the server routine's type by value; inline arrays
 * and strings (and anonymous structs) as const pointers to their elements. */
static void reply_param(char *buf, size_t n, const struct mg_param *a)
{
    const struct mg_type *t = a->type;
    char ty[256];
    mg_em_param_type(ty, sizeof ty, a, MG_EM_SERVER);
    size_t l = strlen(ty);
    bool star = l && ty[l - 1] == '*';
    bool data = a->role == MG_ROLE_OUT || a->role == MG_ROLE_INOUT;
    bool anonymous = data && t->wire == MG_WIRE_INLINE && !(t->trans_ctype && (t->declared || t->is_struct));
    if (a->by_ref_server && star && !anonymous) {
        ty[--l] = 0;
        while (l && ty[l - 1] == ' ')
            ty[--l] = 0;
        snprintf(buf, n, "%s %s", ty, a->name);
    } else {
        snprintf(buf, n, "const %s%s%s", ty, star ? "" : " ", a->name);
    }
}

/* The parameter lines after `last_fixed`: every argument the reply carries. */
static void reply_params(struct mg_cw *w, const struct mg_routine *rt, const char *last_fixed)
{
    char p[300];
    uint32_t left = 0;
    for (uint32_t i = 0; i < rt->nargs; i++)
        left += is_reply_arg(&rt->args[i]);
    mg_cw_line(w, "%s%s", last_fixed, left ? "," : "");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!is_reply_arg(a))
            continue;
        reply_param(p, sizeof p, a);
        mg_cw_line(w, "%s%s", p, --left ? "," : "");
    }
}

/* ---- server: deferred replies ----------------------------------------------- */

static void reply_prototype(struct mg_cw *w, const struct mg_routine *rt, bool decl)
{
    mg_cw_line(w, "kern_return_t %s_deferred_reply(", rt->server_name);
    w->indent++;
    mg_cw_line(w, "mach_port_t ReplyPort,");
    reply_params(w, rt, "kern_return_t Result");
    w->indent--;
    mg_cw_line(w, ")%s", decl ? ";" : "");
}

void mg_emit_async_server_header(FILE *fp, const struct mg_interface *itf)
{
    struct mg_cw w = {fp, 0};
    mg_cw_line(&w, "#ifndef _%s_async_server_", itf->subsystem);
    mg_cw_line(&w, "#define _%s_async_server_", itf->subsystem);
    mg_cw_blank(&w);
    mg_em_banner(&w, itf, "Deferred server replies");
    mg_cw_blank(&w);
    mg_em_std_includes(&w);
    mg_cw_line(&w, "#include <machgen/async.h>");
    mg_em_imports(&w, itf, MG_EM_SERVER_HEADER, true);
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "extern \"C\" {");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_cw_line(&w, "/* A server routine that answers later keeps its reply right (an sreplyport");
    mg_cw_line(&w, " * argument) and returns MIG_NO_REPLY; <routine>_deferred_reply then sends the");
    mg_cw_line(&w, " * answer: the out arguments when Result is KERN_SUCCESS, else a");
    mg_cw_line(&w, " * mig_reply_error_t carrying Result; when a count exceeds its bound, an error");
    mg_cw_line(&w, " * reply carrying MIG_ARRAY_TOO_LARGE, which is also returned (the out arguments");
    mg_cw_line(&w, " * stay the caller's). Otherwise it returns the send result. Ownership, as when a server");
    mg_cw_line(&w, " * routine returns: the reply right is consumed; ports go with the dispositions");
    mg_cw_line(&w, " * the .defs declares (move: the caller's right goes, make/copy: the caller");
    mg_cw_line(&w, " * keeps its own); regions declared dealloc are deallocated, others stay the");
    mg_cw_line(&w, " * caller's. When the client is gone (MACH_SEND_INVALID_DEST) or the send times");
    mg_cw_line(&w, " * out, the reply is destroyed as if delivered, as mach_msg_server does. */");
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (!mg_em_is_routine(rt))
            continue;
        const char *why = mg_async_reply_unsupported(rt);
        mg_cw_blank(&w);
        if (why) {
            mg_cw_line(&w, "/* %s: no deferred reply (%s) */", rt->name, why);
            continue;
        }
        reply_prototype(&w, rt, true);
    }
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "}");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#endif /* !_%s_async_server_ */", itf->subsystem);
}

/* static kern_return_t <routine>_deferred_pack(Reply *Out0P, reply arguments):
 * the reply as the client's stubs expect it, packed by the same code that packs
 * their requests; MIG_ARRAY_TOO_LARGE when a count exceeds its bound. */
static void pack_helper(struct mg_cw *w, const struct mg_interface *itf, const struct mg_routine *rt)
{
    const struct mg_layout *l = &rt->reply;
    char p[300];
    mg_cw_line(w, "static kern_return_t %s_deferred_pack(", rt->server_name);
    w->indent++;
    snprintf(p, sizeof p, "__Reply__%s_t *Out0P", rt->name);
    reply_params(w, rt, p);
    w->indent--;
    mg_cw_line(w, ")");
    mg_cw_brace(w);
    bool var = mg_user_msg_has_var(l), segments = false;
    for (uint32_t k = 1; k < l->nsegments; k++)
        segments |= mg_em_segment_used(l, k);
    if (segments || (!var && !l->has_native))
        mg_cw_line(w, "typedef __Reply__%s_t Reply;", rt->name);
    for (uint32_t k = 1; k < l->nsegments; k++)
        if (mg_em_segment_used(l, k))
            mg_cw_line(w, "Reply *Out%" PRIu32 "P;", k);
    if (var)
        mg_cw_line(w, "mach_msg_size_t msgh_size_delta = 0;");
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (is_reply_arg(&rt->args[i]))
            mg_cw_line(w, "(void)%s;", rt->args[i].name);
    mg_cw_blank(w);
    struct mg_user_msg m = {.w = w, .itf = itf, .rt = rt};
    mg_user_msg_pack_reply(&m);
    if (var) {
        mg_cw_line(w, "Out0P->Head.msgh_size = %" PRIu32 "u + msgh_size_delta;", l->min_size);
    } else if (l->has_native) {
        char fixed[160];
        mg_em_fixed_size(fixed, sizeof fixed, l, MG_EM_SERVER, "Out0P");
        mg_cw_line(w, "Out0P->Head.msgh_size = (mach_msg_size_t)%s;", fixed);
    } else {
        mg_cw_line(w, "Out0P->Head.msgh_size = (mach_msg_size_t)sizeof(Reply);");
    }
    mg_cw_line(w, "return KERN_SUCCESS;");
    mg_cw_end(w);
    mg_cw_blank(w);
}

static void reply_function(struct mg_cw *w, const struct mg_interface *itf, const struct mg_routine *rt)
{
    const struct mg_layout *l = &rt->reply;
    pack_helper(w, itf, rt);
    reply_prototype(w, rt, false);
    mg_cw_brace(w);
    mg_cw_line(w, "union { __Reply__%s_t Out; mig_reply_error_t Err; } Mess;", rt->name);
    mg_cw_line(w, "mach_msg_header_t *Head = &Mess.Out.Head;");
    if (rt->request_local_disposition < 0) {
        /* a polymorphic reply port: send back the kind of right the request brought */
        mg_cw_line(w, "mach_port_type_t ReplyType = 0;");
        mg_cw_line(w, "(void)mach_port_type(mach_task_self(), ReplyPort, &ReplyType);");
        mg_cw_line(w, "const mach_msg_type_name_t ReplyDisposition = (ReplyType & MACH_PORT_TYPE_SEND_ONCE) ?");
        mg_cw_line(w, "\tMACH_MSG_TYPE_MOVE_SEND_ONCE : MACH_MSG_TYPE_MOVE_SEND;");
    }
    mg_cw_blank(w);
    mg_cw_line(w, "kern_return_t PackResult = KERN_SUCCESS;");
    mg_cw_line(w, "memset(Head, 0, sizeof *Head);");
    mg_cw_line(w, "if (Result == KERN_SUCCESS)");
    mg_cw_line(w, "\tResult = PackResult = %s_deferred_pack(&Mess.Out", rt->server_name);
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (is_reply_arg(&rt->args[i]))
            mg_cw_line(w, "\t\t, %s", rt->args[i].name);
    mg_cw_line(w, "\t);");
    mg_cw_open(w, "if (Result != KERN_SUCCESS)");
    mg_cw_line(w, "Mess.Err.NDR = NDR_record;");
    mg_cw_line(w, "Mess.Err.RetCode = Result;");
    mg_cw_line(w, "Head->msgh_size = (mach_msg_size_t)sizeof(mig_reply_error_t);");
    mg_cw_end(w);
    mg_cw_line(w, "Head->msgh_bits = MACH_MSGH_BITS(%s, 0)%s;",
               rt->request_local_disposition < 0 ? "ReplyDisposition"
                                                 : mg_em_received(rt->request_local_disposition),
               l->complex ? " |\n\t\t(Result == KERN_SUCCESS ? MACH_MSGH_BITS_COMPLEX : 0)" : "");
    mg_cw_line(w, "Head->msgh_remote_port = ReplyPort;");
    mg_cw_line(w, "Head->msgh_local_port = MACH_PORT_NULL;");
    mg_cw_line(w, "Head->msgh_voucher_port = MACH_PORT_NULL;");
    mg_cw_line(w, "Head->msgh_id = %" PRId32 ";", rt->reply_id);
    mg_cw_line(w, "/* a zero send timeout: a client that stopped receiving never blocks us */");
    mg_cw_line(w, "mach_msg_return_t SendResult = mach_msg(Head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, "
                  "Head->msgh_size, 0, MACH_PORT_NULL, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);");
    mg_cw_line(w, "/* undeliverable: destroyed as mach_msg_server does (the reply right, moved");
    mg_cw_line(w, " * rights, regions sent with deallocate) */");
    mg_cw_line(w, "if (SendResult == MACH_SEND_INVALID_DEST || SendResult == MACH_SEND_TIMED_OUT)");
    mg_cw_line(w, "\tmach_msg_destroy(Head);");
    mg_cw_line(w, "/* the out arguments could not be packed: an error reply went instead */");
    mg_cw_line(w, "return SendResult == MACH_MSG_SUCCESS ? PackResult : SendResult;");
    mg_cw_end(w);
    mg_cw_blank(w);
}

void mg_emit_async_server_source(FILE *fp, const struct mg_interface *itf, const char *header_name)
{
    struct mg_cw w = {fp, 0};
    mg_em_banner(&w, itf, "Deferred server replies");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#include \"%s\"", header_name);
    mg_cw_line(&w, "#include <mach/mach.h>");
    mg_cw_line(&w, "#include <string.h>");
    mg_em_imports(&w, itf, MG_EM_SERVER_SOURCE, true);
    mg_cw_blank(&w);
    mg_em_static_assert_macro(&w);
    mg_cw_blank(&w);
    mg_em_message_types(&w, itf, MG_EM_SERVER);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (mg_em_is_routine(rt) && !mg_async_reply_unsupported(rt))
            reply_function(&w, itf, rt);
    }
}

/* ---- files ------------------------------------------------------------------- */

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

bool mg_emit_async_files(const struct mg_interface *itf, const struct mg_async_outputs *out,
                         FILE *err)
{
    const char *paths[4] = {out->client_header, out->client_source, out->server_header,
                            out->server_source};
    char ch[512], sh[512];
    snprintf(ch, sizeof ch, "%s", out->client_header && strcmp(out->client_header, "/dev/null")
                                      ? base_name(out->client_header)
                                      : "");
    if (!ch[0])
        snprintf(ch, sizeof ch, "%sAsync.h", itf->subsystem);
    snprintf(sh, sizeof sh, "%s", out->server_header && strcmp(out->server_header, "/dev/null")
                                      ? base_name(out->server_header)
                                      : "");
    if (!sh[0])
        snprintf(sh, sizeof sh, "%sAsyncServer.h", itf->subsystem);
    struct mg_membuf bufs[4];
    bool ok = true;
    for (int i = 0; i < 4; i++) {
        mg_membuf_init(&bufs[i]);
        if (!paths[i])
            continue;
        switch (i) {
        case 0: mg_emit_async_client_header(bufs[i].fp, itf, out->user_header_name); break;
        case 1: mg_emit_async_client_source(bufs[i].fp, itf, ch); break;
        case 2: mg_emit_async_server_header(bufs[i].fp, itf); break;
        case 3: mg_emit_async_server_source(bufs[i].fp, itf, sh); break;
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
