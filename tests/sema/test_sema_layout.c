/* Exact request/reply layouts for key cases, checked against the Darwin ABI facts:
 * header 24, body 4, port descriptor 12, OOL descriptor 16 (LP64) / 12 (ILP32),
 * NDR 8, RetCode 4, mig_reply_error_t 36, trailers 8/12/20/52/60. */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <string.h>

#include "layout.h"
#include "sema_fixture.h"

static const struct mg_msg_field *field(const struct mg_layout *l, const char *name)
{
    for (uint32_t i = 0; i < l->nfields; i++)
        if (strcmp(l->fields[i].name, name) == 0)
            return &l->fields[i];
    return NULL;
}

static const struct mg_routine *only_routine(const struct mg_interface *itf)
{
    cr_assert_not_null(itf);
    cr_assert_eq(itf->nroutines, 1);
    return &itf->routines[0];
}

static struct fx f;
static void setup(void) { fx_init(&f); fx_std_types(&f); tb_subsystem(&f.b, "t", 1000); }
static void teardown(void) { fx_fini(&f); }
TestSuite(layout, .init = setup, .fini = teardown);

Test(layout, one_port_argument_is_40_bytes)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "give");
    tb_arg(&f.b, rd, MG_ARG_IN, "p", tb_name(&f.b, "mach_port_t"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert(rt->request.complex);
    cr_assert_eq(rt->request.ndescriptors, 1);
    cr_assert_eq(rt->request.descriptors[0].offset, 28);
    cr_assert_eq(rt->request.descriptors[0].size, 12);
    cr_assert_eq(rt->request.descriptors[0].disposition, MG_MSGT_COPY_SEND);
    cr_assert_eq(rt->request.descriptors[0].received, MG_MSGT_MOVE_SEND);
    cr_assert_eq(rt->request.nfields, 0, "no NDR without inline data");
    cr_assert_eq(rt->request.min_size, 40);
    cr_assert_eq(rt->request.max_size, 40);
    /* the reply of a routine without out data is the 36-byte mig_reply_error_t shape */
    cr_assert(!rt->reply.complex);
    cr_assert_eq(rt->reply.min_size, 36);
    cr_assert_eq(field(&rt->reply, "NDR")->offset, 24);
    cr_assert_eq(field(&rt->reply, "RetCode")->offset, 32);
    cr_assert_eq(rt->request_id, 1000);
    cr_assert_eq(rt->reply_id, 1100);
}

Test(layout, scalar_in_and_out)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "add");
    tb_arg(&f.b, rd, MG_ARG_IN, "a", tb_name(&f.b, "int"), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "b", tb_name(&f.b, "MACH_MSG_TYPE_INTEGER_64"), 0);
    tb_arg(&f.b, rd, MG_ARG_OUT, "sum", tb_name(&f.b, "MACH_MSG_TYPE_INTEGER_16"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert(!rt->request.complex);
    cr_assert_eq(field(&rt->request, "NDR")->offset, 24);
    cr_assert_eq(field(&rt->request, "a")->offset, 32);
    cr_assert_eq(field(&rt->request, "b")->offset, 36);
    cr_assert_eq(field(&rt->request, "b")->size, 8, "64-bit scalars are 4-aligned only");
    cr_assert_eq(rt->request.max_size, 44);
    cr_assert_eq(field(&rt->reply, "sum")->offset, 36);
    cr_assert_eq(field(&rt->reply, "sum")->size, 4, "16-bit scalar padded to 4");
    cr_assert_eq(rt->reply.max_size, 40);
    cr_assert_eq(rt->request.trailer_size, 8);
}

Test(layout, out_port_reply_is_complex_without_retcode)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "get");
    tb_arg(&f.b, rd, MG_ARG_OUT, "p", tb_name(&f.b, "mach_port_make_send_t"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->request.max_size, 24, "only a header");
    cr_assert(rt->reply.complex);
    cr_assert_null(field(&rt->reply, "RetCode"));
    cr_assert_null(field(&rt->reply, "NDR"));
    cr_assert_eq(rt->reply.max_size, 40);
    cr_assert_eq(rt->reply.descriptors[0].disposition, MG_MSGT_MAKE_SEND);
    cr_assert_eq(rt->reply.descriptors[0].received, MG_MSGT_MOVE_SEND);
}

