/*
 * test_ds.c: the `ds` structures really are the structures.  Each runs
 * inserts and random removes against a naive reference model (an array),
 * with its invariant check (BST order, AVL balance and heights, AA levels,
 * heap order, binomial-tree shapes, queue indices, list acyclicity, probe
 * reachability) after every operation, for the three heap layouts and both key
 * orders the generator offers (keys=random|ascending).  Then
 * `trace info`'s per-transaction statistics are checked against an
 * independent count over the generated trace, and the hash table's and
 * the binomial queue's stores against Weiss's C code (testhash.c's
 * rehash rule, binomial.c's Insert and its two chunks).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vs_test.h"
#include "workloads/workloads.h"

#define OPS 1500 /* operations per structure: trees reach depth ~12 */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Does the structure remove a given key (else the minimum / the oldest)? */
static bool keyed(wl_ds_kind k) { return k != WL_DS_HEAP && k != WL_DS_BINOMIAL && k != WL_DS_QUEUE; }

/* driver: wl_ds_params.weiss_driver; the model then keeps the list in list
 * order, each key inserted at pos, right after the cell inserted last. */
static void run_model(wl_ds_kind kind, wl_ds_layout layout, bool ascending, uint64_t seed, bool driver)
{
    wl_ds_params p = {.kind = kind, .capacity = OPS, .layout = layout, .seed = seed, .weiss_driver = driver};
    bool in_place = driver && kind == WL_DS_LIST;
    size_t pos = 0;
    wl_ds *d;
    vs_err err = {0};
    wl_out *sink = wl_out_new(NULL);
    assert_int_equal(wl_ds_new(&p, sink, &d, &err), VS_OK);
    uint64_t *model = calloc(OPS, sizeof *model), *got = calloc(OPS + 8, sizeof *got);
    size_t n = 0;
    uint64_t rng = seed, next = 0;
    char why[256];
    for (int op = 0; op < 3 * OPS; op++) {
        uint64_t r = vs_rng_next(&rng);
        if (r % 100 < 55 && n < OPS) {
            /* distinct either way; ascending drives the BST to a spine and the
             * balanced trees along their right edge, as keys=ascending does */
            uint64_t key = ascending ? ++next : (vs_rng_next(&rng) % 1000000) * 4096 + ++next % 4096 + 1;
            wl_ds_insert(d, key);
            if (in_place) {
                memmove(model + pos + 1, model + pos, (n - pos) * sizeof *model);
                model[pos++] = key;
                n++;
            } else {
                model[n++] = key;
            }
        } else if (keyed(kind)) {
            bool present = n > 0 && r % 7 != 0;
            uint64_t key = present ? model[(r >> 8) % n] : 0xdead0000000ull + (uint64_t)op;
            assert_int_equal(wl_ds_remove(d, key), present);
            for (size_t i = 0; present && i < n; i++)
                if (model[i] == key) {
                    if (i < pos) /* a delete of the cell inserted last moves P back */
                        pos--;
                    memmove(model + i, model + i + 1, (n - i - 1) * sizeof *model);
                    n--;
                    break;
                }
        } else {
            assert_int_equal(wl_ds_remove(d, 0), n > 0);
            if (n > 0) {
                size_t at = 0; /* queue: the oldest; heaps: the minimum */
                for (size_t i = 1; kind != WL_DS_QUEUE && i < n; i++)
                    if (model[i] < model[at])
                        at = i;
                memmove(model + at, model + at + 1, (n - at - 1) * sizeof *model);
                n--;
            }
        }
        if (!wl_ds_check(d, why, sizeof why))
            fail_msg("%s (%s keys) after op %d: %s", wl_ds_names[kind], ascending ? "ascending" : "random",
                     op, why);
        assert_int_equal(wl_ds_size(d), n);
    }
    assert_int_equal(wl_ds_keys(d, got, OPS + 8), n);
    if (in_place) {
        assert_memory_equal(got, model, n * sizeof *model);
    } else if (kind == WL_DS_LIST) { /* most recent first */
        for (size_t i = 0; i < n; i++)
            assert_int_equal(got[i], model[n - 1 - i]);
    } else if (kind == WL_DS_QUEUE) {
        assert_memory_equal(got, model, n * sizeof *model);
    } else {
        qsort(got, n, sizeof *got, cmp_u64);
        qsort(model, n, sizeof *model, cmp_u64);
        assert_memory_equal(got, model, n * sizeof *model);
    }
    assert_true(wl_out_records(sink) > 0);
    free(model);
    free(got);
    wl_ds_free(d);
    wl_out_free(sink);
}

