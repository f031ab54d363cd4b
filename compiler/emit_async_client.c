/* Asynchronous client stubs (emit_async.h).
 *
 * An async stub packs the request with the synchronous stub's own code
 * (emit_user_msg.c), hands it to machgen_async_start (which supplies a per-call
 * reply port) and returns. Its completion function runs the synchronous stub's
 * reply checks and unpacking, also shared, in a helper whose parameters are the
 * synchronous stub's out parameters, then calls the user's callback with the
 * out values. So an async call accepts and rejects exactly the replies a
 * synchronous call does, with the same error codes. */
#include "emit_async.h"

#include <inttypes.h>
#include <string.h>

#include "emit_common.h"
#include "emit_user_msg.h"

const char *mg_async_client_unsupported(const struct mg_routine *rt)
{
    if (rt->kind != MG_RT_ROUTINE)
        return "a simpleroutine has no reply: its synchronous stub already returns once the "
               "message is queued";
    return NULL;
}

static bool parent_sends(const struct mg_param *a)
{
    return a->parent && (a->parent->role == MG_ROLE_IN || a->parent->role == MG_ROLE_INOUT ||
                         a->parent->role == MG_ROLE_REQUEST_PORT);
}

static bool parent_returns(const struct mg_param *a)
{
    return a->parent && (a->parent->role == MG_ROLE_OUT || a->parent->role == MG_ROLE_INOUT);
}

/* An argument the async stub takes: it goes into the request or says how the
 * request is sent. */
static bool is_input(const struct mg_param *a)
{
    if (!a->user_visible)
        return false;
    switch (a->role) {
    case MG_ROLE_REQUEST_PORT:
    case MG_ROLE_IN:
    case MG_ROLE_INOUT:
    case MG_ROLE_WAITTIME:
    case MG_ROLE_SENDTIME:
    case MG_ROLE_MSGOPTION: return true;
    case MG_ROLE_DEALLOC:
    case MG_ROLE_POLY: return parent_sends(a);
    case MG_ROLE_COUNT: return parent_sends(a) || (a->parent && a->parent->countinout);
    default: return false;
    }
}

/* An argument the callback receives. */
static bool is_output(const struct mg_param *a)
{
    if (!a->user_visible)
        return false;
    if (a->user_trailer)
        return true;
    switch (a->role) {
    case MG_ROLE_OUT:
    case MG_ROLE_INOUT: return true;
    case MG_ROLE_COUNT:
    case MG_ROLE_POLY: return parent_returns(a);
    default: return false;
    }
}

/* An inline array or struct without a C type name: the stub's parameter is a
 * pointer to its elements, whether in or out. */
static bool anonymous_inline(const struct mg_param *a)
{
    const struct mg_type *t = a->type;
    bool data = a->role == MG_ROLE_IN || a->role == MG_ROLE_OUT || a->role == MG_ROLE_INOUT;
    return data && t->wire == MG_WIRE_INLINE && !t->native &&
           !(t->user_ctype && (t->declared || t->is_struct));
}

static bool ends_with_star(const char *s)
{
    size_t l = strlen(s);
    return l && s[l - 1] == '*';
}

/* The synchronous stub's type of a, and whether it reaches a through a pointer
 * (the async side then holds the value itself). */
static bool sync_type(char *buf, size_t n, const struct mg_param *a)
{
    mg_em_param_type(buf, n, a, MG_EM_USER);
    return ends_with_star(buf) && (a->by_ref_user || a->user_trailer) && !anonymous_inline(a);
}

/* a's type held by value: the synchronous type without the pointer. */
static void value_type(char *buf, size_t n, const struct mg_param *a)
{
    if (!sync_type(buf, n, a))
        return;
    size_t l = strlen(buf);
    buf[--l] = 0;
    while (l && buf[l - 1] == ' ')
        buf[--l] = 0;
}

/* How the callback receives an output: by value, or inline arrays and strings as
 * a pointer to the completion's copy. */
