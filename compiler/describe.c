/* Text form of the interface model; the format is documented in describe.h. */
#include "describe.h"

#include <inttypes.h>

static const char *role_name(enum mg_arg_role r)
{
    switch (r) {
    case MG_ROLE_REQUEST_PORT: return "requestport";
    case MG_ROLE_REPLY_PORT: return "replyport";
    case MG_ROLE_IN: return "in";
    case MG_ROLE_OUT: return "out";
    case MG_ROLE_INOUT: return "inout";
    case MG_ROLE_WAITTIME: return "waittime";
    case MG_ROLE_SENDTIME: return "sendtime";
    case MG_ROLE_MSGOPTION: return "msgoption";
    case MG_ROLE_MSGSEQNO: return "msgseqno";
    case MG_ROLE_SECTOKEN: return "sectoken";
    case MG_ROLE_AUDITTOKEN: return "audittoken";
    case MG_ROLE_CONTEXTTOKEN: return "contexttoken";
    case MG_ROLE_IMPLICIT: return "implicit";
    case MG_ROLE_COUNT: return "count";
    case MG_ROLE_COUNT_INOUT: return "countinout";
    case MG_ROLE_POLY: return "poly";
    case MG_ROLE_DEALLOC: return "dealloc";
    }
    return "?";
}

static const char *own_text(enum mg_ownership o)
{
    switch (o) {
    case MG_OWN_COPY: return "copied";
    case MG_OWN_RIGHT_MOVED: return "right-moved (sender loses it; receiver owns it)";
    case MG_OWN_RIGHT_NEW: return "right-new (sender keeps its right; receiver owns a new one)";
    case MG_OWN_RIGHT_POLY: return "right-poly (moved or new per the Poly disposition)";
    case MG_OWN_NAME_ONLY: return "name-only (no right transferred)";
    case MG_OWN_MEMORY_MOVED: return "memory-moved (sender's region deallocated; receiver owns)";
    case MG_OWN_MEMORY_COPIED: return "memory-copied (sender keeps its region; receiver owns a copy)";
    case MG_OWN_MEMORY_MAYBE: return "memory-maybe (per the Dealloc argument; receiver owns)";
    }
    return "?";
}

/* Names of the rights a receiver holds. */
static const char *right_name(int n)
{
    switch (n) {
    case MG_MSGT_MOVE_RECEIVE: return "PORT_RECEIVE";
    case MG_MSGT_MOVE_SEND: return "PORT_SEND";
    case MG_MSGT_MOVE_SEND_ONCE: return "PORT_SEND_ONCE";
    case MG_MSGT_POLYMORPHIC: return "POLYMORPHIC";
    default: return mg_msgt_name(n);
    }
}

static const char *disp_name(int n)
{
    if (n == MG_MSGT_POLYMORPHIC)
        return "POLYMORPHIC";
    const char *s = mg_msgt_name(n);
    return s[0] == 'M' ? s + 14 : s; /* drop MACH_MSG_TYPE_ */
}

static void wire_summary(FILE *out, const struct mg_type *t)
{
    static const char *const wire[] = {"inline", "port", "ool", "ool-ports"};
    fprintf(out, "%s", wire[t->wire]);
    if (t->native) {
        fprintf(out, " native%s%s%s", t->native_pointer ? " pointer" : " value",
                t->native_badvalue ? " ifnot " : "", t->native_badvalue ? t->native_badvalue : "");
        return;
    }
    if (t->wire == MG_WIRE_PORT || t->wire == MG_WIRE_OOL_PORTS)
        fprintf(out, " %s->%s", disp_name(t->in_name), right_name(t->out_name));
    else
        fprintf(out, " msgt %d|%d", t->in_name, t->out_name);
    fprintf(out, " bits %" PRIu32, t->elem_bits);
    if (t->var_array)
        fprintf(out, t->number ? " variable max %" PRIu64 : " unbounded", t->number);
    else
        fprintf(out, " count %" PRIu64, t->number);
    if (t->string)
        fprintf(out, " c_string");
    if (t->is_struct)
        fprintf(out, " struct");
    if (t->kpd_count > 1)
        fprintf(out, " descriptors %" PRIu32, t->kpd_count);
}

