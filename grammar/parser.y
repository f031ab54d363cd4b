/* Grammar of the MIG interface language (preprocessed .defs text) -> ast.h.
 *
 * Pure parser, state in struct mg_pstate (%param). Statements recover at ';', routine
 * arguments at ';' or ')'. Syntax errors are phrased by report_syntax_error() below
 * from the exact expected-token set (LAC). Constant expressions are evaluated while
 * reducing, so deep nesting only grows bison's own bounded stack. */

%require "3.8"
%define api.pure full
%define api.prefix {mg_yy}
%define api.token.prefix {MG_TOK_}
%define api.value.type union
%define api.location.type {struct mg_span}
%define parse.error custom
%define parse.lac full
%locations
%header
%expect 0
%param {struct mg_pstate *ps}

%code requires {
#include "pstate.h"
}

%code {
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "parse_support.h"

#define YYLLOC_DEFAULT(Cur, Rhs, N)                                                          \
    do {                                                                                     \
        if (N) {                                                                             \
            (Cur).loc = YYRHSLOC(Rhs, 1).loc;                                                \
            (Cur).end = YYRHSLOC(Rhs, N).end;                                                \
        } else {                                                                             \
            (Cur).loc = YYRHSLOC(Rhs, 0).loc;                                                \
            (Cur).end = YYRHSLOC(Rhs, 0).end;                                                \
        }                                                                                    \
    } while (0)

/* Deep nesting fails cleanly at this depth (reported as "nesting too deep"). */
#define YYMAXDEPTH MG_PARSE_MAX_DEPTH

static void mg_yyerror(const struct mg_span *loc, struct mg_pstate *ps, const char *msg);
}

/* ---- tokens ------------------------------------------------------------- */

%token <const char *> IDENT "identifier"
%token <uint64_t> NUMBER "integer constant"
%token <const char *> QSTRING "string constant"
%token <const char *> FILENAME "file name"
%token <const char *> OPERAND "option expression"

%token SUBSYSTEM "subsystem" KERNELUSER "KernelUser" KERNELSERVER "KernelServer"
%token <const char *> ROUTINE "routine" SIMPLEROUTINE "simpleroutine" TYPE "type"
%token SKIP "skip"
%token IMPORT "import" UIMPORT "uimport" SIMPORT "simport" DIMPORT "dimport" IIMPORT "iimport"
%token USERPREFIX "userprefix" SERVERPREFIX "serverprefix" SERVERDEMUX "serverdemux"
%token RCSID "rcsid" KW_ERROR "error"
%token MSGOPTION "msgoption" WAITTIME "waittime" NOWAITTIME "nowaittime"
%token SENDTIME "sendtime" NOSENDTIME "nosendtime"
%token USESPECIALREPLYPORT "UseSpecialReplyPort" CONSUMEONSENDERROR "ConsumeOnSendError"
%token USERTYPELIMIT "UserTypeLimit" ONSTACKLIMIT "OnStackLimit"

%token IN "in" OUT "out" INOUT "inout" REQUESTPORT "requestport" REPLYPORT "replyport"
%token SREPLYPORT "sreplyport" UREPLYPORT "ureplyport" MSGSEQNO "msgseqno"
%token SECTOKEN "sectoken" SERVERSECTOKEN "serversectoken" USERSECTOKEN "usersectoken"
%token AUDITTOKEN "audittoken" SERVERAUDITTOKEN "serveraudittoken"
%token USERAUDITTOKEN "useraudittoken" SERVERCONTEXTTOKEN "servercontexttoken"
%token SERVERIMPL "serverimpl" USERIMPL "userimpl"

%token ARRAY "array" OF "of" STRUCT "struct" CSTRING "c_string"
%token POINTERTO "PointerTo" POINTERTOIFNOT "PointerToIfNot" VALUEOF "ValueOf"

%token CTYPE "ctype" CUSERTYPE "cusertype" CSERVERTYPE "cservertype"
%token INTRAN "intran" OUTTRAN "outtran" DESTRUCTOR "destructor"
%token INTRANPAYLOAD "intranpayload"

%token DEALLOC "dealloc" NOTDEALLOC "notdealloc" PHYSICALCOPY "physicalcopy"
%token OVERWRITE "overwrite" COUNTINOUT "countinout" SAMECOUNT "samecount"
%token RETCODE "retcode" AUTO "auto" CONST "const"
%token SERVERCOPY "ServerCopy" ISLONG "IsLong" ISNOTLONG "IsNotLong"

/* Sent by the lexer just before a statement-only keyword that does not follow a ';'
 * (or that is inside an argument list): the previous statement was not finished,
 * and the keyword starts the next one. */
%token STMT_BREAK "statement keyword"