static void test_structures(void **state)
{
    (void)state;
    for (int k = 0; k < WL_DS_COUNT; k++)
        for (int asc = 0; asc < 2; asc++) {
            run_model((wl_ds_kind)k, WL_LAYOUT_SEQ, asc, 11 + (uint64_t)k, false);
            run_model((wl_ds_kind)k, WL_LAYOUT_RANDOM, asc, 101 + (uint64_t)k, false);
            run_model((wl_ds_kind)k, WL_LAYOUT_GLIBC, asc, 211 + (uint64_t)k, false);
            run_model((wl_ds_kind)k, WL_LAYOUT_GLIBC, asc, 311 + (uint64_t)k, true);
        }
}

/* Sorted ascending keys drive an unbalanced BST to a list, the AVL tree not. */
static void test_sorted_inserts(void **state)
{
    (void)state;
    wl_ds_kind kinds[] = {WL_DS_AVL, WL_DS_AA, WL_DS_SPLAY, WL_DS_BST};
    for (size_t i = 0; i < VS_ARRAY_LEN(kinds); i++) {
        wl_ds_params p = {.kind = kinds[i], .capacity = 600};
        wl_ds *d;
        vs_err err = {0};
        wl_out *sink = wl_out_new(NULL);
        assert_int_equal(wl_ds_new(&p, sink, &d, &err), VS_OK);
        char why[256];
        for (uint64_t key = 1; key <= 600; key++) {
            wl_ds_insert(d, key);
            if (!wl_ds_check(d, why, sizeof why))
                fail_msg("%s: %s", wl_ds_names[kinds[i]], why);
        }
        for (uint64_t key = 1; key <= 600; key += 2)
            assert_true(wl_ds_remove(d, key));
        assert_true(wl_ds_check(d, why, sizeof why));
        assert_int_equal(wl_ds_size(d), 300);
        wl_out_free(sink);
        wl_ds_free(d);
    }
}

typedef struct txn_stats {
    uint64_t txns, writes, pages;
    double wpp_sum;
} txn_stats;

/* Independent count: stores inside the CDA between TXN_BEGIN and TXN_END. */
static txn_stats count_txns(const char *path)
{
    txn_stats t = {0};
    trace_reader *r;
    vs_err err = {0};
    assert_int_equal(trace_open(path, TFMT_AUTO, &r, &err), VS_OK);
    trace_rec buf[1024];
    long n;
    uint64_t cda_lo = 0, cda_hi = 0, *pg = malloc(1 << 20), npg = 0, w = 0;
    bool in = false;
    while ((n = trace_read(r, buf, 1024, &err)) > 0)
        for (long i = 0; i < n; i++) {
            const trace_rec *x = &buf[i];
            if (x->kind == TREC_CDA) {
                cda_lo = x->addr;
                cda_hi = x->addr + x->len;
            } else if (x->kind == TREC_TXN_BEGIN) {
                in = true;
                npg = w = 0;
            } else if (x->kind == TREC_TXN_END) {
                qsort(pg, npg, sizeof *pg, cmp_u64);
                uint64_t distinct = 0;
                for (uint64_t j = 0; j < npg; j++)
                    distinct += j == 0 || pg[j] != pg[j - 1];
                t.txns++;
                t.writes += w;
                t.pages += distinct;
                if (distinct)
                    t.wpp_sum += (double)w / (double)distinct;
                in = false;
            } else if (in && x->kind == TREC_STORE && x->addr >= cda_lo && x->addr < cda_hi) {
                assert_true(npg < (1 << 17));
                pg[npg++] = x->addr >> 12;
                w++;
            }
        }
    assert_int_equal(n, 0);
    trace_close(r);
    free(pg);
    return t;
}

static double json_num(const char *json, const char *key)
{
    const char *p = strstr(json, key);
    assert_non_null(p);
    return atof(p + strlen(key));
}

