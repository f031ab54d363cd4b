/* Each semantic error: analysis fails (returns NULL) with a precise message; flags
 * that do not apply are warned about and ignored. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>

#include "sema_fixture.h"

static struct fx f;
static void setup(void) { fx_init(&f); fx_std_types(&f); }
static void teardown(void) { fx_fini(&f); }
TestSuite(errors, .init = setup, .fini = teardown);

static void expect_error(const char *needle)
{
    struct mg_interface *itf = fx_analyze(&f);
    const char *msgs = fx_messages(&f);
    cr_assert_null(itf, "analysis should fail; messages:\n%s", msgs);
    cr_assert(strstr(msgs, needle), "expected '%s' in:\n%s", needle, msgs);
}

/* Misapplied flags are ignored with a warning, as MIG does: analysis succeeds. */
static void expect_ignored_flag(const char *needle)
{
    struct mg_interface *itf = fx_analyze(&f);
    const char *msgs = fx_messages(&f);
    cr_assert_not_null(itf, "analysis should succeed; messages:\n%s", msgs);
    cr_assert(strstr(msgs, needle) && strstr(msgs, "flag ignored [-Wignored-flag]"),
              "expected '%s' in:\n%s", needle, msgs);
    const struct mg_param *x = &itf->routines[0].args[1];
    cr_assert(!x->countinout && !x->physical_copy && !x->samecount &&
              x->dealloc == MG_DEALLOC_NO, "the flag must have no effect");
}

Test(errors, missing_subsystem)
{
    fx_routine(&f, false, "a");
    expect_error("no subsystem declaration");
}

Test(errors, two_subsystems)
{
    tb_subsystem(&f.b, "one", 100);
    tb_subsystem(&f.b, "two", 200);
    expect_error("more than one subsystem");
    cr_assert(strstr(fx_messages(&f), "note: subsystem one declared here"));
}

Test(errors, unknown_type_with_suggestion)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "intt"), 0);
    expect_error("unknown type 'intt'; did you mean 'int'?");
}

Test(errors, duplicate_routine)
{
    tb_subsystem(&f.b, "t", 100);
    fx_routine(&f, false, "a");
    fx_routine(&f, true, "a");
    expect_error("duplicate routine name 'a'");
    cr_assert(strstr(fx_messages(&f), "previous declaration"));
}

Test(errors, out_argument_in_simpleroutine)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, true, "a");
    tb_arg(&f.b, rd, MG_ARG_OUT, "x", tb_name(&f.b, "int"), 0);
    expect_error("simpleroutine a has an out argument 'x'");
}

Test(errors, copy_receive)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "bad", tb_name(&f.b, "MACH_MSG_TYPE_COPY_RECEIVE"));
    expect_error("MACH_MSG_TYPE_COPY_RECEIVE is not a valid disposition");
}

Test(errors, impossible_pair)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "bad", tb_pair(&f.b, "MACH_MSG_TYPE_COPY_SEND", "MACH_MSG_TYPE_PORT_RECEIVE"));
    expect_error("impossible disposition");
}

Test(errors, receive_right_request_port)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "rcv", tb_name(&f.b, "MACH_MSG_TYPE_MOVE_RECEIVE"));
    struct mg_routinedecl *rd = tb_routine(&f.b, false, "a");
    tb_arg(&f.b, rd, MG_ARG_REQUESTPORT, "p", tb_name(&f.b, "rcv"), 0);
    expect_error("not a proper request port");
}

Test(errors, zero_bound)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "empty", tb_array(&f.b, MG_BOUND_FIXED, 0, tb_name(&f.b, "int")));
    expect_error("array bound must be positive");
}

Test(errors, negative_bound)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "neg", tb_array(&f.b, MG_BOUND_VARIABLE, (uint64_t)-5, tb_name(&f.b, "int")));
    expect_error("negative or too large");
}

Test(errors, array_too_large_for_message)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "huge", tb_array(&f.b, MG_BOUND_FIXED, 1u << 30, tb_name(&f.b, "int")));
    expect_error("too large to carry inline");
}

Test(errors, message_too_large)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "big", tb_array(&f.b, MG_BOUND_FIXED, 1u << 28, tb_name(&f.b, "int")));
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "big"), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "y", tb_name(&f.b, "big"), 0);
    expect_error("can exceed the Mach message size limit");
}

Test(errors, no_request_port)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = tb_routine(&f.b, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "int"), 0);
    expect_error("routine a has no request port argument");
}

Test(errors, countinout_on_in)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_array(&f.b, MG_BOUND_VARIABLE, 4, tb_name(&f.b, "int")), MG_FLAG_COUNTINOUT);
    expect_ignored_flag("countinout requires an out argument");
}