Test(layout, simpleroutine_has_no_reply)
{
    fx_routine(&f, true, "ping");
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->request.max_size, 24);
    cr_assert(!rt->reply.present);
}

Test(layout, bounded_variable_array_closes_a_segment)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "put");
    tb_arg(&f.b, rd, MG_ARG_IN, "data", tb_array(&f.b, MG_BOUND_VARIABLE, 16, tb_name(&f.b, "int")), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "after", tb_name(&f.b, "int"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    const struct mg_msg_field *cnt = field(&rt->request, "dataCnt");
    cr_assert_eq(cnt->kind, MG_FIELD_VAR_COUNT);
    cr_assert_eq(cnt->offset, 32);
    const struct mg_msg_field *d = field(&rt->request, "data");
    cr_assert_eq(d->kind, MG_FIELD_VAR_DATA);
    cr_assert_eq(d->offset, 36);
    cr_assert_eq(d->size, 64);
    cr_assert_eq(d->elem_size, 4);
    cr_assert_eq(d->count_field, cnt);
    const struct mg_msg_field *after = field(&rt->request, "after");
    cr_assert_eq(after->segment, 1);
    cr_assert_eq(after->offset, 0);
    cr_assert_eq(rt->request.nsegments, 2);
    cr_assert_eq(rt->request.min_size, 40);
    cr_assert_eq(rt->request.max_size, 104);
    /* the user sees a count parameter */
    cr_assert_eq(rt->nargs, 4);
    cr_assert_eq(rt->args[2].role, MG_ROLE_COUNT);
    cr_assert(rt->args[2].user_visible && rt->args[2].server_visible);
}

Test(layout, byte_array_rounds_to_4)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "bytes");
    tb_arg(&f.b, rd, MG_ARG_IN, "b", tb_array(&f.b, MG_BOUND_VARIABLE, 10, tb_name(&f.b, "MACH_MSG_TYPE_BYTE")), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "fixed", tb_array(&f.b, MG_BOUND_FIXED, 3, tb_name(&f.b, "MACH_MSG_TYPE_CHAR")), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(field(&rt->request, "b")->size, 12);
    cr_assert_eq(field(&rt->request, "b")->elem_size, 1);
    cr_assert_eq(field(&rt->request, "fixed")->size, 4);
    cr_assert_eq(rt->request.min_size, 24 + 8 + 4 + 4);
    cr_assert_eq(rt->request.max_size, 24 + 8 + 4 + 12 + 4);
}

Test(layout, unbounded_array_is_ool_lp64)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "send");
    tb_arg(&f.b, rd, MG_ARG_IN, "data", tb_array(&f.b, MG_BOUND_UNBOUNDED, 0, tb_name(&f.b, "int")), MG_FLAG_DEALLOC);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert(rt->request.complex);
    cr_assert_eq(rt->request.descriptors[0].kind, MG_DESC_OOL);
    cr_assert_eq(rt->request.descriptors[0].size, 16);
    cr_assert_eq(rt->request.descriptors[0].dealloc, MG_DEALLOC_YES);
    cr_assert_eq(rt->request.descriptors[0].copy, MG_COPY_VIRTUAL);
    cr_assert_eq(field(&rt->request, "NDR")->offset, 44);
    cr_assert_eq(field(&rt->request, "dataCnt")->offset, 52);
    cr_assert_eq(field(&rt->request, "dataCnt")->kind, MG_FIELD_COUNT);
    cr_assert_eq(rt->request.max_size, 56);
    cr_assert_eq(rt->args[1].ownership, MG_OWN_MEMORY_MOVED);
}

Test(layout, unbounded_array_is_ool_ilp32)
{
    cr_assert(mg_target_from_name("arm64_32", &f.target));
    struct mg_routinedecl *rd = fx_routine(&f, false, "send");
    tb_arg(&f.b, rd, MG_ARG_IN, "data", tb_ptr(&f.b, tb_array(&f.b, MG_BOUND_UNBOUNDED, 0, tb_name(&f.b, "MACH_MSG_TYPE_BYTE"))), MG_FLAG_PHYSICALCOPY);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->request.descriptors[0].size, 12);
    cr_assert_eq(rt->request.descriptors[0].copy, MG_COPY_PHYSICAL);
    cr_assert_eq(field(&rt->request, "NDR")->offset, 40);
    cr_assert_eq(rt->request.max_size, 52);
}

