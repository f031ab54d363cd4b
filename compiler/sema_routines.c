/* Routine arguments: directions, flags and their validity rules, the companion
 * arguments MIG adds (counts, Poly dispositions, dealloc[] booleans), C types and
 * ownership. Message ids and layouts are set by the caller. */
#include <string.h>

#include "sema_internal.h"

/* C type of a type that may be anonymous: the nearest named ancestor's. */
static const char *user_ctype_of(const struct mg_type *t)
{
    for (; t; t = t->element)
        if (t->user_ctype)
            return t->user_ctype;
    return "void";
}

static const char *server_ctype_of(const struct mg_type *t)
{
    for (; t; t = t->element)
        if (t->trans_ctype)
            return t->trans_ctype;
    return "void";
}

/* A 32-bit integer type for companion arguments; one instance per analysis. */
static const struct mg_type *int_type(struct mg_sema *s, const struct mg_type **cache,
                                      const char *name)
{
    if (*cache)
        return *cache;
    struct mg_type *t = MG_NEW(s->arena, struct mg_type);
    t->in_name = t->out_name = MG_MSGT_INTEGER_32;
    t->elem_bits = 32;
    t->number = 1;
    t->is_struct = true;
    t->count_multiplier = 1;
    t->name = t->user_ctype = t->server_ctype = t->trans_ctype = name;
    *cache = t;
    return t;
}

static const struct mg_type *count_type(struct mg_sema *s)
{
    return int_type(s, &s->count_type, "mach_msg_type_number_t");
}

static bool is_int32(const struct mg_type *t)
{
    return t->wire == MG_WIRE_INLINE && !t->var_array && !t->native && t->number == 1 &&
           t->elem_bits == 32 && t->in_name == MG_MSGT_INTEGER_32 &&
           t->out_name == MG_MSGT_INTEGER_32;
}

static bool is_fixed_inline(const struct mg_type *t)
{
    return t->wire == MG_WIRE_INLINE && !t->var_array && !t->native;
}

/* Role and message/prototype presence from the direction keyword (MIG's arg kinds). */
static void set_role(struct mg_param *a, enum mg_arg_kind k)
{
    switch (k) {
    case MG_ARG_DEFAULT:
    case MG_ARG_IN:
        a->role = MG_ROLE_IN;
        a->in_request = a->user_visible = a->server_visible = true;
        break;
    case MG_ARG_OUT:
        a->role = MG_ROLE_OUT;
        a->in_reply = a->user_visible = a->server_visible = true;
        break;
    case MG_ARG_INOUT:
        a->role = MG_ROLE_INOUT;
        a->in_request = a->in_reply = a->user_visible = a->server_visible = true;
        break;
    case MG_ARG_REQUESTPORT:
        a->role = MG_ROLE_REQUEST_PORT;
        a->user_visible = a->server_visible = true;
        break;
    case MG_ARG_REPLYPORT:
        a->role = MG_ROLE_REPLY_PORT;
        a->user_visible = a->server_visible = true;
        break;
    case MG_ARG_SREPLYPORT:
        a->role = MG_ROLE_REPLY_PORT;
        a->server_visible = true;
        break;
    case MG_ARG_UREPLYPORT:
        a->role = MG_ROLE_REPLY_PORT;
        a->user_visible = true;
        break;
    case MG_ARG_WAITTIME: a->role = MG_ROLE_WAITTIME; a->user_visible = true; break;
    case MG_ARG_SENDTIME: a->role = MG_ROLE_SENDTIME; a->user_visible = true; break;
    case MG_ARG_MSGOPTION: a->role = MG_ROLE_MSGOPTION; a->user_visible = true; break;
    case MG_ARG_MSGSEQNO:
        a->role = MG_ROLE_MSGSEQNO;
        a->server_visible = a->server_trailer = true;
        break;
    case MG_ARG_SECTOKEN:
    case MG_ARG_SERVERSECTOKEN:
    case MG_ARG_USERSECTOKEN:
        a->role = MG_ROLE_SECTOKEN;
        break;
    case MG_ARG_AUDITTOKEN:
    case MG_ARG_SERVERAUDITTOKEN:
    case MG_ARG_USERAUDITTOKEN:
        a->role = MG_ROLE_AUDITTOKEN;
        break;
    case MG_ARG_SERVERCONTEXTTOKEN:
        a->role = MG_ROLE_CONTEXTTOKEN;
        a->server_visible = a->server_trailer = true;
        break;
    case MG_ARG_SERVERIMPL:
        a->role = MG_ROLE_IMPLICIT;
        a->server_visible = a->server_trailer = true;
        break;
    case MG_ARG_USERIMPL:
        a->role = MG_ROLE_IMPLICIT;
        a->user_visible = a->user_trailer = true;
        break;
    }
    if (k == MG_ARG_SECTOKEN || k == MG_ARG_AUDITTOKEN || k == MG_ARG_SERVERSECTOKEN ||
        k == MG_ARG_SERVERAUDITTOKEN)
        a->server_visible = a->server_trailer = true;
    if (k == MG_ARG_SECTOKEN || k == MG_ARG_AUDITTOKEN || k == MG_ARG_USERSECTOKEN ||
        k == MG_ARG_USERAUDITTOKEN)
        a->user_visible = a->user_trailer = true;
}

