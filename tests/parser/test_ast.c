/* AST shape: every statement, type form, argument kind and flag the parser knows. */
#include <criterion/criterion.h>
#include <string.h>

#include "parse_fixture.h"

#define PARSE_OK(p, text)                                                                    \
    do {                                                                                     \
        parse_str((p), (text));                                                              \
        cr_assert((p)->ok, "parse failed:\n%s", (p)->msgs);                                  \
        cr_assert_eq((p)->diag.errors, 0);                                                   \
    } while (0)

Test(ast, empty_file_has_no_statements)
{
    struct parsed p;
    PARSE_OK(&p, "");
    cr_expect_eq(p.ast.nstmts, 0);
    cr_expect_null(p.ast.stmts);
    cr_expect_eq(p.msgs_len, 0);
    parsed_free(&p);
    PARSE_OK(&p, "  \n/* only a comment */\n;;\n");
    cr_expect_eq(p.ast.nstmts, 0, "empty statements add nothing");
    parsed_free(&p);
}

Test(ast, subsystem_forms)
{
    struct parsed p;
    PARSE_OK(&p, "subsystem foo 2400;\n"
                 "subsystem KernelServer bar 100 + 20;\n"
                 "SubSystem kerneluser KERNELSERVER baz 0x10;\n");
    cr_assert_eq(p.ast.nstmts, 3);
    const struct mg_stmt *s = stmt_at(&p, 0);
    cr_expect_eq(s->kind, MG_STMT_SUBSYSTEM);
    cr_expect_str_eq(s->u.subsystem.name, "foo");
    cr_expect_eq(s->u.subsystem.base, 2400);
    cr_expect(!s->u.subsystem.kernel_user && !s->u.subsystem.kernel_server);
    cr_expect_eq(s->loc.line, 1);
    cr_expect_eq(s->loc.col, 1);
    cr_expect_eq(s->u.subsystem.name_loc.col, 11);
    s = stmt_at(&p, 1);
    cr_expect(s->u.subsystem.kernel_server && !s->u.subsystem.kernel_user);
    cr_expect_eq(s->u.subsystem.base, 120);
    s = stmt_at(&p, 2);
    cr_expect(s->u.subsystem.kernel_server && s->u.subsystem.kernel_user);
    cr_expect_eq(s->u.subsystem.base, 16);
    cr_expect_str_eq(s->u.subsystem.name, "baz");
    parsed_free(&p);
}

