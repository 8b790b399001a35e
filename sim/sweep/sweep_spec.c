/*
 * sweep_spec.c: a sweep file -> its points.  Parses [sweep] and [params]
 * (GKeyFile), expands the parameter lists into dimensions (each key alone, or
 * a zip group of keys sharing one index), and maps point index <-> (trace,
 * values) in mixed radix, trace outermost, last dimension fastest.  Workload
 * traces are generated on demand into a trace directory under a name made
 * from their spec and seed.
 *
 * Invariants: n_points = n_traces x product of dimension lengths, every
 * dimension length >= 1; each parameter belongs to exactly one dimension;
 * labels are unique (a repeated trace or value would make two points with one
 * identity).
 */
#include "sweep.h"
#include "config.h"
#include "workloads/workloads.h"
#include "outfile.h"
#include "version.h"

#include <glib/gstdio.h>

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <unistd.h>

/* A fixed bound keeps per-point index arrays on the stack; far beyond any real sweep. */
#define SWEEP_MAX_DIMS 64
/* The longest workload a sweep generates: 2^30 references.  A generated .vmt
 * takes about 5.4 bytes per reference (`vmemsim gen worst refs=2000000`:
 * 10.9 MB) and generating runs at a few million references per second, so
 * 2^30 is already ~6 GB of trace directory and minutes per workload before
 * the first point; 2^40 would be ~6 TB.  Larger traces: make them once with
 * `vmemsim gen` and list the file under `traces =`. */
#define SWEEP_MAX_WORKLOAD_REFS (1ull << 30)
/* Hex digits of the fingerprint kept in the CSV: 64 bits, collisions moot. */
#define SWEEP_FINGERPRINT_HEX 16

typedef struct sweep_param {
    char *name;     /* section.key */
    char **values;  /* NULL-terminated */
    size_t n;       /* number of values */
    int group;      /* its zip group, or -1 */
    size_t dim;     /* the dimension it varies with */
} sweep_param;

/* One trace of a point: a file or a workload, and the VM it runs in. */
typedef struct sweep_part {
    char *path;     /* resolved file, or NULL for a workload */
    char **argv;    /* workload: name, key=value... (NULL-terminated) */
    int vm;         /* its VM, or -1: dealt to the VMs in turn */
} sweep_part;

/* What a point runs: one trace, or several joined by '+' (sweep.h). */
typedef struct sweep_trace {
    char *label;    /* the `trace` column */
    GArray *parts;  /* sweep_part */
} sweep_trace;

struct sweep {
    char *origin;
    char **bases;   /* resolved base configs, loaded in order (NULL-terminated; may be empty) */
    vs_config base_cfg; /* the defaults, then the base configs, read once at load */
    char fingerprint[SWEEP_FINGERPRINT_HEX + 1];
    uint64_t seed;
    GPtrArray *traces;  /* sweep_trace* */
    GPtrArray *params;  /* sweep_param* */
    size_t n_dims;
    size_t dim_len[SWEEP_MAX_DIMS]; /* length of each dimension */
    size_t n_points;
};


static void part_clear(gpointer p)
{
    sweep_part *q = p;
    g_free(q->path);
    g_strfreev(q->argv);
}

static void trace_free(gpointer p)
{
    sweep_trace *t = p;
    g_free(t->label);
    g_array_free(t->parts, TRUE);
    g_free(t);
}

static void param_free(gpointer p)
{
    sweep_param *q = p;
    g_free(q->name);
    g_strfreev(q->values);
    g_free(q);
}

void sweep_free(sweep *s)
{
    if (!s)
        return;
    g_free(s->origin);
    g_strfreev(s->bases);
    g_ptr_array_free(s->traces, TRUE);
    g_ptr_array_free(s->params, TRUE);
    g_free(s);
}

