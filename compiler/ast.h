/* The syntax tree of one .defs translation unit, exactly as written.
 *
 * The parser builds it and resolves nothing: type names stay names, flags stay a
 * bitset with locations, and array bounds are already-evaluated constant integers.
 * The semantic pass (sema.c) turns it into the interface model (model.h).
 * Every node carries the location of its first token. All memory is arena-owned. */
#ifndef MACHGEN_AST_H
#define MACHGEN_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "source.h"

/* ---- type specifications ------------------------------------------------- */

enum mg_ts_kind {
    MG_TS_NAME,     /* a declared type name, or a MACH_MSG_TYPE_* / polymorphic word */
    MG_TS_PAIR,     /* `A | B`: sent as A, received as B */
    MG_TS_ARRAY,    /* array[...] of T */
    MG_TS_POINTER,  /* ^T : out-of-line */
    MG_TS_STRUCT,   /* struct[N] of T */
    MG_TS_CSTRING,  /* c_string[N] / c_string[*:N] */
    MG_TS_NATIVE,   /* PointerTo(...) / PointerToIfNot(...) / ValueOf(...) */
};

enum mg_bound_kind {
    MG_BOUND_FIXED,     /* [N] */
    MG_BOUND_VARIABLE,  /* [*:N] */
    MG_BOUND_UNBOUNDED, /* [] or [*] */
};

enum mg_native_kind { MG_NATIVE_POINTER_TO, MG_NATIVE_POINTER_TO_IF_NOT, MG_NATIVE_VALUE_OF };

struct mg_typespec {
    enum mg_ts_kind kind;
    struct mg_loc loc;
    union {
        struct {
            const char *name; /* as written (case preserved) */
        } name;
        struct {
            struct mg_typespec *send, *recv;
        } pair;
        struct {
            enum mg_bound_kind bound;
            uint64_t size; /* N for FIXED and VARIABLE */
            struct mg_loc size_loc;
            struct mg_typespec *elem;
            /* GNU MIG `struct { T1 a; T2 b; }` (STRUCT only): the named fields in
             * order; size is the field count and elem the first field's type.
             * NULL for `struct[N] of T`. */
            struct mg_field *fields;
        } array; /* ARRAY, STRUCT (bound FIXED), CSTRING (elem NULL) */
        struct {
            struct mg_typespec *target;
        } pointer;
        struct {
            enum mg_native_kind kind;
            const char *ctype;    /* the C type text, e.g. "struct foo *" */
            const char *badvalue; /* PointerToIfNot only */
        } native;
    } u;
};

/* A field of a GNU MIG `struct { ... }` type. */
struct mg_field {
    const char *name;
    struct mg_loc loc;
    struct mg_typespec *type;
    struct mg_field *next;
};

/* ---- type declarations: `type NAME = SPEC [translations];` --------------- */

enum mg_trans_kind {
    MG_TRANS_CTYPE,
    MG_TRANS_CUSERTYPE,
    MG_TRANS_CSERVERTYPE,
    MG_TRANS_INTRAN,        /* intran: SERVERTYPE FUNC(WIRETYPE) */
    MG_TRANS_OUTTRAN,       /* outtran: WIRETYPE FUNC(SERVERTYPE) */
    MG_TRANS_DESTRUCTOR,    /* destructor: FUNC(SERVERTYPE) */
    MG_TRANS_INTRANPAYLOAD, /* GNU MIG: intranpayload: SERVERTYPE FUNC -- no Darwin meaning */
};

struct mg_translation {
    enum mg_trans_kind kind;
    struct mg_loc loc;
    const char *type;    /* CTYPE for c*type; the type named before FUNC for intran/outtran;
                            the type inside the parentheses for destructor */
    const char *func;    /* NULL for c*type */
    const char *argtype; /* the type inside FUNC(...) for intran/outtran, else NULL */
    struct mg_translation *next;
};

struct mg_typedecl {
    const char *name;
    struct mg_loc loc;       /* of the `type` keyword */
    struct mg_loc name_loc;
    struct mg_typespec *spec;
    struct mg_translation *trans; /* in source order */
    const char *doc;         /* comment block written just before, or NULL */
};

/* ---- routines ------------------------------------------------------------ */