static void callback_param(char *buf, size_t n, const struct mg_param *a)
{
    char t[256];
    if (sync_type(t, sizeof t, a)) {
        value_type(t, sizeof t, a);
        snprintf(buf, n, "%s %s", t, a->name);
    } else {
        snprintf(buf, n, "const %s%s%s", t, ends_with_star(t) ? "" : " ", a->name);
    }
}

static void callback_typedef(struct mg_cw *w, const struct mg_routine *rt)
{
    char p[300];
    uint32_t left = 0;
    for (uint32_t i = 0; i < rt->nargs; i++)
        left += is_output(&rt->args[i]);
    mg_cw_line(w, "typedef void (*%s_async_done_t)(", rt->user_name);
    w->indent++;
    mg_cw_line(w, "void *Context,");
    mg_cw_line(w, "kern_return_t Status%s", left ? "," : ");");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!is_output(a))
            continue;
        callback_param(p, sizeof p, a);
        mg_cw_line(w, "%s%s", p, --left ? "," : ");");
    }
    w->indent--;
}

static void client_prototype(struct mg_cw *w, const struct mg_routine *rt, bool decl)
{
    char t[256];
    mg_cw_line(w, "kern_return_t %s_async(", rt->user_name);
    w->indent++;
    mg_cw_line(w, "machgen_async_t *Async,");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!is_input(a))
            continue;
        if (a->type->native)
            mg_em_param_type(t, sizeof t, a, MG_EM_USER);
        else
            value_type(t, sizeof t, a);
        mg_cw_line(w, "%s%s%s,", t, ends_with_star(t) ? "" : " ", a->name);
    }
    mg_cw_line(w, "uint32_t TimeoutMs,");
    mg_cw_line(w, "%s_async_done_t Done,", rt->user_name);
    mg_cw_line(w, "void *Context,");
    mg_cw_line(w, "machgen_async_id_t *Call");
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
    mg_cw_line(&w, "/* Each <routine>_async takes the synchronous stub's in arguments (by value) and");
    mg_cw_line(&w, " * sends the request: KERN_SUCCESS means the call is pending and");
    mg_cw_line(&w, " * Done(Context, Status, out arguments...) will run exactly once from");
    mg_cw_line(&w, " * machgen_async_dispatch(), or from machgen_async_cancel/destroy; any other");
    mg_cw_line(&w, " * result is the send error (or MIG_ARRAY_TOO_LARGE) and Done never runs.");
    mg_cw_line(&w, " * Status is KERN_SUCCESS, the server's error, MIG_SERVER_DIED, the synchronous");
    mg_cw_line(&w, " * stub's check errors (MIG_REPLY_MISMATCH, MIG_TYPE_ERROR, MIG_TRAILER_ERROR),");
    mg_cw_line(&w, " * MACHGEN_ASYNC_TIMED_OUT (TimeoutMs, 0 = none) or MACHGEN_ASYNC_CANCELLED.");
    mg_cw_line(&w, " * Ownership: when Status is KERN_SUCCESS the callback owns the port rights,");
    mg_cw_line(&w, " * port arrays and out-of-line regions it receives, exactly as a synchronous");
    mg_cw_line(&w, " * caller would (deallocate or keep them); inline arrays and strings point to a");
    mg_cw_line(&w, " * copy valid during the callback only. Otherwise out arguments are zero (NULL)");
    mg_cw_line(&w, " * and nothing is owned: a rejected reply was destroyed with what it carried.");
    mg_cw_line(&w, " * waittime/sendtime bound the send only; the reply wait is TimeoutMs. An");
    mg_cw_line(&w, " * explicit reply port argument is not taken: replies come to the call's own");
    mg_cw_line(&w, " * port. A CountInOut count is the maximum the request announces. */");
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

/* static kern_return_t <routine>_async_unpack(Reply *Out0P, sync out parameters):
 * the synchronous stub's reply checks and unpacking. */
