/* Lexer for preprocessed .defs text (re2c).
 *
 * The whole buffer is in memory and NUL-terminated; the end is found by a bounds
 * check on the NUL sentinel, so NUL bytes inside the text are ordinary (invalid)
 * characters. Keywords are matched here: case-insensitively like MIG, except the
 * handful MIG spells case-sensitively. cpp line markers move the logical position;
 * comments are skipped but the last one that starts a line is remembered as the
 * doc comment of a following routine or type. */
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "pstate.h"

typedef MG_YYSTYPE yystype_t;

struct mg_loc mg_lexer_loc(const struct mg_pstate *ps, const unsigned char *p)
{
    struct mg_loc l;
    l.file = ps->file;
    l.line = ps->line;
    l.col = (uint32_t)(p - ps->line_start) + 1;
    l.offset = (uint32_t)(p - ps->buf);
    return l;
}

void mg_lexer_init(struct mg_pstate *ps)
{
    ps->buf = (const unsigned char *)ps->src->text;
    ps->cur = ps->buf;
    ps->lim = ps->buf + ps->src->len;
    ps->mar = ps->tok = ps->buf;
    ps->line_start = ps->buf;
    ps->file = 0;
    ps->line = 1;
    ps->bol = true;
    ps->mode = MG_LEX_NORMAL;
    ps->doc_valid = false;
}

static bool at_end(const struct mg_pstate *ps, const unsigned char *p)
{
    return p >= ps->lim;
}

/* Called with p on a '\n' that has just been consumed (p points after it). */
static void newline(struct mg_pstate *ps, const unsigned char *after)
{
    ps->line++;
    ps->line_start = after;
    ps->bol = true;
}

static void set_span(const struct mg_pstate *ps, struct mg_span *lloc, const unsigned char *b,
                     const unsigned char *e)
{
    lloc->loc = mg_lexer_loc(ps, b);
    lloc->end = (uint32_t)(e - ps->buf);
}

/* ---- comments ------------------------------------------------------------ */

/* Remembers [b, e) as the doc comment candidate, or extends a run of // lines. */
static void note_comment(struct mg_pstate *ps, const unsigned char *b, const unsigned char *e,
                         bool is_line, bool started_line, uint32_t first_line)
{
    if (!started_line) {
        ps->doc_valid = false; /* a trailing comment documents what precedes it */
        return;
    }
    if (is_line && ps->doc_valid && ps->doc_is_line && ps->doc_file == ps->file &&
        ps->doc_last_line + 1 == first_line) {
        ps->doc_end = e;
        ps->doc_last_line = ps->line;
        return;
    }
    ps->doc_begin = b;
    ps->doc_end = e;
    ps->doc_is_line = is_line;
    ps->doc_file = ps->file;
    ps->doc_last_line = ps->line;
    ps->doc_valid = true;
}

/* Skips a block comment whose "/" "*" ends at ps->cur. False if unterminated. */
static bool skip_block_comment(struct mg_pstate *ps)
{
    const unsigned char *b = ps->tok;
    bool started_line = ps->bol;
    uint32_t first_line = ps->line;
    const unsigned char *p = ps->cur;
    for (;;) {
        if (at_end(ps, p)) {
            ps->cur = p;
            return false;
        }
        if (*p == '*' && p + 1 < ps->lim && p[1] == '/') {
            p += 2;
            break;
        }
        if (*p == '\n')
            newline(ps, p + 1);
        p++;
    }
    ps->cur = p;
    ps->bol = false;
    note_comment(ps, b, p, false, started_line, first_line);
    return true;
}

static void skip_line_comment(struct mg_pstate *ps)
{
    const unsigned char *b = ps->tok;
    bool started_line = ps->bol;
    const unsigned char *p = ps->cur;
    while (!at_end(ps, p) && *p != '\n')
        p++;
    ps->cur = p;
    ps->bol = false;
    note_comment(ps, b, p, true, started_line, ps->line);
}

