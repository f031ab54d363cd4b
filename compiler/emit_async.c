/* Asynchronous client stubs and deferred server replies (emit_async.h).
 *
 * An async stub packs the request like the synchronous stub, hands it to
 * machgen_async_start (which supplies a per-call reply port) and returns. The
 * completion function it registers checks the reply with the synchronous
 * stub's rules (id, then size and complex bit, RetCode, no remote port) and
 * calls the user's callback with the out arguments. A deferred reply function
 * builds the routine's reply (or a mig_reply_error_t) and sends it to a reply
 * right the server routine kept by returning MIG_NO_REPLY.
 *
 * Covered shapes: requests of inline fixed-size data and single port
 * arguments, replies of inline fixed-size data. Other routines get a comment
 * saying why they have no async function. */
#include "emit_async.h"

#include <inttypes.h>
#include <string.h>

#include "emit_common.h"
#include "output.h"

static bool is_data_role(enum mg_arg_role r)
{
    return r == MG_ROLE_IN || r == MG_ROLE_OUT || r == MG_ROLE_INOUT;
}

/* Only fixed-size inline fields (and NDR/RetCode) in a layout. */
static const char *fixed_inline_only(const struct mg_layout *l)
{
    for (uint32_t i = 0; i < l->nfields; i++)
        switch (l->fields[i].kind) {
        case MG_FIELD_NDR:
        case MG_FIELD_RETCODE:
        case MG_FIELD_DATA: break;
        default: return "variable-size or native data";
        }
    return NULL;
}

const char *mg_async_client_unsupported(const struct mg_routine *rt)
{
    if (rt->kind != MG_RT_ROUTINE)
        return "a simpleroutine has no reply to wait for";
    if (rt->reply_port && rt->reply_port->user_visible)
        return "an explicit reply port";
    if (rt->reply.complex)
        return "a complex reply";
    const char *why = fixed_inline_only(&rt->request);
    if (!why)
        why = fixed_inline_only(&rt->reply);
    if (why)
        return why;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (a->role == MG_ROLE_REQUEST_PORT || a->role == MG_ROLE_REPLY_PORT)
            continue;
        if (!is_data_role(a->role))
            return "counts, polymorphic or dealloc companions, timeouts, options or trailers";
        if (a->in_reply && a->type->wire != MG_WIRE_INLINE)
            return "ports or out-of-line data in the reply";
        if (a->in_request && a->type->wire != MG_WIRE_INLINE &&
            !(a->type->wire == MG_WIRE_PORT && a->type->kpd_count == 1))
            return "out-of-line data or port arrays in the request";
    }
    for (uint32_t i = 0; i < rt->request.ndescriptors; i++)
        if (rt->request.descriptors[i].disposition < 0)
            return "polymorphic ports";
    if (rt->request_port->type->in_name == MG_MSGT_POLYMORPHIC)
        return "a polymorphic request port";
    return NULL;
}

const char *mg_async_reply_unsupported(const struct mg_routine *rt)
{
    if (rt->kind != MG_RT_ROUTINE)
        return "a simpleroutine sends no reply";
    if (rt->request_local_disposition < 0)
        return "a polymorphic reply port";
    if (rt->reply.complex)
        return "a complex reply";
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (a->in_reply && !is_data_role(a->role))
            return "count or companion arguments in the reply";
        if (a->in_reply && a->type->outtran)
            return "an outtran translation";
    }
    return fixed_inline_only(&rt->reply);
}

/* ---- C spellings ------------------------------------------------------------ */

/* The parameter's type passed by value (the sync stub's type without its '*'). */
static void value_type(char *buf, size_t n, const struct mg_param *a, enum mg_em_side side)
{
    mg_em_param_type(buf, n, a, side);
    bool by_ref = side == MG_EM_USER ? a->by_ref_user : a->by_ref_server;
    size_t l = strlen(buf);
    if (by_ref && l && buf[l - 1] == '*') {
        buf[--l] = 0;
        while (l && buf[l - 1] == ' ')
            buf[--l] = 0;
    }
}