%nterm <unsigned> subsys_mods
%nterm <struct mg_cexpr> cexpr cterm cfactor
%nterm <struct mg_typespec *> typespec basic_type
%nterm <struct mg_translist> translations
%nterm <struct mg_translation *> translation
%nterm <struct mg_routinedecl *> routine
%nterm <struct mg_arglist> args arglist unclosed_args
%nterm <struct mg_arg *> arg
%nterm <struct mg_typedecl *> argtype
%nterm <struct mg_fieldlist> fields
%nterm <struct mg_field *> field
%nterm <int> argkind import_kw
%nterm <struct mg_flaglist> flags
%nterm <struct mg_flagnode *> flag
%nterm <const char *> ctext import_file

%%

file
    : %empty
    | file statement
    ;

statement
    : ';'
    | body end
    | ROUTINE IDENT unclosed_args {
        mg_ps_stmt(ps, MG_STMT_ROUTINE, @1.loc)->u.routine =
            mg_ps_routine(ps, MG_ROUTINE, @1.loc, $2, @2.loc, &$3, $1);
    }
    | SIMPLEROUTINE IDENT unclosed_args {
        mg_ps_stmt(ps, MG_STMT_ROUTINE, @1.loc)->u.routine =
            mg_ps_routine(ps, MG_SIMPLEROUTINE, @1.loc, $2, @2.loc, &$3, $1);
    }
    | error ';' { yyerrok; ps->in_args = false; }
    | error STMT_BREAK { yyerrok; ps->in_args = false; }
    ;

/* A statement ends at ';'. A statement keyword where the ';' should be means the
 * ';' was forgotten: say so and go on with the next statement. */
end
    : ';'
    | STMT_BREAK { mg_ps_missing_semicolon(ps, @1); }
    ;

body
    : SUBSYSTEM subsys_mods IDENT cexpr {
        struct mg_stmt *s = mg_ps_stmt(ps, MG_STMT_SUBSYSTEM, @1.loc);
        s->u.subsystem.name = $3;
        s->u.subsystem.name_loc = @3.loc;
        s->u.subsystem.base = $4.value;
        s->u.subsystem.kernel_user = ($2 & 1u) != 0;
        s->u.subsystem.kernel_server = ($2 & 2u) != 0;
    }
    | routine {
        mg_ps_stmt(ps, MG_STMT_ROUTINE, @1.loc)->u.routine = $1;
    }
    | SKIP { mg_ps_stmt(ps, MG_STMT_SKIP, @1.loc); }
    | TYPE IDENT '=' typespec translations {
        struct mg_typedecl *t = MG_NEW(ps->arena, struct mg_typedecl);
        t->name = $2;
        t->loc = @1.loc;
        t->name_loc = @2.loc;
        t->spec = $4;
        t->trans = $5.head;
        t->doc = $1;
        mg_ps_stmt(ps, MG_STMT_TYPE, @1.loc)->u.type = t;
    }
    | import_kw import_file {
        struct mg_stmt *s = mg_ps_stmt(ps, MG_STMT_IMPORT, @1.loc);
        s->u.import.kind = (enum mg_import_kind)$1;
        s->u.import.file = $2;
    }
    | USERPREFIX IDENT { mg_ps_stmt(ps, MG_STMT_USERPREFIX, @1.loc)->u.text = $2; }
    | SERVERPREFIX IDENT { mg_ps_stmt(ps, MG_STMT_SERVERPREFIX, @1.loc)->u.text = $2; }
    | SERVERDEMUX IDENT { mg_ps_stmt(ps, MG_STMT_SERVERDEMUX, @1.loc)->u.text = $2; }
    | RCSID QSTRING { mg_ps_stmt(ps, MG_STMT_RCSID, @1.loc)->u.text = $2; }
    | KW_ERROR IDENT { mg_ps_stmt(ps, MG_STMT_ERROR, @1.loc)->u.text = $2; }
    | MSGOPTION operand_mode OPERAND {
        mg_ps_stmt(ps, MG_STMT_MSGOPTION, @1.loc)->u.text = $3;
    }
    | WAITTIME operand_mode OPERAND {
        mg_ps_stmt(ps, MG_STMT_WAITTIME, @1.loc)->u.text = $3;
    }
    | NOWAITTIME { mg_ps_stmt(ps, MG_STMT_NOWAITTIME, @1.loc); }
    | SENDTIME operand_mode OPERAND {
        mg_ps_stmt(ps, MG_STMT_SENDTIME, @1.loc)->u.text = $3;
    }
    | NOSENDTIME { mg_ps_stmt(ps, MG_STMT_NOSENDTIME, @1.loc); }
    | USESPECIALREPLYPORT cexpr {
        mg_ps_stmt(ps, MG_STMT_USE_SPECIAL_REPLY_PORT, @1.loc)->u.number = $2.value;
    }
    | CONSUMEONSENDERROR IDENT {
        enum mg_consume_kind k;
        if (mg_ps_consume_kind(ps, $2, @2.loc, &k))
            mg_ps_stmt(ps, MG_STMT_CONSUME_ON_SEND_ERROR, @1.loc)->u.consume = k;
    }
    | USERTYPELIMIT cexpr {
        mg_ps_stmt(ps, MG_STMT_USER_TYPE_LIMIT, @1.loc)->u.number = $2.value;
    }
    | ONSTACKLIMIT cexpr {
        mg_ps_stmt(ps, MG_STMT_ON_STACK_LIMIT, @1.loc)->u.number = $2.value;
    }
    ;