Test(layout, ool_ports_and_polymorphic_port)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "ports");
    tb_arg(&f.b, rd, MG_ARG_IN, "list", tb_array(&f.b, MG_BOUND_UNBOUNDED, 0, tb_name(&f.b, "mach_port_t")), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "any", tb_name(&f.b, "mach_port_poly_t"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->request.ndescriptors, 2);
    const struct mg_descriptor *d0 = &rt->request.descriptors[0], *d1 = &rt->request.descriptors[1];
    cr_assert_eq(d0->kind, MG_DESC_OOL_PORTS);
    cr_assert_eq(d0->offset, 28);
    cr_assert_eq(d0->size, 16);
    cr_assert_eq(d0->disposition, MG_MSGT_COPY_SEND);
    cr_assert_eq(d0->copy, MG_COPY_PHYSICAL);
    cr_assert_eq(d1->kind, MG_DESC_PORT);
    cr_assert_eq(d1->offset, 44);
    cr_assert_eq(d1->disposition, -1, "from the Poly argument");
    /* NDR + listCnt: the count of an OOL array is inline data */
    cr_assert_eq(field(&rt->request, "NDR")->offset, 56);
    cr_assert_eq(field(&rt->request, "listCnt")->offset, 64);
    cr_assert_eq(rt->request.max_size, 68);
    const struct mg_param *poly = rt->args[3].role == MG_ROLE_POLY ? &rt->args[3] : &rt->args[4];
    cr_assert_eq(poly->role, MG_ROLE_POLY);
    cr_assert_str_eq(poly->name, "anyPoly");
    cr_assert(poly->user_visible);
    cr_assert(poly->server_visible, "both sides polymorphic: server learns the right");
}

Test(layout, send_right_receiver_type_gives_user_poly_only)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "give");
    tb_arg(&f.b, rd, MG_ARG_IN, "p", tb_name(&f.b, "mach_port_send_t"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->nargs, 3);
    cr_assert_eq(rt->args[2].role, MG_ROLE_POLY);
    cr_assert(rt->args[2].user_visible);
    cr_assert(!rt->args[2].server_visible);
    cr_assert_eq(rt->request.descriptors[0].received, MG_MSGT_MOVE_SEND);
}

Test(layout, variable_c_string_has_offset_and_count)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "name");
    tb_arg(&f.b, rd, MG_ARG_IN, "s", tb_cstring(&f.b, true, 128), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "fixed", tb_cstring(&f.b, false, 63), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(field(&rt->request, "sOffset")->offset, 32);
    cr_assert_eq(field(&rt->request, "sCnt")->offset, 36);
    cr_assert_eq(field(&rt->request, "s")->offset, 40);
    cr_assert_eq(field(&rt->request, "s")->size, 128);
    cr_assert_eq(field(&rt->request, "fixed")->segment, 1);
    cr_assert_eq(field(&rt->request, "fixed")->size, 64);
    cr_assert_eq(rt->request.min_size, 40 + 64);
    cr_assert_eq(rt->request.max_size, 40 + 128 + 64);
    /* c_string counts are on the wire but in no prototype */
    cr_assert(!rt->args[2].user_visible && !rt->args[2].server_visible);
}

Test(layout, struct_of_ints)
{
    tb_type(&f.b, "quad_t4", tb_struct(&f.b, 4, tb_name(&f.b, "int")));
    struct mg_routinedecl *rd = fx_routine(&f, false, "q");
    tb_arg(&f.b, rd, MG_ARG_INOUT, "v", tb_name(&f.b, "quad_t4"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(field(&rt->request, "v")->size, 16);
    cr_assert_eq(rt->request.max_size, 48);
    cr_assert_eq(field(&rt->reply, "v")->offset, 36);
    cr_assert_eq(rt->reply.max_size, 52);
    cr_assert(rt->args[1].by_ref_user);
}

Test(layout, fixed_array_of_ports_is_n_descriptors)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "three");
    tb_arg(&f.b, rd, MG_ARG_OUT, "ps", tb_array(&f.b, MG_BOUND_FIXED, 3, tb_name(&f.b, "mach_port_move_send_t")), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->reply.ndescriptors, 3);
    cr_assert_eq(rt->reply.descriptors[2].offset, 28 + 24);
    cr_assert_eq(rt->reply.max_size, 64);
}

