/* Fuzz target for config files (`majlis serve --config`, src/cli/conf.c)
 * and the flags they set (src/cli/flags.c). Every name and value handed
 * out must lie inside the text, hold no control character, and a name must
 * be a flag's; the first byte says which flags the command line already
 * gave, to exercise both paths. */
#include "api/settings.h"
#include "cli/conf.h"
#include "cli/flags.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *base;
static size_t base_len;

static void check_str(const char *s)
{
    if (s < base || s >= base + base_len + 1) abort();
    for (; *s; s++) {
        if (s >= base + base_len || ((unsigned char)*s < 0x20 && *s != '\t') || *s == 0x7f) abort();
    }
}

static int each(void *ctx, const char *name, const char *value, unsigned line, char *err,
                size_t errlen)
{
    unsigned *last = ctx;
    check_str(name);
    if (!*name || line <= *last) /* one setting a line, in order */
        abort();
    *last = line;
    if (value) check_str(value);
    return name[0] == 'x' ? (snprintf(err, errlen, "x"), -1) : 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 || size > MJ_CONF_MAX_BYTES) return 0;
    char *text = malloc(size);
    base = text;
    base_len = size - 1;
    memcpy(text, data + 1, size - 1);
    unsigned line = 0, last = 0;
    char err[256];
    err[0] = '\0';
    if (mj_conf_parse(text, size - 1, each, &last, &line, err, sizeof err) != 0 && !err[0]) abort();

    memcpy(text, data + 1, size - 1);
    const char *config = NULL, *str = NULL;
    long num = 0;
    bool sw = false;
    mj_flag_checked origin = {NULL, mj_api_check_public_origin};
    mj_flag flags[] = {
        {"config", MJ_FLAG_CONFIG, &config, "FILE", "", 0, 0, false, false},
        {"data", MJ_FLAG_STRING, &str, "DIR", "", 0, 0, false, false},
        {"workers", MJ_FLAG_INT, &num, "N", "", 1, 64, false, false},
        {"verbose", MJ_FLAG_BOOL, &sw, NULL, "", 0, 0, false, false},
        {"public-origin", MJ_FLAG_CHECKED, &origin, "URL", "", 0, 0, false, false},
        {0},
    };
    for (int i = 0; i < 5; i++)
        flags[i].seen = (data[0] >> i) & 1;
    mj_command cmd = {"fuzz", "", NULL, 0, 0, flags};
    err[0] = '\0';
    int rc = mj_flags_apply_conf(&cmd, text, size - 1, &line, err, sizeof err);
    if (rc != 0 && (!err[0] || line == 0)) abort();
    if (rc == 0 && !flags[1].seen && str)
        abort(); /* set from the file, so it must have been marked seen */
    if (str) check_str(str);
    if (origin.value && mj_api_check_public_origin(origin.value)) abort();
    if (num && (num < 1 || num > 64)) abort();
    free(text);
    return 0;
}