/* Switches the lexer to MIG's bare-string mode for exactly the next token. The
 * state after the keyword has only this reduction, so bison takes it without
 * reading a lookahead: the mode is set before the operand is lexed. */
operand_mode
    : %empty { ps->mode = MG_LEX_OPERAND; }
    ;

subsys_mods
    : %empty { $$ = 0; }
    | subsys_mods KERNELUSER { $$ = mg_ps_subsys_mod($1, 1u, "KernelUser", ps, @2.loc); }
    | subsys_mods KERNELSERVER { $$ = mg_ps_subsys_mod($1, 2u, "KernelServer", ps, @2.loc); }
    ;

import_kw
    : IMPORT { $$ = MG_IMPORT; }
    | UIMPORT { $$ = MG_UIMPORT; }
    | SIMPORT { $$ = MG_SIMPORT; }
    | DIMPORT { $$ = MG_DIMPORT; }
    | IIMPORT { $$ = MG_IIMPORT; }
    ;

import_file
    : FILENAME { $$ = $1; }
    | QSTRING { $$ = mg_arena_printf(ps->arena, "\"%s\"", $1); }
    ;

/* ---- integer constant expressions ---------------------------------------- */

cexpr
    : cterm
    | cexpr '+' cterm { $$ = mg_ps_arith(ps, '+', $1, $3, @2.loc); }
    | cexpr '-' cterm { $$ = mg_ps_arith(ps, '-', $1, $3, @2.loc); }
    ;

cterm
    : cfactor
    | cterm '*' cfactor { $$ = mg_ps_arith(ps, '*', $1, $3, @2.loc); }
    | cterm '/' cfactor { $$ = mg_ps_arith(ps, '/', $1, $3, @2.loc); }
    ;

cfactor
    : NUMBER { $$.value = (int64_t)$1; $$.ok = true; }
    | '(' cexpr ')' { $$ = $2; }
    | '-' cfactor {
        struct mg_cexpr zero = {0, true};
        $$ = mg_ps_arith(ps, '-', zero, $2, @1.loc);
    }
    | '+' cfactor { $$ = $2; }
    ;

/* ---- type specifications ------------------------------------------------- */

typespec
    : basic_type
    | basic_type '|' basic_type {
        $$ = mg_ps_typespec(ps, MG_TS_PAIR, @1.loc);
        $$->u.pair.send = $1;
        $$->u.pair.recv = $3;
    }
    | ARRAY '[' ']' OF typespec {
        $$ = mg_ps_array(ps, MG_TS_ARRAY, @1.loc, MG_BOUND_UNBOUNDED, NULL, @3.loc, $5);
    }
    | ARRAY '[' '*' ']' OF typespec {
        $$ = mg_ps_array(ps, MG_TS_ARRAY, @1.loc, MG_BOUND_UNBOUNDED, NULL, @3.loc, $6);
    }
    | ARRAY '[' cexpr ']' OF typespec {
        $$ = mg_ps_array(ps, MG_TS_ARRAY, @1.loc, MG_BOUND_FIXED, &$3, @3.loc, $6);
    }
    | ARRAY '[' '*' ':' cexpr ']' OF typespec {
        $$ = mg_ps_array(ps, MG_TS_ARRAY, @1.loc, MG_BOUND_VARIABLE, &$5, @5.loc, $8);
    }
    | '^' typespec {
        $$ = mg_ps_typespec(ps, MG_TS_POINTER, @1.loc);
        $$->u.pointer.target = $2;
    }
    | STRUCT '[' cexpr ']' OF typespec {
        $$ = mg_ps_array(ps, MG_TS_STRUCT, @1.loc, MG_BOUND_FIXED, &$3, @3.loc, $6);
    }
    | CSTRING '[' cexpr ']' {
        $$ = mg_ps_array(ps, MG_TS_CSTRING, @1.loc, MG_BOUND_FIXED, &$3, @3.loc, NULL);
    }
    | CSTRING '[' '*' ':' cexpr ']' {
        $$ = mg_ps_array(ps, MG_TS_CSTRING, @1.loc, MG_BOUND_VARIABLE, &$5, @5.loc, NULL);
    }
    | POINTERTO '(' ctext ')' {
        $$ = mg_ps_native(ps, MG_NATIVE_POINTER_TO, @1.loc, $3, NULL);
    }
    | POINTERTOIFNOT '(' ctext ',' ctext ')' {
        $$ = mg_ps_native(ps, MG_NATIVE_POINTER_TO_IF_NOT, @1.loc, $3, $5);
    }
    | VALUEOF '(' ctext ')' {
        $$ = mg_ps_native(ps, MG_NATIVE_VALUE_OF, @1.loc, $3, NULL);
    }
    | STRUCT '{' fields '}' {
        mg_warning(ps->diag, @1.loc, "gnu-extension",
                   "'struct { ... }' with named fields is a GNU MIG extension");
        $$ = mg_ps_array(ps, MG_TS_STRUCT, @1.loc, MG_BOUND_FIXED, NULL, @1.loc,
                         $3.head->type);
        $$->u.array.size = $3.n;
        $$->u.array.fields = $3.head;
    }
    | '(' IDENT ',' cexpr ')' {
        $$ = mg_ps_long_form(ps, @1.loc, $2, @2.loc, &$4, @4.loc, false);
    }
    | '(' IDENT ',' cexpr ',' long_flags ')' {
        $$ = mg_ps_long_form(ps, @1.loc, $2, @2.loc, &$4, @4.loc, true);
    }
    ;

