/*
 * common.h: what every vmemsim module shares -- the error record that crosses
 * module boundaries, the single out-of-memory policy, and a few bit helpers.
 *
 * Error policy (after Redis): functions at a module boundary return 0 on
 * success or a negative VS_E* code and fill a vs_err with a message that
 * names the file, the line or byte offset, and what was expected.  Internal
 * invariants are assert()ed.  Allocation never fails visibly: vs_malloc and
 * friends end the process in one place (vs_oom) with a clear message, so no
 * caller carries an allocation-failure path.  GLib's own allocations (GString,
 * GHashTable, g_strdup, ...) follow the same policy but print GLib's message
 * ("failed to allocate N bytes") before aborting: since GLib 2.46 the
 * allocator cannot be replaced (g_mem_set_vtable is a no-op).
 */
#ifndef VS_COMMON_H
#define VS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define VS_ERR_MSG_MAX 512 /* room for a path, a location and an expectation */

enum vs_errcode {
    VS_OK = 0,
    VS_E_IO = -1,      /* open/read/write failed (errno text in the message) */
    VS_E_FORMAT = -2,  /* input is malformed: trace, config, dump */
    VS_E_CONFIG = -3,  /* a configuration value is out of range or unknown */
    VS_E_LIMIT = -4,   /* a simulated resource ran out (physical memory) */
    VS_E_USAGE = -5,   /* the caller asked for something unsupported */
};

typedef struct vs_err {
    int code;
    char msg[VS_ERR_MSG_MAX];
} vs_err;

/* Fills err (if non-NULL) and returns code, so callers can `return vs_fail(...)`.
 * The message is made printable: quoted garbage never reaches a terminal raw. */
int vs_fail(vs_err *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

void *vs_malloc(size_t n);
void *vs_calloc(size_t count, size_t size);
void *vs_realloc(void *p, size_t n);
char *vs_strdup(const char *s);
/* Zeroed memory for a large array that is mostly never written (a bitmap
 * sized by host memory): from VS_ZMAP_MIN bytes on it is mapped from the
 * kernel, whose pages become resident only when written; below that it is
 * vs_calloc's.  Free it with vs_zunmap and the same n. */
void *vs_zmap(size_t n);
void vs_zunmap(void *p, size_t n);
_Noreturn void vs_oom(size_t n);

/* The whole of the file at path, with a NUL after its len bytes, in *data
 * (free it with g_free).  On failure *data is NULL and the VS_E_IO message
 * reads "PATH: cannot read WHAT: why" ("PATH: cannot read: why" for a NULL
 * what). */
int vs_read_file(const char *path, const char *what, char **data, size_t *len, vs_err *err);

/* A parser of a whole file's bytes into ctx; origin names the file in its errors. */
typedef int (*vs_parse_fn)(void *ctx, const char *data, size_t len, const char *origin, vs_err *err);
/* Reads path whole (vs_read_file: its errors) and hands its bytes to parse,
 * with path as the origin: every INI loader's "file" form over its "data" form. */
int vs_load_file(const char *path, const char *what, vs_parse_fn parse, void *ctx, vs_err *err);

/* The length of the UTF-8 byte-order mark (U+FEFF encoded, Unicode 15.0
 * sec. 23.8) at the start of data, or 0.  Windows editors and spreadsheet
 * exports write one before a text file's first line; it is no part of that
 * line, so a text reader skips it (line numbers do not move). */
size_t vs_utf8_bom_len(const char *data, size_t len);

#define VS_LIKELY(x) __builtin_expect(!!(x), 1)
#define VS_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define VS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Asks the host to bring the line at p towards its caches (a hint: never
 * faults, changes nothing).  Not __builtin_prefetch alone: GCC counts a
 * function whose only effect is that builtin as const, and under link-time
 * optimization deletes every call of it that it does not inline (GCC 12:
 * assoc_prefetch's calls were gone from the Release build's walk and cache
 * probe).  The empty volatile asm is an effect it keeps, and costs nothing. */
static inline void vs_prefetch(const void *p)
{
    __builtin_prefetch(p);
    __asm__ volatile("");
}

#define VS_PAGE_SHIFT_4K 12
#define VS_PAGE_SHIFT_2M 21
#define VS_PAGE_SHIFT_1G 30

/* The three x86-64 page sizes, as a small index usable in bit masks. */
typedef enum vs_pgsz { VS_PG_4K = 0, VS_PG_2M = 1, VS_PG_1G = 2, VS_PG_COUNT = 3 } vs_pgsz;

static inline unsigned vs_pgsz_shift(vs_pgsz s)
{
    static const unsigned shift[VS_PG_COUNT] = {VS_PAGE_SHIFT_4K, VS_PAGE_SHIFT_2M, VS_PAGE_SHIFT_1G};
    return shift[s];
}

const char *vs_pgsz_name(vs_pgsz s); /* "4k", "2m", "1g" */

/* splitmix64: the project's one deterministic PRNG step (seeded per run). */
static inline uint64_t vs_rng_next(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

#endif