Test(layout, countinout_adds_request_count)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "read");
    tb_arg(&f.b, rd, MG_ARG_OUT, "buf", tb_array(&f.b, MG_BOUND_VARIABLE, 100, tb_name(&f.b, "MACH_MSG_TYPE_BYTE")), MG_FLAG_COUNTINOUT);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(field(&rt->request, "bufCnt")->offset, 32);
    cr_assert_eq(rt->request.max_size, 36);
    cr_assert_eq(field(&rt->reply, "bufCnt")->offset, 36);
    cr_assert_eq(field(&rt->reply, "buf")->offset, 40);
    cr_assert_eq(rt->reply.min_size, 40);
    cr_assert_eq(rt->reply.max_size, 140);
}

Test(layout, trailer_sizes_for_tokens)
{
    tb_type(&f.b, "audit_token_t", tb_struct(&f.b, 8, tb_name(&f.b, "int")));
    tb_type(&f.b, "ctx_t", tb_name(&f.b, "MACH_MSG_TYPE_INTEGER_64"));
    struct mg_routinedecl *rd = fx_routine(&f, false, "who");
    tb_arg(&f.b, rd, MG_ARG_SERVERAUDITTOKEN, "tok", tb_name(&f.b, "audit_token_t"), 0);
    rd = fx_routine(&f, false, "seq");
    tb_arg(&f.b, rd, MG_ARG_MSGSEQNO, "n", tb_name(&f.b, "int"), 0);
    rd = fx_routine(&f, false, "ctx");
    tb_arg(&f.b, rd, MG_ARG_SERVERCONTEXTTOKEN, "c", tb_name(&f.b, "ctx_t"), 0);
    struct mg_interface *itf = fx_analyze(&f);
    cr_assert_not_null(itf, "%s", fx_messages(&f));
    cr_assert_eq(itf->routines[0].request.trailer_elems, MG_TRAILER_AUDIT);
    cr_assert_eq(itf->routines[0].request.trailer_size, 52);
    cr_assert_eq(itf->routines[0].request.max_size, 24, "tokens are not in the message");
    cr_assert_eq(itf->routines[1].request.trailer_size, 12);
    cr_assert_eq(itf->routines[2].request.trailer_size, 60);
    struct mg_target arm32;
    cr_assert(mg_target_from_name("arm64_32", &arm32));
    cr_assert_eq(mg_trailer_size(&arm32, MG_TRAILER_CTX), 56);
    cr_assert_eq(mg_trailer_size(&arm32, MG_TRAILER_LABELS), 64);
    cr_assert_eq(mg_trailer_size(&f.target, MG_TRAILER_LABELS), 68);
}

Test(layout, ids_count_skips_and_options_toggle)
{
    fx_routine(&f, false, "a");
    tb_simple(&f.b, MG_STMT_SKIP);
    tb_text(&f.b, MG_STMT_WAITTIME, "100");
    tb_text(&f.b, MG_STMT_MSGOPTION, "MACH_SEND_PROPAGATE_QOS");
    fx_routine(&f, true, "b");
    tb_simple(&f.b, MG_STMT_NOWAITTIME);
    tb_text(&f.b, MG_STMT_MSGOPTION, "MACH_MSG_OPTION_NONE");
    fx_routine(&f, false, "c");
    struct mg_interface *itf = fx_analyze(&f);
    cr_assert_not_null(itf, "%s", fx_messages(&f));
    cr_assert_eq(itf->nroutines, 4);
    cr_assert_eq(itf->routines[1].kind, MG_RT_SKIP);
    cr_assert_eq(itf->routines[2].request_id, 1002);
    cr_assert_eq(itf->routines[3].request_id, 1003);
    cr_assert_eq(itf->routines[3].reply_id, 1103);
    cr_assert_eq(itf->routines[0].timeout_kind, MG_TIMEOUT_NONE);
    cr_assert_eq(itf->routines[2].timeout_kind, MG_TIMEOUT_WAIT);
    cr_assert_str_eq(itf->routines[2].timeout, "100");
    cr_assert_str_eq(itf->routines[2].msgoption, "MACH_SEND_PROPAGATE_QOS");
    cr_assert_eq(itf->routines[3].timeout_kind, MG_TIMEOUT_NONE);
    cr_assert_null(itf->routines[3].msgoption);
    cr_assert_str_eq(itf->server_demux, "t_server");
    cr_assert_eq(itf->max_reply_size, 36);
}

