/* params.h - the size table of a model's one flat parameter buffer.
 *
 * All parameters of a model (policy net, log-std, value net) live in one contiguous
 * float array; this table names each block (PyTorch state_dict style names such as
 * "pi.0.weight"), with its offset and shape. Gradients, Adam moments and CG vectors
 * use the same layout, so an optimizer step, an MPI reduction or a checkpoint is a
 * single loop or call over the whole buffer.
 */
#ifndef MPIRL_PARAMS_H
#define MPIRL_PARAMS_H

#include <stddef.h>

#define PARAMS_MAX_ENTRIES 32
#define PARAMS_NAME_LEN    32

typedef struct {
    char name[PARAMS_NAME_LEN];
    size_t offset; /* in floats from the start of the buffer */
    int rows;      /* weight: out features; bias / vector: its length */
    int cols;      /* weight: in features; bias / vector: 1 */
} ParamEntry;

typedef struct {
    ParamEntry entry[PARAMS_MAX_ENTRIES];
    int n;
    size_t total; /* floats in the buffer */
} ParamTable;

/* Empty table. */
void params_init(ParamTable *t);

/* Append a (rows, cols) block named `name`; returns its offset, or (size_t)-1 if the
 * table is full, the name too long or a dimension not positive (table unchanged). */
size_t params_add(ParamTable *t, const char *name, int rows, int cols);

/* Entry with that name, or NULL. */
const ParamEntry *params_find(const ParamTable *t, const char *name);

/* Floats in one entry. */
size_t params_entry_size(const ParamEntry *e);

#endif