static void test_trace_info_stats(void **state)
{
    (void)state;
    /* the default key order (ascending) and keys=random, inserts and deletes */
    const char *cases[][5] = {{"structure=avl", "op=insert", "opt=1", "ops=2000", "keys=ascending"},
                              {"structure=aa", "op=delete", "opt=5", "ops=2000", "keys=random"},
                              {"structure=binomial", "op=delete", "opt=1", "ops=1000", "keys=ascending"},
                              {"structure=hashquad", "op=insert", "opt=5", "ops=1000", "keys=random"},
                              {"structure=bst", "op=insert", "opt=5", "ops=500", "keys=ascending"},
                              {"structure=splay", "op=delete", "opt=1", "ops=1000", "keys=random"}};
    char *path = vt_path("ds_info.vmt");
    for (size_t c = 0; c < VS_ARRAY_LEN(cases); c++) {
        vs_err err = {0};
        assert_int_equal(wl_generate("ds", 5, (char **)cases[c], 5, path, &err), VS_OK);
        txn_stats t = count_txns(path);
        trace_summary *s;
        assert_int_equal(trace_summarize(path, &s, &err), VS_OK);
        char *json = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&json, &len);
        trace_summary_print(s, path, true, f);
        fclose(f);
        trace_summary_free(s);
        uint64_t ops = strtoull(cases[c][3] + 4, NULL, 10), opt = strtoull(cases[c][2] + 4, NULL, 10);
        assert_int_equal(t.txns, ops / opt);
        assert_int_equal((uint64_t)json_num(json, "\"count\": "), t.txns);
        assert_int_equal((uint64_t)json_num(json, "\"total_writes\": "), t.writes);
        assert_int_equal((uint64_t)json_num(json, "\"total_pages\": "), t.pages);
        assert_float_equal(json_num(json, "\"mean_wpp\": "), t.wpp_sum / (double)t.txns, 1e-4);
        assert_float_equal(json_num(json, "\"mean_writes\": "), (double)t.writes / (double)t.txns, 1e-4);
        assert_float_equal(json_num(json, "\"mean_ppt\": "), (double)t.pages / (double)t.txns, 1e-4);
        free(json);
    }
    g_free(path);
}

static bool same_file(const char *a, const char *b)
{
    gchar *x, *y;
    gsize nx, ny;
    assert_true(g_file_get_contents(a, &x, &nx, NULL) && g_file_get_contents(b, &y, &ny, NULL));
    bool same = nx == ny && memcmp(x, y, nx) == 0;
    g_free(x);
    g_free(y);
    return same;
}

/* The generator's default key order is ascending; op=delete then deletes in
 * the same ascending order, so a BST spine loses its root each time: one
 * store (the root pointer) per transaction. */
static void test_key_orders(void **state)
{
    (void)state;
    char *def = vt_path("ds_def.vmt"), *asc = vt_path("ds_asc.vmt"), *rnd = vt_path("ds_rnd.vmt");
    char *base[] = {"structure=avl", "ops=300", "keys=ascending"}, *rand_kv[] = {"structure=avl", "ops=300", "keys=random"};
    vs_err err = {0};
    assert_int_equal(wl_generate("ds", 2, base, 3, def, &err), VS_OK);
    assert_int_equal(wl_generate("ds", 3, base, 3, asc, &err), VS_OK);
    assert_int_equal(wl_generate("ds", 3, rand_kv, 3, rnd, &err), VS_OK);
    assert_true(same_file(def, asc));
    assert_false(same_file(asc, rnd));
    char *del[] = {"structure=bst", "op=delete", "ops=300"};
    assert_int_equal(wl_generate("ds", 3, del, 3, def, &err), VS_OK);
    txn_stats t = count_txns(def);
    assert_int_equal(t.txns, 300);
    assert_int_equal(t.writes, 300);
    g_free(def);
    g_free(asc);
    g_free(rnd);
}

/* keys=weiss: Weiss's test-program orders for every structure; ops that
 * are a multiple of a stride would repeat keys, a usage error. */
