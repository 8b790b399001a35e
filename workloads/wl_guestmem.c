/*
 * wl_guestmem.c: one guest's physical memory at one moment, written as a raw
 * image for `vmemsim share VM@SECONDS=raw:0:IMAGE` -- the VMs of the
 * page-sharing thesis (seed 002: Kloster, Kristensen, Mejlholm 2006, ch. 7),
 * built from the parts the thesis names (docs/sharing.md, "Guest images",
 * gives every default's source):
 *
 *   kernel  the guest kernel image, the same bytes in every VM: all the
 *           thesis's VMs ran one Xen domU kernel, 2.6 MB uncompressed (7.4).
 *           This machine has no kernel image, so its bytes are a keystream of
 *           kernel_build= (only identity matters for sharing);
 *   cache   the distribution's page cache: whole 4 KiB pages of this
 *           machine's real binaries and libraries (files=, colon-separated
 *           directories), the files taken in an order seeded by distro=.
 *           distro=0 keeps their bytes; another distro XORs every page with
 *           its own keystream: a different build of the same packages, which
 *           shares no page with distro 0 (7.4: Gentoo and Debian VMs share
 *           little beyond the kernel);
 *   anon    the services' private anonymous memory: random, per VM (--seed);
 *   free    the rest: zero pages, because Xen scrubs free memory (7.3).
 *
 * A workload writes rate= pages per second into memory, from start= seconds
 * after boot for dur= seconds, into free pages first.  Its first wss= bytes
 * are its anonymous working set (compiler heaps, server buffers): private,
 * rewritten in place, so they hold new bytes at every later moment (freed
 * pages are reused first, so the working set stays where it was).  Later
 * writes go round robin over the rest of the free pages (or, with evict=1,
 * over them and the page cache together: the oldest pages are replaced
 * first, as an LRU page cache does under pressure).  The first mapped= share
 * of the page cache is mapped by running processes (libraries and binaries
 * of the daemons) and is never replaced: Linux 2.6's reclaim puts mapped
 * pages back on the active list unless swap_tendency = mapped_ratio / 2 +
 * distress + swappiness reaches 100 (mm/vmscan.c, refill_inactive_zone),
 * which with swappiness 60 takes a near-OOM distress.  With pool=, the next
 * common= share of those pages (at most pool= bytes) holds the tools every
 * VM of the distribution reads (gcc, make, shared dependencies): the
 * distribution's files after the cache's, kept (hot pages survive an LRU).
 * Every VM caches the same leading part of the pool, the most used tools:
 * an LRU keeps what is used most, and builds on one distribution use the
 * same compiler, shell and libraries first.  Write number n in the rest is,
 * by a hash of n and data=:
 *   private (probability private=): heaps and logs, random per VM;
 *   else page n of the data set data=: the same in every VM that runs the
 *     same job on the same data (one kernel tree compiled everywhere);
 *   but the job's last stamped= bytes (its writes before start + dur ends)
 *     are private to the run: outputs that embed the time of the run, as a
 *     kernel build's version banner (scripts/mkcompile_h puts `date` into
 *     UTS_VERSION) and the compressed images made after it.  The time is the
 *     VM's own (--seed): two VMs never build in the same second;
 *   and the copies= x image= writes just before the stamped ones are
 *     copies= copies of one image= output, the same data-set pages in each
 *     copy: a kernel build links vmlinux twice more with the same objects
 *     and layout (.tmp_vmlinux2, then vmlinux: the top Makefile's kallsyms
 *     passes) and copies it page for page (arch/i386/boot/compressed's
 *     `objcopy -O binary` vmlinux.bin), so one VM holds the same pages
 *     several times, which sharing by content merges and sharing by frame
 *     (a Potemkin clone) does not.
 *
 * Invariants: the image is exactly mem= bytes; no VM holds a pool page twice; before the workload writes
 * (or with rate=0) the zero pages are exactly mem - kernel - cache - anon
 * pages plus the cache pages that are zero in the files themselves, and
 * every write removes one zero page until none are left; the bytes depend
 * only on the keys, the seed and the files' contents.
 */
#include "wl_int.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define GM_PAGE 4096u
#define GM_DEFAULT_FILES "/usr/lib/x86_64-linux-gnu:/usr/bin" /* common libraries and binaries */
/* Stream tags: keep the keystreams of the parts apart. */
#define TAG_KERNEL 0x6b65726e656c0001ull
#define TAG_DISTRO 0x64697374726f0002ull
#define TAG_ANON 0x616e6f6e00000003ull
#define TAG_DATA 0x6461746100000004ull
#define TAG_KIND 0x6b696e6400000005ull
#define TAG_PRIV 0x7072697600000006ull
#define TAG_ORDER 0x6f72646572000007ull
#define TAG_STAMP 0x7374616d70000008ull