/* Splits on any of seps, trims each item, drops empty items. */
static char **split_list(const char *text, const char *seps)
{
    char **raw = g_strsplit_set(text, seps, -1);
    GPtrArray *out = g_ptr_array_new();
    for (char **p = raw; *p; p++) {
        char *item = g_strstrip(*p);
        if (*item)
            g_ptr_array_add(out, g_strdup(item));
    }
    g_strfreev(raw);
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static char *resolve(const char *base_dir, const char *path)
{
    return g_path_is_absolute(path) ? g_strdup(path) : g_build_filename(base_dir, path, NULL);
}

static bool label_taken(const sweep *s, const char *label)
{
    for (size_t i = 0; i < s->traces->len; i++)
        if (!strcmp(((sweep_trace *)s->traces->pdata[i])->label, label))
            return true;
    return false;
}

/* Takes label and parts (a GArray of sweep_part, freed on error). */
static int add_trace(sweep *s, char *label, GArray *parts, vs_err *err)
{
    if (label_taken(s, label)) {
        int rc = vs_fail(err, VS_E_CONFIG, "%s: [sweep] trace '%s' is listed twice", s->origin, label);
        g_free(label);
        g_array_free(parts, TRUE);
        return rc;
    }
    sweep_trace *t = g_new0(sweep_trace, 1);
    t->label = label;
    t->parts = parts;
    g_ptr_array_add(s->traces, t);
    return VS_OK;
}

/* A workload's refs= or instructions= (decimal, optional k/m/g suffix as
 * `vmemsim gen` reads them) above SWEEP_MAX_WORKLOAD_REFS is refused here,
 * before anything is generated; malformed values are left to the generator. */
static int check_workload_size(const sweep *s, const char *label, char **argv, vs_err *err)
{
    for (char **a = argv + 1; *a; a++) {
        const char *v = g_str_has_prefix(*a, "refs=") ? *a + 5 : g_str_has_prefix(*a, "instructions=") ? *a + 13 : NULL;
        if (!v || !g_ascii_isdigit(*v))
            continue;
        char *end;
        errno = 0;
        guint64 n = g_ascii_strtoull(v, &end, 10);
        unsigned shift = *end == 'k' || *end == 'K' ? 10 : *end == 'm' || *end == 'M' ? 20 : *end == 'g' || *end == 'G' ? 30 : 0;
        bool huge = errno == ERANGE || (shift && n > (UINT64_MAX >> shift)) || (n << shift) > SWEEP_MAX_WORKLOAD_REFS;
        if (huge)
            return vs_fail(err, VS_E_CONFIG,
                           "%s: [sweep] workload '%s': %s is beyond the sweep limit of %llu references (2^30: a "
                           "generated trace takes ~5.4 bytes per reference, so ~6 GB, and minutes to generate); "
                           "generate a larger trace once with vmemsim gen and list it under traces =",
                           s->origin, label, *a, (unsigned long long)SWEEP_MAX_WORKLOAD_REFS);
    }
    return VS_OK;
}

/* A leading "vm=K " of one trace of an item: *vm = K and the rest is
 * returned; otherwise *vm stays (the VM of the trace before, as in `run`). */
static int part_vm(const sweep *s, const char *item, const char **rest, int *vm, vs_err *err)
{
    *rest = item;
    if (!g_str_has_prefix(item, "vm="))
        return VS_OK;
    char *end;
    errno = 0;
    long k = strtol(item + 3, &end, 10);
    if (end == item + 3 || errno || k < 0 || k > INT32_MAX || !g_ascii_isspace(*end))
        return vs_fail(err, VS_E_CONFIG, "%s: [sweep] '%s': expected vm=K (K >= 0) then a trace", s->origin, item);
    *vm = (int)k;
    *rest = g_strchug(end);
    return VS_OK;
}

/* One item of traces = or workloads = : a trace, or several joined by '+'
 * (the processes or VMs of one point), each optionally "vm=K ...". */
static int parse_item(sweep *s, const char *item, bool workload, const char *base_dir, vs_err *err)
{
    char **pieces = split_list(item, "+");
    GArray *parts = g_array_new(FALSE, TRUE, sizeof(sweep_part));
    g_array_set_clear_func(parts, part_clear);
    GString *label = g_string_new("");
    int vm = -1, rc = VS_OK;
    for (char **p = pieces; *p && rc == VS_OK; p++) {
        const char *text;
        bool had_vm = g_str_has_prefix(*p, "vm=");
        rc = part_vm(s, *p, &text, &vm, err);
        if (rc != VS_OK)
            break;
        sweep_part part = {.vm = vm};
        if (label->len)
            g_string_append(label, " + ");
        if (had_vm)
            g_string_append_printf(label, "vm=%d ", vm);
        if (workload) {
            part.argv = split_list(text, " \t");
            char *spec = g_strjoinv(" ", part.argv);
            g_string_append(label, spec);
            rc = check_workload_size(s, spec, part.argv, err);
            g_free(spec);
        } else {
            part.path = resolve(base_dir, text);
            g_string_append(label, text);
        }
        g_array_append_val(parts, part);
    }
    g_strfreev(pieces);
    guint joins = 0; /* split_list drops empty pieces: "a +" must not pass as "a" */
    for (const char *c = item; *c; c++)
        joins += *c == '+';
    if (rc == VS_OK && (parts->len == 0 || parts->len != joins + 1))
        rc = vs_fail(err, VS_E_CONFIG, "%s: [sweep] '%s': expected a trace on each side of '+'", s->origin, item);
    if (rc != VS_OK) {
        g_string_free(label, TRUE);
        g_array_free(parts, TRUE);
        return rc;
    }
    return add_trace(s, g_string_free(label, FALSE), parts, err);
}

static int parse_traces(sweep *s, GKeyFile *kf, const char *base_dir, vs_err *err)
{
    char *files = g_key_file_get_string(kf, "sweep", "traces", NULL);
    char *specs = g_key_file_get_string(kf, "sweep", "workloads", NULL);
    int rc = VS_OK;
    char **items = split_list(files ? files : "", ",;");
    for (char **p = items; *p && rc == VS_OK; p++)
        rc = parse_item(s, *p, false, base_dir, err);
    g_strfreev(items);
    items = split_list(specs ? specs : "", ",;");
    for (char **p = items; *p && rc == VS_OK; p++)
        rc = parse_item(s, *p, true, base_dir, err);
    g_strfreev(items);
    if (rc == VS_OK && s->traces->len == 0)
        rc = vs_fail(err, VS_E_CONFIG, "%s: [sweep] needs traces = FILE, ... and/or workloads = SPEC; ...",
                     s->origin);
    g_free(files);
    g_free(specs);
    return rc;
}

static sweep_param *find_param(const sweep *s, const char *name)
{
    for (size_t i = 0; i < s->params->len; i++) {
        sweep_param *p = s->params->pdata[i];
        if (!strcmp(p->name, name))
            return p;
    }
    return NULL;
}

/* A value listed twice would make two points with one identity. */
static int check_values(const sweep *s, const sweep_param *p, vs_err *err)
{
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(p->values[i], p->values[j]))
                return vs_fail(err, VS_E_CONFIG, "%s: [params] %s: value '%s' is listed twice", s->origin, p->name,
                               p->values[i]);
    return VS_OK;
}

