/*
 * wl_args.c: the key=value parameters of `vmemsim gen NAME key=value ...`.
 *
 * Each generator asks for the keys it knows; whatever nobody asked for is an
 * error at wl_args_done, so a misspelt key never silently falls back to its
 * default.  Invariant: every value handed out lies inside the range the
 * generator gave.
 */
#include "workloads.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

typedef struct wl_kv {
    char *key, *value;
    bool used;
} wl_kv;

struct wl_args {
    const char *gen;
    wl_kv *kv;
    int n;
};

int wl_args_parse(const char *gen, int nkv, char **kv, wl_args **out, vs_err *err)
{
    wl_args *a = vs_calloc(1, sizeof *a);
    a->gen = gen;
    a->kv = vs_calloc(nkv > 0 ? (size_t)nkv : 1, sizeof *a->kv);
    for (int i = 0; i < nkv; i++) {
        const char *eq = strchr(kv[i], '=');
        if (!eq || eq == kv[i]) {
            wl_args_free(a);
            return vs_fail(err, VS_E_USAGE, "gen %s: argument '%s': expected key=value", gen, kv[i]);
        }
        for (int j = 0; j < a->n; j++)
            if (strncmp(a->kv[j].key, kv[i], (size_t)(eq - kv[i])) == 0 &&
                a->kv[j].key[eq - kv[i]] == 0) {
                int rc = vs_fail(err, VS_E_USAGE, "gen %s: key '%s' given twice", gen, a->kv[j].key);
                wl_args_free(a);
                return rc;
            }
        a->kv[a->n].key = vs_strdup(kv[i]);
        a->kv[a->n].key[eq - kv[i]] = 0;
        a->kv[a->n].value = a->kv[a->n].key + (eq - kv[i]) + 1;
        a->n++;
    }
    *out = a;
    return VS_OK;
}

void wl_args_free(wl_args *a)
{
    if (!a)
        return;
    for (int i = 0; i < a->n; i++)
        free(a->kv[i].key);
    free(a->kv);
    free(a);
}

static const char *lookup(wl_args *a, const char *key)
{
    for (int i = 0; i < a->n; i++)
        if (strcmp(a->kv[i].key, key) == 0) {
            a->kv[i].used = true;
            return a->kv[i].value;
        }
    return NULL;
}

int wl_arg_u64(wl_args *a, const char *key, uint64_t def, uint64_t lo, uint64_t hi, uint64_t *out,
               vs_err *err)
{
    const char *v = lookup(a, key);
    if (!v) {
        *out = def;
        return VS_OK;
    }
    char *end;
    errno = 0;
    unsigned long long x = strtoull(v, &end, 10);
    unsigned shift = 0;
    if (*end == 'k' || *end == 'K')
        shift = 10;
    else if (*end == 'm' || *end == 'M')
        shift = 20;
    else if (*end == 'g' || *end == 'G')
        shift = 30;
    if (shift)
        end++;
    if (errno || end == v || *end || *v == '-' || (shift && x > (UINT64_MAX >> shift)) ||
        (x << shift) < lo || (x << shift) > hi)
        return vs_fail(err, VS_E_USAGE,
                       "gen %s: %s=%s: expected an integer (suffix k, m or g allowed) in [%llu, %llu]",
                       a->gen, key, v, (unsigned long long)lo, (unsigned long long)hi);
    *out = (uint64_t)x << shift;
    return VS_OK;
}

int wl_arg_f64(wl_args *a, const char *key, double def, double lo, double hi, double *out, vs_err *err)
{
    const char *v = lookup(a, key);
    if (!v) {
        *out = def;
        return VS_OK;
    }
    char *end;
    errno = 0;
    /* Decimal only, in the C locale: strtod would also take hexadecimal
     * ("0x1") and read "0,5" by the user's locale. */
    double x = g_ascii_strtod(v, &end);
    if (errno || end == v || *end || strpbrk(v, "xX") || !(x >= lo && x <= hi))
        return vs_fail(err, VS_E_USAGE, "gen %s: %s=%s: expected a decimal number in [%g, %g]", a->gen, key,
                       v, lo, hi);
    *out = x;
    return VS_OK;
}

int wl_arg_str(wl_args *a, const char *key, const char *def, const char **out, vs_err *err)
{
    const char *v = lookup(a, key);
    if (v && !*v)
        return vs_fail(err, VS_E_USAGE, "gen %s: %s= is empty", a->gen, key);
    *out = v ? v : def;
    return VS_OK;
}

int wl_arg_choice(wl_args *a, const char *key, const char *const *names, int def, int *out,
                  vs_err *err)
{
    const char *v = lookup(a, key);
    if (!v) {
        *out = def;
        return VS_OK;
    }
    char list[256] = "";
    for (int i = 0; names[i]; i++) {
        if (strcmp(names[i], v) == 0) {
            *out = i;
            return VS_OK;
        }
        size_t l = strlen(list);
        snprintf(list + l, sizeof list - l, "%s%s", i ? "|" : "", names[i]);
    }
    return vs_fail(err, VS_E_USAGE, "gen %s: %s=%s: expected one of %s", a->gen, key, v, list);
}

int wl_args_done(wl_args *a, vs_err *err)
{
    for (int i = 0; i < a->n; i++)
        if (!a->kv[i].used)
            return vs_fail(err, VS_E_USAGE, "gen %s: unknown key '%s' (see vmemsim gen --list)", a->gen,
                           a->kv[i].key);
    return VS_OK;
}
