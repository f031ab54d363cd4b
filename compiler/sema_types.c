/* Type resolution: builtin MACH_MSG_TYPE_* names, declared types, arrays, structs,
 * c_strings, natives and translation clauses, following MIG's type rules. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sema_internal.h"

/* A type whose wire description is too large to express in a message. */
enum { MG_MAX_INLINE_BYTES = 0x7fffffff };

struct builtin {
    const char *name;
    int in_name, out_name;
    uint32_t bits;
    const char *ctype;
};

/* Sizes and names as the Darwin headers define them; ports are 32-bit names. */
static const struct builtin builtins[] = {
    {"MACH_MSG_TYPE_BIT", MG_MSGT_BIT, MG_MSGT_BIT, 1, "unsigned"},
    {"MACH_MSG_TYPE_BOOLEAN", MG_MSGT_BOOLEAN, MG_MSGT_BOOLEAN, 32, "boolean_t"},
    {"MACH_MSG_TYPE_INTEGER_8", MG_MSGT_INTEGER_8, MG_MSGT_INTEGER_8, 8, "int8_t"},
    {"MACH_MSG_TYPE_INTEGER_16", MG_MSGT_INTEGER_16, MG_MSGT_INTEGER_16, 16, "int16_t"},
    {"MACH_MSG_TYPE_INTEGER_32", MG_MSGT_INTEGER_32, MG_MSGT_INTEGER_32, 32, "int32_t"},
    {"MACH_MSG_TYPE_INTEGER_64", MG_MSGT_INTEGER_64, MG_MSGT_INTEGER_64, 64, "int64_t"},
    {"MACH_MSG_TYPE_REAL_32", MG_MSGT_REAL_32, MG_MSGT_REAL_32, 32, "float"},
    {"MACH_MSG_TYPE_REAL_64", MG_MSGT_REAL_64, MG_MSGT_REAL_64, 64, "double"},
    {"MACH_MSG_TYPE_CHAR", MG_MSGT_CHAR, MG_MSGT_CHAR, 8, "char"},
    {"MACH_MSG_TYPE_BYTE", MG_MSGT_BYTE, MG_MSGT_BYTE, 8, "uint8_t"},
    {"MACH_MSG_TYPE_STRING", MG_MSGT_STRING_C, MG_MSGT_STRING_C, 8, "char"},
    {"MACH_MSG_TYPE_STRING_C", MG_MSGT_STRING_C, MG_MSGT_STRING_C, 8, "char"},
    {"MACH_MSG_TYPE_PORT_NAME", MG_MSGT_PORT_NAME, MG_MSGT_PORT_NAME, 32, "mach_port_name_t"},
    {"MACH_MSG_TYPE_MOVE_RECEIVE", MG_MSGT_MOVE_RECEIVE, MG_MSGT_MOVE_RECEIVE, 32, "mach_port_t"},
    {"MACH_MSG_TYPE_COPY_SEND", MG_MSGT_COPY_SEND, MG_MSGT_MOVE_SEND, 32, "mach_port_t"},
    {"MACH_MSG_TYPE_MAKE_SEND", MG_MSGT_MAKE_SEND, MG_MSGT_MOVE_SEND, 32, "mach_port_t"},
    {"MACH_MSG_TYPE_MOVE_SEND", MG_MSGT_MOVE_SEND, MG_MSGT_MOVE_SEND, 32, "mach_port_t"},
    {"MACH_MSG_TYPE_MAKE_SEND_ONCE", MG_MSGT_MAKE_SEND_ONCE, MG_MSGT_MOVE_SEND_ONCE, 32,
     "mach_port_t"},
    {"MACH_MSG_TYPE_MOVE_SEND_ONCE", MG_MSGT_MOVE_SEND_ONCE, MG_MSGT_MOVE_SEND_ONCE, 32,
     "mach_port_t"},
    /* receive-side names: the sender's disposition is chosen at run time */
    {"MACH_MSG_TYPE_PORT_RECEIVE", MG_MSGT_POLYMORPHIC, MG_MSGT_MOVE_RECEIVE, 32, "mach_port_t"},
    {"MACH_MSG_TYPE_PORT_SEND", MG_MSGT_POLYMORPHIC, MG_MSGT_MOVE_SEND, 32, "mach_port_t"},
    {"MACH_MSG_TYPE_PORT_SEND_ONCE", MG_MSGT_POLYMORPHIC, MG_MSGT_MOVE_SEND_ONCE, 32,
     "mach_port_t"},
    {"MACH_MSG_TYPE_POLYMORPHIC", MG_MSGT_POLYMORPHIC, MG_MSGT_POLYMORPHIC, 32, "mach_port_t"},
};