/* zip = a.b, c.d; e.f, g.h: the keys of each group share one dimension. */
static int parse_zip(sweep *s, const char *zip, vs_err *err)
{
    char **groups = split_list(zip, ";");
    int rc = VS_OK;
    for (int g = 0; groups[g] && rc == VS_OK; g++) {
        char **keys = split_list(groups[g], ",");
        const sweep_param *first = NULL;
        for (char **k = keys; *k && rc == VS_OK; k++) {
            sweep_param *p = find_param(s, *k);
            if (!p)
                rc = vs_fail(err, VS_E_CONFIG, "%s: [params] zip names '%s', which is not a key of [params]",
                             s->origin, *k);
            else if (p->group >= 0)
                rc = vs_fail(err, VS_E_CONFIG, "%s: [params] zip names '%s' twice", s->origin, *k);
            else if (first && p->n != first->n)
                rc = vs_fail(err, VS_E_CONFIG,
                             "%s: [params] zip pairs '%s' (%zu values) with '%s' (%zu values): expected equal lengths",
                             s->origin, first->name, first->n, p->name, p->n);
            else {
                p->group = g;
                first = first ? first : p;
            }
        }
        g_strfreev(keys);
    }
    g_strfreev(groups);
    return rc;
}

/* Dimensions in the order their first key appears in [params]. */
static int number_dims(sweep *s, vs_err *err)
{
    for (size_t i = 0; i < s->params->len; i++) {
        sweep_param *p = s->params->pdata[i];
        const sweep_param *mate = NULL;
        for (size_t j = 0; j < i && p->group >= 0 && !mate; j++)
            if (((sweep_param *)s->params->pdata[j])->group == p->group)
                mate = s->params->pdata[j];
        if (mate) {
            p->dim = mate->dim;
            continue;
        }
        if (s->n_dims == SWEEP_MAX_DIMS)
            return vs_fail(err, VS_E_CONFIG, "%s: [params] more than %d dimensions", s->origin, SWEEP_MAX_DIMS);
        s->dim_len[s->n_dims] = p->n;
        p->dim = s->n_dims++;
    }
    return VS_OK;
}

