/* libFuzzer target: arbitrary bytes as a preprocessed .defs file through the whole
 * compiler in-process (parse, analyse, and for every interface that analyses
 * cleanly, all four emitters), for the default LP64 target and for i386, whose
 * layout rules differ. Any crash, sanitizer report or hang is a finding; errors in
 * the input are expected and go to /dev/null. */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver.h"
#include "emit.h"
#include "sema.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The harness's sink for diagnostics and generated code, opened once. */
static FILE *sink(void)
{
    static FILE *f;
    if (!f)
        f = fopen("/dev/null", "w");
    if (!f)
        abort();
    return f;
}

static void emit_all(const struct mg_interface *itf)
{
    FILE *out = sink();
    if (mg_emit_unsupported(itf))
        return;
    mg_emit_user_header(out, itf, "fuzz.h");
    mg_emit_user_source(out, itf, "fuzz.h");
    mg_emit_server_header(out, itf, "fuzzServer.h");
    mg_emit_server_source(out, itf, "fuzzServer.h");
}

/* Returns whether the text compiled for this target. */
static int compile_once(const char *text, size_t len, const struct mg_target *target)
{
    struct mg_unit u;
    mg_unit_init(&u, "fuzz.defs", sink());
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