static bool is_port_name(int n)
{
    return n == MG_MSGT_POLYMORPHIC || (n >= MG_MSGT_MOVE_RECEIVE && n <= MG_MSGT_MAKE_SEND_ONCE);
}

/* The right a receiver gets for a concrete send disposition. */
static int received_right(int disp)
{
    switch (disp) {
    case MG_MSGT_MOVE_RECEIVE: return MG_MSGT_MOVE_RECEIVE;
    case MG_MSGT_MOVE_SEND:
    case MG_MSGT_COPY_SEND:
    case MG_MSGT_MAKE_SEND: return MG_MSGT_MOVE_SEND;
    case MG_MSGT_MOVE_SEND_ONCE:
    case MG_MSGT_MAKE_SEND_ONCE: return MG_MSGT_MOVE_SEND_ONCE;
    default: return disp;
    }
}

static const struct builtin *find_builtin(const char *name)
{
    if (strcasecmp(name, "polymorphic") == 0)
        return &builtins[sizeof builtins / sizeof builtins[0] - 1];
    if (strncmp(name, "MACH_MSG_TYPE_", 14) != 0)
        return NULL;
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(builtins[i].name, name) == 0)
            return &builtins[i];
    return NULL;
}

static struct mg_type *new_type(struct mg_sema *s, const char *name, struct mg_loc loc)
{
    struct mg_type *t = MG_NEW(s->arena, struct mg_type);
    t->name = name;
    t->loc = loc;
    t->number = 1;
    t->count_multiplier = 1;
    return t;
}

/* A derived type keeps the wire description but never the C names or translations
 * of what it was built from (MIG resets them on every derivation). */
static struct mg_type *derive(struct mg_sema *s, const struct mg_type *old, struct mg_loc loc)
{
    struct mg_type *t = MG_NEW(s->arena, struct mg_type);
    *t = *old;
    t->name = NULL;
    t->doc = NULL;
    t->declared = false;
    t->loc = loc;
    t->element = old;
    t->user_ctype = t->server_ctype = t->trans_ctype = NULL;
    t->intran = t->outtran = t->destructor = NULL;
    return t;
}

static const struct mg_type *from_builtin(struct mg_sema *s, const struct builtin *b,
                                          struct mg_loc loc)
{
    struct mg_type *t = new_type(s, b->name, loc);
    t->in_name = b->in_name;
    t->out_name = b->out_name;
    t->elem_bits = b->bits;
    t->is_struct = true;
    t->user_ctype = t->server_ctype = t->trans_ctype = b->ctype;
    if (b->in_name == MG_MSGT_STRING_C) {
        t->is_struct = false;
        t->string = true;
    }
    if (is_port_name(b->in_name)) {
        t->wire = MG_WIRE_PORT;
        t->kpd_count = 1;
    }
    return t;
}

/* GNU MIG knows the C names int, short and char without a declaration (GNU's own
 * std_types.defs uses them undeclared). Only consulted when no declaration exists,
 * so Darwin headers, which declare them, are unaffected. Apple's mig rejects such a
 * file, so the first use of each name is a warning. */