static int parse_params(sweep *s, GKeyFile *kf, vs_err *err)
{
    if (!g_key_file_has_group(kf, "params"))
        return VS_OK;
    gsize n = 0;
    char **keys = g_key_file_get_keys(kf, "params", &n, NULL);
    char *zip = NULL;
    int rc = VS_OK;
    for (gsize i = 0; i < n && rc == VS_OK; i++) {
        char *v = g_key_file_get_string(kf, "params", keys[i], NULL);
        if (!strcmp(keys[i], "zip")) {
            zip = v;
            continue;
        }
        sweep_param *p = g_new0(sweep_param, 1);
        p->name = g_strdup(keys[i]);
        p->values = split_list(v ? v : "", ",");
        p->n = g_strv_length(p->values);
        p->group = -1;
        size_t commas = 0; /* split_list drops empty values: "native,,nested" must not pass as two */
        for (const char *c = v ? v : ""; *c; c++)
            commas += *c == ',';
        g_free(v);
        g_ptr_array_add(s->params, p);
        if (!strchr(p->name, '.'))
            rc = vs_fail(err, VS_E_CONFIG, "%s: [params] '%s': expected section.key (or zip)", s->origin, p->name);
        else if (p->n == 0 || p->n != commas + 1)
            rc = vs_fail(err, VS_E_CONFIG, "%s: [params] %s: expected a list of values v1, v2, ...%s", s->origin,
                         p->name, p->n ? " (one is empty)" : "");
        else
            rc = check_values(s, p, err);
    }
    g_strfreev(keys);
    if (rc == VS_OK && zip)
        rc = parse_zip(s, zip, err);
    g_free(zip);
    return rc == VS_OK ? number_dims(s, err) : rc;
}

static int count_points(sweep *s, vs_err *err)
{
    size_t n = s->traces->len;
    for (size_t d = 0; d < s->n_dims; d++) {
        if (n > SIZE_MAX / s->dim_len[d])
            return vs_fail(err, VS_E_CONFIG, "%s: too many points", s->origin);
        n *= s->dim_len[d];
    }
    s->n_points = n;
    return VS_OK;
}

int sweep_point_config(const sweep *s, size_t k, vs_config *cfg, vs_err *err)
{
    assert(k < s->n_points);
    *cfg = s->base_cfg;
    const char **a = g_new0(const char *, s->params->len + 1);
    for (size_t i = 0; i < s->params->len; i++)
        a[i] = g_strdup_printf("%s=%s", sweep_param_name(s, i), sweep_point_value(s, k, i));
    int rc = cfg_override_all(cfg, a, s->params->len, err);
    for (size_t i = 0; i < s->params->len; i++)
        g_free((char *)a[i]);
    g_free(a);
    return rc;
}

/* Every point's parameters must apply, together, to the base config: a typo
 * or an impossible combination fails at load, not hours into the sweep.  The
 * points of one trace share their configs, so trace 0's are checked. */
static int check_points(const sweep *s, vs_err *err)
{
    size_t per_trace = s->n_points / s->traces->len;
    for (size_t k = 0; k < per_trace; k++) {
        vs_config cfg;
        vs_err e = {0};
        if (sweep_point_config(s, k, &cfg, &e) == VS_OK)
            continue;
        GString *id = g_string_new("");
        for (size_t i = 0; i < s->params->len; i++)
            g_string_append_printf(id, "%s%s=%s", i ? ", " : "", sweep_param_name(s, i), sweep_point_value(s, k, i));
        int rc = vs_fail(err, VS_E_CONFIG, "%s: [params] the point %s: %s", s->origin, id->str, e.msg);
        g_string_free(id, TRUE);
        return rc;
    }
    return VS_OK;
}

