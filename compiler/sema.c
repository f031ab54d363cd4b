/* Semantic analysis driver: walks the statements in order (several options are
 * toggles that apply to the routines after them), assigns message ids, checks
 * interface-wide rules and computes layouts. Linear in the size of the input. */
#include "sema.h"

#include <string.h>

#include "layout.h"
#include "sema_internal.h"

/* ---- symbol table --------------------------------------------------------- */

static uint64_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void mg_symtab_init(struct mg_symtab *t, struct mg_arena *a, uint32_t cap_hint)
{
    uint32_t cap = 16;
    while (cap < cap_hint * 2)
        cap *= 2;
    t->cap = cap;
    t->count = 0;
    t->keys = mg_arena_alloc(a, cap * sizeof *t->keys);
    t->values = mg_arena_alloc(a, cap * sizeof *t->values);
}

void *mg_symtab_get(const struct mg_symtab *t, const char *key)
{
    uint32_t mask = t->cap - 1;
    for (uint32_t i = (uint32_t)hash_str(key) & mask;; i = (i + 1) & mask) {
        if (!t->keys[i])
            return NULL;
        if (strcmp(t->keys[i], key) == 0)
            return t->values[i];
    }
}

static void symtab_grow(struct mg_symtab *t, struct mg_arena *a)
{
    struct mg_symtab n;
    mg_symtab_init(&n, a, t->cap);
    for (uint32_t i = 0; i < t->cap; i++)
        if (t->keys[i])
            mg_symtab_put(&n, a, t->keys[i], t->values[i]);
    *t = n;
}

void *mg_symtab_put(struct mg_symtab *t, struct mg_arena *a, const char *key, void *value)
{
    if ((t->count + 1) * 2 > t->cap)
        symtab_grow(t, a);
    uint32_t mask = t->cap - 1;
    for (uint32_t i = (uint32_t)hash_str(key) & mask;; i = (i + 1) & mask) {
        if (!t->keys[i]) {
            t->keys[i] = key;
            t->values[i] = value;
            t->count++;
            return NULL;
        }
        if (strcmp(t->keys[i], key) == 0) {
            void *old = t->values[i];
            t->values[i] = value;
            return old;
        }
    }
}

/* ---- targets -------------------------------------------------------------- */

static void set_target(struct mg_target *t, const char *arch, enum mg_abi abi,
                       uint32_t context_size)
{
    t->arch = arch;
    t->abi = abi;
    t->pointer_size = abi == MG_ABI_LP64 ? 8 : 4;
    t->port_desc_size = 12;
    t->ool_desc_size = abi == MG_ABI_LP64 ? 16 : 12;
    t->context_size = context_size;
}

void mg_target_default(struct mg_target *t) { set_target(t, "x86_64", MG_ABI_LP64, 8); }

bool mg_target_from_name(const char *arch, struct mg_target *t)
{
    static const struct {
        const char *name;
        enum mg_abi abi;
        uint32_t context_size; /* mach_port_context_t: 64-bit on Intel, vm_offset_t on arm */
    } archs[] = {
        {"x86_64", MG_ABI_LP64, 8},   {"x86_64h", MG_ABI_LP64, 8}, {"arm64", MG_ABI_LP64, 8},
        {"arm64e", MG_ABI_LP64, 8},   {"i386", MG_ABI_ILP32, 8},   {"arm64_32", MG_ABI_ILP32, 4},
        {"armv7k", MG_ABI_ILP32, 4},  {"armv7", MG_ABI_ILP32, 4},  {"armv7s", MG_ABI_ILP32, 4},
        {"armv6", MG_ABI_ILP32, 4},   {"arm", MG_ABI_ILP32, 4},
    };
    if (!arch)
        return false;
    for (size_t i = 0; i < sizeof archs / sizeof archs[0]; i++)
        if (strcmp(arch, archs[i].name) == 0) {
            set_target(t, archs[i].name, archs[i].abi, archs[i].context_size);
            return true;
        }
    return false;
}

