/* fuzz_config_args.c - libFuzzer harness for config_parse_args (config.h): the input,
 * split at newlines and NUL bytes, is the argument list. Parsing must either succeed or
 * fail with a message; a configuration it accepts must write out and load back the
 * same. Inputs with a --config flag are skipped: it would open whatever path the
 * fuzzer invents (/dev/stdin, /dev/zero), and files are fuzz_config_file's business.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "fuzz_util.h"

#define MAX_ARGS 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1), *argv[MAX_ARGS], err[CONFIG_ERR_LEN];
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 0;
    size_t start = 0;
    for (size_t i = 0; i <= size && argc < MAX_ARGS; i++)
        if (i == size || buf[i] == '\n' || buf[i] == '\0') {
            buf[i] = '\0';
            argv[argc++] = buf + start;
            start = i + 1;
        }
    for (int i = 0; i < argc; i++)
        if (strncmp(argv[i], "--config", 8) == 0 && (!argv[i][8] || argv[i][8] == '=')) {
            free(buf);
            return 0;
        }
    Config c;
    config_defaults(&c);
    memset(err, 'x', sizeof err);
    if (config_parse_args(&c, argc, argv, err) != 0)
        fuzz_check_message(err, sizeof err, "config_parse_args");
    else
        fuzz_config_roundtrip(&c);
    free(buf);
    return 0;
}
