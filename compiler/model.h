/* The interface model: everything the emitters print, fully resolved.
 *
 * mg_analyze (sema.h) builds it from the syntax tree for one target ABI. Every
 * message layout is computed here, field by field, from the Darwin ABI facts (never
 * from `sizeof` of a host C struct), so emitters only print offsets and sizes.
 * All memory is arena-owned; nothing here is mutated after mg_analyze returns. */
#ifndef MACHGEN_MODEL_H
#define MACHGEN_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "source.h"

/* ---- target ABI ----------------------------------------------------------- */

enum mg_abi { MG_ABI_LP64, MG_ABI_ILP32 };

struct mg_target {
    const char *arch;       /* canonical -arch name, e.g. "x86_64" */
    enum mg_abi abi;
    uint32_t pointer_size;  /* 8 or 4: vm_address_t, pointer_t, ... */
    uint32_t port_desc_size;/* mach_msg_port_descriptor_t: 12 everywhere */
    uint32_t ool_desc_size; /* OOL and OOL-ports descriptors: 16 LP64, 12 ILP32 */
    uint32_t context_size;  /* mach_port_context_t: 8 on LP64 and i386, 4 on 32-bit arm */
};

/* ---- wire constants (values from the Darwin headers) ---------------------- */

enum {
    MG_MSG_HEADER_SIZE = 24,
    MG_MSG_BODY_SIZE = 4,
    MG_NDR_SIZE = 8,
    MG_RETCODE_SIZE = 4,
    MG_REPLY_ERROR_SIZE = 36, /* mig_reply_error_t */
};

/* mach_msg_type_name_t values and the MACH_MSG_TYPE_* data codes. */
enum {
    MG_MSGT_UNSTRUCTURED = 0,
    MG_MSGT_BIT = 0,
    MG_MSGT_BOOLEAN = 0,
    MG_MSGT_INTEGER_16 = 1,
    MG_MSGT_INTEGER_32 = 2,
    MG_MSGT_INTEGER_64 = 3,
    MG_MSGT_CHAR = 8,
    MG_MSGT_INTEGER_8 = 9,
    MG_MSGT_BYTE = 9,
    MG_MSGT_REAL_32 = 10,
    MG_MSGT_REAL_64 = 11,
    MG_MSGT_STRING_C = 12,
    MG_MSGT_PORT_NAME = 15,
    MG_MSGT_MOVE_RECEIVE = 16, /* == PORT_RECEIVE */
    MG_MSGT_MOVE_SEND = 17,    /* == PORT_SEND */
    MG_MSGT_MOVE_SEND_ONCE = 18, /* == PORT_SEND_ONCE */
    MG_MSGT_COPY_SEND = 19,
    MG_MSGT_MAKE_SEND = 20,
    MG_MSGT_MAKE_SEND_ONCE = 21,
    MG_MSGT_COPY_RECEIVE = 22,
    MG_MSGT_POLYMORPHIC = -1, /* stored as int; (mach_msg_type_name_t)-1 on the wire side */
};

/* Descriptor type byte values. */
enum mg_desc_kind { MG_DESC_PORT = 0, MG_DESC_OOL = 1, MG_DESC_OOL_PORTS = 2 };

/* mach_msg_copy_options_t */
enum mg_copy { MG_COPY_PHYSICAL = 0, MG_COPY_VIRTUAL = 1 };

/* Trailer elements (MACH_RCV_TRAILER_*), in increasing size. */
enum mg_trailer_elem {
    MG_TRAILER_NULL = 0,  /*  8 bytes */
    MG_TRAILER_SEQNO = 1, /* 12 */
    MG_TRAILER_SENDER = 2,/* 20 */
    MG_TRAILER_AUDIT = 3, /* 52 */
    MG_TRAILER_CTX = 4,   /* 60 LP64/i386, 56 arm 32-bit */
    MG_TRAILER_AV = 7,
    MG_TRAILER_LABELS = 8,/* 68 / 64: mach_msg_max_trailer_t */
};

/* ---- types ---------------------------------------------------------------- */

/* How a value travels. */
enum mg_wire_class {
    MG_WIRE_INLINE,    /* bytes in the message body */
    MG_WIRE_PORT,      /* port descriptor(s) */
    MG_WIRE_OOL,       /* OOL memory descriptor(s) */
    MG_WIRE_OOL_PORTS, /* OOL ports descriptor(s) */
};

struct mg_type {
    const char *name;       /* declared name; anonymous types get their spelling */
    struct mg_loc loc;
    const char *doc;
    bool declared;          /* from a `type` statement (vs builtin or anonymous) */

    enum mg_wire_class wire;
    int in_name, out_name;  /* MACH_MSG_TYPE_* as sent / as received (dispositions for
                               ports: send disposition vs right the receiver gets) */
    uint32_t elem_bits;     /* bits of one base element */
    uint64_t number;        /* base elements (maximum for variable arrays; 0 = unbounded) */
    bool var_array;         /* count travels with the data */
    bool string;            /* c_string: NUL-terminated, Offset+Cnt words when variable */
    bool is_struct;         /* passed like a single value (not an array) in C */
    bool mig_inline;        /* unbounded array: C looks inline, wire is OOL */
    uint32_t kpd_count;     /* descriptors it takes (0 for inline data) */
    const struct mg_type *element; /* the type this one was built from, or NULL */
    uint32_t count_multiplier; /* base elements per counted element (array of struct[N]: N) */

