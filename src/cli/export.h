/* export.h - `mpirl export`: a saved policy as standalone C or as safetensors.
 *
 * C (export_c): a header and a source file, C99 with only <math.h>, that compute the
 * policy exactly as mpirl computes it for one observation: the frozen observation
 * normaliser, the network (weights as static const arrays), the deterministic action
 * (argmax, or the Gaussian's mean clipped to the action bounds). No allocation, no
 * state: thread-safe.
 *
 * safetensors (export_safetensors): the format of Hugging Face's safetensors (an
 * 8-byte little-endian header length, a JSON header of dtype, shape and data offsets
 * per tensor, the tensors' bytes) holding every tensor of the model under the names of
 * a PyTorch nn.Sequential of nn.Linear layers ("pi.0.weight", "pi.2.weight", ...,
 * "vf.0.weight", ...), the Gaussian's "log_std" and the normaliser's statistics
 * ("obs_norm.mean", "obs_norm.var", "obs_norm.count"); "__metadata__" says how to
 * rebuild the networks.
 */
#ifndef MPIRL_EXPORT_H
#define MPIRL_EXPORT_H

#include <stdio.h>

#include "saved.h"

/* The longest --name. */
#define EXPORT_NAME_MAX 64

/* Write the C policy: the header into h, the source into c. name is the prefix of
 * every public symbol (a C identifier), header_name the file the source includes.
 * Returns 0, or -1 on a write error. */
int export_c(const SavedPolicy *s, const char *name, const char *header_name, FILE *h, FILE *c);

/* Write the safetensors file into f. Returns 0, or -1 on a write error. */
int export_safetensors(const SavedPolicy *s, FILE *f);

/* Run `mpirl export` with argv[0] = "export":
 *   --checkpoint FILE --format c|safetensors --out PATH [--name NAME]
 * Returns the exit status: 0, 2 for bad input (one message), 1 otherwise. No MPI. */
int export_main(int argc, char **argv);

#endif
