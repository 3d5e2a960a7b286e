/* params.c - size table of a flat parameter buffer (see params.h). */
#include "params.h"

#include <string.h>

void params_init(ParamTable *t)
{
    memset(t, 0, sizeof *t);
}

size_t params_add(ParamTable *t, const char *name, int rows, int cols)
{
    if (t->n >= PARAMS_MAX_ENTRIES || rows <= 0 || cols <= 0 || !name ||
        strlen(name) >= PARAMS_NAME_LEN)
        return (size_t)-1;
    ParamEntry *e = &t->entry[t->n++];
    strcpy(e->name, name);
    e->offset = t->total;
    e->rows = rows;
    e->cols = cols;
    t->total += (size_t)rows * (size_t)cols;
    return e->offset;
}

const ParamEntry *params_find(const ParamTable *t, const char *name)
{
    for (int i = 0; i < t->n; i++)
        if (strcmp(t->entry[i].name, name) == 0)
            return &t->entry[i];
    return NULL;
}

size_t params_entry_size(const ParamEntry *e)
{
    return (size_t)e->rows * (size_t)e->cols;
}