/* Strips comment markers and per-line " * " decoration; trims blank edges. */
static const char *doc_text(struct mg_pstate *ps)
{
    const unsigned char *b = ps->doc_begin, *e = ps->doc_end;
    size_t cap = (size_t)(e - b) + 1;
    char *out = mg_arena_alloc(ps->arena, cap);
    size_t n = 0;
    if (!ps->doc_is_line) {
        b += 2;
        while (b < e && *b == '*')
            b++;
        e -= 2;
        while (e > b && e[-1] == '*')
            e--;
    }
    const unsigned char *p = b;
    while (p < e) {
        const unsigned char *le = p;
        while (le < e && *le != '\n')
            le++;
        const unsigned char *s = p;
        while (s < le && (*s == ' ' || *s == '\t' || *s == '\r'))
            s++;
        if (ps->doc_is_line) {
            if (s + 1 < le && s[0] == '/' && s[1] == '/') {
                s += 2;
                while (s < le && *s == '/')
                    s++;
            }
        } else if (s < le && *s == '*') {
            s++;
        }
        if (s < le && (*s == ' ' || *s == '\t'))
            s++;
        const unsigned char *t = le;
        while (t > s && (t[-1] == ' ' || t[-1] == '\t' || t[-1] == '\r'))
            t--;
        if (n > 0 || t > s) { /* drop leading blank lines */
            memcpy(out + n, s, (size_t)(t - s));
            n += (size_t)(t - s);
            out[n++] = '\n';
        }
        p = le < e ? le + 1 : le;
    }
    while (n > 0 && out[n - 1] == '\n')
        n--;
    out[n] = '\0';
    return n ? out : NULL;
}

/* ---- preprocessor lines ---------------------------------------------------- */

static void skip_rest_of_line(struct mg_pstate *ps)
{
    while (!at_end(ps, ps->cur) && *ps->cur != '\n')
        ps->cur++;
}