Test(ast, simple_statements)
{
    struct parsed p;
    PARSE_OK(&p, "skip;\n"
                 "import <mach/mach_types.h>;\n"
                 "uimport \"user.h\";\n"
                 "simport <s.h>;\n"
                 "dimport <d.h>;\n"
                 "iimport \"i.h\";\n"
                 "userprefix _kernelrpc_;\n"
                 "serverprefix s_;\n"
                 "serverdemux my_server;\n"
                 "rcsid \"$Id: x $\";\n"
                 "error MyError;\n"
                 "msgoption MACH_SEND_PROPAGATE_QOS;\n"
                 "waittime 100;\n"
                 "nowaittime;\n"
                 "sendtime (MACH_SEND_TIMEOUT|MACH_RCV_TIMEOUT);\n"
                 "nosendtime;\n"
                 "UseSpecialReplyPort 1;\n"
                 "ConsumeOnSendError Timeout;\n"
                 "UserTypeLimit 1024;\n"
                 "OnStackLimit 2*512;\n"
                 "msgoption \"MACH_SEND_TIMEOUT | 4\";\n"
                 "waittime my-timeout/2.5$x;\n");
    static const enum mg_stmt_kind kinds[] = {
        MG_STMT_SKIP, MG_STMT_IMPORT, MG_STMT_IMPORT, MG_STMT_IMPORT, MG_STMT_IMPORT,
        MG_STMT_IMPORT, MG_STMT_USERPREFIX, MG_STMT_SERVERPREFIX, MG_STMT_SERVERDEMUX,
        MG_STMT_RCSID, MG_STMT_ERROR, MG_STMT_MSGOPTION, MG_STMT_WAITTIME, MG_STMT_NOWAITTIME,
        MG_STMT_SENDTIME, MG_STMT_NOSENDTIME, MG_STMT_USE_SPECIAL_REPLY_PORT,
        MG_STMT_CONSUME_ON_SEND_ERROR, MG_STMT_USER_TYPE_LIMIT, MG_STMT_ON_STACK_LIMIT,
        MG_STMT_MSGOPTION, MG_STMT_WAITTIME,
    };
    cr_assert_eq(p.ast.nstmts, sizeof kinds / sizeof kinds[0]);
    for (unsigned i = 0; i < p.ast.nstmts; i++) {
        cr_expect_eq(stmt_at(&p, i)->kind, kinds[i], "statement %u", i);
        cr_expect_eq(stmt_at(&p, i)->loc.line, i + 1, "statement %u line", i);
    }
    cr_expect_eq(stmt_at(&p, 1)->u.import.kind, MG_IMPORT);
    cr_expect_str_eq(stmt_at(&p, 1)->u.import.file, "<mach/mach_types.h>");
    cr_expect_eq(stmt_at(&p, 2)->u.import.kind, MG_UIMPORT);
    cr_expect_str_eq(stmt_at(&p, 2)->u.import.file, "\"user.h\"");
    cr_expect_eq(stmt_at(&p, 3)->u.import.kind, MG_SIMPORT);
    cr_expect_eq(stmt_at(&p, 4)->u.import.kind, MG_DIMPORT);
    cr_expect_eq(stmt_at(&p, 5)->u.import.kind, MG_IIMPORT);
    cr_expect_str_eq(stmt_at(&p, 6)->u.text, "_kernelrpc_");
    cr_expect_str_eq(stmt_at(&p, 7)->u.text, "s_");
    cr_expect_str_eq(stmt_at(&p, 8)->u.text, "my_server");
    cr_expect_str_eq(stmt_at(&p, 9)->u.text, "$Id: x $");
    cr_expect_str_eq(stmt_at(&p, 10)->u.text, "MyError");
    cr_expect_str_eq(stmt_at(&p, 11)->u.text, "MACH_SEND_PROPAGATE_QOS");
    cr_expect_str_eq(stmt_at(&p, 12)->u.text, "100");
    cr_expect_str_eq(stmt_at(&p, 14)->u.text, "(MACH_SEND_TIMEOUT|MACH_RCV_TIMEOUT)");
    cr_expect_eq(stmt_at(&p, 16)->u.number, 1);
    cr_expect_eq(stmt_at(&p, 17)->u.consume, MG_CONSUME_TIMEOUT);
    cr_expect_eq(stmt_at(&p, 18)->u.number, 1024);
    cr_expect_eq(stmt_at(&p, 19)->u.number, 1024);
    cr_expect_str_eq(stmt_at(&p, 20)->u.text, "MACH_SEND_TIMEOUT | 4");
    cr_expect_str_eq(stmt_at(&p, 21)->u.text, "my-timeout/2.5$x");
    parsed_free(&p);
}

Test(ast, consume_on_send_error_modes)
{
    struct parsed p;
    PARSE_OK(&p, "ConsumeOnSendError None; ConsumeOnSendError ANY; consumeonsenderror timeout;");
    cr_assert_eq(p.ast.nstmts, 3);
    cr_expect_eq(stmt_at(&p, 0)->u.consume, MG_CONSUME_NONE);
    cr_expect_eq(stmt_at(&p, 1)->u.consume, MG_CONSUME_ANY);
    cr_expect_eq(stmt_at(&p, 2)->u.consume, MG_CONSUME_TIMEOUT);
    parsed_free(&p);
}

static const struct mg_typespec *type_spec(const struct parsed *p, unsigned n, const char *name)
{
    const struct mg_stmt *s = stmt_at(p, n);
    cr_assert_not_null(s);
    cr_assert_eq(s->kind, MG_STMT_TYPE);
    cr_assert_str_eq(s->u.type->name, name);
    return s->u.type->spec;
}

