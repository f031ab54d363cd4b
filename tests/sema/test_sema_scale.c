/* Analysis is linear: 10,000 routines (and 10,000 types) analyse quickly, and
 * four times the input takes about four times as long (no quadratic name scans). */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <time.h>

#include "sema_fixture.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Every routine is a simpleroutine: with more than 100 two-way routines the reply
 * ids would collide with later request ids, which is an error. */
static double analyse(unsigned n)
{
    struct fx f;
    fx_init(&f);
    fx_std_types(&f);
    tb_subsystem(&f.b, "scale", 100000);
    for (unsigned i = 0; i < n; i++) {
        char *tname = mg_arena_printf(&f.arena, "t%u", i);
        tb_type(&f.b, tname, tb_array(&f.b, MG_BOUND_VARIABLE, 8, tb_name(&f.b, "int")));
        struct mg_routinedecl *rd = fx_routine(&f, true, mg_arena_printf(&f.arena, "r%u", i));
        tb_arg(&f.b, rd, MG_ARG_IN, "a", tb_name(&f.b, tname), 0);
        tb_arg(&f.b, rd, MG_ARG_IN, "b", tb_name(&f.b, "mach_port_t"), 0);
    }
    double t0 = now();
    struct mg_interface *itf = fx_analyze(&f);
    double dt = now() - t0;
    cr_assert_not_null(itf, "%s", fx_messages(&f));
    cr_assert_eq(itf->nroutines, n);
    cr_assert_eq(itf->routines[n - 1].request_id, (int32_t)(100000 + n - 1));
    fx_fini(&f);
    return dt;
}

Test(scale, ten_thousand_routines_linear)
{
    double t10 = analyse(10000);
    double t40 = analyse(40000);
    cr_log_info("10k routines: %.3f s, 40k: %.3f s", t10, t40);
    cr_assert_lt(t10, 2.0, "10,000 routines took %.3f s", t10);
    /* 4x the input: linear is ~4x (cache effects add some), quadratic would be ~16x */
    cr_assert_lt(t40, t10 * 8.0 + 0.1, "40k: %.3f s vs 10k: %.3f s", t40, t10);
}
