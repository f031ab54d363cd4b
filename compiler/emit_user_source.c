/* The user source: one client stub per routine. Packs the request (variable arrays
 * tight), sends it and waits for the reply on the thread's reply port, checks the
 * reply exactly as MIG does and unpacks it into the caller's arguments. */
#include "emit.h"
#include "emit_common.h"
#include "emit_user_msg.h"

#include <inttypes.h>
#include <string.h>

static void options_expr(char *buf, size_t n, const struct mg_routine *rt, bool rpc)
{
    size_t o = (size_t)snprintf(buf, n, rpc ? "MACH_SEND_MSG | MACH_RCV_MSG" : "MACH_SEND_MSG");
    if (rt->msgoption && o < n)
        o += (size_t)snprintf(buf + o, n - o, " | %s", rt->msgoption);
    if (rt->msgoption_arg && o < n)
        o += (size_t)snprintf(buf + o, n - o, " | %s", rt->msgoption_arg->name);
    bool wait = rt->timeout_arg ? rt->timeout_arg->role == MG_ROLE_WAITTIME
                                : rt->timeout_kind == MG_TIMEOUT_WAIT;
    bool any_timeout = rt->timeout_arg || rt->timeout_kind != MG_TIMEOUT_NONE;
    if (any_timeout && o < n)
        o += (size_t)snprintf(buf + o, n - o, rpc && wait ? " | MACH_SEND_TIMEOUT | MACH_RCV_TIMEOUT"
                                                          : " | MACH_SEND_TIMEOUT");
    if (rpc && rt->use_special_reply_port && !rt->reply_port && o < n)
        o += (size_t)snprintf(buf + o, n - o,
                              " | MACH_SEND_SYNC_OVERRIDE | MACH_SEND_SYNC_USE_THRPRI | "
                              "MACH_RCV_SYNC_WAIT");
    if (rpc && rt->reply.trailer_elems && o < n)
        snprintf(buf + o, n - o,
                 " | MACH_RCV_TRAILER_TYPE(MACH_MSG_TRAILER_FORMAT_0) | "
                 "MACH_RCV_TRAILER_ELEMENTS(%s)",
                 mg_em_trailer_elem_macro(rt->reply.trailer_elems));
}

static const char *timeout_expr(const struct mg_routine *rt)
{
    if (rt->timeout_arg)
        return rt->timeout_arg->name;
    if (rt->timeout_kind != MG_TIMEOUT_NONE && rt->timeout)
        return rt->timeout;
    return "MACH_MSG_TIMEOUT_NONE";
}