static void unpack_helper(const struct mg_user_msg *m)
{
    const struct mg_routine *rt = m->rt;
    const struct mg_layout *rp = &rt->reply;
    struct mg_cw *w = m->w;
    char t[256];
    mg_cw_line(w, "static kern_return_t %s_async_unpack(", rt->user_name);
    w->indent++;
    uint32_t left = 0;
    for (uint32_t i = 0; i < rt->nargs; i++)
        left += is_output(&rt->args[i]);
    mg_cw_line(w, "__Reply__%s_t *Out0P%s", rt->name, left ? "," : "");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!is_output(a))
            continue;
        mg_em_param_type(t, sizeof t, a, MG_EM_USER);
        mg_cw_line(w, "%s%s%s%s", t, ends_with_star(t) ? "" : " ", a->name, --left ? "," : "");
    }
    w->indent--;
    mg_cw_line(w, ")");
    mg_cw_brace(w);
    bool segments = false;
    for (uint32_t k = 1; k < rp->nsegments; k++)
        segments |= mg_em_segment_used(rp, k);
    if (segments)
        mg_cw_line(w, "typedef __Reply__%s_t Reply;", rt->name);
    for (uint32_t k = 1; k < rp->nsegments; k++)
        if (mg_em_segment_used(rp, k))
            mg_cw_line(w, "Reply *Out%" PRIu32 "P;", k);
    mg_cw_line(w, "mach_msg_size_t msgh_size;");
    if (mg_user_msg_has_var(rp))
        mg_cw_line(w, "mach_msg_size_t msgh_size_delta = 0;");
    if (mg_user_msg_has_trailer(rt))
        mg_cw_line(w, "const %s *TrailerP;", mg_em_trailer_ctype(rp->trailer_elems));
    if (mg_user_msg_has_countinout(rt))
        mg_cw_line(w, "kern_return_t Result = KERN_SUCCESS;");
    for (uint32_t i = 0; i < rt->nargs; i++)
        if (is_output(&rt->args[i]))
            mg_cw_line(w, "(void)%s;", rt->args[i].name);
    mg_cw_blank(w);
    mg_user_msg_check_reply(m);
    mg_cw_blank(w);
    mg_user_msg_unpack_reply(m);
    mg_cw_line(w, "return %s;", mg_user_msg_has_countinout(rt) ? "Result" : "KERN_SUCCESS");
    mg_cw_end(w);
    mg_cw_blank(w);
}

/* The completion: out values held here, filled by the unpack helper, handed to
 * the callback. */
static void completion(const struct mg_user_msg *m)
{
    const struct mg_routine *rt = m->rt;
    struct mg_cw *w = m->w;
    char t[256];
    mg_cw_line(w, "static void %s_async_complete(const struct machgen_async_completion *Completion)",
               rt->user_name);
    mg_cw_brace(w);
    mg_cw_line(w, "const %s_async_done_t Done = (%s_async_done_t)Completion->user_fn;", rt->user_name,
               rt->user_name);
    mg_cw_line(w, "kern_return_t Status = Completion->status;");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!is_output(a))
            continue;
        if (sync_type(t, sizeof t, a)) {
            value_type(t, sizeof t, a);
            mg_cw_line(w, "%s %s;", t, a->name);
            mg_cw_line(w, "memset(&%s, 0, sizeof %s);", a->name, a->name);
            if (a->role == MG_ROLE_COUNT && a->parent->countinout)
                mg_cw_line(w, "%s = %" PRIu64 ";", a->name, mg_em_max_units(a->parent->type));
        } else { /* inline arrays and strings: storage for the largest value */
            uint64_t bytes = mg_type_bytes(a->type);
            mg_cw_line(w, "union { uint64_t Align; char Bytes[%" PRIu64 "]; } %s_Store;",
                       bytes ? bytes : 1, a->name);
            mg_cw_line(w, "memset(&%s_Store, 0, sizeof %s_Store);", a->name, a->name);
        }
    }
    mg_cw_line(w, "if (Status == KERN_SUCCESS)");
    w->indent++;
    mg_cw_line(w, "Status = %s_async_unpack((__Reply__%s_t *)(void *)Completion->msg", rt->user_name,
               rt->name);
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!is_output(a))
            continue;
        if (sync_type(t, sizeof t, a))
            mg_cw_line(w, "\t, &%s", a->name);
        else
            mg_cw_line(w, "\t, (void *)%s_Store.Bytes", a->name);
    }
    mg_cw_line(w, ");");
    w->indent--;
    mg_cw_line(w, "Done(Completion->user_ctx, Status");
    for (uint32_t i = 0; i < rt->nargs; i++) {
        const struct mg_param *a = &rt->args[i];
        if (!is_output(a))
            continue;
        if (sync_type(t, sizeof t, a))
            mg_cw_line(w, "\t, %s", a->name);
        else
            mg_cw_line(w, "\t, Status == KERN_SUCCESS ? (void *)%s_Store.Bytes : NULL", a->name);
    }
    mg_cw_line(w, ");");
    mg_cw_end(w);
    mg_cw_blank(w);
}