static void test_weiss_keys(void **state)
{
    (void)state;
    char *path = vt_path("ds_weiss.vmt");
    vs_err err = {0};
    for (int k = 0; k < WL_DS_COUNT; k++) {
        char st[64], ops[] = "ops=1000", keys[] = "keys=weiss";
        snprintf(st, sizeof st, "structure=%s", wl_ds_names[k]);
        char *kv[] = {st, ops, keys};
        assert_int_equal(wl_generate("ds", 3, kv, 1, path, &err), VS_OK);
        assert_int_equal(count_txns(path).txns, 1000);
    }
    /* distinct keys: every insert allocates, so a BST insert writes its node;
     * the stride-7 order puts key j+7 right of key j, so no insert is a no-op */
    char bst[] = "structure=bst", ops[] = "ops=1000", keys[] = "keys=weiss";
    char *kv[] = {bst, ops, keys};
    assert_int_equal(wl_generate("ds", 3, kv, 1, path, &err), VS_OK);
    txn_stats t = count_txns(path);
    assert_true(t.writes >= 4 * t.txns);
    char bad[] = "ops=700";
    char *bad_kv[] = {bst, bad, keys};
    assert_int_equal(wl_generate("ds", 3, bad_kv, 1, path, &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "keys=weiss"));
    g_free(path);
}

/* layout=glibc models fastbin chunks only: a node whose chunk is larger is
 * refused, naming the chunk; the largest fastbin node is accepted. */
static void test_glibc_chunk_limit(void **state)
{
    (void)state;
    char *path = vt_path("ds_glibc.vmt");
    vs_err err = {0};
    char avl[] = "structure=avl", ops[] = "ops=100", layout[] = "layout=glibc", big[] = "node=128",
         fits[] = "node=120";
    char *kv_big[] = {avl, ops, layout, big}, *kv_fits[] = {avl, ops, layout, fits};
    assert_int_equal(wl_generate("ds", 4, kv_big, 1, path, &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "144-byte chunk"));
    assert_int_equal(wl_generate("ds", 4, kv_fits, 1, path, &err), VS_OK);
    assert_int_equal(count_txns(path).txns, 100);
    g_free(path);
}

/* Every record of the trace at path; *n gets how many (free the result). */
static trace_rec *load_trace(const char *path, size_t *n)
{
    trace_reader *r;
    vs_err err = {0};
    assert_int_equal(trace_open(path, TFMT_AUTO, &r, &err), VS_OK);
    size_t cap = 1024;
    trace_rec *all = vs_malloc(cap * sizeof *all);
    long got;
    *n = 0;
    while ((got = trace_read(r, all + *n, (long)(cap - *n), &err)) > 0)
        if ((*n += (size_t)got) == cap)
            all = vs_realloc(all, (cap *= 2) * sizeof *all);
    assert_int_equal(got, 0);
    trace_close(r);
    return all;
}

/* The address of each transaction's last store: a queue insert's element. */
static size_t last_stores(const char *path, uint64_t *out, size_t cap)
{
    size_t n, m = 0;
    trace_rec *t = load_trace(path, &n);
    uint64_t last = 0;
    for (size_t i = 0; i < n; i++)
        if (t[i].kind == TREC_STORE)
            last = t[i].addr;
        else if (t[i].kind == TREC_TXN_END && m < cap)
            out[m++] = last;
    free(t);
    return m;
}

/* layout=glibc packs Weiss's int arrays at the C size: consecutive queue
 * elements 4 bytes apart (8 under layout=seq, a slot per field), and
 * refuses what a packed int cannot hold (61-bit random keys) or pad (node=). */
static void test_glibc_packed_arrays(void **state)
{
    (void)state;
    char *path = vt_path("ds_packed.vmt");
    vs_err err = {0};
    char queue[] = "structure=queue", ops[] = "ops=50", glibc[] = "layout=glibc", seq[] = "layout=seq",
         heap[] = "structure=heap", random[] = "keys=random", node[] = "node=16";
    const struct { char *layout; uint64_t stride; } cases[] = {{glibc, 4}, {seq, 8}};
    for (size_t c = 0; c < VS_ARRAY_LEN(cases); c++) {
        char *kv[] = {queue, ops, cases[c].layout};
        assert_int_equal(wl_generate("ds", 3, kv, 1, path, &err), VS_OK);
        uint64_t at[64];
        size_t m = last_stores(path, at, 64);
        assert_int_equal(m, 50);
        for (size_t i = 1; i + 1 < m; i++) /* the last insert wraps to element 0 */
            assert_int_equal(at[i] - at[i - 1], cases[c].stride);
    }
    char *kv_random[] = {heap, ops, glibc, random}, *kv_node[] = {heap, ops, glibc, node};
    assert_int_equal(wl_generate("ds", 4, kv_random, 1, path, &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "keys=random"));
    assert_int_equal(wl_generate("ds", 4, kv_node, 1, path, &err), VS_E_USAGE);
    assert_non_null(strstr(err.msg, "node=16"));
    g_free(path);
}