basic_type
    : IDENT {
        $$ = mg_ps_typespec(ps, MG_TS_NAME, @1.loc);
        $$->u.name.name = $1;
    }
    ;

/* The flags of MIG's obsolete long-form type: only parsed to explain the error. */
long_flags
    : long_flag
    | long_flags ',' long_flag
    ;

fields
    : field { $$.head = $$.tail = $1; $$.n = 1; }
    | fields field { $$ = $1; $$.tail->next = $2; $$.tail = $2; $$.n++; }
    ;

field
    : basic_type IDENT ';' {
        $$ = MG_NEW(ps->arena, struct mg_field);
        $$->name = $2;
        $$->loc = @1.loc;
        $$->type = $1;
    }
    ;

long_flag
    : IDENT | ISLONG | ISNOTLONG | DEALLOC | NOTDEALLOC | SERVERCOPY
    ;

/* C type text of PointerTo(...) etc.: tokens, re-spaced from the source. */
ctext
    : ctext_words { $$ = mg_ps_text(ps, @1); }
    ;

ctext_words
    : ctext_word
    | ctext_words ctext_word
    ;

ctext_word
    : IDENT | STRUCT | CONST | NUMBER | '*' | '[' | ']' | '-' | '+'
    ;

translations
    : %empty { $$.head = $$.tail = NULL; }
    | translations translation {
        $$ = $1;
        if (!$$.head)
            $$.head = $2;
        else
            $$.tail->next = $2;
        $$.tail = $2;
    }
    ;

translation
    : CTYPE ':' IDENT { $$ = mg_ps_trans(ps, MG_TRANS_CTYPE, @1.loc, $3, NULL, NULL); }
    | CUSERTYPE ':' IDENT { $$ = mg_ps_trans(ps, MG_TRANS_CUSERTYPE, @1.loc, $3, NULL, NULL); }
    | CSERVERTYPE ':' IDENT {
        $$ = mg_ps_trans(ps, MG_TRANS_CSERVERTYPE, @1.loc, $3, NULL, NULL);
    }
    | INTRAN ':' IDENT IDENT '(' IDENT ')' {
        $$ = mg_ps_trans(ps, MG_TRANS_INTRAN, @1.loc, $3, $4, $6);
    }
    | OUTTRAN ':' IDENT IDENT '(' IDENT ')' {
        $$ = mg_ps_trans(ps, MG_TRANS_OUTTRAN, @1.loc, $3, $4, $6);
    }
    | DESTRUCTOR ':' IDENT '(' IDENT ')' {
        $$ = mg_ps_trans(ps, MG_TRANS_DESTRUCTOR, @1.loc, $5, $3, NULL);
    }
    | INTRANPAYLOAD ':' IDENT IDENT {
        mg_warning(ps->diag, @1.loc, "gnu-extension",
                   "'intranpayload' is a GNU MIG extension with no Darwin meaning");
        $$ = mg_ps_trans(ps, MG_TRANS_INTRANPAYLOAD, @1.loc, $3, $4, NULL);
    }
    ;

/* ---- routines -------------------------------------------------------------- */

routine
    : ROUTINE IDENT args {
        $$ = mg_ps_routine(ps, MG_ROUTINE, @1.loc, $2, @2.loc, &$3, $1);
    }
    | SIMPLEROUTINE IDENT args {
        $$ = mg_ps_routine(ps, MG_SIMPLEROUTINE, @1.loc, $2, @2.loc, &$3, $1);
    }
    ;

args
    : args_open ')' { $$.head = $$.tail = NULL; $$.n = 0; ps->in_args = false; }
    | args_open arglist ')' { $$ = $2; ps->in_args = false; }
    ;

/* `routine a(x : int` followed by the next statement: report the missing ')' and
 * keep both the routine and the statement that follows. */