static const struct mg_type *implicit_c_type(struct mg_sema *s, const struct mg_typespec *ts)
{
    static const struct builtin implicit[] = {
        {"int", MG_MSGT_INTEGER_32, MG_MSGT_INTEGER_32, 32, "int"},
        {"short", MG_MSGT_INTEGER_16, MG_MSGT_INTEGER_16, 16, "short"},
        {"char", MG_MSGT_CHAR, MG_MSGT_CHAR, 8, "char"},
    };
    for (size_t i = 0; i < sizeof implicit / sizeof implicit[0]; i++) {
        if (strcmp(ts->u.name.name, implicit[i].name) != 0)
            continue;
        if (!(s->implicit_warned & (1u << i))) {
            s->implicit_warned |= 1u << i;
            mg_warning(s->diag, ts->loc, "gnu-extension",
                       "type '%s' is used without a declaration: GNU MIG predefines it, "
                       "Apple's mig does not (declare it, e.g. #include <mach/std_types.defs>)",
                       implicit[i].name);
        }
        return from_builtin(s, &implicit[i], ts->loc);
    }
    return NULL;
}

static const struct mg_type *resolve_name(struct mg_sema *s, const struct mg_typespec *ts)
{
    const char *name = ts->u.name.name;
    if (!name)
        return NULL; /* only after a syntax error the parser reported */
    if (strcmp(name, "MACH_MSG_TYPE_COPY_RECEIVE") == 0) {
        mg_error(s->diag, ts->loc,
                 "MACH_MSG_TYPE_COPY_RECEIVE is not a valid disposition: a receive right "
                 "can only be moved");
        return NULL;
    }
    if (strcmp(name, "MACH_MSG_TYPE_UNSTRUCTURED") == 0) {
        mg_error(s->diag, ts->loc, "MACH_MSG_TYPE_UNSTRUCTURED has no size; declare the "
                                   "data with a sized type instead");
        return NULL;
    }
    const struct builtin *b = find_builtin(name);
    if (b)
        return from_builtin(s, b, ts->loc);
    const struct mg_type_entry *e = mg_symtab_get(&s->types, name);
    if (e)
        return e->type;
    const struct mg_type *c = implicit_c_type(s, ts);
    if (c)
        return c;
    const char *best = mg_spell_suggest(name, s->type_names, s->ntype_names, false);
    if (!best && strncmp(name, "MACH_MSG_TYPE_", 14) == 0) {
        static const char *const names[] = {
            "MACH_MSG_TYPE_BIT", "MACH_MSG_TYPE_BOOLEAN", "MACH_MSG_TYPE_INTEGER_8",
            "MACH_MSG_TYPE_INTEGER_16", "MACH_MSG_TYPE_INTEGER_32", "MACH_MSG_TYPE_INTEGER_64",
            "MACH_MSG_TYPE_REAL_32", "MACH_MSG_TYPE_REAL_64", "MACH_MSG_TYPE_CHAR",
            "MACH_MSG_TYPE_BYTE", "MACH_MSG_TYPE_STRING_C", "MACH_MSG_TYPE_PORT_NAME",
            "MACH_MSG_TYPE_MOVE_RECEIVE", "MACH_MSG_TYPE_COPY_SEND", "MACH_MSG_TYPE_MAKE_SEND",
            "MACH_MSG_TYPE_MOVE_SEND", "MACH_MSG_TYPE_MAKE_SEND_ONCE",
            "MACH_MSG_TYPE_MOVE_SEND_ONCE", "MACH_MSG_TYPE_PORT_RECEIVE",
            "MACH_MSG_TYPE_PORT_SEND", "MACH_MSG_TYPE_PORT_SEND_ONCE",
            "MACH_MSG_TYPE_POLYMORPHIC"};
        best = mg_spell_suggest(name, names, sizeof names / sizeof names[0], false);
    }
    if (best)
        mg_error(s->diag, ts->loc, "unknown type '%s'; did you mean '%s'?", name, best);
    else
        mg_error(s->diag, ts->loc, "unknown type '%s'", name);
    return NULL;
}

