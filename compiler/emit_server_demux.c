/* The server source's dispatch part: the subsystem table, the demux functions, and
 * for a KernelServer the macros that name the request's ports in either header
 * orientation. */
#include "emit_common.h"
#include "emit_server.h"

#include <inttypes.h>
#include <stdio.h>

/* Header fields and bits of the request and reply ports as a received request holds
 * them; a KernelServer names them through macros that also fit a kernel's view. */
const char *mg_em_request_port_field(const struct mg_interface *itf)
{
    return itf->kernel_server ? "MACHGEN_REQUEST_PORT" : "msgh_local_port";
}
const char *mg_em_reply_port_field(const struct mg_interface *itf)
{
    return itf->kernel_server ? "MACHGEN_REPLY_PORT" : "msgh_remote_port";
}
const char *mg_em_request_bits(const struct mg_interface *itf)
{
    return itf->kernel_server ? "MACHGEN_REQUEST_BITS" : "MACH_MSGH_BITS_LOCAL";
}
const char *mg_em_reply_bits(const struct mg_interface *itf)
{
    return itf->kernel_server ? "MACHGEN_REPLY_BITS" : "MACH_MSGH_BITS_REMOTE";
}

void mg_em_kernel_server_macros(struct mg_cw *w, const struct mg_interface *itf)
{
    if (!itf->kernel_server)
        return;
    mg_cw_blank(w);
    mg_cw_line(w, "/* KernelServer: inside a kernel (__MigKernelSpecificCode nonzero) a request");
    mg_cw_line(w, " * reaches the server with its header not yet turned around for the receiver:");
    mg_cw_line(w, " * the request port is the remote one and the reply port the local one. */");
    mg_cw_line(w, "#if defined(__MigKernelSpecificCode) && __MigKernelSpecificCode");
    mg_cw_line(w, "#define MACHGEN_REQUEST_PORT msgh_remote_port");
    mg_cw_line(w, "#define MACHGEN_REQUEST_BITS(bits) MACH_MSGH_BITS_REMOTE(bits)");
    mg_cw_line(w, "#define MACHGEN_REPLY_PORT msgh_local_port");
    mg_cw_line(w, "#define MACHGEN_REPLY_BITS(bits) MACH_MSGH_BITS_LOCAL(bits)");
    mg_cw_line(w, "#define MACHGEN_REPLY_DISPOSITION(kernel, user) (kernel)");
    mg_cw_line(w, "#else");
    mg_cw_line(w, "#define MACHGEN_REQUEST_PORT msgh_local_port");
    mg_cw_line(w, "#define MACHGEN_REQUEST_BITS(bits) MACH_MSGH_BITS_LOCAL(bits)");
    mg_cw_line(w, "#define MACHGEN_REPLY_PORT msgh_remote_port");
    mg_cw_line(w, "#define MACHGEN_REPLY_BITS(bits) MACH_MSGH_BITS_REMOTE(bits)");
    mg_cw_line(w, "#define MACHGEN_REPLY_DISPOSITION(kernel, user) (user)");
    mg_cw_line(w, "#endif");
}

static int32_t last_id(const struct mg_interface *itf)
{
    return itf->base + (int32_t)mg_em_nslots(itf);
}