/* A doc comment on one line: newlines as \n, backslashes doubled. */
static void print_doc(FILE *out, const char *indent, const char *doc)
{
    fprintf(out, "%sdoc \"", indent);
    for (const char *p = doc; *p; p++) {
        if (*p == '\n')
            fputs("\\n", out);
        else if (*p == '\\' || *p == '"')
            fprintf(out, "\\%c", *p);
        else
            fputc(*p, out);
    }
    fputs("\"\n", out);
}

static void describe_type(FILE *out, const struct mg_type *t)
{
    fprintf(out, "type %s = ", t->name);
    wire_summary(out, t);
    fprintf(out, " user %s server %s", t->user_ctype, t->server_ctype);
    if (t->trans_ctype && t->server_ctype && t->trans_ctype != t->server_ctype)
        fprintf(out, " routine %s", t->trans_ctype);
    if (t->intran)
        fprintf(out, " intran %s", t->intran);
    if (t->outtran)
        fprintf(out, " outtran %s", t->outtran);
    if (t->destructor)
        fprintf(out, " destructor %s", t->destructor);
    fputc('\n', out);
    if (t->doc)
        print_doc(out, "    ", t->doc);
}

static void describe_arg(FILE *out, const struct mg_param *a)
{
    fprintf(out, "    arg %s %s ", a->name, role_name(a->role));
    wire_summary(out, a->type);
    if (a->user_visible)
        fprintf(out, " user %s%s", a->user_ctype, a->by_ref_user ? "*" : "");
    if (a->server_visible)
        fprintf(out, " server %s%s", a->server_ctype, a->by_ref_server ? "*" : "");
    if (a->in_request)
        fprintf(out, " in-request");
    if (a->in_reply)
        fprintf(out, " in-reply");
    if (a->server_trailer)
        fprintf(out, " server-trailer");
    if (a->user_trailer)
        fprintf(out, " user-trailer");
    if (a->dealloc == MG_DEALLOC_YES)
        fprintf(out, " dealloc");
    if (a->dealloc == MG_DEALLOC_MAYBE)
        fprintf(out, " dealloc[]");
    if (a->physical_copy)
        fprintf(out, " physicalcopy");
    if (a->overwrite)
        fprintf(out, " overwrite");
    if (a->countinout)
        fprintf(out, " countinout");
    if (a->samecount)
        fprintf(out, " samecount-of %s", a->samecount->name);
    if (a->retcode)
        fprintf(out, " retcode");
    if (a->is_auto)
        fprintf(out, " auto");
    if (a->is_const)
        fprintf(out, " const");
    if (a->parent)
        fprintf(out, " of %s", a->parent->name);
    if (a->type->intran && (a->in_request || a->role == MG_ROLE_REQUEST_PORT))
        fprintf(out, " intran %s", a->type->intran);
    if (a->type->outtran && a->in_reply)
        fprintf(out, " outtran %s", a->type->outtran);
    if (a->type->destructor && (a->in_request || a->role == MG_ROLE_REQUEST_PORT) && !a->in_reply)
        fprintf(out, " destructor %s", a->type->destructor);
    if ((a->in_request || a->in_reply) && !a->parent)
        fprintf(out, " owner %s", own_text(a->ownership));
    fputc('\n', out);
}

static void print_off(FILE *out, uint32_t seg, uint32_t off)
{
    char buf[48];
    if (seg == 0)
        snprintf(buf, sizeof buf, "@%" PRIu32, off);
    else
        snprintf(buf, sizeof buf, "@[%" PRIu32 "]+%" PRIu32, seg, off);
    fprintf(out, "      %-10s", buf);
}

static const char *header_disp(int n)
{
    return n == MG_MSGT_POLYMORPHIC ? "from-Poly" : n == 0 ? "none" : disp_name(n);
}