const char *mg_msgt_name(int msgt)
{
    switch (msgt) {
    case MG_MSGT_POLYMORPHIC: return "MACH_MSG_TYPE_POLYMORPHIC";
    case MG_MSGT_PORT_NAME: return "MACH_MSG_TYPE_PORT_NAME";
    case MG_MSGT_MOVE_RECEIVE: return "MACH_MSG_TYPE_MOVE_RECEIVE";
    case MG_MSGT_MOVE_SEND: return "MACH_MSG_TYPE_MOVE_SEND";
    case MG_MSGT_MOVE_SEND_ONCE: return "MACH_MSG_TYPE_MOVE_SEND_ONCE";
    case MG_MSGT_COPY_SEND: return "MACH_MSG_TYPE_COPY_SEND";
    case MG_MSGT_MAKE_SEND: return "MACH_MSG_TYPE_MAKE_SEND";
    case MG_MSGT_MAKE_SEND_ONCE: return "MACH_MSG_TYPE_MAKE_SEND_ONCE";
    case MG_MSGT_COPY_RECEIVE: return "MACH_MSG_TYPE_COPY_RECEIVE";
    default: return "?";
    }
}

const char *mg_trailer_elem_name(uint32_t elem)
{
    switch (elem) {
    case MG_TRAILER_NULL: return "NULL";
    case MG_TRAILER_SEQNO: return "SEQNO";
    case MG_TRAILER_SENDER: return "SENDER";
    case MG_TRAILER_AUDIT: return "AUDIT";
    case MG_TRAILER_CTX: return "CTX";
    case MG_TRAILER_AV: return "AV";
    default: return "LABELS";
    }
}

/* ---- statements ----------------------------------------------------------- */

struct options {
    const char *user_prefix, *server_prefix;
    const char *msgoption, *waittime, *sendtime;
    bool special_reply_port;
    enum mg_consume_kind consume;
    int64_t user_type_limit, on_stack_limit;
};

struct routine_entry {
    struct mg_loc loc;
};

static void analyze_routine(struct mg_sema *s, const struct mg_stmt *st, const struct options *o,
                            struct mg_routine *rt, bool *ok)
{
    const struct mg_routinedecl *rd = st->u.routine;
    rt->kind = rd->kind == MG_SIMPLEROUTINE ? MG_RT_SIMPLEROUTINE : MG_RT_ROUTINE;
    rt->name = rd->name;
    rt->loc = rd->name_loc;
    rt->doc = rd->doc;
    rt->user_name = mg_arena_printf(s->arena, "%s%s", o->user_prefix, rd->name);
    rt->server_name = mg_arena_printf(s->arena, "%s%s", o->server_prefix, rd->name);
    rt->msgoption = o->msgoption;
    rt->timeout_kind = o->waittime ? MG_TIMEOUT_WAIT : o->sendtime ? MG_TIMEOUT_SEND
                                                                   : MG_TIMEOUT_NONE;
    rt->timeout = o->waittime ? o->waittime : o->sendtime;
    rt->consume_on_send_error = o->consume;
    rt->user_type_limit = o->user_type_limit;
    rt->on_stack_limit = o->on_stack_limit;

    struct routine_entry *prev = mg_symtab_get(&s->routines, rd->name);
    if (prev) {
        mg_error(s->diag, rd->name_loc, "duplicate routine name '%s'", rd->name);
        mg_note(s->diag, prev->loc, "previous declaration of '%s' is here", rd->name);
        *ok = false;
    } else {
        struct routine_entry *e = MG_NEW(s->arena, struct routine_entry);
        e->loc = rd->name_loc;
        mg_symtab_put(&s->routines, s->arena, rd->name, e);
    }
    if (!mg_sema_routine(s, rd, rt)) {
        *ok = false;
        return;
    }
    if (rt->timeout_arg) {
        rt->timeout_kind = rt->timeout_arg->role == MG_ROLE_WAITTIME ? MG_TIMEOUT_WAIT
                                                                     : MG_TIMEOUT_SEND;
        rt->timeout = rt->timeout_arg->name;
    }
    const struct mg_param *rq = rt->request_port, *rp = rt->reply_port;
    rt->request_remote_disposition = rq->type->in_name;
    if (rp && rp->user_visible)
        rt->request_local_disposition = rp->type->in_name;
    else
        rt->request_local_disposition = rt->kind == MG_RT_ROUTINE ? MG_MSGT_MAKE_SEND_ONCE : 0;
    /* an explicit user-supplied reply port cannot be the special reply port */
    rt->use_special_reply_port = o->special_reply_port && rt->kind == MG_RT_ROUTINE &&
                                 !(rt->reply_port && rt->reply_port->user_visible);
    if (rt->timeout_kind != MG_TIMEOUT_NONE && rt->consume_on_send_error == MG_CONSUME_NONE)
        mg_warning(s->diag, rt->loc, "send-timeout-leak",
                   "%s uses a send timeout, which may leak the request's rights and memory "
                   "when the send times out; adopt \"ConsumeOnSendError Timeout\"",
                   rt->name);
    if (!mg_layout_routine(s->arena, &s->itf->target, rt, s->itf->kernel_server)) {
        mg_error(s->diag, rt->loc, "a message of %s can exceed the Mach message size limit",
                 rt->name);
        *ok = false;
    }
}