static bool is_hspace(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

static bool word_is(const unsigned char *p, const unsigned char *lim, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(lim - p) < n || memcmp(p, w, n) != 0)
        return false;
    p += n;
    return p >= lim || !((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                         (*p >= '0' && *p <= '9') || *p == '_');
}

/* Decodes the quoted file name of a line marker (cpp escapes \\ \" and octal). */
static uint32_t marker_file(struct mg_pstate *ps, const unsigned char *q, const unsigned char *e)
{
    char stackbuf[512];
    size_t cap = (size_t)(e - q);
    char *name = cap <= sizeof stackbuf ? stackbuf : mg_arena_alloc(ps->arena, cap);
    size_t n = 0;
    while (q < e) {
        if (*q == '\\' && q + 1 < e) {
            q++;
            if (*q >= '0' && *q <= '7') {
                unsigned v = 0;
                for (int k = 0; k < 3 && q < e && *q >= '0' && *q <= '7'; k++, q++)
                    v = v * 8 + (unsigned)(*q - '0');
                name[n++] = (char)(v & 0xff);
                continue;
            }
        }
        name[n++] = (char)*q++;
    }
    return mg_source_file(ps->src, name, n);
}

/* A '#' at the start of a line: a line marker, an ignored pragma/ident, or an error. */
static void directive(struct mg_pstate *ps)
{
    const unsigned char *hash = ps->tok;
    const unsigned char *p = ps->cur;
    while (!at_end(ps, p) && is_hspace(*p))
        p++;
    if (word_is(p, ps->lim, "line")) {
        p += 4;
        while (!at_end(ps, p) && is_hspace(*p))
            p++;
    } else if (at_end(ps, p) || *p == '\n') {
        ps->cur = p; /* the null directive */
        return;
    } else if (word_is(p, ps->lim, "pragma") || word_is(p, ps->lim, "ident") ||
               word_is(p, ps->lim, "sccs")) {
        ps->cur = p;
        skip_rest_of_line(ps);
        return;
    }
    if (at_end(ps, p) || *p < '0' || *p > '9') {
        const unsigned char *w = p;
        while (!at_end(ps, w) && ((*w >= 'a' && *w <= 'z') || (*w >= 'A' && *w <= 'Z') ||
                                  *w == '_'))
            w++;
        if (w > p)
            mg_error(ps->diag, mg_lexer_loc(ps, hash),
                     "preprocessor directive '#%.*s' in input; machgen reads preprocessed text "
                     "(run the C preprocessor first)",
                     (int)(w - p > 40 ? 40 : w - p), (const char *)p);
        else
            mg_error(ps->diag, mg_lexer_loc(ps, hash),
                     "invalid preprocessor line; expected a line marker '# LINE \"FILE\"'");
        ps->cur = p;
        skip_rest_of_line(ps);
        return;
    }
    uint64_t n = 0;
    while (!at_end(ps, p) && *p >= '0' && *p <= '9') {
        if (n < UINT32_MAX)
            n = n * 10 + (uint64_t)(*p - '0');
        p++;
    }
    if (n >= UINT32_MAX)
        n = UINT32_MAX - 1;
    while (!at_end(ps, p) && is_hspace(*p))
        p++;
    uint32_t file = ps->file;
    if (!at_end(ps, p) && *p == '"') {
        const unsigned char *q = ++p;
        while (!at_end(ps, p) && *p != '"' && *p != '\n') {
            if (*p == '\\' && p + 1 < ps->lim && p[1] != '\n')
                p++;
            p++;
        }
        if (at_end(ps, p) || *p != '"') {
            mg_error(ps->diag, mg_lexer_loc(ps, q - 1), "unterminated file name in line marker");
        } else {
            file = marker_file(ps, q, p);
        }
    }
    ps->cur = p;
    skip_rest_of_line(ps);
    if (file != ps->file)
        ps->doc_valid = false;
    ps->file = file;
    /* The marker names the number of the line that follows it. */
    ps->line = (uint32_t)n - 1;
}

/* ---- literals ------------------------------------------------------------- */

static int number(struct mg_pstate *ps, yystype_t *lval, struct mg_span *lloc)
{
    const unsigned char *p = ps->tok;
    unsigned base = 10;
    if (p[0] == '0' && ps->cur - p > 1) {
        if (p[1] == 'x' || p[1] == 'X') {
            base = 16;
            p += 2;
        } else {
            base = 8;
            p += 1;
        }
    }
    uint64_t v = 0;
    bool overflow = false, bad = false;
    for (; p < ps->cur; p++) {
        unsigned d = *p <= '9' ? (unsigned)(*p - '0') : (unsigned)((*p | 0x20) - 'a' + 10);
        if (d >= base)
            bad = true;
        if (v > (UINT64_MAX - d) / base)
            overflow = true;
        v = v * base + d;
    }
    set_span(ps, lloc, ps->tok, ps->cur);
    if (bad) {
        mg_error(ps->diag, lloc->loc, "invalid digit in octal constant '%.*s'",
                 (int)(ps->cur - ps->tok), (const char *)ps->tok);
        v = 0;
    } else if (overflow || v > (uint64_t)INT64_MAX) {
        mg_error(ps->diag, lloc->loc, "integer constant '%.*s' is too large",
                 (int)(ps->cur - ps->tok > 40 ? 40 : ps->cur - ps->tok), (const char *)ps->tok);
        v = 0;
    }
    lval->MG_TOK_NUMBER = v;
    return MG_TOK_NUMBER;
}

/* A "..." string; ps->cur is just after the opening quote. Returns the token or
 * YYerror when unterminated (reported here). */
static int quoted(struct mg_pstate *ps, yystype_t *lval, struct mg_span *lloc, int tok)
{
    const unsigned char *p = ps->cur;
    while (!at_end(ps, p) && *p != '"' && *p != '\n') {
        if (*p == '\\' && p + 1 < ps->lim && p[1] != '\n')
            p++;
        p++;
    }
    if (at_end(ps, p) || *p != '"') {
        set_span(ps, lloc, ps->tok, p);
        mg_error(ps->diag, lloc->loc, "missing terminating '\"' character");
        ps->cur = p;
        return MG_TOK_MG_YYerror;
    }
    ps->cur = p + 1;
    set_span(ps, lloc, ps->tok, ps->cur);
    const char *text = mg_arena_strndup(ps->arena, (const char *)ps->tok + 1,
                                        (size_t)(p - ps->tok - 1));
    if (tok == MG_TOK_QSTRING)
        lval->MG_TOK_QSTRING = text;
    else
        lval->MG_TOK_OPERAND = text;
    return tok;
}

/* `<file.h>` after an import keyword. */
static int angled(struct mg_pstate *ps, yystype_t *lval, struct mg_span *lloc)
{
    const unsigned char *p = ps->cur;
    while (!at_end(ps, p) && *p != '>' && *p != '\n' && *p != ';')
        p++;
    if (at_end(ps, p) || *p != '>') {
        set_span(ps, lloc, ps->tok, p);
        mg_error(ps->diag, lloc->loc, "missing terminating '>' character");
        ps->cur = p;
        return MG_TOK_MG_YYerror;
    }
    ps->cur = p + 1;
    set_span(ps, lloc, ps->tok, ps->cur);
    lval->MG_TOK_FILENAME = mg_arena_strndup(ps->arena, (const char *)ps->tok,
                                      (size_t)(ps->cur - ps->tok));
    return MG_TOK_FILENAME;
}

/* The operand of msgoption/waittime/sendtime: MIG's bare string (a run of
 * [-/._$A-Za-z0-9]); machgen also takes a quoted string, or an expression with
 * | & + * ~ and balanced parentheses, up to the ';'. */
static bool operand_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           strchr("-/._$|&+*~<>! \t", c) != NULL;
}