struct rt_build {
    struct mg_sema *s;
    struct mg_routine *rt;
    const struct mg_routinedecl *rd;
    struct mg_param *args;
    uint32_t n, cap;
    const struct mg_param *prev_array; /* for samecount: the previous explicit argument */
    bool has_retcode;
    bool ok;
};

static struct mg_param *push_arg(struct rt_build *b)
{
    if (b->n == b->cap) {
        /* cap was sized for the worst case (5 per explicit argument); never grows */
        mg_error(b->s->diag, b->rd->loc, "internal error: too many arguments");
        b->ok = false;
        return NULL;
    }
    struct mg_param *a = &b->args[b->n++];
    memset(a, 0, sizeof *a);
    return a;
}

static void arg_error(struct rt_build *b, const struct mg_param *a, const char *msg)
{
    mg_error(b->s->diag, a->loc, "argument '%s' of %s: %s", a->name, b->rt->name, msg);
    b->ok = false;
}

static struct mg_loc flag_loc(const struct mg_arg *ast, unsigned flag, struct mg_loc dflt)
{
    for (unsigned i = 0; i < MG_FLAG_COUNT; i++)
        if (flag == (1u << i) && ast->flag_loc[i].line)
            return ast->flag_loc[i];
    return dflt;
}

static void flag_error(struct rt_build *b, const struct mg_arg *ast, unsigned flag,
                       const char *msg)
{
    mg_error(b->s->diag, flag_loc(ast, flag, ast->loc), "argument '%s' of %s: %s", ast->name,
             b->rt->name, msg);
    b->ok = false;
}

/* A flag that does not apply to this argument: ignored with a warning, as MIG does
 * (real interfaces carry such flags, and ignoring them keeps MIG's wire layout). */
static void flag_ignored(struct rt_build *b, const struct mg_arg *ast, unsigned flag,
                         const char *msg)
{
    mg_warning(b->s->diag, flag_loc(ast, flag, ast->loc), "ignored-flag",
               "argument '%s' of %s: %s; flag ignored", ast->name, b->rt->name, msg);
}