    bool native;            /* PointerTo / PointerToIfNot / ValueOf: raw C bytes */
    bool native_pointer;
    const char *native_badvalue;

    /* C names: user side, server wire side, and what the server routine sees. NULL
     * for anonymous derived types (e.g. an argument's `array[*:8] of int`): use the
     * argument's user_ctype / server_ctype, which always hold a name. */
    const char *user_ctype, *server_ctype, *trans_ctype;
    const char *intran, *outtran, *destructor;
};

static inline uint64_t mg_type_bytes(const struct mg_type *t)
{
    return (t->number * t->elem_bits + 7) / 8;
}

/* ---- arguments ------------------------------------------------------------ */

enum mg_arg_role {
    MG_ROLE_REQUEST_PORT,
    MG_ROLE_REPLY_PORT,   /* replyport / sreplyport / ureplyport (see visibility) */
    MG_ROLE_IN,
    MG_ROLE_OUT,
    MG_ROLE_INOUT,
    MG_ROLE_WAITTIME,
    MG_ROLE_SENDTIME,
    MG_ROLE_MSGOPTION,
    MG_ROLE_MSGSEQNO,     /* trailer */
    MG_ROLE_SECTOKEN,     /* trailer */
    MG_ROLE_AUDITTOKEN,   /* trailer */
    MG_ROLE_CONTEXTTOKEN, /* trailer */
    MG_ROLE_IMPLICIT,     /* serverimpl / userimpl: generic trailer data */
    /* companions machgen adds, like MIG */
    MG_ROLE_COUNT,        /* xCnt of a variable array */
    MG_ROLE_COUNT_INOUT,  /* request-side capacity of a CountInOut out array */
    MG_ROLE_POLY,         /* xPoly disposition of a polymorphic port */
    MG_ROLE_DEALLOC,      /* xDealloc boolean of a dealloc[] argument */
};

enum mg_dealloc { MG_DEALLOC_NO, MG_DEALLOC_YES, MG_DEALLOC_MAYBE };

/* Who owns what once the message is delivered (reference §5.4). */
enum mg_ownership {
    MG_OWN_COPY,          /* inline bytes: copied, nothing to release */
    MG_OWN_RIGHT_MOVED,   /* sender loses its right, receiver owns the right it got */
    MG_OWN_RIGHT_NEW,     /* sender keeps its right, receiver owns a new right */
    MG_OWN_RIGHT_POLY,    /* depends on the run-time disposition */
    MG_OWN_NAME_ONLY,     /* port name as data: no right transferred */
    MG_OWN_MEMORY_MOVED,  /* dealloc: sender's region unmapped on send, receiver owns */
    MG_OWN_MEMORY_COPIED, /* sender keeps its region, receiver owns a copy */
    MG_OWN_MEMORY_MAYBE,  /* dealloc[]: decided by the xDealloc argument */
};

struct mg_param {
    const char *name;
    struct mg_loc loc;
    enum mg_arg_role role;
    const struct mg_type *type;
    const struct mg_param *parent;   /* for companions: the argument they belong to */
    struct mg_param *count, *count_inout, *poly, *dealloc_arg; /* companions */
    const struct mg_param *samecount; /* shares the count of this earlier array */

    bool in_request, in_reply;     /* carried in the request / reply message */
    bool user_visible, server_visible; /* a parameter of the user stub / server routine */
    bool by_ref_user, by_ref_server;   /* passed by pointer on that side */
    bool server_trailer, user_trailer; /* value comes from the receive trailer */

    /* effective flags after MIG's validity rules */
    enum mg_dealloc dealloc;
    bool physical_copy, overwrite, countinout, retcode, is_auto, is_const;
    unsigned ast_flags;            /* as written */

    const char *user_ctype;        /* C type in the user stub prototype (without '*') */
    const char *server_ctype;      /* C type the server routine receives (after intran) */
    enum mg_ownership ownership;
};

/* ---- message layouts ------------------------------------------------------ */

struct mg_descriptor {
    enum mg_desc_kind kind;
    const struct mg_param *arg;
    uint32_t offset;           /* from the start of the message */
    uint32_t size;             /* 12 or 16 */
    uint32_t index;            /* element index for arrays of descriptors */
    int disposition;           /* sent disposition (ports, OOL ports); -1 = from the Poly arg */
    int received;              /* right the receiver gets; -1 = polymorphic */
    enum mg_dealloc dealloc;   /* OOL / OOL ports: deallocate; MAYBE = from xDealloc */
    enum mg_copy copy;         /* OOL / OOL ports */
    uint64_t max_elems;        /* OOL: size in bytes, fixed or bound (0 = unbounded);
                                  OOL ports: ports, fixed or bound */
    bool fixed_size;           /* OOL of a fixed size, no count word */
};