Test(ast, type_forms)
{
    struct parsed p;
    PARSE_OK(&p, "type a = int;\n"
                 "type b = MACH_MSG_TYPE_MAKE_SEND | MACH_MSG_TYPE_PORT_SEND;\n"
                 "type c = array[16] of int;\n"
                 "type d = array[*:1024] of char;\n"
                 "type e = array[] of int;\n"
                 "type f = array[*] of int;\n"
                 "type g = ^array[] of mach_port_t;\n"
                 "type h = ^int;\n"
                 "type i = struct[4] of int;\n"
                 "type j = c_string[512];\n"
                 "type k = c_string[*:64];\n"
                 "type l = PointerTo(struct foo *);\n"
                 "type m = PointerToIfNot(const char *, NULL);\n"
                 "type n = ValueOf(unsigned long);\n"
                 "type o = polymorphic;\n"
                 "type p = ARRAY[2] OF Struct[3] OF int;\n");
    const struct mg_typespec *t = type_spec(&p, 0, "a");
    cr_expect_eq(t->kind, MG_TS_NAME);
    cr_expect_str_eq(t->u.name.name, "int");
    cr_expect_eq(t->loc.col, 10);

    t = type_spec(&p, 1, "b");
    cr_assert_eq(t->kind, MG_TS_PAIR);
    cr_expect_str_eq(t->u.pair.send->u.name.name, "MACH_MSG_TYPE_MAKE_SEND");
    cr_expect_str_eq(t->u.pair.recv->u.name.name, "MACH_MSG_TYPE_PORT_SEND");

    t = type_spec(&p, 2, "c");
    cr_assert_eq(t->kind, MG_TS_ARRAY);
    cr_expect_eq(t->u.array.bound, MG_BOUND_FIXED);
    cr_expect_eq(t->u.array.size, 16);
    cr_expect_eq(t->u.array.size_loc.col, 16);
    cr_expect_str_eq(t->u.array.elem->u.name.name, "int");

    t = type_spec(&p, 3, "d");
    cr_expect_eq(t->u.array.bound, MG_BOUND_VARIABLE);
    cr_expect_eq(t->u.array.size, 1024);
    cr_expect_eq(t->u.array.size_loc.col, 18);

    t = type_spec(&p, 4, "e");
    cr_expect_eq(t->u.array.bound, MG_BOUND_UNBOUNDED);
    t = type_spec(&p, 5, "f");
    cr_expect_eq(t->u.array.bound, MG_BOUND_UNBOUNDED);

    t = type_spec(&p, 6, "g");
    cr_assert_eq(t->kind, MG_TS_POINTER);
    cr_assert_eq(t->u.pointer.target->kind, MG_TS_ARRAY);
    cr_expect_eq(t->u.pointer.target->u.array.bound, MG_BOUND_UNBOUNDED);
    cr_expect_str_eq(t->u.pointer.target->u.array.elem->u.name.name, "mach_port_t");

    t = type_spec(&p, 7, "h");
    cr_assert_eq(t->kind, MG_TS_POINTER);
    cr_expect_eq(t->u.pointer.target->kind, MG_TS_NAME);

    t = type_spec(&p, 8, "i");
    cr_assert_eq(t->kind, MG_TS_STRUCT);
    cr_expect_eq(t->u.array.bound, MG_BOUND_FIXED);
    cr_expect_eq(t->u.array.size, 4);
    cr_expect_null(t->u.array.fields);

    t = type_spec(&p, 9, "j");
    cr_assert_eq(t->kind, MG_TS_CSTRING);
    cr_expect_eq(t->u.array.bound, MG_BOUND_FIXED);
    cr_expect_eq(t->u.array.size, 512);
    cr_expect_null(t->u.array.elem);
    t = type_spec(&p, 10, "k");
    cr_expect_eq(t->u.array.bound, MG_BOUND_VARIABLE);
    cr_expect_eq(t->u.array.size, 64);

    t = type_spec(&p, 11, "l");
    cr_assert_eq(t->kind, MG_TS_NATIVE);
    cr_expect_eq(t->u.native.kind, MG_NATIVE_POINTER_TO);
    cr_expect_str_eq(t->u.native.ctype, "struct foo *");
    cr_expect_null(t->u.native.badvalue);
    t = type_spec(&p, 12, "m");
    cr_expect_eq(t->u.native.kind, MG_NATIVE_POINTER_TO_IF_NOT);
    cr_expect_str_eq(t->u.native.ctype, "const char *");
    cr_expect_str_eq(t->u.native.badvalue, "NULL");
    t = type_spec(&p, 13, "n");
    cr_expect_eq(t->u.native.kind, MG_NATIVE_VALUE_OF);
    cr_expect_str_eq(t->u.native.ctype, "unsigned long");

    t = type_spec(&p, 14, "o");
    cr_expect_eq(t->kind, MG_TS_NAME);
    cr_expect_str_eq(t->u.name.name, "polymorphic");

    t = type_spec(&p, 15, "p");
    cr_assert_eq(t->kind, MG_TS_ARRAY);
    cr_assert_eq(t->u.array.elem->kind, MG_TS_STRUCT);
    cr_expect_eq(t->u.array.elem->u.array.size, 3);
    parsed_free(&p);
}