unclosed_args
    : args_open STMT_BREAK {
        $$.head = $$.tail = NULL;
        $$.n = 0;
        mg_ps_unclosed_args(ps, @2);
    }
    | args_open arglist STMT_BREAK {
        $$ = $2;
        mg_ps_unclosed_args(ps, @3);
    }
    ;

/* Remembered so a statement keyword inside an open list can be explained. */
args_open
    : '(' { ps->in_args = true; }
    ;

arglist
    : arg {
        $$.head = $$.tail = $1;
        $$.n = $1 ? 1 : 0;
    }
    | arglist ';' arg {
        $$ = $1;
        if ($3) {
            if (!$$.head)
                $$.head = $3;
            else
                $$.tail->next = $3;
            $$.tail = $3;
            $$.n++;
        }
    }
    ;

arg
    : argkind IDENT ':' argtype flags {
        struct mg_loc first = $1 == MG_ARG_DEFAULT ? @2.loc : @1.loc;
        $$ = mg_ps_arg(ps, (enum mg_arg_kind)$1, first, $2, @2.loc, $4->spec, $5.head);
        if ($4->name)
            $$->decl = $4;
    }
    | error { $$ = NULL; }
    ;

/* A type name or spec, or MIG's inline declaration `NAME = SPEC [translations]`
 * (a nameless typedecl carries a plain spec). */
argtype
    : typespec {
        $$ = MG_NEW(ps->arena, struct mg_typedecl);
        $$->loc = @1.loc;
        $$->spec = $1;
    }
    | IDENT '=' typespec translations {
        $$ = MG_NEW(ps->arena, struct mg_typedecl);
        $$->name = $1;
        $$->loc = @1.loc;
        $$->name_loc = @1.loc;
        $$->spec = $3;
        $$->trans = $4.head;
    }
    ;

argkind
    : %empty { $$ = MG_ARG_DEFAULT; }
    | IN { $$ = MG_ARG_IN; }
    | OUT { $$ = MG_ARG_OUT; }
    | INOUT { $$ = MG_ARG_INOUT; }
    | REQUESTPORT { $$ = MG_ARG_REQUESTPORT; }
    | REPLYPORT { $$ = MG_ARG_REPLYPORT; }
    | SREPLYPORT { $$ = MG_ARG_SREPLYPORT; }
    | UREPLYPORT { $$ = MG_ARG_UREPLYPORT; }
    | WAITTIME { $$ = MG_ARG_WAITTIME; }
    | SENDTIME { $$ = MG_ARG_SENDTIME; }
    | MSGOPTION { $$ = MG_ARG_MSGOPTION; }
    | MSGSEQNO { $$ = MG_ARG_MSGSEQNO; }
    | SECTOKEN { $$ = MG_ARG_SECTOKEN; }
    | SERVERSECTOKEN { $$ = MG_ARG_SERVERSECTOKEN; }
    | USERSECTOKEN { $$ = MG_ARG_USERSECTOKEN; }
    | AUDITTOKEN { $$ = MG_ARG_AUDITTOKEN; }
    | SERVERAUDITTOKEN { $$ = MG_ARG_SERVERAUDITTOKEN; }
    | USERAUDITTOKEN { $$ = MG_ARG_USERAUDITTOKEN; }
    | SERVERCONTEXTTOKEN { $$ = MG_ARG_SERVERCONTEXTTOKEN; }
    | SERVERIMPL { $$ = MG_ARG_SERVERIMPL; }
    | USERIMPL { $$ = MG_ARG_USERIMPL; }
    ;

flags
    : %empty { $$.head = $$.tail = NULL; }
    | flags ',' flag {
        $$ = $1;
        if ($3) {
            if (!$$.head)
                $$.head = $3;
            else
                $$.tail->next = $3;
            $$.tail = $3;
        }
    }
    ;

flag
    : DEALLOC { $$ = mg_ps_flag(ps, MG_FLAG_DEALLOC, @1); }
    | DEALLOC '[' ']' { $$ = mg_ps_flag(ps, MG_FLAG_DEALLOC_RUNTIME, @1); }
    | NOTDEALLOC { $$ = mg_ps_flag(ps, MG_FLAG_NOTDEALLOC, @1); }
    | PHYSICALCOPY { $$ = mg_ps_flag(ps, MG_FLAG_PHYSICALCOPY, @1); }
    | OVERWRITE { $$ = mg_ps_flag(ps, MG_FLAG_OVERWRITE, @1); }
    | COUNTINOUT { $$ = mg_ps_flag(ps, MG_FLAG_COUNTINOUT, @1); }
    | SAMECOUNT { $$ = mg_ps_flag(ps, MG_FLAG_SAMECOUNT, @1); }
    | RETCODE { $$ = mg_ps_flag(ps, MG_FLAG_RETCODE, @1); }
    | AUTO { $$ = mg_ps_flag(ps, MG_FLAG_AUTO, @1); }
    | CONST { $$ = mg_ps_flag(ps, MG_FLAG_CONST, @1); }
    | SERVERCOPY { $$ = mg_ps_flag_gnu(ps, @1); }
    | ISLONG { $$ = mg_ps_flag_obsolete(ps, @1); }
    | ISNOTLONG { $$ = mg_ps_flag_obsolete(ps, @1); }
    | IDENT { $$ = mg_ps_flag_unknown(ps, $1, @1.loc); }
    ;

