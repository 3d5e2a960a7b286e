/* fuzz_config_file.c - libFuzzer harness for config_load_file (config.h): the input is
 * the INI file. Loading must either succeed or fail with a message; a configuration
 * that loads must write out (config_write) to text that loads back to the same
 * configuration.
 */
#include <stdint.h>
#include <string.h>

#include "config.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[512], err[CONFIG_ERR_LEN];
    fuzz_path(path, sizeof path, "input.ini");
    fuzz_write_file(path, data, size);
    Config c;
    config_defaults(&c);
    memset(err, 'x', sizeof err);
    if (config_load_file(&c, path, err) != 0) {
        fuzz_check_message(err, sizeof err, "config_load_file");
        return 0;
    }
    fuzz_config_roundtrip(&c);
    return 0;
}