/* How an out argument reaches a callback or a deferred reply: scalars and
 * structs by value, arrays and strings as a pointer to their elements. */
static void out_param(char *buf, size_t n, const struct mg_param *a, enum mg_em_side side)
{
    struct mg_em_cdecl d = mg_em_field_decl(a->type, side);
    if (a->type->string)
        snprintf(buf, n, "const char *%s", a->name);
    else if (d.dims)
        snprintf(buf, n, "const %s *%s", d.ctype, a->name);
    else {
        char t[256];
        value_type(t, sizeof t, a, side);
        snprintf(buf, n, "%s %s", t, a->name);
    }
}

static const struct mg_msg_field *data_field(const struct mg_layout *l, const struct mg_param *a)
{
    return mg_em_find_field(l, a, MG_FIELD_DATA);
}

/* ---- client ------------------------------------------------------------------ */

static void callback_typedef(struct mg_cw *w, const struct mg_routine *rt)
{
    char p[300];
    mg_cw_line(w, "typedef void (*%s_async_done_t)(", rt->user_name);
    w->indent++;
    mg_cw_line(w, "void *Context,");
    bool any = false;
    for (uint32_t i = 0; i < rt->nargs; i++)
        any |= rt->args[i].in_reply && is_data_role(rt->args[i].role);
    mg_cw_line(w, "kern_return_t Status%s", any ? "," : ");");
    uint32_t left = 0;
    for (uint32_t i = 0; i < rt->nargs; i++)
        left += rt->args[i].in_reply && is_data_role(rt->args[i].role);
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!a->in_reply || !is_data_role(a->role))
            continue;
        out_param(p, sizeof p, a, MG_EM_USER);
        mg_cw_line(w, "%s%s", p, --left ? "," : ");");
    }
    w->indent--;
}

static void start_params(struct mg_cw *w, const struct mg_routine *rt)
{
    char t[256];
    mg_cw_line(w, "machgen_async_t *Async,");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if ((!a->in_request && a->role != MG_ROLE_REQUEST_PORT) || !a->user_visible ||
            a->role == MG_ROLE_REPLY_PORT)
            continue;
        value_type(t, sizeof t, a, MG_EM_USER);
        mg_cw_line(w, "%s%s%s,", t, t[strlen(t) - 1] == '*' ? "" : " ", a->name);
    }
    mg_cw_line(w, "uint32_t TimeoutMs,");
    mg_cw_line(w, "%s_async_done_t Done,", rt->user_name);
    mg_cw_line(w, "void *Context,");
    mg_cw_line(w, "machgen_async_id_t *Call");
}

static void client_prototype(struct mg_cw *w, const struct mg_routine *rt, bool decl)
{
    mg_cw_line(w, "kern_return_t %s_async(", rt->user_name);
    w->indent++;
    start_params(w, rt);
    w->indent--;
    mg_cw_line(w, ")%s", decl ? ";" : "");
}