/* The fingerprint of everything besides a point's own identity that decides
 * its row: this vmemsim build, the sweep file, the base configs' bytes and
 * the seed.  Rows carry it, so --resume never mixes rows of two setups. */
static void make_fingerprint(sweep *s, const char *data, size_t len, GPtrArray *base_texts)
{
    GChecksum *h = g_checksum_new(G_CHECKSUM_SHA256);
    char head[160];
    snprintf(head, sizeof head, "vmemsim %s %s\nseed %" PRIu64 "\nsweep %zu\n", VS_VERSION, vs_build_id, s->seed,
             len);
    g_checksum_update(h, (const guchar *)head, (gssize)strlen(head));
    g_checksum_update(h, (const guchar *)data, (gssize)len);
    if (base_texts->len == 0) {
        snprintf(head, sizeof head, "\nbase 0\n");
        g_checksum_update(h, (const guchar *)head, (gssize)strlen(head));
    }
    for (guint i = 0; i < base_texts->len; i++) {
        GBytes *b = g_ptr_array_index(base_texts, i);
        snprintf(head, sizeof head, "\nbase %zu\n", g_bytes_get_size(b));
        g_checksum_update(h, (const guchar *)head, (gssize)strlen(head));
        g_checksum_update(h, g_bytes_get_data(b, NULL), (gssize)g_bytes_get_size(b));
    }
    g_strlcpy(s->fingerprint, g_checksum_get_string(h), sizeof s->fingerprint);
    g_checksum_free(h);
}

/* Reads the base configs once, in order (a machine, then a VMM profile: the
 * later wins, as repeated `run -c`): their bytes feed the fingerprint and
 * the same bytes configure every point. */
static int load_base(sweep *s, const char *data, size_t len, vs_err *err)
{
    cfg_defaults(&s->base_cfg);
    GPtrArray *texts = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
    int rc = VS_OK;
    for (char **b = s->bases; *b && rc == VS_OK; b++) {
        char *text;
        size_t base_len;
        rc = vs_read_file(*b, NULL, &text, &base_len, err);
        if (rc == VS_OK) {
            rc = cfg_load_data(&s->base_cfg, text, base_len, *b, err);
            g_ptr_array_add(texts, g_bytes_new_take(text, base_len));
        }
        if (rc != VS_OK) {
            /* The sweep file first, whether the base cannot be read or is no valid
             * config: a base path of hundreds of bytes must not push its name
             * out of the bounded message. */
            vs_err cause = *err;
            vs_fail(err, rc, "%s: [sweep] base: %s", s->origin, cause.msg);
        }
    }
    if (rc == VS_OK)
        make_fingerprint(s, data, len, texts);
    g_ptr_array_free(texts, TRUE);
    return rc;
}

int sweep_load_data(const char *data, size_t len, const char *origin, const char *base_dir, sweep **out,
                    vs_err *err)
{
    *out = NULL;
    GKeyFile *kf;
    int loaded = cfg_keyfile_load(data, len, origin, &kf, err);
    if (loaded != VS_OK)
        return loaded;
    sweep *s = g_new0(sweep, 1);
    s->origin = g_strdup(origin);
    s->traces = g_ptr_array_new_with_free_func(trace_free);
    s->params = g_ptr_array_new_with_free_func(param_free);
    s->seed = 1;
    int rc = VS_OK;
    char **groups = g_key_file_get_groups(kf, NULL);
    for (char **g = groups; *g && rc == VS_OK; g++)
        if (strcmp(*g, "sweep") && strcmp(*g, "params"))
            rc = vs_fail(err, VS_E_CONFIG, "%s: unknown section [%s]: expected [sweep] and [params]", origin, *g);
    g_strfreev(groups);
    char **keys = rc == VS_OK ? g_key_file_get_keys(kf, "sweep", NULL, NULL) : NULL;
    for (char **k = keys; k && *k && rc == VS_OK; k++)
        if (strcmp(*k, "base") && strcmp(*k, "traces") && strcmp(*k, "workloads") && strcmp(*k, "seed"))
            rc = vs_fail(err, VS_E_CONFIG, "%s: [sweep] unknown key '%s': expected base, traces, workloads, seed",
                         origin, *k);
    g_strfreev(keys);
    if (rc == VS_OK) {
        char *base = g_key_file_get_string(kf, "sweep", "base", NULL);
        s->bases = split_list(base ? base : "", ";");
        for (char **b = s->bases; *b; b++) {
            char *path = resolve(base_dir, *b);
            g_free(*b);
            *b = path;
        }
        g_free(base);
        char *seed = g_key_file_get_string(kf, "sweep", "seed", NULL);
        if (seed) {
            guint64 v;
            if (g_ascii_string_to_unsigned(g_strstrip(seed), 10, 0, G_MAXUINT64, &v, NULL))
                s->seed = v;
            else
                rc = vs_fail(err, VS_E_CONFIG, "%s: [sweep] seed '%s': expected an integer >= 0", origin, seed);
            g_free(seed);
        }
    }
    if (rc == VS_OK)
        rc = load_base(s, data, len, err);
    if (rc == VS_OK)
        rc = parse_traces(s, kf, base_dir, err);
    if (rc == VS_OK)
        rc = parse_params(s, kf, err);
    if (rc == VS_OK)
        rc = count_points(s, err);
    if (rc == VS_OK)
        rc = check_points(s, err);
    g_key_file_free(kf);
    if (rc != VS_OK) {
        sweep_free(s);
        return rc;
    }
    *out = s;
    return VS_OK;
}

