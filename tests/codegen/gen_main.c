/* mg_codegen_gen IN.defs OUTDIR [ARCH]: parses, analyses and generates the four files
 * of one self-contained .defs (no preprocessing) with the in-tree compiler library.
 * Build steps use it to produce sources for the compile and round-trip tests. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "diag.h"
#include "emit.h"
#include "parse.h"
#include "preprocess.h"
#include "sema.h"
#include "source.h"

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s IN.defs OUTDIR [ARCH]\n", argv[0]);
        return 2;
    }
    char *text;
    size_t len;
    if (!mg_read_file(argv[1], &text, &len, stderr))
        return 1;
    struct mg_arena arena;
    mg_arena_init(&arena);
    struct mg_source src;
    mg_source_init(&src, &arena, argv[1]);
    mg_source_set_text(&src, text, len);
    struct mg_diag diag;
    mg_diag_init(&diag, &src, stderr);
    struct mg_ast ast;
    memset(&ast, 0, sizeof ast);
    int rc = 1;
    if (mg_parse(&arena, &src, &diag, &ast)) {
        struct mg_target target;
        mg_target_default(&target);
        if (argc > 3 && !mg_target_from_name(argv[3], &target)) {
            fprintf(stderr, "unknown arch %s\n", argv[3]);
            return 2;
        }
        struct mg_interface *itf = mg_analyze(&arena, &diag, &ast, &target);
        if (itf) {
            char p[4][4096];
            snprintf(p[0], sizeof p[0], "%s/%s.h", argv[2], itf->subsystem);
            snprintf(p[1], sizeof p[1], "%s/%sUser.c", argv[2], itf->subsystem);
            snprintf(p[2], sizeof p[2], "%s/%sServer.c", argv[2], itf->subsystem);
            snprintf(p[3], sizeof p[3], "%s/%sServer.h", argv[2], itf->subsystem);
            struct mg_emit_outputs out = {p[0], p[1], p[2], p[3]};
            rc = mg_emit_files(itf, &out, stderr) ? 0 : 1;
        }
    }
    free(text);
    mg_arena_free(&arena);
    return rc;
}