static void send_options(char *buf, size_t n, const struct mg_routine *rt, const char **timeout)
{
    size_t o = (size_t)snprintf(buf, n, "0");
    if (rt->msgoption && o < n)
        o += (size_t)snprintf(buf + o, n - o, " | %s", rt->msgoption);
    if (rt->msgoption_arg && o < n)
        o += (size_t)snprintf(buf + o, n - o, " | %s", rt->msgoption_arg->name);
    *timeout = "MACH_MSG_TIMEOUT_NONE";
    if (rt->timeout_arg) {
        *timeout = rt->timeout_arg->name;
        if (o < n)
            snprintf(buf + o, n - o, " | MACH_SEND_TIMEOUT");
    } else if (rt->timeout_kind != MG_TIMEOUT_NONE && rt->timeout) {
        *timeout = rt->timeout;
        if (o < n)
            snprintf(buf + o, n - o, " | MACH_SEND_TIMEOUT");
    }
}

static void client_stub(const struct mg_user_msg *m)
{
    const struct mg_routine *rt = m->rt;
    const struct mg_layout *rq = &rt->request;
    struct mg_cw *w = m->w;
    unpack_helper(m);
    completion(m);
    client_prototype(w, rt, false);
    mg_cw_brace(w);
    mg_cw_line(w, "typedef __Request__%s_t Request;", rt->name);
    mg_cw_line(w, "Request Mess;");
    mg_cw_line(w, "Request *InP = &Mess;");
    for (uint32_t k = 1; k < rq->nsegments; k++)
        if (mg_em_segment_used(rq, k))
            mg_cw_line(w, "Request *In%" PRIu32 "P;", k);
    if (mg_user_msg_has_var(rq))
        mg_cw_line(w, "mach_msg_size_t msgh_size_delta = 0;");
    mg_cw_line(w, "kern_return_t msg_result;");
    mg_cw_blank(w);
    mg_user_msg_pack_request(m);
    mg_user_msg_request_header(m, "MACH_PORT_NULL", "MACH_MSG_TYPE_MAKE_SEND_ONCE");
    char opts[512];
    const char *send_timeout;
    send_options(opts, sizeof opts, rt, &send_timeout);
    mg_cw_line(w, "msg_result = machgen_async_start(Async, &InP->Head, %s, %s, TimeoutMs,", opts,
               send_timeout);
    mg_cw_line(w, "                                 %s_async_complete, (void (*)(void))Done, Context, Call);",
               rt->user_name);
    mg_user_msg_consume_on_send_error(m, "msg_result");
    mg_cw_line(w, "return msg_result;");
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
    mg_user_msg_check_macros(&w, itf);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        struct mg_user_msg m = {.w = &w, .itf = itf, .rt = rt, .inputs_by_value = true};
        if (mg_em_is_routine(rt) && !mg_async_client_unsupported(rt))
            client_stub(&m);
    }
}