static void user_stub(const struct mg_user_msg *u)
{
    const struct mg_routine *rt = u->rt;
    struct mg_cw *w = u->w;
    bool rpc = rt->kind == MG_RT_ROUTINE;
    const struct mg_layout *rq = &rt->request, *rp = &rt->reply;
    bool mig_reply = rpc && !(rt->reply_port && rt->reply_port->user_visible);

    mg_cw_line(w, "/* %s %s */", rpc ? "Routine" : "SimpleRoutine", rt->name);
    mg_cw_line(w, "kern_return_t %s", rt->user_name);
    mg_cw_line(w, "(");
    w->indent++;
    mg_em_params(w, rt, MG_EM_USER);
    w->indent--;
    mg_cw_line(w, ")");
    mg_cw_brace(w);
    mg_cw_line(w, "typedef __Request__%s_t Request;", rt->name);
    if (rpc) {
        mg_cw_line(w, "typedef __Reply__%s_t Reply;", rt->name);
        mg_cw_line(w, "/* request and reply share the buffer; the kernel appends a trailer */");
        mg_cw_open(w, "union");
        mg_cw_line(w, "Request In;");
        mg_cw_line(w, "Reply Out;");
        mg_cw_line(w, "char Buf[sizeof(Reply) + sizeof(%s)];", mg_em_trailer_ctype(rp->trailer_elems));
        mg_cw_close(w, " Mess;");
    } else {
        mg_cw_line(w, "union { Request In; } Mess;");
    }
    mg_cw_line(w, "Request *InP = &Mess.In;");
    for (uint32_t k = 1; k < rq->nsegments; k++)
        if (mg_em_segment_used(rq, k))
            mg_cw_line(w, "Request *In%" PRIu32 "P;", k);
    if (rpc) {
        mg_cw_line(w, "Reply *Out0P = &Mess.Out;");
        for (uint32_t k = 1; k < rp->nsegments; k++)
            if (mg_em_segment_used(rp, k))
                mg_cw_line(w, "Reply *Out%" PRIu32 "P;", k);
        mg_cw_line(w, "mach_msg_size_t msgh_size;");
    }
    if (mg_user_msg_has_var(rq) || (rpc && mg_user_msg_has_var(rp)))
        mg_cw_line(w, "mach_msg_size_t msgh_size_delta = 0;");
    bool trailer = false;
    for (uint32_t i = 0; i < rt->nargs; i++)
        trailer |= rt->args[i].user_trailer;
    if (rpc && trailer)
        mg_cw_line(w, "const %s *TrailerP;", mg_em_trailer_ctype(rp->trailer_elems));
    if (rpc && mg_user_msg_has_countinout(rt))
        mg_cw_line(w, "kern_return_t Result = KERN_SUCCESS;");
    mg_cw_line(w, "mach_msg_return_t msg_result;");
    if (mig_reply)
        mg_cw_line(w, "mach_port_t ReplyPort;");
    mg_cw_blank(w);

    mg_user_msg_pack_request(u);

    const struct mg_param *rpp = rt->reply_port;
    const char *reply_name = "MACH_PORT_NULL";
    char local[256];
    if (rpp && rpp->user_visible) {
        reply_name = rpp->name;
        if (rpp->type->in_name == MG_MSGT_POLYMORPHIC && rpp->poly)
            snprintf(local, sizeof local, "%s", rpp->poly->name);
        else
            snprintf(local, sizeof local, "%s", mg_em_disposition(rpp->type->in_name));
    } else if (rpc) {
        reply_name = "ReplyPort";
        snprintf(local, sizeof local, "MACH_MSG_TYPE_MAKE_SEND_ONCE");
        mg_cw_line(w, "ReplyPort = %s();",
                   rt->use_special_reply_port ? "mig_get_special_reply_port" : "mig_get_reply_port");
    } else {
        snprintf(local, sizeof local, "0");
    }
    mg_user_msg_request_header(u, reply_name, local);
    mg_cw_blank(w);

    char opts[512];
    options_expr(opts, sizeof opts, rt, rpc);
    const bool kernel = u->itf->kernel_user;
    if (!rpc) {
        if (kernel) {
            mg_cw_raw(w, "#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode\n");
            mg_cw_line(w, "msg_result = mach_msg_send_from_kernel(&InP->Head, InP->Head.msgh_size);");
            mg_cw_raw(w, "#else\n");
        }
        mg_cw_line(w, "msg_result = mach_msg(&InP->Head, %s, InP->Head.msgh_size, 0, "
                      "MACH_PORT_NULL, %s, MACH_PORT_NULL);", opts, timeout_expr(rt));
        if (kernel)
            mg_cw_raw(w, "#endif\n");
        mg_user_msg_consume_on_send_error(u, "msg_result");
        mg_cw_line(w, "return msg_result;");
        mg_cw_end(w);
        mg_cw_blank(w);
        return;
    }
    if (kernel) {
        mg_cw_raw(w, "#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode\n");
        mg_cw_line(w, "msg_result = mach_msg_rpc_from_kernel(&InP->Head, InP->Head.msgh_size, "
                      "(mach_msg_size_t)sizeof(Reply));");
        mg_cw_raw(w, "#else\n");
    }
    mg_cw_line(w, "msg_result = mach_msg(&InP->Head, %s, InP->Head.msgh_size, "
                  "(mach_msg_size_t)sizeof(Mess), %s, %s, MACH_PORT_NULL);",
               opts, reply_name, timeout_expr(rt));
    if (kernel)
        mg_cw_raw(w, "#endif\n");
    mg_cw_open(w, "if (msg_result != MACH_MSG_SUCCESS)");
    if (mig_reply) {
        mg_cw_line(w, "/* a request that never left keeps the reply port; after anything else a");
        mg_cw_line(w, " * late reply could arrive, so the port is destroyed */");
        mg_cw_line(w, "if (msg_result == MACH_SEND_INVALID_DATA || msg_result == MACH_SEND_INVALID_DEST ||");
        mg_cw_line(w, "    msg_result == MACH_SEND_INVALID_HEADER)");
        mg_cw_line(w, "\tmig_put_reply_port(ReplyPort);");
        mg_cw_line(w, "else");
        mg_cw_line(w, "\t%s(ReplyPort);", rt->use_special_reply_port
                                               ? "mig_dealloc_special_reply_port"
                                               : "mig_dealloc_reply_port");
    }
    mg_user_msg_consume_on_send_error(u, "msg_result");
    mg_cw_line(w, "return msg_result;");
    mg_cw_end(w);
    mg_cw_blank(w);
    mg_user_msg_check_reply(u);
    mg_cw_blank(w);
    mg_user_msg_unpack_reply(u);
    mg_cw_line(w, "return %s;", mg_user_msg_has_countinout(rt) ? "Result" : "KERN_SUCCESS");
    mg_cw_end(w);
    mg_cw_blank(w);
}

/* The client source: every routine's stub, or only `only`'s (mig's -i: one file per
 * routine, each with the same prologue). */
static void user_source(FILE *fp, const struct mg_interface *itf, const char *header_name,
                        const struct mg_routine *only)
{
    struct mg_cw w = {fp, 0};
    mg_em_banner(&w, itf, "Client stubs");
    mg_cw_blank(&w);
    mg_cw_line(&w, "#include \"%s\"", header_name ? header_name : "user.h");
    mg_cw_line(&w, "#include <mach/mach.h> /* mach_msg, mach_msg_destroy */");
    for (uint32_t i = 0; i < itf->nroutines; i++)
        if (itf->routines[i].use_special_reply_port) {
            mg_cw_line(&w, "#include <mach/mach_sync_ipc.h> /* mig_get_special_reply_port */");
            break;
        }
    mg_em_imports(&w, itf, MG_EM_USER_SOURCE, false);
    mg_cw_blank(&w);
    mg_user_msg_check_macros(&w, itf);
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        struct mg_user_msg u = {.w = &w, .itf = itf, .rt = &itf->routines[i]};
        if (mg_em_is_routine(u.rt) && (!only || only == u.rt))
            user_stub(&u);
    }
}

void mg_emit_user_source(FILE *fp, const struct mg_interface *itf, const char *header_name)
{
    user_source(fp, itf, header_name, NULL);
}

void mg_emit_user_source_routine(FILE *fp, const struct mg_interface *itf,
                                 const char *header_name, const struct mg_routine *rt)
{
    user_source(fp, itf, header_name, rt);
}