void mg_emit_async_client_header(FILE *fp, const struct mg_interface *itf, const char *user_header_name)
{
    struct mg_cw w = {fp, 0};
    mg_cw_line(&w, "#ifndef _%s_async_user_", itf->subsystem);
    mg_cw_line(&w, "#define _%s_async_user_", itf->subsystem);
    mg_cw_blank(&w);
    mg_em_banner(&w, itf, "Asynchronous client interface");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#include \"%s\"", user_header_name);
    mg_cw_line(&w, "#include <machgen/async.h>");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "extern \"C\" {");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_cw_line(&w, "/* Each <routine>_async sends the request and returns: KERN_SUCCESS means the");
    mg_cw_line(&w, " * call is pending and Done(Context, Status, out arguments...) will run exactly");
    mg_cw_line(&w, " * once from machgen_async_dispatch(), or from machgen_async_cancel/destroy; any");
    mg_cw_line(&w, " * other result is the send error and Done never runs. Status is KERN_SUCCESS,");
    mg_cw_line(&w, " * the server's error, MIG_SERVER_DIED, a MIG check error, MACHGEN_ASYNC_TIMED_OUT");
    mg_cw_line(&w, " * (TimeoutMs, 0 = none) or MACHGEN_ASYNC_CANCELLED; out arguments are zero");
    mg_cw_line(&w, " * (NULL) unless it is KERN_SUCCESS. Array and string out arguments point into");
    mg_cw_line(&w, " * the reply and are valid during the callback only. */");
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (!mg_em_is_routine(rt))
            continue;
        const char *why = mg_async_client_unsupported(rt);
        mg_cw_blank(&w);
        if (why) {
            mg_cw_line(&w, "/* %s: no async stub (%s) */", rt->name, why);
            continue;
        }
        mg_cw_line(&w, "/* Routine %s, asynchronously */", rt->name);
        callback_typedef(&w, rt);
        client_prototype(&w, rt, true);
    }
    mg_cw_blank(&w);
    mg_cw_line(&w, "#ifdef __cplusplus");
    mg_cw_line(&w, "}");
    mg_cw_line(&w, "#endif");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#endif /* !_%s_async_user_ */", itf->subsystem);
}

static void pack_request(struct mg_cw *w, const struct mg_routine *rt)
{
    const struct mg_layout *l = &rt->request;
    if (l->complex) {
        mg_cw_line(w, "InP->msgh_body.msgh_descriptor_count = %" PRIu32 ";", l->ndescriptors);
        for (uint32_t i = 0; i < l->ndescriptors; i++) {
            const struct mg_descriptor *d = &l->descriptors[i];
            mg_cw_line(w, "InP->%s = (mach_msg_port_descriptor_t){ .name = %s, .disposition = %s, "
                          ".type = MACH_MSG_PORT_DESCRIPTOR };",
                       d->arg->name, d->arg->name, mg_em_disposition(d->disposition));
        }
    }
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        const struct mg_param *a = f->arg;
        if (f->kind == MG_FIELD_NDR) {
            mg_cw_line(w, "InP->NDR = NDR_record;");
            continue;
        }
        if (f->kind != MG_FIELD_DATA)
            continue;
        const struct mg_type *t = a->type;
        if (t->string)
            mg_cw_line(w, "(void)mig_strncpy_zerofill(InP->%s, %s, %" PRIu64 ");", f->name, a->name,
                       t->number);
        else if (mg_em_field_decl(t, MG_EM_USER).dims == 0)
            mg_cw_line(w, "InP->%s = %s;", f->name, a->name);
        else
            mg_cw_line(w, "memcpy(InP->%s, %s, %" PRIu64 ");", f->name, a->name, mg_type_bytes(t));
        if (f->size > mg_type_bytes(t))
            mg_cw_line(w, "memset(InP->%sPad, 0, sizeof(InP->%sPad));", f->name, f->name);
    }
}

static void send_options(char *buf, size_t n, const struct mg_routine *rt, const char **timeout)
{
    size_t o = (size_t)snprintf(buf, n, "0");
    if (rt->msgoption && o < n)
        o += (size_t)snprintf(buf + o, n - o, " | %s", rt->msgoption);
    *timeout = "MACH_MSG_TIMEOUT_NONE";
    if (rt->timeout_kind != MG_TIMEOUT_NONE && rt->timeout && o < n) {
        snprintf(buf + o, n - o, " | MACH_SEND_TIMEOUT");
        *timeout = rt->timeout;
    }
}