Test(layout, target_names)
{
    struct mg_target t;
    cr_assert(mg_target_from_name("arm64e", &t));
    cr_assert_eq(t.ool_desc_size, 16);
    cr_assert_eq(t.pointer_size, 8);
    cr_assert(mg_target_from_name("i386", &t));
    cr_assert_eq(t.ool_desc_size, 12);
    cr_assert_eq(t.context_size, 8);
    cr_assert(mg_target_from_name("armv7k", &t));
    cr_assert_eq(t.context_size, 4);
    cr_assert(!mg_target_from_name("sparc", &t));
}

Test(layout, natives_end_a_segment)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "nat");
    struct mg_typespec *ts = MG_NEW(&f.arena, struct mg_typespec);
    ts->kind = MG_TS_NATIVE;
    ts->u.native.kind = MG_NATIVE_POINTER_TO;
    ts->u.native.ctype = "struct blob *";
    tb_arg(&f.b, rd, MG_ARG_IN, "blob", ts, 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "after", tb_name(&f.b, "int"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert(rt->request.has_native);
    cr_assert_eq(field(&rt->request, "blob")->kind, MG_FIELD_NATIVE);
    cr_assert_eq(field(&rt->request, "blob")->offset, 32);
    cr_assert_eq(field(&rt->request, "after")->segment, 1);
    cr_assert_eq(rt->request.min_size, 36, "native bytes are not counted");
}

Test(layout, retcode_of_simple_request_stays_inline)
{
    struct mg_routinedecl *rd = fx_routine(&f, true, "done");
    tb_arg(&f.b, rd, MG_ARG_IN, "rc", tb_name(&f.b, "int"), MG_FLAG_RETCODE);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert(rt->args[1].retcode);
    cr_assert_eq(field(&rt->request, "rc")->offset, 32);
    cr_assert_eq(rt->request.max_size, 36);
}

Test(layout, samecount_port_array_uses_the_data_count)
{
    tb_type(&f.b, "masks_t", tb_array(&f.b, MG_BOUND_VARIABLE, 14, tb_name(&f.b, "int")));
    tb_type(&f.b, "handlers_t", tb_array(&f.b, MG_BOUND_VARIABLE, 14, tb_name(&f.b, "mach_port_t")));
    struct mg_routinedecl *rd = fx_routine(&f, false, "get_ports");
    tb_arg(&f.b, rd, MG_ARG_OUT, "masks", tb_name(&f.b, "masks_t"), 0);
    tb_arg(&f.b, rd, MG_ARG_OUT, "handlers", tb_name(&f.b, "handlers_t"), MG_FLAG_SAMECOUNT);
    tb_arg(&f.b, rd, MG_ARG_OUT, "behaviors", tb_name(&f.b, "masks_t"), MG_FLAG_SAMECOUNT);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    /* 14 port descriptors always travel; then NDR, masksCnt, masks, behaviors */
    cr_assert_eq(rt->reply.ndescriptors, 14);
    cr_assert_eq(field(&rt->reply, "NDR")->offset, 28 + 14 * 12);
    cr_assert_eq(field(&rt->reply, "masksCnt")->offset, 204);
    cr_assert_null(field(&rt->reply, "handlersCnt"));
    cr_assert_null(field(&rt->reply, "behaviorsCnt"));
    const struct mg_msg_field *beh = field(&rt->reply, "behaviors");
    cr_assert_eq(beh->segment, 1);
    cr_assert_eq(beh->count_field, field(&rt->reply, "masksCnt"));
    cr_assert_eq(rt->reply.min_size, 208);
    cr_assert_eq(rt->reply.max_size, 208 + 56 + 56);
}

Test(layout, argument_local_type_declaration)
{
    struct mg_routinedecl *rd = fx_routine(&f, false, "local");
    struct mg_arg *a = tb_arg(&f.b, rd, MG_ARG_IN, "t", tb_name(&f.b, "mach_port_t"), 0);
    struct mg_typedecl *td = MG_NEW(&f.arena, struct mg_typedecl);
    td->name = "task_t";
    td->spec = a->type;
    a->decl = td;
    struct mg_translation *tr = MG_NEW(&f.arena, struct mg_translation);
    tr->kind = MG_TRANS_CTYPE;
    tr->type = "task_port_t";
    td->trans = tr;
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_str_eq(rt->args[1].user_ctype, "task_port_t");
    cr_assert_eq(rt->request.descriptors[0].disposition, MG_MSGT_COPY_SEND);
}

Test(layout, kernel_server_replies_use_received_names)
{
    struct mg_stmt *st = f.b.ast.stmts;
    while (st->kind != MG_STMT_SUBSYSTEM)
        st = st->next;
    st->u.subsystem.kernel_server = true;
    struct mg_routinedecl *rd = fx_routine(&f, false, "get");
    tb_arg(&f.b, rd, MG_ARG_OUT, "p", tb_name(&f.b, "mach_port_t"), 0);
    tb_arg(&f.b, rd, MG_ARG_OUT, "n", tb_name(&f.b, "int"), MG_FLAG_DEALLOC);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->reply.descriptors[0].disposition, MG_MSGT_MOVE_SEND);
    cr_assert_eq(rt->args[1].ownership, MG_OWN_RIGHT_MOVED);
    cr_assert_eq(rt->args[2].dealloc, MG_DEALLOC_YES, "tolerated on KernelServer out data");
}

