/* libFuzzer target: arbitrary bytes as a preprocessed .defs file through the whole
 * compiler in-process (parse, analyse, and for every interface that analyses
 * cleanly, every emitter the driver has: the four stub files, per-routine user
 * files, the asynchronous stubs, -dheader, -iheader and --describe), for the
 * default LP64 target and for i386, whose
 * layout rules differ. Any crash, sanitizer report or hang is a finding; errors in
 * the input are expected and are discarded, like the generated code. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "describe.h"
#include "driver.h"
#include "emit.h"
#include "emit_async.h"
#include "emit_defines.h"
#include "sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static ssize_t discard(void *cookie, const char *buf, size_t len)
{
    (void)cookie;
    (void)buf;
    return (ssize_t)len;
}

/* The harness's sink for diagnostics and generated code, opened once: a stream that
 * drops what it is given, so formatting runs in full without a write(2) per buffer. */
static FILE *sink(void)
{
    static FILE *f;
    if (!f)
        f = fopencookie(NULL, "w", (cookie_io_functions_t){.write = discard});
    if (!f)
        abort();
    return f;
}

static void emit_all(const struct mg_interface *itf)
{
    FILE *out = sink();
    mg_describe(out, itf);
    if (mg_emit_unsupported(itf))
        return;
    mg_emit_user_header(out, itf, "fuzz.h");
    mg_emit_user_source(out, itf, "fuzz.h");
    mg_emit_server_header(out, itf, "fuzzServer.h");
    mg_emit_server_source(out, itf, "fuzzServer.h");
    for (uint32_t i = 0; i < itf->nroutines; i++)
        if (itf->routines[i].kind != MG_RT_SKIP)
            mg_emit_user_source_routine(out, itf, "fuzz.h", &itf->routines[i]);
    mg_emit_async_client_header(out, itf, "fuzz.h");
    mg_emit_async_client_source(out, itf, "fuzzAsync.h");
    mg_emit_async_server_header(out, itf);
    mg_emit_async_server_source(out, itf, "fuzzAsyncServer.h");
    mg_emit_defines_header(out, itf);
    mg_emit_internal_header(out, itf);
}

/* Returns whether the text compiled for this target. */
static int compile_once(const char *text, size_t len, const struct mg_target *target)
{
    struct mg_unit u;
    /* A name in <>, as for standard input: no file to look up the original line in
     * (fuzz.defs never existed; each message cost an open(2) that failed). */
    mg_unit_init(&u, "<fuzz-input>", sink());
    struct mg_interface *itf = mg_unit_compile(&u, text, len, target);
    if (itf)
        emit_all(itf);
    mg_unit_free(&u);
    return itf != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* The compiler reads files into NUL-terminated buffers of exactly this size,
     * so ASan sees any read past the text. */
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    struct mg_target lp64, i386;
    mg_target_default(&lp64);
    if (compile_once(text, size, &lp64) && mg_target_from_name("i386", &i386))
        compile_once(text, size, &i386);
    free(text);
    return 0;
}