typedef struct gm_file {
    char *path;
    uint64_t key;   /* order in the distribution's stream */
    uint64_t first; /* its first page in the stream */
    uint64_t pages;
} gm_file;

typedef struct gm_stream {
    gm_file *f;
    size_t n;
    uint64_t pages;
    int fd;   /* the file last read, kept open */
    size_t at;
} gm_stream;

static uint64_t mix(uint64_t a, uint64_t b)
{
    uint64_t s = a ^ (b * 0xd1342543de82ef95ull);
    return vs_rng_next(&s);
}

static void keystream(uint8_t *page, uint64_t tag, uint64_t id, uint64_t n)
{
    uint64_t s = mix(mix(tag, id), n);
    for (unsigned i = 0; i < GM_PAGE; i += 8) {
        uint64_t v = vs_rng_next(&s);
        memcpy(page + i, &v, 8);
    }
}

static int file_cmp(const void *a, const void *b)
{
    const gm_file *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return strcmp(x->path, y->path);
}

static uint64_t str_hash(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a 64 */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 0x100000001b3ull;
    return h;
}

/* Lists the regular files (not symlinks: a library's links would repeat it)
 * of every directory in dirs, ordered by a hash of (distro, path). */
static int stream_open(gm_stream *st, const char *dirs, uint64_t distro, vs_err *err)
{
    memset(st, 0, sizeof *st);
    st->fd = -1;
    size_t cap = 0;
    char **parts = g_strsplit(dirs, ":", -1);
    for (char **d = parts; *d; d++) {
        if (!**d)
            continue;
        DIR *dir = opendir(*d);
        if (!dir) {
            int rc = vs_fail(err, VS_E_IO, "gen guestmem: files=%s: %s: %s", dirs, *d, strerror(errno));
            g_strfreev(parts);
            return rc;
        }
        for (struct dirent *e; (e = readdir(dir));) {
            char *path = g_build_filename(*d, e->d_name, NULL);
            struct stat sb;
            if (lstat(path, &sb) || !S_ISREG(sb.st_mode) || sb.st_size <= 0) {
                g_free(path);
                continue;
            }
            if (st->n == cap) {
                cap = cap ? cap * 2 : 256;
                st->f = vs_realloc(st->f, cap * sizeof *st->f);
            }
            st->f[st->n++] = (gm_file){vs_strdup(path), mix(mix(TAG_ORDER, distro), str_hash(path)), 0,
                                       ((uint64_t)sb.st_size + GM_PAGE - 1) / GM_PAGE};
            g_free(path);
        }
        closedir(dir);
    }
    g_strfreev(parts);
    qsort(st->f, st->n, sizeof *st->f, file_cmp);
    for (size_t i = 0; i < st->n; i++) {
        st->f[i].first = st->pages;
        st->pages += st->f[i].pages;
    }
    return VS_OK;
}

static void stream_close(gm_stream *st)
{
    if (st->fd >= 0)
        close(st->fd);
    for (size_t i = 0; i < st->n; i++)
        free(st->f[i].path);
    free(st->f);
}

/* Page p of the stream: the file's bytes, zero past its end. */
static int stream_page(gm_stream *st, uint64_t p, uint8_t *page, vs_err *err)
{
    size_t lo = 0, hi = st->n;
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (st->f[mid].first <= p)
            lo = mid;
        else
            hi = mid;
    }
    gm_file *f = &st->f[lo];
    if (st->fd < 0 || st->at != lo) {
        if (st->fd >= 0)
            close(st->fd);
        st->fd = open(f->path, O_RDONLY);
        st->at = lo;
        if (st->fd < 0)
            return vs_fail(err, VS_E_IO, "gen guestmem: %s: %s", f->path, strerror(errno));
    }
    memset(page, 0, GM_PAGE);
    off_t off = (off_t)((p - f->first) * GM_PAGE);
    ssize_t got = pread(st->fd, page, GM_PAGE, off);
    if (got < 0)
        return vs_fail(err, VS_E_IO, "gen guestmem: %s: offset %lld: %s", f->path, (long long)off, strerror(errno));
    return VS_OK;
}

typedef struct gm {
    uint64_t pages, kernel, cache, anon, free_pages;
    uint64_t kernel_build, distro, data, pool, seed;
    double private_p, common_p;
    uint64_t writes, region, wss, hot; /* hot: pool pages this VM caches */
    uint64_t mapped;                   /* leading cache pages that writes never replace */
    uint64_t stamp_from;               /* the first write (after wss and pool) that is a stamped output */
    uint64_t copy_from, image;         /* writes copy_from.. (to stamp_from) repeat the image= pages from copy_from */
    gm_stream st;
} gm;