/* The store addresses of transaction txn, in trace order; returns how many
 * (at most cap kept). */
static size_t txn_stores(const char *path, uint32_t txn, uint64_t *out, size_t cap)
{
    size_t n, m = 0;
    trace_rec *t = load_trace(path, &n);
    bool in = false;
    for (size_t i = 0; i < n; i++)
        if (t[i].kind == TREC_TXN_BEGIN || t[i].kind == TREC_TXN_END)
            in = t[i].kind == TREC_TXN_BEGIN && t[i].id == txn;
        else if (in && t[i].kind == TREC_STORE && m++ < cap)
            out[m - 1] = t[i].addr;
    free(t);
    return m;
}

static bool is_prime_naive(uint64_t n)
{
    for (uint64_t f = 2; f < n; f++)
        if (n % f == 0)
            return false;
    return n > 1;
}

/* Weiss's C hash table under his testhash.c: an insert stores the cell's
 * Info and Element and nothing else, and before insert i the driver
 * rehashes when i > CurrentSize / 2 (CurrentSize 13, doubling) into
 * NextPrime(2 * size) cells: 2 header stores, every Info, 2 per element
 * moved, then the insert's 2.  Counted here from the driver's rule. */
static void test_hashquad_driver(void **state)
{
    (void)state;
    char *path = vt_path("ds_hashquad.vmt");
    vs_err err = {0};
    char st[] = "structure=hashquad", ops[] = "ops=100", keys[] = "keys=weiss", layout[] = "layout=glibc";
    char *kv[] = {st, ops, keys, layout};
    assert_int_equal(wl_generate("ds", 4, kv, 1, path, &err), VS_OK);
    uint64_t current = 13, size = 13, a[2];
    unsigned rehashes = 0;
    for (uint32_t i = 0; i < 100; i++) {
        size_t want = 2;
        if (i > current / 2) {
            size = 2 * size;
            while (!is_prime_naive(size))
                size++;
            current *= 2;
            want += 2 + size + 2 * i;
            rehashes++;
        }
        assert_int_equal(txn_stores(path, i, a, 2), want);
        if (want == 2) /* Info, then Element, of one 8-byte cell */
            assert_int_equal(a[0], a[1] + 4);
    }
    assert_int_equal(rehashes, 4); /* at i = 7, 14, 27, 53: 29, 59, 127, 257 cells */
    g_free(path);
}

/* Weiss's binomial Insert mallocs its node, then OneItem = Initialize(), a
 * Collection it never frees: under layout=glibc the two chunks are carved
 * one after the other (2 size fields each), the Collection's CurrentSize and
 * MaxTrees pointers cleared, and the next insert's pair follows 32 + 128
 * bytes on.  ops=100: MaxTrees 7 (2^7 - 1 >= 100), Collection 64 bytes, a
 * 80-byte chunk.  The first insert: 4 size fields, 3 node fields, 1 + 7
 * Initialize stores, 2 for OneItem's tree, Merge's 3 (H1's size and tree 0,
 * H2's tree 0). */