Test(ast, translations_in_order)
{
    struct parsed p;
    PARSE_OK(&p, "type task_t = mach_port_t\n"
                 "    ctype: mach_port_t\n"
                 "    cusertype: utask_t\n"
                 "    cservertype: stask_t\n"
                 "    intran: task_t convert_port_to_task(mach_port_t)\n"
                 "    outtran: mach_port_t convert_task_to_port(task_t)\n"
                 "    destructor: task_deallocate(task_t);\n");
    const struct mg_typedecl *td = stmt_at(&p, 0)->u.type;
    const struct mg_translation *t = td->trans;
    cr_assert_not_null(t);
    cr_expect_eq(t->kind, MG_TRANS_CTYPE);
    cr_expect_str_eq(t->type, "mach_port_t");
    cr_expect_null(t->func);
    cr_expect_eq(t->loc.line, 2);
    cr_expect_eq(t->loc.col, 5);
    t = t->next;
    cr_expect_eq(t->kind, MG_TRANS_CUSERTYPE);
    cr_expect_str_eq(t->type, "utask_t");
    t = t->next;
    cr_expect_eq(t->kind, MG_TRANS_CSERVERTYPE);
    cr_expect_str_eq(t->type, "stask_t");
    t = t->next;
    cr_expect_eq(t->kind, MG_TRANS_INTRAN);
    cr_expect_str_eq(t->type, "task_t");
    cr_expect_str_eq(t->func, "convert_port_to_task");
    cr_expect_str_eq(t->argtype, "mach_port_t");
    t = t->next;
    cr_expect_eq(t->kind, MG_TRANS_OUTTRAN);
    cr_expect_str_eq(t->type, "mach_port_t");
    cr_expect_str_eq(t->func, "convert_task_to_port");
    cr_expect_str_eq(t->argtype, "task_t");
    t = t->next;
    cr_expect_eq(t->kind, MG_TRANS_DESTRUCTOR);
    cr_expect_str_eq(t->func, "task_deallocate");
    cr_expect_str_eq(t->type, "task_t");
    cr_expect_null(t->argtype);
    cr_expect_null(t->next);
    parsed_free(&p);
}

Test(ast, routine_and_all_argument_kinds)
{
    struct parsed p;
    PARSE_OK(&p, "routine r(\n"
                 "  target : mach_port_t;\n"
                 "  in a : int;\n"
                 "  out b : int;\n"
                 "  inout c : int;\n"
                 "  requestport d : mach_port_t;\n"
                 "  replyport e : mach_port_make_send_once_t;\n"
                 "  sreplyport f : mach_port_make_send_once_t;\n"
                 "  ureplyport g : mach_port_make_send_once_t;\n"
                 "  waittime h : natural_t;\n"
                 "  sendtime i : natural_t;\n"
                 "  msgoption j : int;\n"
                 "  msgseqno k : mach_port_seqno_t;\n"
                 "  sectoken l : security_token_t;\n"
                 "  serversectoken m : security_token_t;\n"
                 "  usersectoken n : security_token_t;\n"
                 "  audittoken o : audit_token_t;\n"
                 "  serveraudittoken p : audit_token_t;\n"
                 "  useraudittoken q : audit_token_t;\n"
                 "  servercontexttoken r : mach_port_context_t;\n"
                 "  serverimpl s : int;\n"
                 "  userimpl t : int);\n"
                 "simpleroutine s();\n");
    cr_assert_eq(p.ast.nstmts, 2);
    const struct mg_routinedecl *r = stmt_at(&p, 0)->u.routine;
    cr_expect_eq(r->kind, MG_ROUTINE);
    cr_expect_str_eq(r->name, "r");
    cr_expect_eq(r->name_loc.col, 9);
    static const enum mg_arg_kind kinds[] = {
        MG_ARG_DEFAULT, MG_ARG_IN, MG_ARG_OUT, MG_ARG_INOUT, MG_ARG_REQUESTPORT,
        MG_ARG_REPLYPORT, MG_ARG_SREPLYPORT, MG_ARG_UREPLYPORT, MG_ARG_WAITTIME,
        MG_ARG_SENDTIME, MG_ARG_MSGOPTION, MG_ARG_MSGSEQNO, MG_ARG_SECTOKEN,
        MG_ARG_SERVERSECTOKEN, MG_ARG_USERSECTOKEN, MG_ARG_AUDITTOKEN,
        MG_ARG_SERVERAUDITTOKEN, MG_ARG_USERAUDITTOKEN, MG_ARG_SERVERCONTEXTTOKEN,
        MG_ARG_SERVERIMPL, MG_ARG_USERIMPL,
    };
    unsigned n = sizeof kinds / sizeof kinds[0];
    cr_assert_eq(r->nargs, n);
    for (unsigned i = 0; i < n; i++) {
        const struct mg_arg *a = arg_at(r, i);
        cr_assert_not_null(a);
        cr_expect_eq(a->kind, kinds[i], "arg %u", i);
        cr_expect_eq(a->loc.line, i + 2, "arg %u line", i);
        cr_expect_eq(a->loc.col, 3, "arg %u starts at its first token", i);
        cr_expect_eq(a->flags, 0);
        cr_expect_null(a->decl);
    }
    cr_expect_str_eq(arg_at(r, 0)->name, "target");
    cr_expect_eq(arg_at(r, 0)->name_loc.col, 3);
    cr_expect_eq(arg_at(r, 1)->name_loc.col, 6);
    cr_expect_str_eq(arg_at(r, 20)->type->u.name.name, "int");
    const struct mg_routinedecl *s = stmt_at(&p, 1)->u.routine;
    cr_expect_eq(s->kind, MG_SIMPLEROUTINE);
    cr_expect_eq(s->nargs, 0);
    cr_expect_null(s->args);
    parsed_free(&p);
}