static int distro_page(gm *g, uint64_t p, uint8_t *page, vs_err *err)
{
    int rc = stream_page(&g->st, p, page, err);
    if (rc == VS_OK && g->distro) {
        uint8_t k[GM_PAGE];
        keystream(k, TAG_DISTRO, g->distro, p);
        for (unsigned i = 0; i < GM_PAGE; i++)
            page[i] ^= k[i];
    }
    return rc;
}

/* The page workload write n put in memory (outside the working set and the
 * pool). */
static void written_page(gm *g, uint64_t n, uint8_t *page)
{
    if (n >= g->copy_from && n < g->stamp_from)
        n = g->copy_from + (n - g->copy_from) % g->image; /* another copy of the same output */
    double u = (double)(mix(mix(TAG_KIND, g->data), n) >> 11) * 0x1.0p-53;
    if (n >= g->stamp_from)
        keystream(page, TAG_STAMP, g->seed, n);
    else if (u < g->private_p)
        keystream(page, TAG_PRIV, g->seed, n);
    else
        keystream(page, TAG_DATA, g->data, n);
}

/* Page frame f of the image. */
static int frame(gm *g, uint64_t f, uint8_t *page, vs_err *err)
{
    uint64_t slot = UINT64_MAX;  /* the workload's slot, if f lies in its region */
    uint64_t wfree = f - g->kernel - g->cache - g->anon;
    if (f >= g->kernel + g->cache + g->anon)
        slot = wfree;
    else if (f >= g->kernel + g->mapped && f < g->kernel + g->cache && g->region > g->free_pages)
        slot = g->free_pages + (f - g->kernel - g->mapped); /* unmapped page cache that writes may evict */
    if (slot != UINT64_MAX && slot < g->writes) {
        if (slot < g->wss) {
            keystream(page, TAG_PRIV ^ g->writes, g->seed, slot); /* rewritten: new bytes each moment */
            return VS_OK;
        }
        uint64_t j = slot - g->wss;
        if (j < g->hot) /* the pool's most used pages, the same in every VM */
            return distro_page(g, g->cache + j, page, err);
        j -= g->hot;
        uint64_t r = g->region - g->wss - g->hot, m = g->writes - g->wss - g->hot;
        written_page(g, j + r * ((m - 1 - j) / r), page);
        return VS_OK;
    }
    if (f < g->kernel) {
        keystream(page, TAG_KERNEL, g->kernel_build, f);
        return VS_OK;
    }
    if (f < g->kernel + g->cache)
        return distro_page(g, f - g->kernel, page, err);
    if (f < g->kernel + g->cache + g->anon) {
        keystream(page, TAG_ANON, g->seed, f);
        return VS_OK;
    }
    memset(page, 0, GM_PAGE);
    return VS_OK;
}

static bool all_zero(const uint8_t *p)
{
    static const uint8_t zero[GM_PAGE];
    return memcmp(p, zero, GM_PAGE) == 0;
}

static uint64_t pages_of(uint64_t bytes) { return (bytes + GM_PAGE - 1) / GM_PAGE; }