static void check_flags(struct rt_build *b, const struct mg_arg *ast, struct mg_param *a)
{
    const struct mg_type *t = a->type;
    unsigned f = ast->flags;
    bool ool = t->wire == MG_WIRE_OOL;
    bool kpd = t->wire != MG_WIRE_INLINE;
    bool is_ks = b->s->itf->kernel_server, is_ku = b->s->itf->kernel_user;

    if ((f & MG_FLAG_DEALLOC_RUNTIME) && (f & (MG_FLAG_DEALLOC | MG_FLAG_NOTDEALLOC)))
        flag_error(b, ast, MG_FLAG_DEALLOC_RUNTIME,
                   "dealloc[] cannot be combined with dealloc or notdealloc");
    else if ((f & MG_FLAG_DEALLOC) && (f & MG_FLAG_NOTDEALLOC))
        flag_error(b, ast, MG_FLAG_NOTDEALLOC, "dealloc and notdealloc contradict each other");
    else if ((f & MG_FLAG_DEALLOC) &&
             ((is_ks && a->in_reply && !a->in_request) || (is_ku && a->in_request)))
        a->dealloc = MG_DEALLOC_YES; /* kernel interfaces: tolerated on any type */
    else if (f & (MG_FLAG_DEALLOC | MG_FLAG_DEALLOC_RUNTIME)) {
        if (!kpd)
            flag_ignored(b, ast, f & MG_FLAG_DEALLOC ? MG_FLAG_DEALLOC : MG_FLAG_DEALLOC_RUNTIME,
                         "dealloc only applies to out-of-line data and ports");
        else
            a->dealloc = (f & MG_FLAG_DEALLOC_RUNTIME) ? MG_DEALLOC_MAYBE : MG_DEALLOC_YES;
    }

    if (f & MG_FLAG_COUNTINOUT) {
        if (!a->in_reply)
            flag_ignored(b, ast, MG_FLAG_COUNTINOUT, "countinout requires an out argument");
        else if (!t->var_array || t->wire != MG_WIRE_INLINE)
            flag_ignored(b, ast, MG_FLAG_COUNTINOUT,
                         "countinout only applies to bounded variable-length inline arrays");
        else
            a->countinout = true;
    }

    if (f & MG_FLAG_SAMECOUNT) {
        const struct mg_param *p = b->prev_array;
        if (!t->var_array)
            flag_ignored(b, ast, MG_FLAG_SAMECOUNT, "samecount requires a variable-length array");
        else if (!p || !p->type || !p->type->var_array)
            flag_ignored(b, ast, MG_FLAG_SAMECOUNT,
                         "samecount requires the previous argument to be a variable-length "
                         "array");
        else if (p->in_request != a->in_request || p->in_reply != a->in_reply ||
                 p->countinout != a->countinout)
            flag_ignored(b, ast, MG_FLAG_SAMECOUNT,
                         "samecount requires the previous array to have the same direction and "
                         "countinout setting");
        else
            a->samecount = p->samecount ? p->samecount : p;
    }

    if (f & MG_FLAG_PHYSICALCOPY) {
        if (!ool)
            flag_ignored(b, ast, MG_FLAG_PHYSICALCOPY,
                         "physicalcopy only applies to out-of-line data");
        else
            a->physical_copy = true;
    }

    if (f & MG_FLAG_RETCODE) {
        if (!is_fixed_inline(t) || !t->is_struct || t->elem_bits != 32 || t->number != 1)
            flag_ignored(b, ast, MG_FLAG_RETCODE, "retcode requires a 32-bit integer type");
        else if (b->rt->kind != MG_RT_SIMPLEROUTINE)
            flag_error(b, ast, MG_FLAG_RETCODE, "retcode is only allowed in simpleroutines");
        else if (b->has_retcode)
            flag_ignored(b, ast, MG_FLAG_RETCODE, "only one argument can be the retcode");
        else
            a->retcode = b->has_retcode = true;
    }

    if (f & MG_FLAG_OVERWRITE) {
        if (!(t->wire == MG_WIRE_OOL || t->wire == MG_WIRE_OOL_PORTS) || t->mig_inline ||
            !a->in_reply || a->in_request)
            flag_ignored(b, ast, MG_FLAG_OVERWRITE,
                         "overwrite only applies to out arguments sent out-of-line with '^'");
        else
            a->overwrite = true;
    }
    a->is_auto = (f & MG_FLAG_AUTO) != 0;
    a->is_const = (f & MG_FLAG_CONST) != 0;
}

static void check_special_types(struct rt_build *b, struct mg_param *a, const struct mg_arg *ast)
{
    const struct mg_type *t = a->type;
    bool port1 = t->wire == MG_WIRE_PORT && t->kpd_count == 1 && !t->var_array;
    switch (a->role) {
    case MG_ROLE_REQUEST_PORT:
        if (!port1 || (t->out_name != MG_MSGT_MOVE_SEND && t->out_name != MG_MSGT_MOVE_SEND_ONCE &&
                       t->out_name != MG_MSGT_POLYMORPHIC))
            arg_error(b, a, "not a proper request port (needs a single send or send-once right)");
        break;
    case MG_ROLE_REPLY_PORT:
        if (!port1 || (t->out_name != MG_MSGT_MOVE_SEND && t->out_name != MG_MSGT_MOVE_SEND_ONCE &&
                       t->out_name != MG_MSGT_POLYMORPHIC))
            arg_error(b, a, "not a proper reply port (needs a single send or send-once right)");
        break;
    case MG_ROLE_WAITTIME:
    case MG_ROLE_SENDTIME:
    case MG_ROLE_MSGOPTION:
    case MG_ROLE_MSGSEQNO:
        if (!is_int32(t))
            arg_error(b, a, "must have a 32-bit integer type");
        break;
    case MG_ROLE_SECTOKEN:
        if (!is_fixed_inline(t) || mg_type_bytes(t) != 8)
            arg_error(b, a, "security token must be 8 bytes of inline data (security_token_t)");
        break;
    case MG_ROLE_AUDITTOKEN:
        if (!is_fixed_inline(t) || mg_type_bytes(t) != 32)
            arg_error(b, a, "audit token must be 32 bytes of inline data (audit_token_t)");
        break;
    case MG_ROLE_CONTEXTTOKEN:
        if (!is_fixed_inline(t) || (mg_type_bytes(t) != 4 && mg_type_bytes(t) != 8))
            arg_error(b, a, "context token must be mach_port_context_t (4 or 8 bytes)");
        break;
    default: break;
    }
    if (t->native) {
        if (a->role != MG_ROLE_IN && a->role != MG_ROLE_OUT && a->role != MG_ROLE_INOUT)
            arg_error(b, a, "native C types are only allowed for in, out and inout arguments");
        else if (!t->native_pointer && a->role != MG_ROLE_IN)
            arg_error(b, a, "ValueOf is only valid for in arguments");
        else if (t->native_badvalue && a->role != MG_ROLE_IN)
            arg_error(b, a, "PointerToIfNot is only valid for in arguments");
    }
    if (a->in_request && a->in_reply && t->var_array && t->wire == MG_WIRE_INLINE)
        arg_error(b, a, "variable-length inline arrays cannot be inout");
    if (t->wire == MG_WIRE_PORT && a->in_request && t->in_name == MG_MSGT_MOVE_RECEIVE &&
        a->role == MG_ROLE_REQUEST_PORT)
        arg_error(b, a, "a receive right cannot be the request port");
    (void)ast;
}