Test(errors, physicalcopy_on_inline)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "int"), MG_FLAG_PHYSICALCOPY);
    expect_ignored_flag("physicalcopy only applies to out-of-line data");
}

Test(errors, dealloc_on_inline)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "int"), MG_FLAG_DEALLOC);
    expect_ignored_flag("dealloc only applies to out-of-line data and ports");
}

Test(errors, dealloc_and_notdealloc)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_array(&f.b, MG_BOUND_UNBOUNDED, 0, tb_name(&f.b, "int")),
           MG_FLAG_DEALLOC | MG_FLAG_NOTDEALLOC);
    expect_error("contradict");
}

Test(errors, samecount_without_previous_array)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_array(&f.b, MG_BOUND_VARIABLE, 4, tb_name(&f.b, "int")), MG_FLAG_SAMECOUNT);
    expect_ignored_flag("samecount requires the previous argument");
}

Test(errors, retcode_in_routine)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "int"), MG_FLAG_RETCODE);
    expect_error("retcode is only allowed in simpleroutines");
}

Test(errors, inout_variable_inline_array)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_INOUT, "x", tb_array(&f.b, MG_BOUND_VARIABLE, 4, tb_name(&f.b, "int")), 0);
    expect_error("cannot be inout");
}

Test(errors, c_string_needs_bound)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_typespec *ts = tb_cstring(&f.b, true, 4);
    ts->u.array.bound = MG_BOUND_UNBOUNDED;
    tb_type(&f.b, "s", ts);
    expect_error("c_string needs a bound");
}

Test(errors, duplicate_argument)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "int"), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "int"), 0);
    expect_error("duplicate argument name 'x'");
}

/* 102 routines: r100 and r101 collide with the replies of r0 and r1 */
Test(errors, reply_id_collides_with_request_id)
{
    tb_subsystem(&f.b, "big", 1000);
    char name[16];
    for (int i = 0; i < 102; i++) {
        snprintf(name, sizeof name, "r%d", i);
        fx_routine(&f, false, mg_arena_strdup(&f.arena, name));
    }
    struct mg_interface *itf = fx_analyze(&f);
    const char *msgs = fx_messages(&f);
    cr_assert_not_null(itf, "a collision is a warning: %s", msgs);
    cr_assert(strstr(msgs, "warning: message id 1100 of r100 equals the reply id of r0 (1000 + "
                           "100), and 1 more routines collide [-Wid-collision]"), "%s", msgs);
    cr_assert_eq(f.diag.warnings, 1, "one warning per interface:\n%s", msgs);
}

Test(errors, redefinition_is_a_warning)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "int", tb_name(&f.b, "MACH_MSG_TYPE_INTEGER_64"));
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, "x", tb_name(&f.b, "int"), 0);
    struct mg_interface *itf = fx_analyze(&f);
    cr_assert_not_null(itf, "%s", fx_messages(&f));
    cr_assert(strstr(fx_messages(&f), "warning: type 'int' redefined"), "%s", fx_messages(&f));
    cr_assert_eq(itf->routines[0].request.max_size, 40, "the later definition (64-bit) wins");
}

Test(errors, builtin_cannot_be_redefined)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "MACH_MSG_TYPE_INTEGER_32", tb_name(&f.b, "MACH_MSG_TYPE_INTEGER_64"));
    expect_error("builtin type name");
}

Test(errors, valueof_out)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    struct mg_typespec *ts = MG_NEW(&f.arena, struct mg_typespec);
    ts->kind = MG_TS_NATIVE;
    ts->u.native.kind = MG_NATIVE_VALUE_OF;
    ts->u.native.ctype = "struct foo";
    tb_arg(&f.b, rd, MG_ARG_OUT, "x", ts, 0);
    expect_error("ValueOf is only valid for in arguments");
}

Test(errors, bad_token_type)
{
    tb_subsystem(&f.b, "t", 100);
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_SERVERAUDITTOKEN, "tok", tb_name(&f.b, "int"), 0);
    expect_error("audit token must be 32 bytes");
}

/* Nodes a parser may leave incomplete after a syntax error: no crash, no result. */
Test(errors, incomplete_nodes_do_not_crash)
{
    tb_subsystem(&f.b, "t", 100);
    tb_type(&f.b, "nospec", NULL);
    tb_type(&f.b, "noname", tb_name(&f.b, NULL));
    struct mg_routinedecl *rd = fx_routine(&f, false, "a");
    tb_arg(&f.b, rd, MG_ARG_IN, NULL, tb_name(&f.b, "int"), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "x", NULL, 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "y", tb_pair(&f.b, NULL, "MACH_MSG_TYPE_INTEGER_32"), 0);
    struct mg_routinedecl *unnamed = tb_routine(&f.b, false, NULL);
    (void)unnamed;
    fx_routine(&f, false, "b");
    cr_assert_null(fx_analyze(&f));
}