static int operand(struct mg_pstate *ps, yystype_t *lval, struct mg_span *lloc)
{
    for (;;) { /* skip blanks and comments */
        const unsigned char *p = ps->cur;
        if (at_end(ps, p))
            return -1;
        if (is_hspace(*p)) {
            ps->cur++;
        } else if (*p == '\n') {
            ps->cur++;
            newline(ps, ps->cur);
        } else if (*p == '/' && p + 1 < ps->lim && (p[1] == '*' || p[1] == '/')) {
            ps->tok = p;
            ps->cur = p + 2;
            if (p[1] == '/')
                skip_line_comment(ps);
            else if (!skip_block_comment(ps))
                return -1;
        } else {
            break;
        }
    }
    ps->tok = ps->cur;
    if (*ps->cur == '"') {
        ps->cur++;
        ps->bol = false;
        return quoted(ps, lval, lloc, MG_TOK_OPERAND);
    }
    const unsigned char *p = ps->cur, *last = p;
    unsigned depth = 0;
    while (!at_end(ps, p)) {
        unsigned char c = *p;
        if (c == '(') {
            depth++;
        } else if (c == ')') {
            if (depth == 0)
                break;
            depth--;
        } else if (c == '/' && p + 1 < ps->lim && (p[1] == '*' || p[1] == '/')) {
            break;
        } else if (!operand_char(c)) {
            break;
        }
        p++;
        if (!is_hspace(c))
            last = p;
    }
    if (last == ps->cur || depth != 0)
        return -1; /* not an operand: lex normally and let the parser complain */
    ps->cur = last;
    ps->bol = false;
    set_span(ps, lloc, ps->tok, ps->cur);
    lval->MG_TOK_OPERAND = mg_arena_strndup(ps->arena, (const char *)ps->tok,
                                     (size_t)(ps->cur - ps->tok));
    return MG_TOK_OPERAND;
}

/* ---- tokens ---------------------------------------------------------------- */

/* Keyword or punctuation token: location set, doc comment attached when due. */
static int simple(struct mg_pstate *ps, yystype_t *lval, struct mg_span *lloc, int tok)
{
    set_span(ps, lloc, ps->tok, ps->cur);
    if (tok == MG_TOK_ROUTINE || tok == MG_TOK_SIMPLEROUTINE || tok == MG_TOK_TYPE) {
        const char *doc = ps->doc_valid && ps->doc_file == ps->file ? doc_text(ps) : NULL;
        if (tok == MG_TOK_ROUTINE)
            lval->MG_TOK_ROUTINE = doc;
        else if (tok == MG_TOK_SIMPLEROUTINE)
            lval->MG_TOK_SIMPLEROUTINE = doc;
        else
            lval->MG_TOK_TYPE = doc;
    }
    ps->doc_valid = false;
    ps->bol = false;
    return tok;
}

/* Reports a run of bad bytes and drops it: parsing goes on as if it were not
 * there, which keeps one stray byte from costing the rest of the statement. */