static enum mg_ownership ownership_of(const struct mg_param *a, bool kernel_server)
{
    const struct mg_type *t = a->type;
    /* a KernelServer reply carries the rights the kernel holds: the out names */
    int sent = kernel_server && a->in_reply && !a->in_request ? t->out_name : t->in_name;
    switch (t->wire) {
    case MG_WIRE_INLINE: return t->in_name == MG_MSGT_PORT_NAME ? MG_OWN_NAME_ONLY : MG_OWN_COPY;
    case MG_WIRE_PORT:
    case MG_WIRE_OOL_PORTS:
        if (sent == MG_MSGT_POLYMORPHIC)
            return MG_OWN_RIGHT_POLY;
        if (sent == MG_MSGT_MOVE_RECEIVE || sent == MG_MSGT_MOVE_SEND ||
            sent == MG_MSGT_MOVE_SEND_ONCE)
            return MG_OWN_RIGHT_MOVED;
        return MG_OWN_RIGHT_NEW;
    case MG_WIRE_OOL:
        return a->dealloc == MG_DEALLOC_YES     ? MG_OWN_MEMORY_MOVED
               : a->dealloc == MG_DEALLOC_MAYBE ? MG_OWN_MEMORY_MAYBE
                                                : MG_OWN_MEMORY_COPIED;
    }
    return MG_OWN_COPY;
}