static bool check_ids(struct mg_sema *s)
{
    struct mg_interface *itf = s->itf;
    bool ok = true;
    int64_t last = (int64_t)itf->base + (int64_t)itf->nroutines + 100;
    if (itf->nroutines && last > INT32_MAX) {
        mg_error(s->diag, itf->subsystem_loc, "message ids of subsystem %s overflow 32 bits",
                 itf->subsystem);
        return false;
    }
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        struct mg_routine *rt = &itf->routines[i];
        rt->request_id = (int32_t)(itf->base + (int64_t)i);
        rt->reply_id = rt->request_id + 100;
    }
    /* A reply id equals the request id 100 routines later. Replies normally arrive on
     * a separate reply port, so this only breaks a port that multiplexes both (the
     * reference's rule: ids on one receive port must be unique): one warning for the
     * whole interface, not one per routine. */
    const struct mg_routine *first_a = NULL, *first_b = NULL;
    uint32_t collisions = 0;
    for (uint32_t i = 0; i + 100 < itf->nroutines; i++) {
        const struct mg_routine *a = &itf->routines[i], *b = &itf->routines[i + 100];
        if (a->kind == MG_RT_ROUTINE && b->kind != MG_RT_SKIP) {
            if (!collisions++) {
                first_a = a;
                first_b = b;
            }
        }
    }
    if (collisions) {
        mg_warning(s->diag, first_b->loc, "id-collision",
                   "message id %d of %s equals the reply id of %s (%d + 100)%s",
                   (int)first_b->request_id, first_b->name, first_a->name,
                   (int)first_a->request_id,
                   collisions > 1 ? mg_arena_printf(s->arena, ", and %u more routines collide",
                                                    collisions - 1)
                                  : "");
        mg_note(s->diag, first_a->loc,
                "%s declared here; requests and replies can only share a receive port when a "
                "subsystem has at most 100 routines", first_a->name);
    }
    return ok;
}