static const struct mg_type *resolve_pair(struct mg_sema *s, const struct mg_typespec *ts)
{
    const struct mg_typespec *a = ts->u.pair.send, *b = ts->u.pair.recv;
    if (!a || !b || !a->u.name.name || !b->u.name.name)
        return NULL;
    if (a->kind != MG_TS_NAME || b->kind != MG_TS_NAME ||
        !find_builtin(a->u.name.name) || !find_builtin(b->u.name.name)) {
        mg_error(s->diag, ts->loc, "both sides of '|' must be MACH_MSG_TYPE_* names");
        return NULL;
    }
    const struct builtin *ba = find_builtin(a->u.name.name), *bb = find_builtin(b->u.name.name);
    if (ba->bits != bb->bits) {
        mg_error(s->diag, ts->loc, "sizes in '%s | %s' differ (%u and %u bits)", ba->name,
                 bb->name, ba->bits, bb->bits);
        return NULL;
    }
    bool pa = is_port_name(ba->in_name), pb = is_port_name(bb->out_name);
    if (pa != pb) {
        mg_error(s->diag, ts->loc, "'%s | %s' mixes a port right with plain data", ba->name,
                 bb->name);
        return NULL;
    }
    if (pa && ba->in_name != MG_MSGT_POLYMORPHIC && bb->out_name != MG_MSGT_POLYMORPHIC &&
        received_right(ba->in_name) != bb->out_name) {
        static const char *const rights[] = {"a receive right", "a send right",
                                             "a send-once right"};
        mg_error(s->diag, ts->loc, "impossible disposition: sending with %s delivers %s, not %s",
                 ba->name, rights[received_right(ba->in_name) - MG_MSGT_MOVE_RECEIVE],
                 rights[bb->out_name - MG_MSGT_MOVE_RECEIVE]);
        return NULL;
    }
    struct mg_type *t = (struct mg_type *)from_builtin(s, ba, ts->loc);
    t->out_name = bb->out_name;
    t->name = mg_arena_printf(s->arena, "%s | %s", ba->name, bb->name);
    return t;
}

static bool check_bound(struct mg_sema *s, const struct mg_typespec *ts, bool zero_ok)
{
    uint64_t n = ts->u.array.size;
    if (n == 0 && !zero_ok) {
        mg_error(s->diag, ts->u.array.size_loc, "array bound must be positive");
        return false;
    }
    if (n > (uint64_t)MG_MAX_INLINE_BYTES) {
        mg_error(s->diag, ts->u.array.size_loc,
                 "array bound %llu is negative or too large for a Mach message",
                 (unsigned long long)n);
        return false;
    }
    return true;
}

static bool check_inline_size(struct mg_sema *s, struct mg_type *t, struct mg_loc loc)
{
    if (t->wire == MG_WIRE_INLINE && mg_type_bytes(t) > MG_MAX_INLINE_BYTES) {
        mg_error(s->diag, loc, "type is %llu bytes, too large to carry inline in a message",
                 (unsigned long long)mg_type_bytes(t));
        return false;
    }
    return true;
}

static const struct mg_type *resolve_array(struct mg_sema *s, const struct mg_typespec *ts)
{
    const struct mg_type *old = mg_sema_resolve(s, ts->u.array.elem, NULL);
    if (!old)
        return NULL;
    enum mg_bound_kind bound = ts->u.array.bound;
    if (bound != MG_BOUND_UNBOUNDED && !check_bound(s, ts, false))
        return NULL;
    uint64_t n = bound == MG_BOUND_UNBOUNDED ? 0 : ts->u.array.size;
    struct mg_type *t = derive(s, old, ts->loc);
    if (old->var_array) {
        mg_error(s->diag, ts->loc, "an array of variable-length arrays cannot be sent");
        return NULL;
    }
    if (old->native) {
        mg_error(s->diag, ts->loc, "an array of native C types cannot be sent");
        return NULL;
    }
    /* counts are in elements of the array: a struct, a string or a fixed inline array
     * element is several base elements (an array of ports stays one per port) */
    bool counted_whole = old->is_struct || old->string ||
                         (old->wire == MG_WIRE_INLINE && !old->var_array && old->number > 1);
    t->count_multiplier = counted_whole ? (uint32_t)old->number : 1;
    if (old->wire == MG_WIRE_OOL || old->wire == MG_WIRE_OOL_PORTS) {
        /* an array of out-of-line regions: one descriptor each */
        if (bound != MG_BOUND_FIXED || old->kpd_count != 1) {
            mg_error(s->diag, ts->loc,
                     "only fixed-size arrays of out-of-line data are supported");
            return NULL;
        }
        t->kpd_count = (uint32_t)n;
        t->is_struct = false;
        t->string = false;
        return t;
    }
    t->string = false;
    if (bound == MG_BOUND_FIXED) {
        t->number = old->number * n;
        t->is_struct = false;
        if (old->wire == MG_WIRE_PORT)
            t->kpd_count = (uint32_t)(old->kpd_count * n);
    } else if (bound == MG_BOUND_VARIABLE) {
        t->number = old->number * n;
        t->is_struct = false;
        t->var_array = true;
        /* ports: all N descriptors travel, the count says how many are used */
        if (old->wire == MG_WIRE_PORT)
            t->kpd_count = (uint32_t)(old->kpd_count * n);
    } else {
        /* unbounded: a C array to the user, an OOL region on the wire */
        t->number = 0;
        t->var_array = true;
        t->mig_inline = true;
        t->is_struct = true;
        t->kpd_count = 1;
        t->wire = old->wire == MG_WIRE_PORT ? MG_WIRE_OOL_PORTS : MG_WIRE_OOL;
    }
    if (!check_inline_size(s, t, ts->loc))
        return NULL;
    return t;
}