static void invalid(struct mg_pstate *ps, struct mg_span *lloc)
{
    /* One error for a whole run of bad bytes (binary garbage would flood otherwise). */
    const unsigned char *p = ps->cur;
    while (!at_end(ps, p) && (*p == 0 || *p >= 0x7f || (*p < 0x20 && !is_hspace(*p) &&
                                                          *p != '\n')))
        p++;
    unsigned char c = *ps->tok;
    set_span(ps, lloc, ps->tok, ps->cur);
    /* Right after a syntax error on this line the parser is skipping tokens anyway. */
    bool quiet = ps->any_syntax_error && ps->last_err_file == ps->file &&
                 ps->last_err_line == ps->line;
    if (!quiet && c == 0)
        mg_error(ps->diag, lloc->loc, "NUL byte in input");
    else if (!quiet && c >= 0x20 && c < 0x7f)
        mg_error(ps->diag, lloc->loc, "stray '%c' in input", c);
    else if (!quiet)
        mg_error(ps->diag, lloc->loc, "stray byte '\\x%02x' in input", c);
    if (c == 0 || c >= 0x7f || c < 0x20)
        ps->cur = p;
    ps->doc_valid = false;
    ps->bol = false;
}

/*!re2c
    re2c:define:YYCTYPE = "unsigned char";
    re2c:define:YYCURSOR = "ps->cur";
    re2c:define:YYMARKER = "ps->mar";
    re2c:define:YYLIMIT = "ps->lim";
    re2c:yyfill:enable = 0;
    re2c:eof = 0;
    re2c:indent:string = "    ";
*/

