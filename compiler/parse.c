/* Support for the grammar actions (grammar/parser.y): node construction, constant
 * folding and the wording of parser diagnostics. mg_parse() itself is in parser.y. */
#include <stdint.h>
#include <string.h>

#include "parse_support.h"

struct mg_stmt *mg_ps_stmt(struct mg_pstate *ps, enum mg_stmt_kind kind, struct mg_loc loc)
{
    struct mg_stmt *s = MG_NEW(ps->arena, struct mg_stmt);
    s->kind = kind;
    s->loc = loc;
    if (ps->ast->last)
        ps->ast->last->next = s;
    else
        ps->ast->stmts = s;
    ps->ast->last = s;
    ps->ast->nstmts++;
    return s;
}

unsigned mg_ps_subsys_mod(unsigned mods, unsigned bit, const char *name, struct mg_pstate *ps,
                          struct mg_loc loc)
{
    if (mods & bit)
        mg_warning(ps->diag, loc, "duplicate", "'%s' given twice", name);
    return mods | bit;
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

static const char *const consume_words[] = {"None", "Timeout", "Any", NULL};

bool mg_ps_consume_kind(struct mg_pstate *ps, const char *word, struct mg_loc loc,
                        enum mg_consume_kind *out)
{
    static const enum mg_consume_kind kinds[] = {MG_CONSUME_NONE, MG_CONSUME_TIMEOUT,
                                                 MG_CONSUME_ANY};
    for (size_t i = 0; consume_words[i]; i++) {
        if (ascii_ieq(word, consume_words[i])) {
            *out = kinds[i];
            return true;
        }
    }
    const char *s = mg_ps_suggest(word, consume_words);
    if (s)
        mg_error(ps->diag, loc, "unknown ConsumeOnSendError mode '%s'; did you mean '%s'?", word,
                 s);
    else
        mg_error(ps->diag, loc,
                 "unknown ConsumeOnSendError mode '%s'; expected None, Timeout or Any", word);
    return false;
}

/* ---- constant expressions --------------------------------------------------- */

struct mg_cexpr mg_ps_arith(struct mg_pstate *ps, int op, struct mg_cexpr a, struct mg_cexpr b,
                            struct mg_loc op_loc)
{
    struct mg_cexpr r = {0, false};
    if (!a.ok || !b.ok)
        return r; /* already reported */
    bool overflow;
    switch (op) {
    case '+': overflow = __builtin_add_overflow(a.value, b.value, &r.value); break;
    case '-': overflow = __builtin_sub_overflow(a.value, b.value, &r.value); break;
    case '*': overflow = __builtin_mul_overflow(a.value, b.value, &r.value); break;
    default:
        if (b.value == 0) {
            mg_error(ps->diag, op_loc, "division by zero in constant expression");
            return r;
        }
        overflow = a.value == INT64_MIN && b.value == -1;
        if (!overflow)
            r.value = a.value / b.value;
        break;
    }
    if (overflow) {
        mg_error(ps->diag, op_loc, "integer overflow in constant expression (the result does "
                                   "not fit in 64 bits)");
        r.value = 0;
        return r;
    }
    r.ok = true;
    return r;
}

/* ---- types ------------------------------------------------------------------ */

struct mg_typespec *mg_ps_typespec(struct mg_pstate *ps, enum mg_ts_kind kind, struct mg_loc loc)
{
    struct mg_typespec *t = MG_NEW(ps->arena, struct mg_typespec);
    t->kind = kind;
    t->loc = loc;
    return t;
}

struct mg_typespec *mg_ps_array(struct mg_pstate *ps, enum mg_ts_kind kind, struct mg_loc loc,
                                enum mg_bound_kind bound, const struct mg_cexpr *size,
                                struct mg_loc size_loc, struct mg_typespec *elem)
{
    struct mg_typespec *t = mg_ps_typespec(ps, kind, loc);
    t->u.array.bound = bound;
    t->u.array.size_loc = size_loc;
    t->u.array.elem = elem;
    if (size && size->ok) {
        if (size->value < 0)
            mg_error(ps->diag, size_loc, "array size is negative (%lld)",
                     (long long)size->value);
        else
            t->u.array.size = (uint64_t)size->value;
    }
    return t;
}

struct mg_typespec *mg_ps_native(struct mg_pstate *ps, enum mg_native_kind kind,
                                 struct mg_loc loc, const char *ctype, const char *badvalue)
{
    struct mg_typespec *t = mg_ps_typespec(ps, MG_TS_NATIVE, loc);
    t->u.native.kind = kind;
    t->u.native.ctype = ctype;
    t->u.native.badvalue = badvalue;
    return t;
}

struct mg_typespec *mg_ps_long_form(struct mg_pstate *ps, struct mg_loc loc, const char *name,
                                    struct mg_loc name_loc, const struct mg_cexpr *bits,
                                    struct mg_loc bits_loc, bool has_flags)
{
    bool is_string = strcmp(name, "MACH_MSG_TYPE_STRING") == 0 ||
                     strcmp(name, "MACH_MSG_TYPE_STRING_C") == 0;
    if (is_string && !has_flags && bits->ok && bits->value > 0 && bits->value % 8 == 0) {
        /* GNU headers still use this for fixed strings; it means exactly c_string[N]. */
        mg_warning(ps->diag, loc, "obsolete",
                   "the long-form type '(%s, %lld)' is obsolete; write 'c_string[%lld]'", name,
                   (long long)bits->value, (long long)(bits->value / 8));
        struct mg_cexpr bytes = {bits->value / 8, true};
        return mg_ps_array(ps, MG_TS_CSTRING, loc, MG_BOUND_FIXED, &bytes, bits_loc, NULL);
    }
    mg_error(ps->diag, loc,
             "the long-form type '(%s, SIZE, ...)' is obsolete; write the type name alone (its "
             "size is implied), or c_string[N] / array[N] of T for sized data",
             name);
    struct mg_typespec *t = mg_ps_typespec(ps, MG_TS_NAME, name_loc);
    t->u.name.name = name;
    return t;
}

const char *mg_ps_text(struct mg_pstate *ps, struct mg_span span)
{
    const char *p = ps->src->text + span.loc.offset, *e = ps->src->text + span.end;
    char *out = mg_arena_alloc(ps->arena, (size_t)(e - p) + 1);
    size_t n = 0;
    bool space = false;
    while (p < e) {
        if (p + 1 < e && p[0] == '/' && p[1] == '*') {
            const char *c = p + 2;
            while (c + 1 < e && !(c[0] == '*' && c[1] == '/'))
                c++;
            p = c + 2 <= e ? c + 2 : e;
            space = true;
        } else if (p + 1 < e && p[0] == '/' && p[1] == '/') {
            while (p < e && *p != '\n')
                p++;
            space = true;
        } else if (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '\v' ||
                   *p == '\f') {
            p++;
            space = true;
        } else if (*p == '#' && (n == 0 || space)) {
            while (p < e && *p != '\n') /* a line marker between tokens */
                p++;
            space = true;
        } else {
            if (space && n > 0)
                out[n++] = ' ';
            space = false;
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    return out;
}

struct mg_translation *mg_ps_trans(struct mg_pstate *ps, enum mg_trans_kind kind,
                                   struct mg_loc loc, const char *type, const char *func,
                                   const char *argtype)
{
    struct mg_translation *t = MG_NEW(ps->arena, struct mg_translation);
    t->kind = kind;
    t->loc = loc;
    t->type = type;
    t->func = func;
    t->argtype = argtype;
    return t;
}

/* ---- routines ----------------------------------------------------------------- */

struct mg_routinedecl *mg_ps_routine(struct mg_pstate *ps, enum mg_routine_kind kind,
                                     struct mg_loc loc, const char *name, struct mg_loc name_loc,
                                     const struct mg_arglist *args, const char *doc)
{
    struct mg_routinedecl *r = MG_NEW(ps->arena, struct mg_routinedecl);
    r->kind = kind;
    r->loc = loc;
    r->name = name;
    r->name_loc = name_loc;
    r->args = args->head;
    r->nargs = args->n;
    r->doc = doc;
    return r;
}

/* Says "expected X before 'kw'" unless a syntax error was already reported there. */
static void before_keyword(struct mg_pstate *ps, struct mg_span kw, const char *what,
                           const char *why)
{
    if (ps->any_syntax_error && ps->last_err_file == kw.loc.file &&
        ps->last_err_line == kw.loc.line)
        return;
    ps->any_syntax_error = true;
    ps->last_err_file = kw.loc.file;
    ps->last_err_line = kw.loc.line;
    mg_error(ps->diag, kw.loc, "expected %s before '%.*s'%s", what,
             (int)(kw.end - kw.loc.offset), ps->src->text + kw.loc.offset, why);
}

void mg_ps_missing_semicolon(struct mg_pstate *ps, struct mg_span kw)
{
    before_keyword(ps, kw, "';'", "");
}

void mg_ps_unclosed_args(struct mg_pstate *ps, struct mg_span kw)
{
    ps->in_args = false;
    before_keyword(ps, kw, "')'", " (the argument list is not closed)");
}

static unsigned flag_index(unsigned bit)
{
    unsigned i = 0;
    while (bit > 1u) {
        bit >>= 1;
        i++;
    }
    return i;
}

struct mg_arg *mg_ps_arg(struct mg_pstate *ps, enum mg_arg_kind kind, struct mg_loc loc,
                         const char *name, struct mg_loc name_loc, struct mg_typespec *type,
                         const struct mg_flagnode *flags)
{
    struct mg_arg *a = MG_NEW(ps->arena, struct mg_arg);
    a->kind = kind;
    a->loc = loc;
    a->name = name;
    a->name_loc = name_loc;
    a->type = type;
    for (const struct mg_flagnode *f = flags; f; f = f->next) {
        if (!f->bit)
            continue;
        unsigned i = flag_index(f->bit);
        if (a->flags & f->bit) {
            mg_error(ps->diag, f->loc, "flag '%s' given twice for argument '%s'", f->name, name);
            mg_note(ps->diag, a->flag_loc[i], "first given here");
            continue;
        }
        a->flags |= f->bit;
        a->flag_loc[i] = f->loc;
    }
    return a;
}

static struct mg_flagnode *flag_node(struct mg_pstate *ps, unsigned bit, struct mg_span at)
{
    struct mg_flagnode *f = MG_NEW(ps->arena, struct mg_flagnode);
    f->bit = bit;
    f->loc = at.loc;
    f->name = mg_arena_strndup(ps->arena, ps->src->text + at.loc.offset,
                               at.end - at.loc.offset);
    return f;
}

struct mg_flagnode *mg_ps_flag(struct mg_pstate *ps, unsigned bit, struct mg_span at)
{
    return flag_node(ps, bit, at);
}

struct mg_flagnode *mg_ps_flag_gnu(struct mg_pstate *ps, struct mg_span at)
{
    struct mg_flagnode *f = flag_node(ps, 0, at);
    mg_warning(ps->diag, at.loc, "gnu-extension",
               "'%s' is a GNU MIG flag with no Darwin meaning; ignored", f->name);
    return NULL;
}

struct mg_flagnode *mg_ps_flag_obsolete(struct mg_pstate *ps, struct mg_span at)
{
    struct mg_flagnode *f = flag_node(ps, 0, at);
    mg_error(ps->diag, at.loc,
             "the '%s' flag is obsolete: it belonged to typed Mach messages, which Darwin "
             "does not have; remove it (the type alone decides the layout)",
             f->name);
    return NULL;
}

struct mg_flagnode *mg_ps_flag_unknown(struct mg_pstate *ps, const char *word, struct mg_loc loc)
{
    mg_ps_unknown_word(ps, loc, "flag", word, mg_ps_flag_words());
    return NULL;
}

/* ---- keyword lists and "did you mean" ------------------------------------------ */

static const char *const statement_words[] = {
    "subsystem", "routine", "simpleroutine", "skip", "type", "import", "uimport", "simport",
    "dimport", "iimport", "userprefix", "serverprefix", "serverdemux", "rcsid", "error",
    "msgoption", "waittime", "nowaittime", "sendtime", "nosendtime", "UseSpecialReplyPort",
    "ConsumeOnSendError", "UserTypeLimit", "OnStackLimit", NULL,
};
static const char *const argkind_words[] = {
    "in", "out", "inout", "requestport", "replyport", "sreplyport", "ureplyport", "waittime",
    "sendtime", "msgoption", "msgseqno", "sectoken", "serversectoken", "usersectoken",
    "audittoken", "serveraudittoken", "useraudittoken", "servercontexttoken", "serverimpl",
    "userimpl", NULL,
};
static const char *const typekw_words[] = {
    "array", "struct", "c_string", "PointerTo", "PointerToIfNot", "ValueOf", NULL,
};
static const char *const translation_words[] = {
    "ctype", "cusertype", "cservertype", "intran", "outtran", "destructor", NULL,
};
static const char *const flag_words[] = {
    "dealloc", "notdealloc", "physicalcopy", "overwrite", "countinout", "samecount",
    "retcode", "auto", "const", NULL,
};

const char *const *mg_ps_statement_words(void) { return statement_words; }
const char *const *mg_ps_argkind_words(void) { return argkind_words; }
const char *const *mg_ps_typekw_words(void) { return typekw_words; }
const char *const *mg_ps_translation_words(void) { return translation_words; }
const char *const *mg_ps_flag_words(void) { return flag_words; }

const char *mg_ps_suggest(const char *word, const char *const *words)
{
    size_t n = 0;
    while (words[n])
        n++;
    return mg_spell_suggest(word, (const char *const *)words, n, true);
}

void mg_ps_unknown_word(struct mg_pstate *ps, struct mg_loc loc, const char *what,
                        const char *word, const char *const *words)
{
    if (strlen(word) > 64) { /* hostile input: quote a prefix, no keyword is that long */
        mg_error(ps->diag, loc, "unknown %s '%.60s...'", what, word);
        return;
    }
    for (size_t i = 0; words[i]; i++) {
        if (ascii_ieq(word, words[i])) {
            mg_error(ps->diag, loc, "unknown %s '%s'; '%s' is case-sensitive", what, word,
                     words[i]);
            return;
        }
    }
    const char *s = mg_ps_suggest(word, words);
    if (s)
        mg_error(ps->diag, loc, "unknown %s '%s'; did you mean '%s'?", what, word, s);
    else
        mg_error(ps->diag, loc, "unknown %s '%s'", what, word);
}