/* The completion: the sync stub's reply checks, then the callback. */
static void client_completion(struct mg_cw *w, const struct mg_routine *rt)
{
    const struct mg_layout *l = &rt->reply;
    mg_cw_line(w, "static void %s_async_complete(const struct machgen_async_completion *Completion)",
               rt->user_name);
    mg_cw_brace(w);
    mg_cw_line(w, "typedef __Reply__%s_t Reply;", rt->name);
    mg_cw_line(w, "const %s_async_done_t Done = (%s_async_done_t)Completion->user_fn;", rt->user_name,
               rt->user_name);
    mg_cw_line(w, "kern_return_t Status = Completion->status;");
    mg_cw_line(w, "const Reply *Out0P = (const Reply *)(const void *)Completion->msg;");
    char p[300];
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!a->in_reply || !is_data_role(a->role))
            continue;
        struct mg_em_cdecl d = mg_em_field_decl(a->type, MG_EM_USER);
        if (a->type->string)
            mg_cw_line(w, "char %s_buf[%" PRIu64 "] = \"\";", a->name, a->type->number);
        else if (d.dims)
            mg_cw_line(w, "const %s *%s = NULL;", d.ctype, a->name);
        else {
            value_type(p, sizeof p, a, MG_EM_USER);
            mg_cw_line(w, "%s %s;", p, a->name);
            mg_cw_line(w, "memset(&%s, 0, sizeof %s);", a->name, a->name);
        }
    }
    mg_cw_open(w, "if (Status == KERN_SUCCESS && Out0P->Head.msgh_id != %" PRId32 ")",
               rt->reply_id);
    mg_cw_line(w, "Status = Out0P->Head.msgh_id == MACH_NOTIFY_SEND_ONCE ? MIG_SERVER_DIED : "
                  "MIG_REPLY_MISMATCH;");
    mg_cw_line(w, "mach_msg_destroy(Completion->msg);");
    mg_cw_close(w, " else if (Status == KERN_SUCCESS) {");
    w->indent++;
    mg_cw_line(w, "const mach_msg_size_t msgh_size = Out0P->Head.msgh_size;");
    mg_cw_line(w, "if ((Out0P->Head.msgh_bits & MACH_MSGH_BITS_COMPLEX) ||");
    mg_cw_line(w, "    (msgh_size != %" PRIu32 " &&", l->max_size);
    mg_cw_line(w, "     (msgh_size != (mach_msg_size_t)sizeof(mig_reply_error_t) || "
                  "Out0P->RetCode == KERN_SUCCESS)))");
    mg_cw_line(w, "\tStatus = MIG_TYPE_ERROR;");
    mg_cw_line(w, "else if (Out0P->RetCode != KERN_SUCCESS)");
    mg_cw_line(w, "\tStatus = Out0P->RetCode;");
    mg_cw_line(w, "else if (Out0P->Head.msgh_remote_port != MACH_PORT_NULL)");
    mg_cw_line(w, "\tStatus = MIG_TYPE_ERROR;");
    mg_cw_open(w, "if (Status != KERN_SUCCESS)");
    mg_cw_line(w, "mach_msg_destroy(Completion->msg);");
    mg_cw_close(w, " else {");
    w->indent++;
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!a->in_reply || !is_data_role(a->role))
            continue;
        const struct mg_msg_field *f = data_field(l, a);
        struct mg_em_cdecl d = mg_em_field_decl(a->type, MG_EM_USER);
        if (a->type->string)
            mg_cw_line(w, "(void)mig_strncpy(%s_buf, Out0P->%s, %" PRIu64 ");", a->name, f->name,
                       a->type->number);
        else if (d.dims)
            mg_cw_line(w, "%s = Out0P->%s;", a->name, f->name);
        else
            mg_cw_line(w, "%s = Out0P->%s;", a->name, f->name);
    }
    mg_cw_end(w);
    mg_cw_end(w);
    mg_cw_line(w, "Done(Completion->user_ctx, Status");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!a->in_reply || !is_data_role(a->role))
            continue;
        if (a->type->string)
            mg_cw_line(w, "\t, Status == KERN_SUCCESS ? %s_buf : NULL", a->name);
        else
            mg_cw_line(w, "\t, %s", a->name);
    }
    mg_cw_line(w, ");");
    mg_cw_end(w);
    mg_cw_blank(w);
}