static int lex_token(yystype_t *lval, struct mg_span *lloc, struct mg_pstate *ps)
{
    if (ps->mode == MG_LEX_OPERAND) {
        ps->mode = MG_LEX_NORMAL;
        int t = operand(ps, lval, lloc);
        if (t >= 0)
            return t;
    }
    for (;;) {
        ps->tok = ps->cur;
        /*!re2c
            ident = [A-Za-z_][A-Za-z0-9_]*;

            $ {
                set_span(ps, lloc, ps->tok, ps->tok);
                return MG_TOK_YYEOF;
            }
            [ \t\v\f\r]+ { continue; }
            "\n" { newline(ps, ps->cur); continue; }
            "/*" {
                struct mg_loc start = mg_lexer_loc(ps, ps->tok);
                if (!skip_block_comment(ps)) {
                    set_span(ps, lloc, ps->cur, ps->cur);
                    mg_error(ps->diag, start, "unterminated comment");
                    return MG_TOK_MG_YYerror;
                }
                continue;
            }
            "//" { skip_line_comment(ps); continue; }
            "#" {
                if (ps->bol) {
                    directive(ps);
                    continue;
                }
                invalid(ps, lloc);
                continue;
            }

            'subsystem'           { return simple(ps, lval, lloc, MG_TOK_SUBSYSTEM); }
            'kerneluser'          { return simple(ps, lval, lloc, MG_TOK_KERNELUSER); }
            'kernelserver'        { return simple(ps, lval, lloc, MG_TOK_KERNELSERVER); }
            'routine'             { return simple(ps, lval, lloc, MG_TOK_ROUTINE); }
            'simpleroutine'       { return simple(ps, lval, lloc, MG_TOK_SIMPLEROUTINE); }
            'skip'                { return simple(ps, lval, lloc, MG_TOK_SKIP); }
            'type'                { return simple(ps, lval, lloc, MG_TOK_TYPE); }
            'import'              { return simple(ps, lval, lloc, MG_TOK_IMPORT); }
            'uimport'             { return simple(ps, lval, lloc, MG_TOK_UIMPORT); }
            'simport'             { return simple(ps, lval, lloc, MG_TOK_SIMPORT); }
            'dimport'             { return simple(ps, lval, lloc, MG_TOK_DIMPORT); }
            'iimport'             { return simple(ps, lval, lloc, MG_TOK_IIMPORT); }
            'userprefix'          { return simple(ps, lval, lloc, MG_TOK_USERPREFIX); }
            'serverprefix'        { return simple(ps, lval, lloc, MG_TOK_SERVERPREFIX); }
            'serverdemux'         { return simple(ps, lval, lloc, MG_TOK_SERVERDEMUX); }
            'rcsid'               { return simple(ps, lval, lloc, MG_TOK_RCSID); }
            'error'               { return simple(ps, lval, lloc, MG_TOK_KW_ERROR); }
            'msgoption'           { return simple(ps, lval, lloc, MG_TOK_MSGOPTION); }
            'waittime'            { return simple(ps, lval, lloc, MG_TOK_WAITTIME); }
            'nowaittime'          { return simple(ps, lval, lloc, MG_TOK_NOWAITTIME); }
            'sendtime'            { return simple(ps, lval, lloc, MG_TOK_SENDTIME); }
            'nosendtime'          { return simple(ps, lval, lloc, MG_TOK_NOSENDTIME); }
            'usespecialreplyport' { return simple(ps, lval, lloc, MG_TOK_USESPECIALREPLYPORT); }
            'consumeonsenderror'  { return simple(ps, lval, lloc, MG_TOK_CONSUMEONSENDERROR); }
            "UserTypeLimit"       { return simple(ps, lval, lloc, MG_TOK_USERTYPELIMIT); }
            "OnStackLimit"        { return simple(ps, lval, lloc, MG_TOK_ONSTACKLIMIT); }

            'in'                  { return simple(ps, lval, lloc, MG_TOK_IN); }
            'out'                 { return simple(ps, lval, lloc, MG_TOK_OUT); }
            'inout'               { return simple(ps, lval, lloc, MG_TOK_INOUT); }
            'requestport'         { return simple(ps, lval, lloc, MG_TOK_REQUESTPORT); }
            'replyport'           { return simple(ps, lval, lloc, MG_TOK_REPLYPORT); }
            'sreplyport'          { return simple(ps, lval, lloc, MG_TOK_SREPLYPORT); }
            'ureplyport'          { return simple(ps, lval, lloc, MG_TOK_UREPLYPORT); }
            'msgseqno'            { return simple(ps, lval, lloc, MG_TOK_MSGSEQNO); }
            'sectoken'            { return simple(ps, lval, lloc, MG_TOK_SECTOKEN); }
            'serversectoken'      { return simple(ps, lval, lloc, MG_TOK_SERVERSECTOKEN); }
            'usersectoken'        { return simple(ps, lval, lloc, MG_TOK_USERSECTOKEN); }
            'audittoken'          { return simple(ps, lval, lloc, MG_TOK_AUDITTOKEN); }
            'serveraudittoken'    { return simple(ps, lval, lloc, MG_TOK_SERVERAUDITTOKEN); }
            'useraudittoken'      { return simple(ps, lval, lloc, MG_TOK_USERAUDITTOKEN); }
            'servercontexttoken'  { return simple(ps, lval, lloc, MG_TOK_SERVERCONTEXTTOKEN); }
            'serverimpl'          { return simple(ps, lval, lloc, MG_TOK_SERVERIMPL); }
            'userimpl'            { return simple(ps, lval, lloc, MG_TOK_USERIMPL); }

            'array'               { return simple(ps, lval, lloc, MG_TOK_ARRAY); }
            'of'                  { return simple(ps, lval, lloc, MG_TOK_OF); }
            'struct'              { return simple(ps, lval, lloc, MG_TOK_STRUCT); }
            'c_string'            { return simple(ps, lval, lloc, MG_TOK_CSTRING); }
            "PointerTo"           { return simple(ps, lval, lloc, MG_TOK_POINTERTO); }
            "PointerToIfNot"      { return simple(ps, lval, lloc, MG_TOK_POINTERTOIFNOT); }
            "ValueOf"             { return simple(ps, lval, lloc, MG_TOK_VALUEOF); }

            'ctype'               { return simple(ps, lval, lloc, MG_TOK_CTYPE); }
            'cusertype'           { return simple(ps, lval, lloc, MG_TOK_CUSERTYPE); }
            'cservertype'         { return simple(ps, lval, lloc, MG_TOK_CSERVERTYPE); }
            'intran'              { return simple(ps, lval, lloc, MG_TOK_INTRAN); }
            'outtran'             { return simple(ps, lval, lloc, MG_TOK_OUTTRAN); }
            'destructor'          { return simple(ps, lval, lloc, MG_TOK_DESTRUCTOR); }
            'intranpayload'       { return simple(ps, lval, lloc, MG_TOK_INTRANPAYLOAD); }

            'dealloc'             { return simple(ps, lval, lloc, MG_TOK_DEALLOC); }
            'notdealloc'          { return simple(ps, lval, lloc, MG_TOK_NOTDEALLOC); }
            'physicalcopy'        { return simple(ps, lval, lloc, MG_TOK_PHYSICALCOPY); }
            'overwrite'           { return simple(ps, lval, lloc, MG_TOK_OVERWRITE); }
            'countinout'          { return simple(ps, lval, lloc, MG_TOK_COUNTINOUT); }
            'samecount'           { return simple(ps, lval, lloc, MG_TOK_SAMECOUNT); }
            'retcode'             { return simple(ps, lval, lloc, MG_TOK_RETCODE); }
            'auto'                { return simple(ps, lval, lloc, MG_TOK_AUTO); }
            'const'               { return simple(ps, lval, lloc, MG_TOK_CONST); }
            'servercopy'          { return simple(ps, lval, lloc, MG_TOK_SERVERCOPY); }
            'islong'              { return simple(ps, lval, lloc, MG_TOK_ISLONG); }
            'isnotlong'           { return simple(ps, lval, lloc, MG_TOK_ISNOTLONG); }

            ident {
                set_span(ps, lloc, ps->tok, ps->cur);
                lval->MG_TOK_IDENT = mg_arena_strndup(ps->arena, (const char *)ps->tok,
                                               (size_t)(ps->cur - ps->tok));
                ps->doc_valid = false;
                ps->bol = false;
                return MG_TOK_IDENT;
            }
            [0-9]+ | "0" [xX] [0-9A-Fa-f]+ {
                ps->doc_valid = false;
                ps->bol = false;
                return number(ps, lval, lloc);
            }
            "0" [xX] {
                set_span(ps, lloc, ps->tok, ps->cur);
                mg_error(ps->diag, lloc->loc, "hexadecimal constant '%.*s' has no digits",
                         (int)(ps->cur - ps->tok), (const char *)ps->tok);
                ps->doc_valid = false;
                ps->bol = false;
                lval->MG_TOK_NUMBER = 0;
                return MG_TOK_NUMBER;
            }
            "\"" {
                ps->doc_valid = false;
                ps->bol = false;
                return quoted(ps, lval, lloc, MG_TOK_QSTRING);
            }
            "<" {
                ps->doc_valid = false;
                ps->bol = false;
                return angled(ps, lval, lloc);
            }
            [;:,(){}[\]=|^*+\-/] { return simple(ps, lval, lloc, ps->tok[0]); }
            * { invalid(ps, lloc); continue; }
        */
    }
}