Test(ast, every_flag_with_location)
{
    struct parsed p;
    PARSE_OK(&p, "routine r(t : mach_port_t;\n"
                 "  out d : array[] of int, dealloc, notdealloc, dealloc[], physicalcopy,\n"
                 "    overwrite, countinout, samecount, retcode, auto, const);\n");
    const struct mg_arg *a = arg_at(stmt_at(&p, 0)->u.routine, 1);
    unsigned all = MG_FLAG_DEALLOC | MG_FLAG_NOTDEALLOC | MG_FLAG_DEALLOC_RUNTIME |
                   MG_FLAG_PHYSICALCOPY | MG_FLAG_OVERWRITE | MG_FLAG_COUNTINOUT |
                   MG_FLAG_SAMECOUNT | MG_FLAG_RETCODE | MG_FLAG_AUTO | MG_FLAG_CONST;
    cr_expect_eq(a->flags, all);
    cr_expect_eq(a->flag_loc[0].line, 2);
    cr_expect_eq(a->flag_loc[0].col, 27); /* dealloc */
    cr_expect_eq(a->flag_loc[1].col, 36); /* notdealloc */
    cr_expect_eq(a->flag_loc[2].col, 48); /* dealloc[] */
    cr_expect_eq(a->flag_loc[3].col, 59); /* physicalcopy */
    cr_expect_eq(a->flag_loc[4].line, 3);
    cr_expect_eq(a->flag_loc[4].col, 5); /* overwrite */
    cr_expect_eq(a->flag_loc[9].col, 54); /* const */
    parsed_free(&p);
}

Test(ast, inline_argument_type_declaration)
{
    struct parsed p;
    PARSE_OK(&p, "routine r(t : mach_port_t;\n"
                 "  out o : memory_object_name_t = MACH_MSG_TYPE_MOVE_SEND ctype: mach_port_t;\n"
                 "  out ports : mach_port_array_t = array[] of mach_port_move_send_t, "
                 "CountInOut, Dealloc);\n");
    const struct mg_routinedecl *r = stmt_at(&p, 0)->u.routine;
    const struct mg_arg *a = arg_at(r, 1);
    cr_assert_not_null(a->decl);
    cr_expect_str_eq(a->decl->name, "memory_object_name_t");
    cr_expect_eq(a->type, a->decl->spec);
    cr_expect_str_eq(a->type->u.name.name, "MACH_MSG_TYPE_MOVE_SEND");
    cr_assert_not_null(a->decl->trans);
    cr_expect_eq(a->decl->trans->kind, MG_TRANS_CTYPE);
    a = arg_at(r, 2);
    cr_expect_str_eq(a->decl->name, "mach_port_array_t");
    cr_expect_eq(a->type->kind, MG_TS_ARRAY);
    cr_expect_eq(a->flags, MG_FLAG_COUNTINOUT | MG_FLAG_DEALLOC);
    parsed_free(&p);
}