static void describe_layout(FILE *out, const char *what, const struct mg_layout *l,
                            const struct mg_routine *rt)
{
    if (!l->present) {
        fprintf(out, "    %s none\n", what);
        return;
    }
    fprintf(out, "    %s %s size %" PRIu32, what, l->complex ? "complex" : "simple", l->min_size);
    if (l->max_size != l->min_size)
        fprintf(out, "..%" PRIu32, l->max_size);
    fprintf(out, "%s descriptors %" PRIu32 " segments %" PRIu32 " trailer %s %" PRIu32 "\n",
            l->has_native ? " +native" : "", l->ndescriptors, l->nsegments,
            mg_trailer_elem_name(l->trailer_elems), l->trailer_size);
    print_off(out, 0, 0);
    fprintf(out, "%4d header", MG_MSG_HEADER_SIZE);
    if (l == &rt->request)
        fprintf(out, " remote %s local %s id %" PRId32 "\n",
                header_disp(rt->request_remote_disposition),
                header_disp(rt->request_local_disposition), rt->request_id);
    else
        fprintf(out, " remote as-delivered local none id %" PRId32 "\n", rt->reply_id);
    if (l->complex) {
        print_off(out, 0, MG_MSG_HEADER_SIZE);
        fprintf(out, "%4d body descriptor-count %" PRIu32 "\n", MG_MSG_BODY_SIZE, l->ndescriptors);
    }
    for (uint32_t i = 0; i < l->ndescriptors; i++) {
        const struct mg_descriptor *d = &l->descriptors[i];
        print_off(out, 0, d->offset);
        static const char *const kinds[] = {"port", "ool", "ool-ports"};
        fprintf(out, "%4" PRIu32 " %s %s", d->size, kinds[d->kind], d->arg->name);
        if (d->arg->type->kpd_count > 1)
            fprintf(out, "[%" PRIu32 "]", d->index);
        if (d->kind != MG_DESC_OOL) {
            if (d->disposition == -1)
                fprintf(out, " disposition from %s", d->arg->poly ? d->arg->poly->name : "?");
            else
                fprintf(out, " disposition %s", disp_name(d->disposition));
            fprintf(out, " receiver-gets %s", right_name(d->received));
        }
        if (d->kind != MG_DESC_PORT) {
            fprintf(out, " deallocate %s copy %s",
                    d->dealloc == MG_DEALLOC_YES     ? "yes"
                    : d->dealloc == MG_DEALLOC_MAYBE ? "from-arg"
                                                     : "no",
                    d->copy == MG_COPY_VIRTUAL ? "virtual" : "physical");
            const char *unit = d->kind == MG_DESC_OOL ? "bytes" : "ports";
            if (d->fixed_size)
                fprintf(out, " fixed %" PRIu64 " %s", d->max_elems, unit);
            else if (d->max_elems)
                fprintf(out, " max %" PRIu64 " %s", d->max_elems, unit);
            else
                fprintf(out, " unbounded");
        }
        fputc('\n', out);
    }
    for (uint32_t i = 0; i < l->nfields; i++) {
        const struct mg_msg_field *f = &l->fields[i];
        print_off(out, f->segment, f->offset);
        switch (f->kind) {
        case MG_FIELD_NDR: fprintf(out, "%4" PRIu32 " NDR\n", f->size); break;
        case MG_FIELD_RETCODE: fprintf(out, "%4" PRIu32 " RetCode\n", f->size); break;
        case MG_FIELD_DATA: fprintf(out, "%4" PRIu32 " data %s\n", f->size, f->name); break;
        case MG_FIELD_COUNT:
            fprintf(out, "%4" PRIu32 " count %s", f->size, f->name);
            if (f->max_count)
                fprintf(out, " max %" PRIu64, f->max_count);
            fputc('\n', out);
            break;
        case MG_FIELD_STRING_OFFSET:
            fprintf(out, "%4" PRIu32 " string-offset %s (always 0)\n", f->size, f->name);
            break;
        case MG_FIELD_VAR_COUNT:
            fprintf(out, "%4" PRIu32 " var-count %s max %" PRIu64 "\n", f->size, f->name,
                    f->max_count);
            break;
        case MG_FIELD_VAR_DATA:
            fprintf(out, "%4s var-data %s 0..%" PRIu32 " bytes (%" PRIu32
                         " per element, rounded to 4) count %s, ends segment %" PRIu32 "\n",
                    "", f->name, f->size, f->elem_size,
                    f->count_field ? f->count_field->name : "?", f->segment);
            break;
        case MG_FIELD_NATIVE:
            fprintf(out, "%4s native %s sizeof(%s) rounded to 4, ends segment %" PRIu32 "\n", "",
                    f->name, f->arg->type->user_ctype, f->segment);
            break;
        }
    }
}

static const char *consume_name(enum mg_consume_kind c)
{
    return c == MG_CONSUME_ANY ? "Any" : c == MG_CONSUME_TIMEOUT ? "Timeout" : "None";
}