struct mg_interface *mg_analyze(struct mg_arena *arena, struct mg_diag *diag,
                                const struct mg_ast *ast, const struct mg_target *target)
{
    struct mg_sema s = {.arena = arena, .diag = diag};
    struct mg_interface *itf = MG_NEW(arena, struct mg_interface);
    s.itf = itf;
    if (target)
        itf->target = *target;
    else
        mg_target_default(&itf->target);
    itf->user_prefix = itf->server_prefix = "";

    uint32_t ntypes = 0, nroutines = 0, nimports = 0;
    for (const struct mg_stmt *st = ast->stmts; st; st = st->next) {
        ntypes += st->kind == MG_STMT_TYPE;
        nroutines += st->kind == MG_STMT_ROUTINE || st->kind == MG_STMT_SKIP;
        nimports += st->kind == MG_STMT_IMPORT;
    }
    itf->types = mg_arena_alloc(arena, (ntypes + 1) * sizeof *itf->types);
    itf->routines = mg_arena_alloc(arena, (nroutines + 1) * sizeof *itf->routines);
    itf->imports = mg_arena_alloc(arena, (nimports + 1) * sizeof *itf->imports);
    mg_symtab_init(&s.types, arena, ntypes + 64);
    mg_symtab_init(&s.routines, arena, nroutines + 16);

    struct options o = {.user_prefix = "", .server_prefix = "", .user_type_limit = -1,
                        .on_stack_limit = -1};
    bool ok = true, have_subsystem = false;
    for (const struct mg_stmt *st = ast->stmts; st; st = st->next) {
        switch (st->kind) {
        case MG_STMT_SUBSYSTEM:
            if (have_subsystem) {
                mg_error(diag, st->loc, "more than one subsystem declaration");
                mg_note(diag, itf->subsystem_loc, "subsystem %s declared here", itf->subsystem);
                ok = false;
                break;
            }
            have_subsystem = true;
            itf->subsystem = st->u.subsystem.name;
            itf->subsystem_loc = st->u.subsystem.name_loc;
            if (st->u.subsystem.base < INT32_MIN || st->u.subsystem.base > INT32_MAX) {
                mg_error(diag, st->loc, "subsystem base %lld does not fit a 32-bit message id",
                         (long long)st->u.subsystem.base);
                ok = false;
            }
            itf->base = (int32_t)st->u.subsystem.base;
            itf->kernel_user = st->u.subsystem.kernel_user;
            itf->kernel_server = st->u.subsystem.kernel_server;
            if (o.special_reply_port && (itf->kernel_user || itf->kernel_server)) {
                mg_error(diag, st->loc,
                         "UseSpecialReplyPort cannot be used with KernelUser or KernelServer");
                ok = false;
            }
            break;
        case MG_STMT_ROUTINE: {
            struct mg_routine *rt = &itf->routines[itf->nroutines];
            rt->index = itf->nroutines++;
            if (!st->u.routine || !st->u.routine->name) {
                /* a routine the parser could not recover: it still takes its id */
                rt->kind = MG_RT_SKIP;
                rt->loc = st->loc;
                ok = false;
                break;
            }
            analyze_routine(&s, st, &o, rt, &ok);
            break;
        }
        case MG_STMT_SKIP: {
            struct mg_routine *rt = &itf->routines[itf->nroutines];
            rt->kind = MG_RT_SKIP;
            rt->loc = st->loc;
            rt->index = itf->nroutines++;
            break;
        }
        case MG_STMT_TYPE: {
            unsigned before = diag->errors;
            if (!st->u.type || !st->u.type->name) {
                ok = false;
                break;
            }
            mg_sema_declare_type(&s, st->u.type);
            ok = ok && diag->errors == before;
            break;
        }
        case MG_STMT_IMPORT: {
            struct mg_import *im = &itf->imports[itf->nimports++];
            im->kind = st->u.import.kind;
            im->file = st->u.import.file;
            im->loc = st->loc;
            break;
        }
        case MG_STMT_USERPREFIX: o.user_prefix = itf->user_prefix = st->u.text; break;
        case MG_STMT_SERVERPREFIX: o.server_prefix = itf->server_prefix = st->u.text; break;
        case MG_STMT_SERVERDEMUX: itf->server_demux = st->u.text; break;
        case MG_STMT_RCSID: itf->rcsid = st->u.text; break;
        case MG_STMT_ERROR: itf->error_proc = st->u.text; break;
        case MG_STMT_MSGOPTION:
            o.msgoption = strcmp(st->u.text, "MACH_MSG_OPTION_NONE") == 0 ? NULL : st->u.text;
            break;
        case MG_STMT_WAITTIME: o.waittime = st->u.text; break;
        case MG_STMT_NOWAITTIME: o.waittime = NULL; break;
        case MG_STMT_SENDTIME: o.sendtime = st->u.text; break;
        case MG_STMT_NOSENDTIME: o.sendtime = NULL; break;
        case MG_STMT_USE_SPECIAL_REPLY_PORT:
            o.special_reply_port = st->u.number != 0;
            if (o.special_reply_port && (itf->kernel_user || itf->kernel_server)) {
                mg_error(diag, st->loc,
                         "UseSpecialReplyPort cannot be used with KernelUser or KernelServer");
                ok = false;
            }
            break;
        case MG_STMT_CONSUME_ON_SEND_ERROR: o.consume = st->u.consume; break;
        case MG_STMT_USER_TYPE_LIMIT: o.user_type_limit = st->u.number; break;
        case MG_STMT_ON_STACK_LIMIT: o.on_stack_limit = st->u.number; break;
        }
        if (diag->fatal)
            return NULL;
    }
    if (!have_subsystem) {
        mg_error(diag, mg_noloc, "no subsystem declaration (add 'subsystem NAME BASE;')");
        return NULL;
    }
    if (!itf->server_demux)
        itf->server_demux = mg_arena_printf(arena, "%s_server", itf->subsystem);
    if (!check_ids(&s))
        ok = false;

    itf->max_reply_size = MG_REPLY_ERROR_SIZE;
    for (uint32_t i = 0; i < itf->nroutines; i++) {
        const struct mg_routine *rt = &itf->routines[i];
        if (rt->request.max_size > itf->max_request_size)
            itf->max_request_size = rt->request.max_size;
        if (rt->reply.present && rt->reply.max_size > itf->max_reply_size)
            itf->max_reply_size = rt->reply.max_size;
    }
    if (!ok || mg_diag_errors(diag))
        return NULL;
    return itf;
}