static int guestmem_image(wl_args *a, uint64_t seed, int fd, const char *path, vs_err *err)
{
    gm g = {0};
    uint64_t mem, kernel, cache, anon, evict, pool_bytes, wss, stamped, image, copies;
    double rate, start, dur, t, mapped;
    const char *files;
    int rc = wl_arg_u64(a, "mem", 64ull << 20, GM_PAGE, 64ull << 30, &mem, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "kernel", 2662ull << 10, 0, 1ull << 30, &kernel, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "cache", 7685ull << 10, 0, 64ull << 30, &cache, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "anon", 4416ull << 10, 0, 64ull << 30, &anon, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "kernel_build", 1, 0, UINT64_MAX, &g.kernel_build, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "distro", 0, 0, UINT64_MAX, &g.distro, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "data", 0, 0, UINT64_MAX, &g.data, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "pool", 0, 0, 64ull << 30, &pool_bytes, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "rate", 0, 0, 1e9, &rate, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "start", 0, 0, 1e9, &start, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "dur", 1e9, 0, 1e9, &dur, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "t", 0, 0, 1e9, &t, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "private", 1, 0, 1, &g.private_p, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "common", 0, 0, 1, &g.common_p, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "wss", 0, 0, 64ull << 30, &wss, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "evict", 0, 0, 1, &evict, err);
    if (rc == VS_OK)
        rc = wl_arg_f64(a, "mapped", 0, 0, 1, &mapped, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "stamped", 0, 0, 64ull << 30, &stamped, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "image", 0, 0, 64ull << 30, &image, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "copies", 1, 1, 1000, &copies, err);
    if (rc == VS_OK)
        rc = wl_arg_str(a, "files", GM_DEFAULT_FILES, &files, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    g.pages = pages_of(mem);
    g.kernel = pages_of(kernel);
    g.cache = pages_of(cache);
    g.anon = pages_of(anon);
    g.pool = pages_of(pool_bytes);
    g.seed = seed;
    if (g.kernel + g.cache + g.anon > g.pages)
        return vs_fail(err, VS_E_USAGE, "gen guestmem: kernel + cache + anon = %llu pages do not fit in mem=%llu pages",
                       (unsigned long long)(g.kernel + g.cache + g.anon), (unsigned long long)g.pages);
    if (g.common_p > 0 && g.pool == 0)
        return vs_fail(err, VS_E_USAGE, "gen guestmem: common=%g needs pool= (bytes of shared files)", g.common_p);
    g.free_pages = g.pages - g.kernel - g.cache - g.anon;
    g.mapped = (uint64_t)floor(mapped * (double)g.cache);
    g.region = g.free_pages + (evict ? g.cache - g.mapped : 0);
    g.wss = pages_of(wss);
    if (g.wss > g.free_pages || (g.wss == g.region && g.wss))
        return vs_fail(err, VS_E_USAGE, "gen guestmem: wss=%llu pages leave no room in %llu free pages",
                       (unsigned long long)g.wss, (unsigned long long)g.free_pages);
    double active = fmin(fmax(t - start, 0), dur);
    g.writes = g.region ? (uint64_t)floor(rate * active) : 0;
    g.hot = (uint64_t)floor(g.common_p * (double)(g.region - g.wss));
    if (g.hot > g.pool)
        g.hot = g.pool;
    if (g.hot && g.hot == g.region - g.wss)
        g.hot--; /* leave the data window one page */
    /* the job's writes in written_page's numbering: all of them, less the
     * working set and the pool, which come first; the last stamped= pages
     * of those are the run's stamped outputs */
    uint64_t job = g.region ? (uint64_t)floor(rate * dur) : 0, before = g.wss + g.hot + pages_of(stamped);
    g.stamp_from = stamped == 0 ? UINT64_MAX : job > before ? job - before : 0;
    /* the copies end where the stamped outputs start (or with the job) */
    uint64_t copies_end = stamped == 0 ? (job > g.wss + g.hot ? job - g.wss - g.hot : 0) : g.stamp_from;
    g.image = pages_of(image);
    g.copy_from = UINT64_MAX;
    if (copies > 1 && g.image)
        g.copy_from = copies_end > copies * g.image ? copies_end - copies * g.image : 0;
    rc = stream_open(&g.st, files, g.distro, err);
    if (rc == VS_OK && g.st.pages < g.cache + g.pool)
        rc = vs_fail(err, VS_E_USAGE,
                     "gen guestmem: files=%s hold %llu pages, but cache + pool need %llu", files,
                     (unsigned long long)g.st.pages, (unsigned long long)(g.cache + g.pool));
    mode_t mask = umask(0);
    umask(mask);
    if (rc == VS_OK && fchmod(fd, 0666 & ~mask) != 0) /* mkstemp made it 0600 */
        rc = vs_fail(err, VS_E_IO, "gen guestmem: %s: %s", path, strerror(errno));
    uint8_t page[GM_PAGE];
    for (uint64_t f = 0; rc == VS_OK && f < g.pages; f++) {
        rc = frame(&g, f, page, err);
        if (rc == VS_OK && !all_zero(page) && pwrite(fd, page, GM_PAGE, (off_t)(f * GM_PAGE)) != GM_PAGE)
            rc = vs_fail(err, VS_E_IO, "gen guestmem: %s: offset %llu: %s", path,
                         (unsigned long long)(f * GM_PAGE), strerror(errno));
    }
    /* zero pages stay holes: a sparse file, as big as the guest's memory */
    if (rc == VS_OK && ftruncate(fd, (off_t)(g.pages * GM_PAGE)) != 0)
        rc = vs_fail(err, VS_E_IO, "gen guestmem: %s: %s", path, strerror(errno));
    stream_close(&g.st);
    return rc;
}

const wl_image_gen wl_gen_guestmem = {
    {{"guestmem",
     "a guest's memory image (raw, for `vmemsim share raw:0:IMG`): kernel, real-file page cache, anon, zero pages, a "
     "workload writing pages (002 ch. 7)",
     "mem=64m kernel=2662k cache=7685k anon=4416k kernel_build=1 distro=0 files=" GM_DEFAULT_FILES
     " rate=0 (pages/s) start=0 dur=1e9 t=0 (s) wss=0 private=1 common=0 pool=0 data=0 evict=0 mapped=0 stamped=0 image=0 copies=1; "
     "--seed: the VM"},
     NULL},
    guestmem_image};