Test(ast, keywords_case_insensitive_except_mig_exceptions)
{
    struct parsed p;
    PARSE_OK(&p, "ROUTINE r(IN x : ARRAY[*:4] OF int, DEALLOC; Out y : C_STRING[8]);\n"
                 "SimpleRoutine s(x : int);\nTYPE t = int CType: foo;\nImport <a.h>;\n");
    cr_expect_eq(p.ast.nstmts, 4);
    const struct mg_routinedecl *r = stmt_at(&p, 0)->u.routine;
    cr_expect_eq(arg_at(r, 0)->kind, MG_ARG_IN);
    cr_expect_eq(arg_at(r, 0)->flags, MG_FLAG_DEALLOC);
    cr_expect_eq(arg_at(r, 1)->type->kind, MG_TS_CSTRING);
    parsed_free(&p);

    /* Case-sensitive in MIG: wrong case is an identifier, hence an error. */
    parse_str(&p, "type t = pointerto(int);\n");
    cr_expect(!p.ok);
    parsed_free(&p);
    parse_str(&p, "usertypelimit 4;\n");
    cr_expect(!p.ok);
    cr_expect(strstr(p.msgs, "'UserTypeLimit' is case-sensitive") != NULL, "%s", p.msgs);
    parsed_free(&p);
    PARSE_OK(&p, "UserTypeLimit 4; OnStackLimit 8; type t = ValueOf(int);");
    parsed_free(&p);
}

Test(ast, constant_expressions)
{
    struct parsed p;
    PARSE_OK(&p, "type a = array[2+3*4] of int;\n"
                 "type b = array[(2+3)*4] of int;\n"
                 "type c = array[100/7] of int;\n"
                 "type d = array[10-2-3] of int;\n"
                 "type e = array[-(-8)] of int;\n"
                 "type f = array[0x1F] of int;\n"
                 "type g = array[017] of int;\n"
                 "type h = array[((((((1))))))] of int;\n"
                 "type i = array[9223372036854775807] of int;\n"
                 "type j = array[0] of int;\n");
    static const uint64_t want[] = {14, 20, 14, 5, 8, 31, 15, 1, 9223372036854775807ull, 0};
    for (unsigned i = 0; i < 10; i++)
        cr_expect_eq(stmt_at(&p, i)->u.type->spec->u.array.size, want[i], "type %u", i);
    parsed_free(&p);
}

Test(ast, gnu_struct_with_fields)
{
    struct parsed p;
    parse_str(&p, "type t = struct {\n  integer_t a;\n  rpc_vm_size_t b;\n};\n");
    cr_assert(p.ok, "%s", p.msgs);
    cr_expect_eq(p.diag.warnings, 1);
    cr_expect(strstr(p.msgs, "[-Wgnu-extension]") != NULL);
    const struct mg_typespec *t = stmt_at(&p, 0)->u.type->spec;
    cr_assert_eq(t->kind, MG_TS_STRUCT);
    cr_expect_eq(t->u.array.size, 2);
    cr_assert_not_null(t->u.array.fields);
    cr_expect_str_eq(t->u.array.fields->name, "a");
    cr_expect_str_eq(t->u.array.fields->type->u.name.name, "integer_t");
    cr_expect_str_eq(t->u.array.fields->next->name, "b");
    cr_expect_eq(t->u.array.fields->next->loc.line, 3);
    cr_expect_eq(t->u.array.elem, t->u.array.fields->type);
    parsed_free(&p);
}

Test(ast, gnu_long_form_string_becomes_c_string)
{
    struct parsed p;
    parse_str(&p, "type s = (MACH_MSG_TYPE_STRING_C, 8*256);\n");
    cr_assert(p.ok, "%s", p.msgs);
    const struct mg_typespec *t = stmt_at(&p, 0)->u.type->spec;
    cr_expect_eq(t->kind, MG_TS_CSTRING);
    cr_expect_eq(t->u.array.size, 256);
    cr_expect(strstr(p.msgs, "write 'c_string[256]' [-Wobsolete]") != NULL, "%s", p.msgs);
    parsed_free(&p);
}

Test(ast, intranpayload_warns_and_is_kept)
{
    struct parsed p;
    parse_str(&p, "type t = mach_port_t intranpayload: mach_port_t PAYLOAD_TO_PORT;\n");
    cr_assert(p.ok, "%s", p.msgs);
    const struct mg_translation *tr = stmt_at(&p, 0)->u.type->trans;
    cr_assert_not_null(tr);
    cr_expect_eq(tr->kind, MG_TRANS_INTRANPAYLOAD);
    cr_expect_str_eq(tr->type, "mach_port_t");
    cr_expect_str_eq(tr->func, "PAYLOAD_TO_PORT");
    cr_expect_eq(p.diag.warnings, 1);
    cr_expect(strstr(p.msgs, "[-Wgnu-extension]") != NULL);
    parsed_free(&p);
}