static void client_stub(struct mg_cw *w, const struct mg_routine *rt)
{
    client_completion(w, rt);
    client_prototype(w, rt, false);
    mg_cw_brace(w);
    mg_cw_line(w, "typedef __Request__%s_t Request;", rt->name);
    mg_cw_line(w, "Request Mess;");
    mg_cw_line(w, "Request *InP = &Mess;");
    mg_cw_line(w, "kern_return_t KernResult;");
    mg_cw_blank(w);
    pack_request(w, rt);
    const struct mg_param *rqp = rt->request_port;
    mg_cw_line(w, "InP->Head.msgh_bits = MACH_MSGH_BITS(%s, MACH_MSG_TYPE_MAKE_SEND_ONCE)%s;",
               mg_em_disposition(rqp->type->in_name),
               rt->request.complex ? " | MACH_MSGH_BITS_COMPLEX" : "");
    mg_cw_line(w, "InP->Head.msgh_size = (mach_msg_size_t)sizeof(Request);");
    mg_cw_line(w, "InP->Head.msgh_remote_port = %s;", rqp->name);
    mg_cw_line(w, "InP->Head.msgh_voucher_port = MACH_PORT_NULL;");
    mg_cw_line(w, "InP->Head.msgh_id = %" PRId32 ";", rt->request_id);
    char opts[256];
    const char *send_timeout;
    send_options(opts, sizeof opts, rt, &send_timeout);
    mg_cw_line(w, "KernResult = machgen_async_start(Async, &InP->Head, %s, %s, TimeoutMs,", opts,
               send_timeout);
    mg_cw_line(w, "                                 %s_async_complete, (void (*)(void))Done, Context, Call);",
               rt->user_name);
    switch (rt->consume_on_send_error) {
    case MG_CONSUME_NONE: break;
    case MG_CONSUME_TIMEOUT:
        mg_cw_line(w, "if (KernResult == MACH_SEND_TIMED_OUT)");
        mg_cw_line(w, "\tmach_msg_destroy(&InP->Head);");
        break;
    case MG_CONSUME_ANY:
        mg_cw_line(w, "if (KernResult == MACH_SEND_TIMED_OUT || KernResult == MACH_SEND_INVALID_DEST)");
        mg_cw_line(w, "\tmach_msg_destroy(&InP->Head);");
        break;
    }
    mg_cw_line(w, "return KernResult;");
    mg_cw_end(w);
    mg_cw_blank(w);
}

void mg_emit_async_client_source(FILE *fp, const struct mg_interface *itf, const char *header_name)
{
    struct mg_cw w = {fp, 0};
    mg_em_banner(&w, itf, "Asynchronous client stubs");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#include \"%s\"", header_name);
    mg_cw_line(&w, "#include <mach/mach.h>");
    mg_cw_line(&w, "#include <string.h>");
    mg_em_imports(&w, itf, MG_EM_USER_SOURCE, false);
    mg_cw_blank(&w);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (mg_em_is_routine(rt) && !mg_async_client_unsupported(rt))
            client_stub(&w, rt);
    }
}

/* ---- server: deferred replies ----------------------------------------------- */

static void reply_prototype(struct mg_cw *w, const struct mg_routine *rt, bool decl)
{
    char p[300];
    mg_cw_line(w, "kern_return_t %s_deferred_reply(", rt->server_name);
    w->indent++;
    mg_cw_line(w, "mach_port_t ReplyPort,");
    uint32_t left = 0;
    for (uint32_t i = 0; i < rt->nargs; i++)
        left += rt->args[i].in_reply && is_data_role(rt->args[i].role);
    mg_cw_line(w, "kern_return_t Result%s", left ? "," : "");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!a->in_reply || !is_data_role(a->role))
            continue;
        out_param(p, sizeof p, a, MG_EM_SERVER);
        mg_cw_line(w, "%s%s", p, --left ? "," : "");
    }
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
    mg_cw_line(&w, " * mig_reply_error_t carrying Result. The reply right is consumed either way,");
    mg_cw_line(&w, " * also when the send fails (the client is gone: MACH_SEND_INVALID_DEST). */");
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