void mg_em_server_demux(struct mg_cw *w, const struct mg_interface *itf)
{
    char table[256];
    snprintf(table, sizeof table, "%s%s_subsystem", itf->server_prefix, itf->subsystem);
    uint32_t n = mg_em_nslots(itf);

    mg_cw_line(w, "/* The table Darwin's and machgen's serve loops dispatch with. */");
    mg_cw_open(w, "const struct %s %s =", table, table);
    mg_cw_line(w, "%s_routine,", itf->server_demux);
    mg_cw_line(w, "%" PRId32 ",", itf->base);
    mg_cw_line(w, "%" PRId32 ",", last_id(itf));
    mg_cw_line(w, "(mach_msg_size_t)sizeof(union __ReplyUnion__%s),", table);
    mg_cw_line(w, "(vm_address_t)0,");
    mg_cw_brace(w);
    for (uint32_t i = 0; i < n; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (!mg_em_is_routine(rt)) {
            mg_cw_line(w, "{ (mig_impl_routine_t)0, (mig_stub_routine_t)0, 0, 0, "
                          "(routine_arg_descriptor_t)0, 0 },");
            continue;
        }
        uint32_t argc = 0;
        for (uint32_t j = 0; j < rt->nargs; j++)
            argc += rt->args[j].server_visible;
        mg_cw_line(w, "{ (mig_impl_routine_t)0, _X%s, %" PRIu32 ", 0, (routine_arg_descriptor_t)0, "
                      "(mach_msg_size_t)sizeof(__Reply__%s_t) },",
                   rt->name, argc, rt->name);
    }
    if (n == 0)
        mg_cw_line(w, "{ (mig_impl_routine_t)0, (mig_stub_routine_t)0, 0, 0, "
                      "(routine_arg_descriptor_t)0, 0 },");
    mg_cw_end(w);
    mg_cw_close(w, ";");
    mg_cw_blank(w);

    mg_cw_line(w, "boolean_t %s(mach_msg_header_t *InHeadP, mach_msg_header_t *OutHeadP)",
               itf->server_demux);
    mg_cw_brace(w);
    mg_cw_line(w, "mig_routine_t routine;");
    mg_cw_blank(w);
    mg_cw_line(w, "/* the reply goes back with the right the request brought */");
    mg_cw_line(w, "OutHeadP->msgh_bits = MACH_MSGH_BITS(%s(InHeadP->msgh_bits), 0);", mg_em_reply_bits(itf));
    mg_cw_line(w, "OutHeadP->msgh_remote_port = InHeadP->%s;", mg_em_reply_port_field(itf));
    mg_cw_line(w, "OutHeadP->msgh_size = (mach_msg_size_t)sizeof(mig_reply_error_t);");
    mg_cw_line(w, "OutHeadP->msgh_local_port = MACH_PORT_NULL;");
    mg_cw_line(w, "OutHeadP->msgh_id = InHeadP->msgh_id + 100;");
    mg_cw_line(w, "OutHeadP->msgh_voucher_port = MACH_PORT_NULL;");
    mg_cw_blank(w);
    mg_cw_line(w, "routine = %s_routine(InHeadP);", itf->server_demux);
    mg_cw_open(w, "if (routine == NULL)");
    mg_cw_line(w, "((mig_reply_error_t *)OutHeadP)->NDR = NDR_record;");
    mg_cw_line(w, "((mig_reply_error_t *)OutHeadP)->RetCode = MIG_BAD_ID;");
    mg_cw_line(w, "return FALSE;");
    mg_cw_end(w);
    mg_cw_line(w, "(*routine)(InHeadP, OutHeadP);");
    mg_cw_line(w, "return TRUE;");
    mg_cw_end(w);
    mg_cw_blank(w);

    mg_cw_line(w, "mig_routine_t %s_routine(mach_msg_header_t *InHeadP)", itf->server_demux);
    mg_cw_brace(w);
    if (n == 0) { /* a subsystem without routines serves nothing */
        mg_cw_line(w, "(void)InHeadP;");
        mg_cw_line(w, "return NULL;");
        mg_cw_end(w);
        return;
    }
    mg_cw_line(w, "const mach_msg_id_t id = InHeadP->msgh_id;");
    mg_cw_blank(w);
    mg_cw_line(w, "if (id < %" PRId32 " || id >= %" PRId32 ")", itf->base, last_id(itf));
    mg_cw_line(w, "\treturn NULL;");
    mg_cw_line(w, "return %s.routine[id - %" PRId32 "].stub_routine;", table, itf->base);
    mg_cw_end(w);
}