/* GNU MIG `struct { int a; int64_t b; }`: the C struct's bytes, natural alignment. */
static void gnu_struct(struct fx *fx)
{
    struct mg_typespec *ts = tb_struct(&fx->b, 2, tb_name(&fx->b, "int"));
    struct mg_field *a = MG_NEW(&fx->arena, struct mg_field);
    struct mg_field *b = MG_NEW(&fx->arena, struct mg_field);
    a->name = "a";
    a->type = tb_name(&fx->b, "int");
    a->next = b;
    b->name = "b";
    b->type = tb_name(&fx->b, "MACH_MSG_TYPE_INTEGER_64");
    ts->u.array.fields = a;
    tb_type(&fx->b, "pair_t", ts);
    struct mg_routinedecl *rd = fx_routine(fx, false, "gnu");
    tb_arg(&fx->b, rd, MG_ARG_IN, "p", tb_name(&fx->b, "pair_t"), 0);
}

Test(layout, gnu_field_struct_lp64)
{
    gnu_struct(&f);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(field(&rt->request, "p")->size, 16, "int at 0, int64 aligned to 8");
}

Test(layout, gnu_field_struct_ilp32)
{
    cr_assert(mg_target_from_name("i386", &f.target));
    gnu_struct(&f);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(field(&rt->request, "p")->size, 12, "int64 aligned to 4 on ILP32");
}

Test(layout, implicit_gnu_c_types_only_when_undeclared)
{
    /* `int` is declared by the fixture as 32-bit; `short` and `char` are not */
    struct mg_routinedecl *rd = fx_routine(&f, false, "implicit");
    tb_arg(&f.b, rd, MG_ARG_IN, "s", tb_name(&f.b, "short"), 0);
    tb_arg(&f.b, rd, MG_ARG_IN, "c", tb_name(&f.b, "char"), 0);
    const struct mg_routine *rt = only_routine(fx_analyze(&f));
    cr_assert_eq(rt->args[1].type->elem_bits, 16);
    cr_assert_eq(rt->args[2].type->in_name, MG_MSGT_CHAR);
    /* Apple's mig rejects undeclared C names: one portability warning per name. */
    cr_assert_eq(f.diag.warnings, 2, "%s", fx_messages(&f));
    cr_assert_not_null(strstr(fx_messages(&f), "type 'short' is used without a declaration"));
}
