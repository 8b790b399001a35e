/*
 * fuzz_config.c: libFuzzer target for the config parser -- arbitrary bytes as
 * an INI file must load or fail with a message, never crash; a loaded config
 * always validates.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vs_config c;
    vs_err err = {0};
    cfg_defaults(&c);
    if (cfg_load_data(&c, (const char *)data, size, "fuzz.ini", &err) == VS_OK)
        assert(cfg_validate(&c, "fuzz.ini", &err) == VS_OK);
    else
        assert(err.msg[0] != '\0');
    return 0;
}
