/* mj_models.h - the MJCF model files embedded in the binary (envs/mujoco/models/),
 * generated at build time by embed.c into mj_models.c. */
#ifndef MPIRL_MJ_MODELS_H
#define MPIRL_MJ_MODELS_H

#include <stddef.h>

typedef struct {
    const char *name;          /* file name, "hopper.xml" */
    const unsigned char *text; /* its bytes, len of them, followed by a 0 */
    size_t len;
} MjModelFile;

extern const MjModelFile mj_model_files[]; /* mj_model_count of them */
extern const int mj_model_count;

#endif