static void add_companions(struct rt_build *b, struct mg_param *a)
{
    struct mg_sema *s = b->s;
    const struct mg_type *t = a->type;
    bool ks = s->itf->kernel_server;

    /* MIG's order after the argument: Poly, CountInOut, Count, Dealloc */
    if (t->wire != MG_WIRE_INLINE &&
        (t->in_name == MG_MSGT_POLYMORPHIC || t->out_name == MG_MSGT_POLYMORPHIC) &&
        (t->wire == MG_WIRE_PORT || t->wire == MG_WIRE_OOL_PORTS)) {
        struct mg_param *p = push_arg(b);
        if (!p)
            return;
        p->name = mg_arena_printf(s->arena, "%sPoly", a->name);
        p->loc = a->loc;
        p->role = MG_ROLE_POLY;
        p->type = int_type(s, &s->poly_type, "mach_msg_type_name_t");
        p->parent = a;
        bool in_poly = t->in_name == MG_MSGT_POLYMORPHIC, out_poly = t->out_name == MG_MSGT_POLYMORPHIC;
        if (a->in_request || a->role == MG_ROLE_REQUEST_PORT || a->role == MG_ROLE_REPLY_PORT) {
            p->user_visible |= in_poly && a->user_visible;
            p->server_visible |= out_poly && a->server_visible;
        }
        if (a->in_reply) {
            p->server_visible |= (in_poly && !ks) || (out_poly && ks);
            p->user_visible |= out_poly;
            if (p->server_visible)
                p->by_ref_server = true;
            if (out_poly)
                p->by_ref_user = true;
        }
        p->user_ctype = p->server_ctype = "mach_msg_type_name_t";
        a->poly = p;
    }
    if (a->countinout) {
        struct mg_param *c = push_arg(b);
        if (!c)
            return;
        c->name = mg_arena_printf(s->arena, "%sCnt", a->name);
        c->loc = a->loc;
        c->role = MG_ROLE_COUNT_INOUT;
        c->type = count_type(s);
        c->parent = a;
        c->in_request = true;
        c->user_ctype = c->server_ctype = "mach_msg_type_number_t";
        a->count_inout = c;
    }
    if (t->var_array) {
        struct mg_param *c = push_arg(b);
        if (!c)
            return;
        c->name = mg_arena_printf(s->arena, "%sCnt", a->name);
        c->loc = a->loc;
        c->role = MG_ROLE_COUNT;
        c->type = count_type(s);
        c->parent = a;
        c->in_request = a->in_request;
        c->in_reply = a->in_reply;
        /* c_strings carry a count on the wire but neither side sees it */
        c->user_visible = a->user_visible && !t->string && !a->samecount;
        c->server_visible = a->server_visible && !t->string && !a->samecount;
        c->by_ref_user = a->in_reply;
        c->by_ref_server = a->in_reply;
        c->user_ctype = c->server_ctype = "mach_msg_type_number_t";
        a->count = c;
    }
    if (a->dealloc == MG_DEALLOC_MAYBE) {
        struct mg_param *d = push_arg(b);
        if (!d)
            return;
        d->name = mg_arena_printf(s->arena, "%sDealloc", a->name);
        d->loc = a->loc;
        d->role = MG_ROLE_DEALLOC;
        d->type = int_type(s, &s->dealloc_type, "boolean_t");
        d->parent = a;
        d->user_visible = a->in_request;
        d->server_visible = a->in_reply;
        d->by_ref_server = a->in_reply;
        d->user_ctype = d->server_ctype = "boolean_t";
        a->dealloc_arg = d;
    }
}