%%

static void mg_yyerror(const struct mg_span *loc, struct mg_pstate *ps, const char *msg)
{
    if (strcmp(msg, "memory exhausted") == 0) {
        /* Only the parser stack limit gets here: say what the user did. */
        if (!ps->depth_reported)
            mg_error(ps->diag, loc->loc,
                     "nesting too deep (the parser's limit is %d levels of parentheses, "
                     "types and expressions)",
                     MG_PARSE_MAX_DEPTH);
        ps->depth_reported = true;
        return;
    }
    mg_error(ps->diag, loc->loc, "%s", msg);
}

/* ---- syntax error messages ------------------------------------------------- */

static bool has(const yysymbol_kind_t *exp, int n, yysymbol_kind_t k)
{
    for (int i = 0; i < n; i++)
        if (exp[i] == k)
            return true;
    return false;
}

static bool in_group(yysymbol_kind_t k, const yysymbol_kind_t *group, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (group[i] == k)
            return true;
    return false;
}

static bool sym_is_char(yysymbol_kind_t k, char c)
{
    const char *name = yysymbol_name(k);
    return name[0] == '\'' && name[1] == c && name[2] == '\'';
}

/* Token groups the messages name as one thing ("type specification", ...). */
static const yysymbol_kind_t stmt_group[] = {
    YYSYMBOL_SUBSYSTEM, YYSYMBOL_ROUTINE, YYSYMBOL_SIMPLEROUTINE, YYSYMBOL_SKIP, YYSYMBOL_TYPE,
    YYSYMBOL_IMPORT, YYSYMBOL_UIMPORT, YYSYMBOL_SIMPORT, YYSYMBOL_DIMPORT, YYSYMBOL_IIMPORT,
    YYSYMBOL_USERPREFIX, YYSYMBOL_SERVERPREFIX, YYSYMBOL_SERVERDEMUX, YYSYMBOL_RCSID,
    YYSYMBOL_KW_ERROR, YYSYMBOL_MSGOPTION, YYSYMBOL_WAITTIME, YYSYMBOL_NOWAITTIME,
    YYSYMBOL_SENDTIME, YYSYMBOL_NOSENDTIME, YYSYMBOL_USESPECIALREPLYPORT,
    YYSYMBOL_CONSUMEONSENDERROR, YYSYMBOL_USERTYPELIMIT, YYSYMBOL_ONSTACKLIMIT, YYSYMBOL_YYEOF,
};
static const yysymbol_kind_t type_group[] = {
    YYSYMBOL_IDENT, YYSYMBOL_ARRAY, YYSYMBOL_STRUCT, YYSYMBOL_CSTRING, YYSYMBOL_POINTERTO,
    YYSYMBOL_POINTERTOIFNOT, YYSYMBOL_VALUEOF,
};
static const yysymbol_kind_t arg_group[] = {
    YYSYMBOL_IDENT, YYSYMBOL_IN, YYSYMBOL_OUT, YYSYMBOL_INOUT, YYSYMBOL_REQUESTPORT,
    YYSYMBOL_REPLYPORT, YYSYMBOL_SREPLYPORT, YYSYMBOL_UREPLYPORT, YYSYMBOL_WAITTIME,
    YYSYMBOL_SENDTIME, YYSYMBOL_MSGOPTION, YYSYMBOL_MSGSEQNO, YYSYMBOL_SECTOKEN,
    YYSYMBOL_SERVERSECTOKEN, YYSYMBOL_USERSECTOKEN, YYSYMBOL_AUDITTOKEN,
    YYSYMBOL_SERVERAUDITTOKEN, YYSYMBOL_USERAUDITTOKEN, YYSYMBOL_SERVERCONTEXTTOKEN,
    YYSYMBOL_SERVERIMPL, YYSYMBOL_USERIMPL,
};
static const yysymbol_kind_t trans_group[] = {
    YYSYMBOL_CTYPE, YYSYMBOL_CUSERTYPE, YYSYMBOL_CSERVERTYPE, YYSYMBOL_INTRAN,
    YYSYMBOL_OUTTRAN, YYSYMBOL_DESTRUCTOR, YYSYMBOL_INTRANPAYLOAD,
};
static const yysymbol_kind_t ctext_group[] = {
    YYSYMBOL_IDENT, YYSYMBOL_STRUCT, YYSYMBOL_CONST, YYSYMBOL_NUMBER,
};
static const yysymbol_kind_t expr_group[] = {YYSYMBOL_NUMBER};
static const yysymbol_kind_t subsys_group[] = {
    YYSYMBOL_IDENT, YYSYMBOL_KERNELUSER, YYSYMBOL_KERNELSERVER,
};

