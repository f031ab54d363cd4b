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

static uint32_t name_hash(const char *name, size_t len)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)name[i]) * 16777619u;
    return h;
}

static void index_file(struct mg_source *s, uint32_t file)
{
    const char *name = s->files[file];
    uint32_t mask = s->nslots - 1;
    uint32_t i = name_hash(name, strlen(name)) & mask;
    while (s->file_slots[i])
        i = (i + 1) & mask;
    s->file_slots[i] = file + 1;
}

uint32_t mg_source_file(struct mg_source *s, const char *name, size_t len)
{
    if (s->nslots) {
        uint32_t mask = s->nslots - 1;
        for (uint32_t i = name_hash(name, len) & mask; s->file_slots[i]; i = (i + 1) & mask) {
            const char *f = s->files[s->file_slots[i] - 1];
            if (strlen(f) == len && memcmp(f, name, len) == 0)
                return s->file_slots[i] - 1;
        }
    }
    if (s->nfiles == s->capfiles) {
        uint32_t cap = s->capfiles ? s->capfiles * 2 : 8;
        const char **files = mg_arena_alloc(s->arena, cap * sizeof *files);
        if (s->nfiles)
            memcpy(files, s->files, s->nfiles * sizeof *files);
        s->files = files;
        s->capfiles = cap;
        /* Twice as many slots as names keeps probes short; rebuilt on growth. */
        s->nslots = cap * 2;
        s->file_slots = mg_arena_alloc(s->arena, s->nslots * sizeof *s->file_slots);
        for (uint32_t f = 0; f < s->nfiles; f++)
            index_file(s, f);
    }
    s->files[s->nfiles] = mg_arena_strndup(s->arena, name, len);
    index_file(s, s->nfiles);
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
    const char *nl = memchr(s->text + e, '\n', s->len - e);
    e = nl ? (size_t)(nl - s->text) : s->len;
    *len = e - b;
    return s->text + b;
}