static const struct mg_type *resolve_pointer(struct mg_sema *s, const struct mg_typespec *ts)
{
    const struct mg_type *old = mg_sema_resolve(s, ts->u.pointer.target, NULL);
    if (!old)
        return NULL;
    if ((old->wire == MG_WIRE_OOL || old->wire == MG_WIRE_OOL_PORTS) && !old->mig_inline) {
        mg_error(s->diag, ts->loc, "type is already out-of-line");
        return NULL;
    }
    if (old->native) {
        mg_error(s->diag, ts->loc, "this type cannot be sent out-of-line");
        return NULL;
    }
    struct mg_type *t = derive(s, old, ts->loc);
    t->wire = (old->wire == MG_WIRE_PORT || old->wire == MG_WIRE_OOL_PORTS) ? MG_WIRE_OOL_PORTS
                                                                          : MG_WIRE_OOL;
    t->is_struct = true;
    t->string = false;
    t->mig_inline = false;
    t->kpd_count = 1;
    /* counts stay in units of the array's element, not of the whole array */
    bool is_array = old->var_array || (!old->is_struct && !old->string);
    t->element = is_array && old->element ? old->element : old;
    return t;
}

/* GNU MIG's `struct { T a; U b; }`: carried as the bytes of the C struct, laid out
 * with natural alignment (8-byte fields align to 4 on ILP32 targets). */
static const struct mg_type *resolve_field_struct(struct mg_sema *s,
                                                  const struct mg_typespec *ts)
{
    uint64_t size = 0, max_align = 1;
    uint64_t cap = s->itf->target.abi == MG_ABI_LP64 ? 8 : 4;
    for (const struct mg_field *f = ts->u.array.fields; f; f = f->next) {
        const struct mg_type *ft = mg_sema_resolve(s, f->type, NULL);
        if (!ft)
            return NULL;
        if (ft->wire != MG_WIRE_INLINE || ft->var_array || ft->native) {
            mg_error(s->diag, f->loc, "struct field '%s' must be fixed-size inline data",
                     f->name);
            return NULL;
        }
        uint64_t align = (ft->elem_bits + 7) / 8;
        if (align > cap)
            align = cap;
        if (align == 0)
            align = 1;
        size = (size + align - 1) / align * align + mg_type_bytes(ft);
        if (align > max_align)
            max_align = align;
    }
    struct mg_type *t = new_type(s, "struct", ts->loc);
    t->in_name = t->out_name = MG_MSGT_BYTE;
    t->elem_bits = 8;
    t->number = (size + max_align - 1) / max_align * max_align;
    t->is_struct = true;
    if (!check_inline_size(s, t, ts->loc))
        return NULL;
    return t;
}