enum mg_arg_kind {
    MG_ARG_DEFAULT, /* no keyword: request port if first, else in */
    MG_ARG_IN,
    MG_ARG_OUT,
    MG_ARG_INOUT,
    MG_ARG_REQUESTPORT,
    MG_ARG_REPLYPORT,
    MG_ARG_SREPLYPORT,
    MG_ARG_UREPLYPORT,
    MG_ARG_WAITTIME,
    MG_ARG_SENDTIME,
    MG_ARG_MSGOPTION,
    MG_ARG_MSGSEQNO,
    MG_ARG_SECTOKEN,
    MG_ARG_SERVERSECTOKEN,
    MG_ARG_USERSECTOKEN,
    MG_ARG_AUDITTOKEN,
    MG_ARG_SERVERAUDITTOKEN,
    MG_ARG_USERAUDITTOKEN,
    MG_ARG_SERVERCONTEXTTOKEN,
    MG_ARG_SERVERIMPL,
    MG_ARG_USERIMPL,
};

enum mg_arg_flag {
    MG_FLAG_DEALLOC = 1u << 0,
    MG_FLAG_NOTDEALLOC = 1u << 1,
    MG_FLAG_DEALLOC_RUNTIME = 1u << 2, /* dealloc[] */
    MG_FLAG_PHYSICALCOPY = 1u << 3,
    MG_FLAG_OVERWRITE = 1u << 4,
    MG_FLAG_COUNTINOUT = 1u << 5,
    MG_FLAG_SAMECOUNT = 1u << 6,
    MG_FLAG_RETCODE = 1u << 7,
    MG_FLAG_AUTO = 1u << 8,
    MG_FLAG_CONST = 1u << 9,
};
enum { MG_FLAG_COUNT = 10 };

struct mg_arg {
    enum mg_arg_kind kind;
    struct mg_loc loc;      /* of the first token (direction keyword or name) */
    const char *name;
    struct mg_loc name_loc;
    struct mg_typespec *type;
    /* `name : T = SPEC [translations]`: a type declared inline for this argument
     * only (MIG does not enter it into the type table); type == decl->spec. */
    struct mg_typedecl *decl;
    unsigned flags;              /* mg_arg_flag bits */
    struct mg_loc flag_loc[MG_FLAG_COUNT]; /* where each set flag was written */
    struct mg_arg *next;
};

enum mg_routine_kind { MG_ROUTINE, MG_SIMPLEROUTINE };

struct mg_routinedecl {
    enum mg_routine_kind kind;
    struct mg_loc loc;
    const char *name;
    struct mg_loc name_loc;
    struct mg_arg *args; /* in source order */
    unsigned nargs;
    const char *doc;     /* comment block written just before, or NULL */
};

/* ---- statements ---------------------------------------------------------- */

enum mg_stmt_kind {
    MG_STMT_SUBSYSTEM,
    MG_STMT_ROUTINE,          /* routine and simpleroutine */
    MG_STMT_SKIP,
    MG_STMT_TYPE,
    MG_STMT_IMPORT,
    MG_STMT_USERPREFIX,
    MG_STMT_SERVERPREFIX,
    MG_STMT_SERVERDEMUX,
    MG_STMT_RCSID,
    MG_STMT_ERROR,            /* legacy `error NAME;` */
    MG_STMT_MSGOPTION,
    MG_STMT_WAITTIME,
    MG_STMT_NOWAITTIME,
    MG_STMT_SENDTIME,
    MG_STMT_NOSENDTIME,
    MG_STMT_USE_SPECIAL_REPLY_PORT,
    MG_STMT_CONSUME_ON_SEND_ERROR,
    MG_STMT_USER_TYPE_LIMIT,
    MG_STMT_ON_STACK_LIMIT,
};

enum mg_import_kind { MG_IMPORT, MG_UIMPORT, MG_SIMPORT, MG_DIMPORT, MG_IIMPORT };

enum mg_consume_kind { MG_CONSUME_NONE, MG_CONSUME_TIMEOUT, MG_CONSUME_ANY };

struct mg_stmt {
    enum mg_stmt_kind kind;
    struct mg_loc loc;
    union {
        struct {
            const char *name;
            struct mg_loc name_loc;
            int64_t base;
            bool kernel_user, kernel_server;
        } subsystem;
        struct mg_routinedecl *routine;
        struct mg_typedecl *type;
        struct {
            enum mg_import_kind kind;
            const char *file; /* with its delimiters: <x.h> or "x.h" */
        } import;
        const char *text;   /* prefixes, demux name, rcsid, error, msgoption, waittime,
                               sendtime: the operand as written (rcsid without quotes) */
        int64_t number;     /* UseSpecialReplyPort, UserTypeLimit, OnStackLimit */
        enum mg_consume_kind consume;
    } u;
    struct mg_stmt *next;
};

struct mg_ast {
    struct mg_stmt *stmts; /* in source order */
    struct mg_stmt *last;
    unsigned nstmts;
};

#endif