enum mg_field_kind {
    MG_FIELD_NDR,
    MG_FIELD_RETCODE,
    MG_FIELD_DATA,          /* fixed-size inline value (scalar, struct, fixed array/string) */
    MG_FIELD_COUNT,         /* count word of a variable array / OOL data (own argument) */
    MG_FIELD_STRING_OFFSET, /* c_string[*:N]: always 0 */
    MG_FIELD_VAR_COUNT,     /* count word embedded before variable inline data */
    MG_FIELD_VAR_DATA,      /* variable inline data: ends the segment */
    MG_FIELD_NATIVE,        /* PointerTo/ValueOf raw C bytes: size is sizeof(ctype) */
};

struct mg_msg_field {
    enum mg_field_kind kind;
    const char *name;       /* message field name, e.g. "NDR", "RetCode", "dataCnt" */
    const struct mg_param *arg; /* NULL for NDR / RetCode */
    uint32_t segment;       /* 0 starts the message; k > 0 starts right after the variable
                               part (VAR_DATA rounded to 4, or NATIVE) closing segment k-1 */
    uint32_t offset;        /* from the start of its segment (segment 0: of the message) */
    uint32_t size;          /* bytes; maximum (already rounded to 4) for VAR_DATA */
    uint32_t elem_size;     /* VAR_DATA: bytes per counted element */
    uint64_t max_count;     /* VAR_DATA / counts: the bound, in counted elements */
    const struct mg_msg_field *count_field; /* VAR_DATA: its count word */
};

struct mg_layout {
    bool present;            /* false for the reply of a simpleroutine */
    bool complex;
    uint32_t ndescriptors;
    struct mg_descriptor *descriptors;
    uint32_t nfields;
    struct mg_msg_field *fields; /* in wire order */
    uint32_t nsegments;      /* 1 + number of variable parts (VAR_DATA and NATIVE fields) */
    bool has_native;         /* some size is sizeof(C type): min/max exclude it */
    uint32_t min_size;       /* every variable array empty (msgh_size lower bound) */
    uint32_t max_size;       /* every variable array full; excludes native parts */
    uint32_t trailer_elems;  /* enum mg_trailer_elem the receiver needs */
    uint32_t trailer_size;   /* bytes of that trailer */
};

/* ---- routines and the interface ------------------------------------------- */

enum mg_routine_kind_model { MG_RT_ROUTINE, MG_RT_SIMPLEROUTINE, MG_RT_SKIP };

enum mg_timeout_kind { MG_TIMEOUT_NONE, MG_TIMEOUT_WAIT, MG_TIMEOUT_SEND };

struct mg_routine {
    enum mg_routine_kind_model kind;
    const char *name;        /* NULL for skips */
    struct mg_loc loc;
    const char *doc;
    const char *user_name;   /* userprefix + name */
    const char *server_name; /* serverprefix + name */
    int32_t request_id, reply_id;
    uint32_t index;          /* position counting skips */

    struct mg_param *args;     /* explicit and companion arguments in MIG order */
    uint32_t nargs;
    const struct mg_param *request_port, *reply_port; /* reply_port NULL = mig reply port */
    const struct mg_param *timeout_arg, *msgoption_arg;
    /* request header dispositions: msgh_remote_port (request port) and msgh_local_port
     * (reply port: MAKE_SEND_ONCE for the mig reply port, 0 when a simpleroutine has
     * none); -1 = from that port's Poly argument. The reply's remote disposition is
     * always the one the request delivered (MACH_MSGH_BITS_REMOTE of its bits). */
    int request_remote_disposition, request_local_disposition;

    /* global options in effect at this routine */
    const char *msgoption;       /* NULL = MACH_MSG_OPTION_NONE */
    enum mg_timeout_kind timeout_kind;
    const char *timeout;         /* waittime/sendtime expression, or timeout_arg's name */
    bool use_special_reply_port; /* only for routines without an explicit reply port */
    enum mg_consume_kind consume_on_send_error;
    int64_t user_type_limit, on_stack_limit; /* -1 = unset */

    struct mg_layout request, reply;
};

struct mg_import {
    enum mg_import_kind kind;
    const char *file;
    struct mg_loc loc;
};

struct mg_interface {
    struct mg_target target;
    const char *subsystem;
    struct mg_loc subsystem_loc;
    int32_t base;
    bool kernel_user, kernel_server;
    const char *user_prefix, *server_prefix; /* "" when not set */
    const char *server_demux;   /* default SUBSYSTEM_server */
    const char *rcsid;          /* NULL when not set */
    const char *error_proc;     /* legacy `error` statement, NULL when not set */

    struct mg_import *imports;
    uint32_t nimports;
    const struct mg_type **types; /* declared types in declaration order */
    uint32_t ntypes;
    struct mg_routine *routines;  /* in id order, skips kept as slots */
    uint32_t nroutines;
    uint32_t max_request_size, max_reply_size; /* over all routines (>= 36 for replies) */
};

const char *mg_msgt_name(int msgt);
const char *mg_trailer_elem_name(uint32_t elem);

#endif