#define GROUP(g) g, sizeof g / sizeof g[0]

static const char *const subsys_mod_words[] = {"KernelUser", "KernelServer", NULL};

/* Human name of an expected token: keywords and punctuation quoted, classes not. */
static const char *expected_name(struct mg_pstate *ps, yysymbol_kind_t k)
{
    const char *name = yysymbol_name(k);
    if (k == YYSYMBOL_YYEOF)
        return "end of input";
    if (name[0] == '"') {
        size_t len = strlen(name);
        if (k == YYSYMBOL_IDENT || k == YYSYMBOL_NUMBER || k == YYSYMBOL_QSTRING ||
            k == YYSYMBOL_FILENAME || k == YYSYMBOL_OPERAND)
            return mg_arena_strndup(ps->arena, name + 1, len - 2);
        return mg_arena_printf(ps->arena, "'%.*s'", (int)(len - 2), name + 1);
    }
    return name;
}

/* How the offending token is shown: its text as written, or what it is. */
static const char *found_text(struct mg_pstate *ps, yysymbol_kind_t k, const struct mg_span *at)
{
    if (k == YYSYMBOL_YYEOF)
        return NULL;
    if (k == YYSYMBOL_QSTRING)
        return "string constant";
    size_t len = at->end > at->loc.offset ? at->end - at->loc.offset : 0;
    const char *text = ps->src->text + at->loc.offset;
    if (len > 40)
        return mg_arena_printf(ps->arena, "'%.37s...'", text);
    return mg_arena_printf(ps->arena, "'%.*s'", (int)len, text);
}

static void say_expected(struct mg_pstate *ps, struct mg_loc at, const char **items, int n,
                         const char *found, const char *hint)
{
    char buf[512];
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < sizeof buf - 64; i++) {
        const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", sep, items[i]);
    }
    if (found)
        mg_error(ps->diag, at, "expected %s before %s%s", buf, found, hint);
    else
        mg_error(ps->diag, at, "expected %s at end of input%s", buf, hint);
}

/* The identifier written just before the error, if the error follows one. */
static const char *prev_ident(struct mg_pstate *ps, struct mg_loc *loc)
{
    if (ps->prev_tok != MG_TOK_IDENT)
        return NULL;
    *loc = ps->prev_span.loc;
    return mg_arena_strndup(ps->arena, ps->src->text + ps->prev_span.loc.offset,
                            ps->prev_span.end - ps->prev_span.loc.offset);
}