static void test_binomial_insert(void **state)
{
    (void)state;
    char *path = vt_path("ds_binomial.vmt");
    vs_err err = {0};
    char st[] = "structure=binomial", ops[] = "ops=100", layout[] = "layout=glibc", seq[] = "layout=seq";
    char *kv[] = {st, ops, layout}, *kv_seq[] = {st, ops, seq};
    assert_int_equal(wl_generate("ds", 3, kv, 1, path, &err), VS_OK);
    uint64_t a[32], b[32];
    assert_int_equal(txn_stores(path, 0, a, 32), 4 + 3 + 8 + 2 + 3);
    assert_int_equal(txn_stores(path, 1, b, 32) >= 4 + 3 + 8 + 2, true);
    uint64_t node = a[0] + 8;                 /* user memory after the size field */
    assert_int_equal(a[1], node + 32 - 8);    /* the top's head after a 32-byte node chunk */
    assert_int_equal(a[3], node + 32 + 80 - 8); /* and after the 80-byte Collection */
    assert_int_equal(a[7], node + 32);        /* Initialize's CurrentSize: the Collection */
    assert_int_equal(b[7], a[7] + 32 + 80);   /* the next pair follows */
    assert_int_equal(wl_generate("ds", 3, kv_seq, 1, path, &err), VS_OK);
    assert_int_equal(txn_stores(path, 0, a, 32), 3 + 8 + 2 + 3); /* the slot pool: no size fields */
    g_free(path);
}

/* Weiss's AVL Insert (Figure 4.44) runs its last statement, T->Height =
 * Max(...) + 1, for the new leaf too, after the leaf's T->Height = 0: on
 * glibc's heap the first insert stores malloc's two size fields, Element,
 * Height, Left, Right, Height again and main's root (8 stores); the second
 * (key 2, the root's right child) adds the root's Right and Height (10).
 * The old generator, one Height store per leaf, gives 7 and 9. */
static void test_avl_leaf_height_twice(void **state)
{
    (void)state;
    char *path = vt_path("ds_avl_leaf.vmt");
    vs_err err = {0};
    char st[] = "structure=avl", ops[] = "ops=2", layout[] = "layout=glibc", keys[] = "keys=ascending";
    char *kv[] = {st, ops, layout, keys};
    assert_int_equal(wl_generate("ds", 4, kv, 1, path, &err), VS_OK);
    uint64_t a[16], b[16];
    assert_int_equal(txn_stores(path, 0, a, 16), 2 + 5 + 1);
    assert_int_equal(txn_stores(path, 1, b, 16), 2 + 5 + 2 + 1);
    uint64_t node = a[0] + 8; /* user memory after the size field */
    const uint64_t leaf[] = {node, node + 24, node + 8, node + 16, node + 24}; /* Element, Height, Left, Right, Height */
    for (size_t i = 0; i < VS_ARRAY_LEN(leaf); i++)
        assert_int_equal(a[2 + i], leaf[i]);
    assert_int_equal(b[7], node + 16); /* the root's Right */
    assert_int_equal(b[8], node + 24); /* and its Height */
    g_free(path);
}

/* layout=glibc: the malloc heap starts at the initial program break, which
 * Linux page-aligns, and glibc 2.11 carves its first chunk there, so the
 * first insert's first store, the first chunk's size field, is 8 bytes into
 * a page in the AVL tree and the BST, whose only global (the root) is
 * main's local; before session 15 the generator put it 64 bytes further. */
static void test_glibc_heap_starts_at_break(void **state)
{
    (void)state;
    char *path = vt_path("ds_break.vmt");
    vs_err err = {0};
    char avl[] = "structure=avl", bst[] = "structure=bst";
    char *structs[] = {avl, bst};
    for (size_t i = 0; i < VS_ARRAY_LEN(structs); i++) {
        char ops[] = "ops=3", layout[] = "layout=glibc", keys[] = "keys=ascending";
        char *kv[] = {structs[i], ops, layout, keys};
        assert_int_equal(wl_generate("ds", 4, kv, 1, path, &err), VS_OK);
        uint64_t a[16];
        assert_true(txn_stores(path, 0, a, 16) > 2);
        assert_int_equal(a[0] % 4096, 8);
    }
    g_free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_structures),
        cmocka_unit_test(test_sorted_inserts),
        cmocka_unit_test(test_trace_info_stats),
        cmocka_unit_test(test_key_orders),
        cmocka_unit_test(test_weiss_keys),
        cmocka_unit_test(test_glibc_chunk_limit),
        cmocka_unit_test(test_glibc_packed_arrays),
        cmocka_unit_test(test_hashquad_driver),
        cmocka_unit_test(test_binomial_insert),
        cmocka_unit_test(test_avl_leaf_height_twice),
        cmocka_unit_test(test_glibc_heap_starts_at_break),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