static const struct mg_type *resolve_struct(struct mg_sema *s, const struct mg_typespec *ts)
{
    if (ts->u.array.fields)
        return resolve_field_struct(s, ts);
    const struct mg_type *old = mg_sema_resolve(s, ts->u.array.elem, NULL);
    if (!old)
        return NULL;
    if (!check_bound(s, ts, false))
        return NULL;
    if (old->wire != MG_WIRE_INLINE || old->var_array || old->native) {
        mg_error(s->diag, ts->loc, "struct elements must be fixed-size inline data");
        return NULL;
    }
    struct mg_type *t = derive(s, old, ts->loc);
    t->number = old->number * ts->u.array.size;
    t->is_struct = true;
    t->string = false;
    if (!check_inline_size(s, t, ts->loc))
        return NULL;
    return t;
}

static const struct mg_type *resolve_cstring(struct mg_sema *s, const struct mg_typespec *ts)
{
    if (ts->u.array.bound == MG_BOUND_UNBOUNDED) {
        mg_error(s->diag, ts->loc, "c_string needs a bound: c_string[N] or c_string[*:N]");
        return NULL;
    }
    if (!check_bound(s, ts, false))
        return NULL;
    struct mg_type *t = new_type(s, "c_string", ts->loc);
    t->in_name = t->out_name = MG_MSGT_STRING_C;
    t->elem_bits = 8;
    t->number = ts->u.array.size;
    t->var_array = ts->u.array.bound == MG_BOUND_VARIABLE;
    t->string = true;
    t->user_ctype = t->server_ctype = t->trans_ctype = "char";
    return t;
}

static const struct mg_type *resolve_native(struct mg_sema *s, const struct mg_typespec *ts)
{
    if (!ts->u.native.ctype)
        return NULL;
    struct mg_type *t = new_type(s, ts->u.native.ctype, ts->loc);
    t->in_name = t->out_name = MG_MSGT_BYTE;
    t->elem_bits = 0;
    t->native = true;
    t->is_struct = true;
    t->native_pointer = ts->u.native.kind != MG_NATIVE_VALUE_OF;
    t->native_badvalue = ts->u.native.badvalue;
    t->user_ctype = t->server_ctype = t->trans_ctype = ts->u.native.ctype;
    return t;
}

const struct mg_type *mg_sema_resolve(struct mg_sema *s, const struct mg_typespec *ts,
                                      const char *name)
{
    (void)name;
    if (!ts)
        return NULL;
    switch (ts->kind) {
    case MG_TS_NAME: return resolve_name(s, ts);
    case MG_TS_PAIR: return resolve_pair(s, ts);
    case MG_TS_ARRAY: return resolve_array(s, ts);
    case MG_TS_POINTER: return resolve_pointer(s, ts);
    case MG_TS_STRUCT: return resolve_struct(s, ts);
    case MG_TS_CSTRING: return resolve_cstring(s, ts);
    case MG_TS_NATIVE: return resolve_native(s, ts);
    }
    return NULL;
}

/* Sets *slot to value, warning like MIG when a clause contradicts an earlier one. */
static void set_cname(struct mg_sema *s, const struct mg_translation *tr, const char **slot,
                      const char *value, const char *what)
{
    if (*slot && strcmp(*slot, value) != 0)
        mg_warning(s->diag, tr->loc, "conflicting-translation", "conflicting %s ('%s' and '%s')",
                   what, *slot, value);
    *slot = value;
}