static int yyreport_syntax_error(const yypcontext_t *ctx, struct mg_pstate *ps)
{
    yysymbol_kind_t exp[YYNTOKENS];
    int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
    if (n < 0)
        return n;
    yysymbol_kind_t la = yypcontext_token(ctx);
    const struct mg_span *at = yypcontext_location(ctx);
    /* One syntax error per line: later ones are usually echoes of the first. */
    if (ps->any_syntax_error && ps->last_err_file == at->loc.file &&
        ps->last_err_line == at->loc.line)
        return 0;
    ps->any_syntax_error = true;
    ps->last_err_file = at->loc.file;
    ps->last_err_line = at->loc.line;
    const char *found = found_text(ps, la, at);
    struct mg_loc ploc;
    const char *pid;

    if (la == YYSYMBOL_IDENT && has(exp, n, YYSYMBOL_ROUTINE)) {
        const char *word = found_text(ps, la, at);
        const char *bare = mg_arena_strndup(ps->arena, word + 1, strlen(word) - 2);
        mg_ps_unknown_word(ps, at->loc, "statement", bare, mg_ps_statement_words());
        return 0;
    }
    if (la == YYSYMBOL_IDENT && has(exp, n, YYSYMBOL_CTYPE) && !has(exp, n, YYSYMBOL_IDENT)) {
        const char *word = found_text(ps, la, at);
        const char *bare = mg_arena_strndup(ps->arena, word + 1, strlen(word) - 2);
        if (mg_ps_suggest(bare, mg_ps_translation_words())) {
            mg_ps_unknown_word(ps, at->loc, "type translation", bare,
                               mg_ps_translation_words());
            return 0;
        }
    }
    /* `subsystem KernalServer foo 1;`: the misspelled modifier was taken as the name. */
    if (la == YYSYMBOL_IDENT && has(exp, n, YYSYMBOL_NUMBER) &&
        (pid = prev_ident(ps, &ploc)) != NULL && mg_ps_suggest(pid, subsys_mod_words)) {
        mg_ps_unknown_word(ps, ploc, "subsystem modifier", pid, subsys_mod_words);
        return 0;
    }
    if (la == YYSYMBOL_IDENT && has(exp, n, YYSYMBOL_NUMBER) && !has(exp, n, YYSYMBOL_IDENT)) {
        mg_error(ps->diag, at->loc,
                 "%s is not an integer constant; sizes and numbers must be constant "
                 "expressions (is a macro not defined?)", found);
        return 0;
    }
    /* `inn x : T` or `arry[4] of T`: the misspelled keyword is the identifier
     * before the error, taken as an argument or type name. */
    if ((pid = prev_ident(ps, &ploc)) != NULL) {
        bool colon = false, bar = false;
        for (int i = 0; i < n; i++) {
            colon |= sym_is_char(exp[i], ':');
            bar |= sym_is_char(exp[i], '|');
        }
        if (colon && la == YYSYMBOL_IDENT && mg_ps_suggest(pid, mg_ps_argkind_words())) {
            mg_ps_unknown_word(ps, ploc, "argument kind", pid, mg_ps_argkind_words());
            return 0;
        }
        if (bar && mg_ps_suggest(pid, mg_ps_typekw_words())) {
            mg_ps_unknown_word(ps, ploc, "type", pid, mg_ps_typekw_words());
            return 0;
        }
    }

    /* Generic: "expected A, B or C before X" with token groups named. */
    const char *items[YYNTOKENS];
    int ni = 0;
    bool stmt = has(exp, n, YYSYMBOL_ROUTINE);
    bool type = has(exp, n, YYSYMBOL_ARRAY);
    bool argk = has(exp, n, YYSYMBOL_IN);
    bool trans = has(exp, n, YYSYMBOL_CTYPE);
    bool expr = has(exp, n, YYSYMBOL_NUMBER);
    bool subsys = has(exp, n, YYSYMBOL_KERNELUSER);
    bool ctype = has(exp, n, YYSYMBOL_CONST);
    if (ctype)
        expr = false;
    bool semi = false, trans_named = false;
    for (int i = 0; i < n; i++)
        semi |= sym_is_char(exp[i], ';');
    if (stmt)
        items[ni++] = "statement";
    if (argk)
        items[ni++] = "argument";
    if (type)
        items[ni++] = "type specification";
    if (expr)
        items[ni++] = "integer constant expression";
    if (subsys)
        items[ni++] = "subsystem name";
    if (ctype)
        items[ni++] = "C type";
    for (int i = 0; i < n; i++) {
        yysymbol_kind_t k = exp[i];
        if ((stmt && (in_group(k, GROUP(stmt_group)) || sym_is_char(k, ';'))) ||
            (argk && in_group(k, GROUP(arg_group))) ||
            (type && (in_group(k, GROUP(type_group)) || sym_is_char(k, '^') ||
                      sym_is_char(k, '('))) ||
            (expr && (in_group(k, GROUP(expr_group)) || sym_is_char(k, '(') ||
                      sym_is_char(k, '-') || sym_is_char(k, '+'))) ||
            (subsys && in_group(k, GROUP(subsys_group))) ||
            (ctype && (in_group(k, GROUP(ctext_group)) || sym_is_char(k, '*') ||
                       sym_is_char(k, '[') || sym_is_char(k, ']') || sym_is_char(k, '-') ||
                       sym_is_char(k, '+'))))
            continue;
        /* `name : T = spec` inline declarations are rare: don't offer '=' beside others. */
        if ((n > 1 && sym_is_char(k, '=')) || k == YYSYMBOL_STMT_BREAK)
            continue;
        /* Optional continuations are noise next to the ';' that ends the statement. */
        if (semi && (in_group(k, GROUP(trans_group)) || sym_is_char(k, '|')))
            continue;
        if (trans && in_group(k, GROUP(trans_group))) {
            if (!trans_named)
                items[ni++] = "type translation";
            trans_named = true;
            continue;
        }
        items[ni++] = expected_name(ps, k);
    }
    if (ni > 5) {
        ni = 5;
        items[4] = "...";
    }
    if (ni == 0) {
        mg_error(ps->diag, at->loc, "syntax error before %s", found ? found : "end of input");
        return 0;
    }
    /* A statement keyword inside an argument list: the list was never closed. */
    const char *hint = "";
    if (la == YYSYMBOL_STMT_BREAK && ps->in_args)
        hint = " (is a ')' missing?)";
    say_expected(ps, at->loc, items, ni, found, hint);
    return 0;
}

bool mg_parse(struct mg_arena *arena, struct mg_source *src, struct mg_diag *diag,
              struct mg_ast *out)
{
    struct mg_pstate ps;
    memset(&ps, 0, sizeof ps);
    memset(out, 0, sizeof *out);
    ps.arena = arena;
    ps.src = src;
    ps.diag = diag;
    ps.ast = out;
    mg_lexer_init(&ps);
    unsigned before = diag->errors;
    int rc = mg_yyparse(&ps);
    return rc == 0 && diag->errors == before;
}