/* Keywords that can only start a statement, never appear in an argument list. */
static bool statement_only(int tok)
{
    switch (tok) {
    case MG_TOK_SUBSYSTEM: case MG_TOK_ROUTINE: case MG_TOK_SIMPLEROUTINE: case MG_TOK_SKIP:
    case MG_TOK_TYPE: case MG_TOK_IMPORT: case MG_TOK_UIMPORT: case MG_TOK_SIMPORT:
    case MG_TOK_DIMPORT: case MG_TOK_IIMPORT: case MG_TOK_USERPREFIX: case MG_TOK_SERVERPREFIX:
    case MG_TOK_SERVERDEMUX: case MG_TOK_RCSID: case MG_TOK_KW_ERROR: case MG_TOK_NOWAITTIME:
    case MG_TOK_NOSENDTIME: case MG_TOK_USESPECIALREPLYPORT: case MG_TOK_CONSUMEONSENDERROR:
    case MG_TOK_USERTYPELIMIT: case MG_TOK_ONSTACKLIMIT:
        return true;
    default:
        return false;
    }
}

int mg_yylex(yystype_t *lval, struct mg_span *lloc, struct mg_pstate *ps)
{
    int tok;
    if (ps->pending_tok) {
        tok = ps->pending_tok;
        *lval = *ps->pending_val;
        *lloc = ps->pending_span;
        ps->pending_tok = 0;
    } else if (ps->diag->fatal) { /* error limit reached: stop reading */
        set_span(ps, lloc, ps->cur, ps->cur);
        tok = MG_TOK_YYEOF;
    } else {
        tok = lex_token(lval, lloc, ps);
        bool after_statement = ps->last_tok != 0 && ps->last_tok != ';';
        if ((ps->in_args || after_statement) && statement_only(tok)) {
            if (!ps->pending_val)
                ps->pending_val = mg_arena_alloc(ps->arena, sizeof *ps->pending_val);
            *ps->pending_val = *lval;
            ps->pending_span = *lloc;
            ps->pending_tok = tok;
            tok = MG_TOK_STMT_BREAK;
        }
    }
    ps->prev_tok = ps->last_tok;
    ps->prev_span = ps->last_span;
    ps->last_tok = tok;
    ps->last_span = *lloc;
    return tok;
}
