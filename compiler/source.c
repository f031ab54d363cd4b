#include "source.h"

#include <stdlib.h>
#include <string.h>

void mg_source_init(struct mg_source *s, struct mg_arena *arena, const char *main_name)
{
    memset(s, 0, sizeof *s);
    s->arena = arena;
    s->text = "";
    mg_source_file(s, main_name, strlen(main_name));
}

void mg_source_set_text(struct mg_source *s, const char *text, size_t len)
{
    s->text = text;
    s->len = len;
}

uint32_t mg_source_file(struct mg_source *s, const char *name, size_t len)
{
    /* Few distinct files per compilation: a linear scan is fine and keeps no hash. */
    for (uint32_t i = 0; i < s->nfiles; i++)
        if (strlen(s->files[i]) == len && memcmp(s->files[i], name, len) == 0)
            return i;
    if (s->nfiles == s->capfiles) {
        uint32_t cap = s->capfiles ? s->capfiles * 2 : 8;
        const char **files = mg_arena_alloc(s->arena, cap * sizeof *files);
        if (s->nfiles)
            memcpy(files, s->files, s->nfiles * sizeof *files);
        s->files = files;
        s->capfiles = cap;
    }
    s->files[s->nfiles] = mg_arena_strndup(s->arena, name, len);
    return s->nfiles++;
}

const char *mg_source_file_name(const struct mg_source *s, uint32_t file)
{
    return file < s->nfiles ? s->files[file] : "<unknown>";
}

const char *mg_source_line_at(const struct mg_source *s, uint32_t offset, size_t *len)
{
    if (offset > s->len)
        offset = (uint32_t)s->len;
    size_t b = offset, e = offset;
    while (b > 0 && s->text[b - 1] != '\n')
        b--;
    while (e < s->len && s->text[e] != '\n')
        e++;
    *len = e - b;
    return s->text + b;
}