/* What sweep_load hands vs_load_file: relative paths resolve under dir. */
typedef struct sweep_dest {
    const char *dir;
    sweep **out;
} sweep_dest;

static int parse_sweep(void *ctx, const char *data, size_t len, const char *origin, vs_err *err)
{
    const sweep_dest *d = ctx;
    return sweep_load_data(data, len, origin, d->dir, d->out, err);
}

int sweep_load(const char *path, sweep **out, vs_err *err)
{
    *out = NULL;
    char *dir = g_path_get_dirname(path);
    sweep_dest d = {dir, out};
    int rc = vs_load_file(path, "sweep file", parse_sweep, &d, err);
    g_free(dir);
    return rc;
}

size_t sweep_n_points(const sweep *s) { return s->n_points; }
size_t sweep_n_params(const sweep *s) { return s->params->len; }
size_t sweep_n_traces(const sweep *s) { return s->traces->len; }

const char *sweep_param_name(const sweep *s, size_t i)
{
    assert(i < s->params->len);
    return ((sweep_param *)s->params->pdata[i])->name;
}

const char *sweep_trace_label(const sweep *s, size_t t)
{
    assert(t < s->traces->len);
    return ((sweep_trace *)s->traces->pdata[t])->label;
}

static const sweep_part *part_of(const sweep *s, size_t t, size_t i)
{
    assert(t < s->traces->len);
    const GArray *parts = ((sweep_trace *)s->traces->pdata[t])->parts;
    assert(i < parts->len);
    return &g_array_index(parts, sweep_part, i);
}

size_t sweep_trace_n_parts(const sweep *s, size_t t)
{
    assert(t < s->traces->len);
    return ((sweep_trace *)s->traces->pdata[t])->parts->len;
}

bool sweep_trace_is_workload(const sweep *s, size_t t)
{
    for (size_t i = 0; i < sweep_trace_n_parts(s, t); i++)
        if (!part_of(s, t, i)->path)
            return true;
    return false;
}

int sweep_trace_part_vm(const sweep *s, size_t t, size_t i) { return part_of(s, t, i)->vm; }

const char *const *sweep_base_configs(const sweep *s) { return (const char *const *)s->bases; }
const char *sweep_fingerprint(const sweep *s) { return s->fingerprint; }

size_t sweep_point_trace(const sweep *s, size_t k)
{
    assert(k < s->n_points);
    return k / (s->n_points / s->traces->len);
}

/* The index along dimension d of point k. */
static size_t dim_index(const sweep *s, size_t k, size_t d)
{
    for (size_t e = s->n_dims; e-- > d + 1;)
        k /= s->dim_len[e];
    return k % s->dim_len[d];
}

const char *sweep_point_value(const sweep *s, size_t k, size_t i)
{
    assert(k < s->n_points && i < s->params->len);
    const sweep_param *p = s->params->pdata[i];
    return p->values[dim_index(s, k, p->dim)];
}