static void reply_function(struct mg_cw *w, const struct mg_routine *rt)
{
    const struct mg_layout *l = &rt->reply;
    reply_prototype(w, rt, false);
    mg_cw_brace(w);
    mg_cw_line(w, "typedef __Reply__%s_t Reply;", rt->name);
    mg_cw_line(w, "union { Reply Out; mig_reply_error_t Err; } Mess;");
    mg_cw_line(w, "Reply *OutP = &Mess.Out;");
    mg_cw_line(w, "mach_msg_size_t MsgSize = (mach_msg_size_t)sizeof(Reply);");
    mg_cw_blank(w);
    mg_cw_open(w, "if (Result != KERN_SUCCESS)");
    mg_cw_line(w, "Mess.Err.NDR = NDR_record;");
    mg_cw_line(w, "Mess.Err.RetCode = Result;");
    mg_cw_line(w, "MsgSize = (mach_msg_size_t)sizeof(mig_reply_error_t);");
    mg_cw_close(w, " else {");
    w->indent++;
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        const struct mg_param *a = f->arg;
        switch (f->kind) {
        case MG_FIELD_NDR: mg_cw_line(w, "OutP->NDR = NDR_record;"); break;
        case MG_FIELD_RETCODE: mg_cw_line(w, "OutP->RetCode = KERN_SUCCESS;"); break;
        case MG_FIELD_DATA: {
            const struct mg_type *t = a->type;
            if (t->string)
                mg_cw_line(w, "(void)mig_strncpy_zerofill(OutP->%s, %s, %" PRIu64 ");", f->name,
                           a->name, t->number);
            else if (mg_em_field_decl(t, MG_EM_SERVER).dims == 0)
                mg_cw_line(w, "OutP->%s = %s;", f->name, a->name);
            else
                mg_cw_line(w, "memcpy(OutP->%s, %s, %" PRIu64 ");", f->name, a->name,
                           mg_type_bytes(t));
            if (f->size > mg_type_bytes(t))
                mg_cw_line(w, "memset(OutP->%sPad, 0, sizeof(OutP->%sPad));", f->name, f->name);
            break;
        }
        default: break;
        }
    }
    mg_cw_end(w);
    mg_cw_line(w, "OutP->Head.msgh_bits = MACH_MSGH_BITS(%s, 0);",
               mg_em_received(rt->request_local_disposition));
    mg_cw_line(w, "OutP->Head.msgh_size = MsgSize;");
    mg_cw_line(w, "OutP->Head.msgh_remote_port = ReplyPort;");
    mg_cw_line(w, "OutP->Head.msgh_local_port = MACH_PORT_NULL;");
    mg_cw_line(w, "OutP->Head.msgh_voucher_port = MACH_PORT_NULL;");
    mg_cw_line(w, "OutP->Head.msgh_id = %" PRId32 ";", rt->reply_id);
    mg_cw_line(w, "/* a zero send timeout: a client that stopped receiving never blocks us */");
    mg_cw_line(w, "mach_msg_return_t SendResult = mach_msg(&OutP->Head, MACH_SEND_MSG | MACH_SEND_TIMEOUT, "
                  "MsgSize, 0, MACH_PORT_NULL, MACH_MSG_TIMEOUT_NONE, MACH_PORT_NULL);");
    mg_cw_line(w, "if (SendResult == MACH_SEND_INVALID_DEST || SendResult == MACH_SEND_TIMED_OUT)");
    mg_cw_line(w, "\t(void)mach_port_deallocate(mach_task_self(), ReplyPort);");
    mg_cw_line(w, "return SendResult;");
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
            reply_function(&w, rt);
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