static void describe_routine(FILE *out, const struct mg_routine *rt)
{
    if (rt->kind == MG_RT_SKIP) {
        fprintf(out, "skip %" PRId32 "\n", rt->request_id);
        return;
    }
    fprintf(out, "%s %s %" PRId32 " reply ", rt->kind == MG_RT_ROUTINE ? "routine" : "simpleroutine",
            rt->name, rt->request_id);
    if (rt->kind == MG_RT_ROUTINE)
        fprintf(out, "%" PRId32 "\n", rt->reply_id);
    else
        fprintf(out, "-\n");
    if (rt->doc)
        print_doc(out, "    ", rt->doc);
    fprintf(out, "    user-stub %s server-routine %s\n", rt->user_name, rt->server_name);
    fprintf(out, "    options msgoption ");
    if (rt->msgoption_arg)
        fprintf(out, "arg %s", rt->msgoption_arg->name);
    else
        fprintf(out, "%s", rt->msgoption ? rt->msgoption : "none");
    fprintf(out, " timeout ");
    if (rt->timeout_kind == MG_TIMEOUT_NONE)
        fprintf(out, "none");
    else
        fprintf(out, "%s %s%s", rt->timeout_kind == MG_TIMEOUT_WAIT ? "wait" : "send",
                rt->timeout_arg ? "arg " : "", rt->timeout);
    fprintf(out, " reply-port ");
    if (rt->kind == MG_RT_SIMPLEROUTINE && !rt->reply_port)
        fprintf(out, "none");
    else if (rt->reply_port)
        fprintf(out, "%s", rt->reply_port->name);
    else
        fprintf(out, "%s", rt->use_special_reply_port ? "special" : "mig");
    fprintf(out, " consume %s", consume_name(rt->consume_on_send_error));
    if (rt->user_type_limit >= 0)
        fprintf(out, " usertypelimit %" PRId64, rt->user_type_limit);
    if (rt->on_stack_limit >= 0)
        fprintf(out, " onstacklimit %" PRId64, rt->on_stack_limit);
    fputc('\n', out);
    for (uint32_t i = 0; i < rt->nargs; i++)
        describe_arg(out, &rt->args[i]);
    describe_layout(out, "request", &rt->request, rt);
    describe_layout(out, "reply", &rt->reply, rt);
}

void mg_describe(FILE *out, const struct mg_interface *itf)
{
    static const char *const import_kinds[] = {"import", "uimport", "simport", "dimport",
                                               "iimport"};
    const struct mg_target *t = &itf->target;
    fprintf(out, "machgen-describe 1\n");
    fprintf(out, "target %s %s port-descriptor %" PRIu32 " ool-descriptor %" PRIu32
                 " context %" PRIu32 "\n",
            t->arch, t->abi == MG_ABI_LP64 ? "LP64" : "ILP32", t->port_desc_size,
            t->ool_desc_size, t->context_size);
    fprintf(out, "subsystem %s base %" PRId32 "%s%s\n", itf->subsystem, itf->base,
            itf->kernel_user ? " KernelUser" : "", itf->kernel_server ? " KernelServer" : "");
    if (itf->user_prefix[0])
        fprintf(out, "userprefix %s\n", itf->user_prefix);
    if (itf->server_prefix[0])
        fprintf(out, "serverprefix %s\n", itf->server_prefix);
    fprintf(out, "serverdemux %s\n", itf->server_demux);
    if (itf->rcsid)
        fprintf(out, "rcsid \"%s\"\n", itf->rcsid);
    if (itf->error_proc)
        fprintf(out, "error %s\n", itf->error_proc);
    for (uint32_t i = 0; i < itf->nimports; i++)
        fprintf(out, "%s %s\n", import_kinds[itf->imports[i].kind], itf->imports[i].file);
    fprintf(out, "max-request %" PRIu32 " max-reply %" PRIu32 "\n", itf->max_request_size,
            itf->max_reply_size);
    fprintf(out, "ownership success: receiver owns what it received; routine error: server "
                 "loop destroys the request; MIG_NO_REPLY: routine owns the request\n");
    for (uint32_t i = 0; i < itf->ntypes; i++)
        describe_type(out, itf->types[i]);
    for (uint32_t i = 0; i < itf->nroutines; i++)
        describe_routine(out, &itf->routines[i]);
}