long sweep_find_point(const sweep *s, const char *trace, const char *const *values)
{
    size_t t = 0;
    while (t < s->traces->len && strcmp(sweep_trace_label(s, t), trace))
        t++;
    if (t == s->traces->len)
        return -1;
    size_t idx[SWEEP_MAX_DIMS];
    bool set[SWEEP_MAX_DIMS] = {false};
    for (size_t i = 0; i < s->params->len; i++) {
        const sweep_param *p = s->params->pdata[i];
        size_t v = 0;
        while (v < p->n && strcmp(p->values[v], values[i]))
            v++;
        if (v == p->n || (set[p->dim] && idx[p->dim] != v))
            return -1; /* unknown value, or zipped values from different rows */
        idx[p->dim] = v;
        set[p->dim] = true;
    }
    size_t k = t;
    for (size_t d = 0; d < s->n_dims; d++)
        k = k * s->dim_len[d] + idx[d];
    return (long)k;
}

/* A file name from a generator spec: "worst refs=200000" -> worst_refs-200000. */
static char *spec_file_name(const sweep_part *p, uint64_t seed)
{
    GString *g = g_string_new("");
    for (char **a = p->argv; *a; a++) {
        if (g->len)
            g_string_append_c(g, '_');
        for (const char *c = *a; *c; c++)
            g_string_append_c(g, g_ascii_isalnum(*c) || *c == '.' ? *c : '-');
    }
    g_string_append_printf(g, "_s%" PRIu64 ".vmt", seed);
    return g_string_free(g, FALSE);
}

char *sweep_trace_path(const sweep *s, size_t t, size_t i, const char *trace_dir)
{
    const sweep_part *p = part_of(s, t, i);
    if (p->path)
        return g_strdup(p->path);
    char *name = spec_file_name(p, s->seed);
    char *path = g_build_filename(trace_dir, name, NULL);
    g_free(name);
    return path;
}

/* Generates the workload of part i unless its file is already there. */
static int prepare_part(const sweep *s, size_t t, size_t i, const char *trace_dir, vs_err *err)
{
    const sweep_part *p = part_of(s, t, i);
    if (p->path)
        return VS_OK;
    char *path = sweep_trace_path(s, t, i, trace_dir);
    int rc = VS_OK;
    if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
        /* One level only: the trace directory's parent must exist. */
        if (g_mkdir(trace_dir, 0777) != 0 && errno != EEXIST) {
            rc = vs_fail(err, VS_E_IO, "%s: cannot create trace directory: %s", trace_dir, g_strerror(errno));
        } else {
            /* Unique per process and thread: two generators of one trace never share a temporary. */
            char *tmp = of_temp_path(path);
            rc = wl_generate(p->argv[0], (int)g_strv_length(p->argv) - 1, p->argv + 1, s->seed, tmp, err);
            if (rc == VS_OK)
                rc = of_rename(tmp, path, err);
            else
                unlink(tmp);
            of_untrack(tmp);
            g_free(tmp);
        }
        if (rc != VS_OK) {
            char msg[VS_ERR_MSG_MAX];
            g_strlcpy(msg, err->msg, sizeof msg);
            /* The workload's parameters come from the sweep file, so a value
             * gen refuses as a usage error is bad input here (exit 1, not 2). */
            vs_fail(err, rc == VS_E_USAGE ? VS_E_CONFIG : rc, "%s: workload '%s': %s", s->origin,
                    sweep_trace_label(s, t), msg);
        }
    }
    g_free(path);
    return rc;
}

int sweep_check_trace_files(const sweep *s, vs_err *err)
{
    for (size_t t = 0; t < s->traces->len; t++)
        for (size_t i = 0; i < sweep_trace_n_parts(s, t); i++) {
            const char *path = part_of(s, t, i)->path;
            if (path && g_access(path, R_OK) != 0)
                return vs_fail(err, VS_E_IO, "%s: [sweep] trace '%s': %s: %s", s->origin, sweep_trace_label(s, t),
                               path, g_strerror(errno));
        }
    return VS_OK;
}

int sweep_prepare_trace(const sweep *s, size_t t, const char *trace_dir, vs_err *err)
{
    int rc = VS_OK;
    for (size_t i = 0; i < sweep_trace_n_parts(s, t) && rc == VS_OK; i++)
        rc = prepare_part(s, t, i, trace_dir, err);
    return rc;
}