static void apply_translations(struct mg_sema *s, struct mg_type *t,
                               const struct mg_translation *tr)
{
    for (; tr; tr = tr->next) {
        switch (tr->kind) {
        case MG_TRANS_CTYPE:
            set_cname(s, tr, &t->user_ctype, tr->type, "user types");
            set_cname(s, tr, &t->server_ctype, tr->type, "server types");
            break;
        case MG_TRANS_CUSERTYPE: set_cname(s, tr, &t->user_ctype, tr->type, "user types"); break;
        case MG_TRANS_CSERVERTYPE:
            set_cname(s, tr, &t->server_ctype, tr->type, "server types");
            break;
        case MG_TRANS_INTRAN:
            set_cname(s, tr, &t->trans_ctype, tr->type, "translation types");
            set_cname(s, tr, &t->intran, tr->func, "in-translation functions");
            if (tr->argtype)
                set_cname(s, tr, &t->server_ctype, tr->argtype, "server types");
            break;
        case MG_TRANS_OUTTRAN:
            set_cname(s, tr, &t->server_ctype, tr->type, "server types");
            set_cname(s, tr, &t->outtran, tr->func, "out-translation functions");
            if (tr->argtype)
                set_cname(s, tr, &t->trans_ctype, tr->argtype, "translation types");
            break;
        case MG_TRANS_DESTRUCTOR:
            set_cname(s, tr, &t->destructor, tr->func, "destructor functions");
            if (tr->type)
                set_cname(s, tr, &t->trans_ctype, tr->type, "translation types");
            break;
        case MG_TRANS_INTRANPAYLOAD:
            mg_warning(s->diag, tr->loc, "unsupported",
                       "'intranpayload' has no meaning for Darwin interfaces; ignored");
            break;
        }
    }
}

static void remember_name(struct mg_sema *s, const char *name)
{
    if (s->ntype_names == s->cap_type_names) {
        uint32_t cap = s->cap_type_names ? s->cap_type_names * 2 : 64;
        const char **n = mg_arena_alloc(s->arena, cap * sizeof *n);
        if (s->ntype_names)
            memcpy(n, s->type_names, s->ntype_names * sizeof *n);
        s->type_names = n;
        s->cap_type_names = cap;
    }
    s->type_names[s->ntype_names++] = name;
}

const struct mg_type *mg_sema_named_type(struct mg_sema *s, const struct mg_typedecl *td)
{
    if (find_builtin(td->name) || strcmp(td->name, "MACH_MSG_TYPE_COPY_RECEIVE") == 0) {
        mg_error(s->diag, td->name_loc, "'%s' is a builtin type name and cannot be redefined",
                 td->name);
        return NULL;
    }
    const struct mg_type *base = mg_sema_resolve(s, td->spec, td->name);
    if (!base)
        return NULL;
    struct mg_type *t = derive(s, base, td->loc);
    t->element = base->element; /* a plain copy, not a new level */
    t->name = td->name;
    t->doc = td->doc;
    t->declared = true;
    apply_translations(s, t, td->trans);
    if (t->var_array && (t->intran || t->outtran || t->destructor)) {
        mg_error(s->diag, td->name_loc, "'%s': variable-sized arrays cannot be translated or "
                                        "destroyed", td->name);
        return NULL;
    }
    if (t->kpd_count > 1 && (t->intran || t->outtran || t->destructor)) {
        /* each element travels in its own descriptor: no one C value to translate */
        mg_error(s->diag, td->name_loc, "'%s': arrays of ports or of out-of-line regions cannot be "
                                        "translated or destroyed", td->name);
        return NULL;
    }
    if (base->native) /* MIG names the native C type itself, not the .defs name */
        t->user_ctype = t->server_ctype = t->trans_ctype = base->user_ctype;
    if (!t->user_ctype)
        t->user_ctype = td->name;
    if (!t->server_ctype)
        t->server_ctype = td->name;
    if (!t->trans_ctype)
        t->trans_ctype = t->server_ctype;
    return t;
}

void mg_sema_declare_type(struct mg_sema *s, const struct mg_typedecl *td)
{
    const struct mg_type *t = mg_sema_named_type(s, td);
    if (!t)
        return;

    struct mg_type_entry *e = MG_NEW(s->arena, struct mg_type_entry);
    e->type = t;
    e->loc = td->name_loc;
    struct mg_type_entry *prev = mg_symtab_put(&s->types, s->arena, td->name, e);
    if (prev) {
        /* MIG accepts redefinitions (the later one wins) and the Darwin headers rely on
         * it, so this is a warning, not an error. */
        mg_warning(s->diag, td->name_loc, "type-redefinition",
                   "type '%s' redefined; overriding the previous definition", td->name);
        mg_note(s->diag, prev->loc, "previous definition of '%s' is here", td->name);
    } else {
        remember_name(s, td->name);
    }
    struct mg_interface *itf = s->itf;
    itf->types[itf->ntypes++] = t;
}