bool mg_sema_routine(struct mg_sema *s, const struct mg_routinedecl *rd, struct mg_routine *rt)
{
    struct rt_build b = {.s = s, .rt = rt, .rd = rd, .ok = true};
    /* at most 4 companions per argument; the exact list is copied out at the end */
    b.cap = rd->nargs * 5 + 1;
    if (b.cap > s->cap_scratch) {
        s->cap_scratch = b.cap * 2;
        s->scratch = mg_arena_alloc(s->arena, s->cap_scratch * sizeof *s->scratch);
    }
    b.args = s->scratch;
    struct mg_symtab names = {0};
    bool use_names = rd->nargs > 16; /* short lists are scanned instead */
    if (use_names)
        mg_symtab_init(&names, s->arena, rd->nargs);
    bool have_request_port = false;
    const struct mg_param *waittime = NULL, *msgoption = NULL, *reply = NULL;

    for (const struct mg_arg *ast = rd->args; ast; ast = ast->next) {
        if (!ast->name) { /* only after a syntax error the parser reported */
            b.ok = false;
            continue;
        }
        const struct mg_type *t = ast->decl ? mg_sema_named_type(s, ast->decl)
                                            : mg_sema_resolve(s, ast->type, NULL);
        if (!t) {
            /* still take its role, so later arguments are not misread as the request port */
            if (ast->kind == MG_ARG_REQUESTPORT ||
                (ast->kind == MG_ARG_DEFAULT && !have_request_port))
                have_request_port = true;
            b.ok = false;
            continue;
        }
        struct mg_param *a = push_arg(&b);
        if (!a)
            break;
        a->name = ast->name;
        a->loc = ast->loc;
        a->type = t;
        a->ast_flags = ast->flags;
        enum mg_arg_kind k = ast->kind;
        if (k == MG_ARG_DEFAULT && !have_request_port)
            k = MG_ARG_REQUESTPORT;
        set_role(a, k);

        const struct mg_param *dup = NULL;
        if (use_names)
            dup = mg_symtab_get(&names, a->name);
        else
            for (uint32_t i = 0; i + 1 < b.n && !dup; i++)
                if (!b.args[i].parent && strcmp(b.args[i].name, a->name) == 0)
                    dup = &b.args[i];
        if (dup) {
            mg_error(s->diag, ast->name_loc, "duplicate argument name '%s' in %s", a->name,
                     rt->name);
            mg_note(s->diag, dup->loc, "previous argument '%s' is here", a->name);
            b.ok = false;
        } else if (use_names) {
            mg_symtab_put(&names, s->arena, a->name, a);
        }

        switch (a->role) {
        case MG_ROLE_REQUEST_PORT:
            if (have_request_port) {
                arg_error(&b, a, "a routine has only one request port");
            }
            have_request_port = true;
            rt->request_port = a;
            break;
        case MG_ROLE_REPLY_PORT:
            if (reply)
                arg_error(&b, a, "a routine has only one reply port");
            reply = a;
            rt->reply_port = a;
            break;
        case MG_ROLE_WAITTIME:
        case MG_ROLE_SENDTIME:
            if (waittime)
                arg_error(&b, a, "a routine has only one waittime or sendtime argument");
            waittime = a;
            rt->timeout_arg = a;
            break;
        case MG_ROLE_MSGOPTION:
            if (msgoption)
                arg_error(&b, a, "a routine has only one msgoption argument");
            msgoption = a;
            rt->msgoption_arg = a;
            break;
        default: break;
        }

        if (rt->kind == MG_RT_SIMPLEROUTINE && (a->in_reply || a->user_trailer)) {
            mg_error(s->diag, ast->loc, "simpleroutine %s has an out argument '%s'; a "
                                        "simpleroutine sends no reply", rt->name, a->name);
            b.ok = false;
        }
        if (s->itf->kernel_server && a->role == MG_ROLE_IMPLICIT && a->server_trailer)
            arg_error(&b, a, "implicit trailer data is not supported in KernelServer mode");
        if (s->itf->kernel_user && a->role == MG_ROLE_IMPLICIT && a->user_trailer)
            arg_error(&b, a, "implicit trailer data is not supported in KernelUser mode");

        check_special_types(&b, a, ast);
        check_flags(&b, ast, a);
        a->user_ctype = user_ctype_of(t);
        a->server_ctype = server_ctype_of(t);
        a->by_ref_user = (a->in_reply && t->is_struct) || t->native_pointer;
        /* a translated array is a value of its server type, which does not decay */
        a->by_ref_server = (a->in_reply && (t->is_struct || t->intran || t->outtran || t->destructor)) ||
                           t->native_pointer;
        if (a->in_request || a->in_reply)
            a->ownership = ownership_of(a, s->itf->kernel_server);
        add_companions(&b, a); /* b.args never grows, so `a` stays valid */
        b.prev_array = a;
    }

    if (!have_request_port && b.ok) {
        mg_error(s->diag, rd->name_loc, "%s %s has no request port argument",
                 rd->kind == MG_SIMPLEROUTINE ? "simpleroutine" : "routine", rt->name);
        b.ok = false;
    }
    /* translations the server needs but the type does not provide (MIG warns too) */
    for (uint32_t i = 0; i < b.n; i++) {
        const struct mg_param *a = &b.args[i];
        const struct mg_type *t = a->type;
        if (!t || !t->server_ctype || !t->trans_ctype || strcmp(t->server_ctype, t->trans_ctype) == 0)
            continue;
        if ((a->in_request || a->role == MG_ROLE_REQUEST_PORT) && !t->intran)
            mg_warning(s->diag, a->loc, "missing-translation",
                       "argument '%s' of %s has no in-translation function", a->name, rt->name);
        if (a->in_reply && !t->outtran)
            mg_warning(s->diag, a->loc, "missing-translation",
                       "argument '%s' of %s has no out-translation function", a->name, rt->name);
    }
    /* copy out of the scratch space; pointers between arguments are rebased */
    struct mg_param *out = mg_arena_alloc(s->arena, (b.n ? b.n : 1) * sizeof *out);
    memcpy(out, b.args, b.n * sizeof *out);
#define REBASE(p) ((p) ? out + ((p) - b.args) : NULL)
    for (uint32_t i = 0; i < b.n; i++) {
        struct mg_param *a = &out[i];
        a->parent = REBASE(a->parent);
        a->count = REBASE(a->count);
        a->count_inout = REBASE(a->count_inout);
        a->poly = REBASE(a->poly);
        a->dealloc_arg = REBASE(a->dealloc_arg);
        a->samecount = REBASE(a->samecount);
    }
    rt->request_port = REBASE(rt->request_port);
    rt->reply_port = REBASE(rt->reply_port);
    rt->timeout_arg = REBASE(rt->timeout_arg);
    rt->msgoption_arg = REBASE(rt->msgoption_arg);
#undef REBASE
    rt->args = out;
    rt->nargs = b.n;
    return b.ok;
}
