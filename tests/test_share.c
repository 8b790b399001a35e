/*
 * test_share.c: the sharing model against closed forms and a naive reference
 * -- constructed snapshots with known duplicate structure give exact
 * counters under each policy (including KSM's max_page_sharing cap), the
 * thesis's index sizing (Tables 6.1-6.2), the content index against a naive
 * table under random operations, SuperFastHash/XXH64 vectors, CoW breaks,
 * timelines, costs and the JSON layout; and share_model_check, which the
 * rest lean on, against invariants broken by hand (its seeded faults).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "mmu/mode.h"
#include "share/share.h"
#include "share/share_int.h" /* the page and frame state share_model_check reads: its seeded faults */
#include "vs_test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PG SHARE_PAGE_SIZE

static void fill(uint8_t *p, uint32_t content)
{
    /* content 0 = zero page; otherwise a pattern unique to content */
    if (content == 0) {
        memset(p, 0, PG);
        return;
    }
    for (size_t i = 0; i < PG / 4; i++) {
        uint32_t v = content * 2654435761u + (uint32_t)i * 40503u;
        memcpy(p + 4 * i, &v, 4);
    }
}

/* An image whose page i has contents[i] (0 = zero page). */
static share_image *make_image(const char *name, const uint32_t *contents, size_t n)
{
    share_image *img = share_image_new(name);
    uint8_t page[PG];
    for (size_t i = 0; i < n; i++) {
        fill(page, contents[i]);
        assert_int_equal(share_image_add(img, i, page, NULL), VS_OK);
    }
    return img;
}

typedef struct expect {
    uint64_t shared, sharing, zero;
} expect;

static share_counters converge(share_params *p, share_image **imgs, size_t n)
{
    share_model *m = share_model_new(p);
    for (size_t i = 0; i < n; i++) {
        char name[32]; /* "vm" and a size_t in decimal */
        snprintf(name, sizeof name, "vm%zu", i);
        uint32_t vm = share_model_add_vm(m, name);
        share_model_set_vm(m, vm, imgs[i]);
    }
    share_model_converge(m);
    assert_true(share_model_check(m));
    share_counters c;
    share_model_counters(m, &c);
    share_model_free(m);
    return c;
}

static void check(const share_counters *c, expect e)
{
    assert_int_equal(c->pages_shared, e.shared);
    assert_int_equal(c->pages_sharing, e.sharing);
    assert_int_equal(c->pages_zero, e.zero);
}

/* ---- hashes ---- */
static void test_sfh_vectors(void **state)
{
    (void)state;
    /* Vectors of Sambamba's port (bio2/hashing.d), which starts from 0 instead of the length. */
    assert_int_equal(share_sfh_from("*", 1, 0), 1029965590u);
    assert_int_equal(share_sfh_from("hst", 3, 0), 1867544282u);
    assert_int_equal(share_sfh_from("hstiaashccaht", 13, 0), 2173265029u);
    assert_int_equal(share_sfh_from("Pjotr", 5, 0), 2808102289u);
    assert_int_equal(share_sfh("", 0), 0);
    assert_int_equal(share_sfh("abcd", 4), share_sfh_from("abcd", 4, 4));
#ifdef VS_HAVE_XXHASH
    assert_true(share_hash(SHARE_HASH_XXH64, "", 0) == 0xEF46DB3751D8E999ull); /* xxHash's spec vector */
#endif
    share_hash_kind k;
    assert_int_equal(share_hash_from_name("sfh", &k), 0);
    assert_int_equal(k, SHARE_HASH_SFH);
    assert_int_equal(share_hash_from_name("md5", &k), -1);
}

/* ---- sizing: Tables 6.1 and 6.2 ---- */
static void test_sizing_tables(void **state)
{
    (void)state;
    const uint64_t pages = 1u << 20; /* 4 GiB */
    struct { uint32_t scans; uint64_t entries; uint32_t mib10; uint64_t slots; uint32_t mib10_ovh; } t61[] = {
        {3, 349525, 26, 384478, 29}, {4, 262144, 20, 288359, 22}, {5, 209715, 16, 230687, 17},
        {6, 174763, 13, 192240, 14}, {8, 131072, 10, 144180, 11}, {9, 116508, 8, 128159, 9},
    };
    for (size_t i = 0; i < VS_ARRAY_LEN(t61); i++) {
        assert_int_equal(share_sizing_entries(pages, t61[i].scans), t61[i].entries);
        assert_int_equal(share_sizing_mib10(pages, t61[i].scans, false), t61[i].mib10);
        assert_int_equal(share_sizing_slots(t61[i].entries), t61[i].slots);
        assert_int_equal(share_sizing_mib10(pages, t61[i].scans, true), t61[i].mib10_ovh);
    }
    /* 7 scans: the thesis prints 149,782 (a typo for 1,048,576/7 = 149,797) and 164,761 = 149,782 x 1.1. */
    assert_int_equal(share_sizing_entries(pages, 7), 149797);
    assert_int_equal(share_sizing_slots(149782), 164761);
    assert_int_equal(share_sizing_mib10(pages, 7, false), 11);
    assert_int_equal(share_sizing_mib10(pages, 7, true), 12);
    /* one scan of 4 GiB: 8.8 MB with overhead (section 6.7) */
    assert_int_equal(share_sizing_mib10(pages, 1, true), 88);
    /* Table 6.2: scans for a 209,715-entry index; 2.5 rounds up to 3 */
    assert_int_equal(share_sizing_scans(512 * 256, SHARE_THESIS_ENTRIES), 1);
    assert_int_equal(share_sizing_scans(1024 * 256, SHARE_THESIS_ENTRIES), 2);
    assert_int_equal(share_sizing_scans(2048 * 256, SHARE_THESIS_ENTRIES), 3);
    assert_int_equal(share_sizing_scans(4096 * 256, SHARE_THESIS_ENTRIES), 5);
    /* "more than one scan above approximately 800 MB": 209,715 pages = 819.2 MiB */
    assert_int_equal(share_sizing_scans(209715, SHARE_THESIS_ENTRIES), 1);
    assert_int_equal(share_sizing_scans(209716, SHARE_THESIS_ENTRIES), 2);
}

/* ---- the index against a naive table ---- */
static void test_index_random(void **state)
{
    (void)state;
    enum { CAP = 97, KEYS = 64 };
    uint64_t rng = 7;
    for (int round = 0; round < 50; round++) {
        share_index *ix = share_index_new(CAP);
        uint64_t naive_h[CAP], naive_v[CAP];
        size_t n = 0;
        for (int op = 0; op < 400; op++) {
            uint64_t h = vs_rng_next(&rng) % KEYS * 1000003u; /* few distinct keys: many repeats */
            if (vs_rng_next(&rng) % 2) {
                size_t i = 0;
                while (i < n && naive_h[i] != h)
                    i++;
                bool ok = share_index_insert(ix, h, (uint64_t)op);
                assert_int_equal(ok, i == n && n < CAP);
                if (ok) {
                    naive_h[n] = h;
                    naive_v[n++] = (uint64_t)op;
                }
            } else {
                uint64_t v = 0;
                bool found = share_index_find(ix, h, &v);
                size_t i = 0;
                while (i < n && naive_h[i] != h)
                    i++;
                assert_int_equal(found, i < n);
                if (found)
                    assert_true(v == naive_v[i]);
            }
        }
        share_index_stats st;
        share_index_stats_get(ix, &st);
        assert_int_equal(st.used, n);
        share_index_clear(ix);
        uint64_t v;
        assert_false(share_index_find(ix, naive_h[0], &v));
        share_index_free(ix);
    }
    /* a full index refuses and counts overflows */
    share_index *ix = share_index_new(2);
    assert_true(share_index_insert(ix, 1, 1));
    assert_true(share_index_insert(ix, 3, 3));
    assert_false(share_index_insert(ix, 5, 5));
    share_index_stats st;
    share_index_stats_get(ix, &st);
    assert_int_equal(st.overflows, 1);
    share_index_free(ix);
}

/* ---- constructed snapshots: exact counters per policy ----
 * vm0: A A B Z Z u1 u2     vm1: A A Z u3 B     vm2: A Z u4 u5
 * A x5, B x2, zero x4, 5 unique.  */
static share_image **three_vms(void)
{
    static const uint32_t v0[] = {1, 1, 2, 0, 0, 11, 12}, v1[] = {1, 1, 0, 13, 2}, v2[] = {1, 0, 14, 15};
    share_image **imgs = malloc(3 * sizeof *imgs);
    imgs[0] = make_image("vm0", v0, 7);
    imgs[1] = make_image("vm1", v1, 5);
    imgs[2] = make_image("vm2", v2, 4);
    return imgs;
}

static void free_imgs(share_image **imgs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        share_image_free(imgs[i]);
    free(imgs);
}

static void test_policies_exact(void **state)
{
    (void)state;
    share_image **imgs = three_vms();
    for (int pol = 0; pol < SHARE_POLICY_COUNT; pol++)
        for (int z = 0; z < 2; z++)
            for (int h = 0; h < SHARE_HASH_COUNT; h++) {
                share_params p;
                share_params_defaults(&p, (share_policy)pol);
                p.zero_pages = z;
                p.hash = (share_hash_kind)h;
                share_counters c = converge(&p, imgs, 3);
                expect e;
                if (z)
                    e = (expect){2, 4 + 1, 4};          /* A, B shared; zero pages to the zero page */
                else if (pol == SHARE_XEN)
                    e = (expect){2, 4 + 1, 0};          /* zero pages filtered */
                else
                    e = (expect){3, 4 + 1 + 3, 0};      /* zero content shared like any other */
                check(&c, e);
                assert_int_equal(c.pages, 16);
                if (pol == SHARE_XEN && !z)
                    assert_int_equal(c.filtered_zero, 4);
                if (pol == SHARE_KSM)
                    assert_int_equal(c.pages_unshared, 5);
                assert_int_equal(c.hash_collisions, 0);
            }
    free_imgs(imgs, 3);
}

static void test_xen_intervals(void **state)
{
    (void)state;
    share_image **imgs = three_vms();
    for (uint32_t scans = 1; scans <= 7; scans++) {
        share_params p;
        share_params_defaults(&p, SHARE_XEN);
        p.scans = scans;
        share_counters c = converge(&p, imgs, 3);
        check(&c, (expect){2, 5, 0});
    }
    /* an index of 2 entries forces the sizing function to 6 passes (16 pages) */
    share_params p;
    share_params_defaults(&p, SHARE_XEN);
    p.index_entries = 3;
    share_counters c = converge(&p, imgs, 3);
    check(&c, (expect){2, 5, 0});
    assert_int_equal(c.index.capacity, share_sizing_slots(share_sizing_entries(16, share_sizing_scans(16, 3))));
    free_imgs(imgs, 3);
}

/* The golden KSM numbers measured on Linux 6.18 (reference report section
 * 1.3): 1,024 pages each of 0xAA, 0xBB, zero, random. */
static void test_ksm_cap(void **state)
{
    (void)state;
    enum { N = 1024 };
    uint32_t *contents = malloc(4 * N * sizeof *contents);
    for (uint32_t i = 0; i < N; i++) {
        contents[i] = 1;
        contents[N + i] = 2;
        contents[2 * N + i] = 0;
        contents[3 * N + i] = 100 + i;
    }
    share_image *img = make_image("ksm", contents, N); /* 1,024 identical pages */
    share_params p;
    share_params_defaults(&p, SHARE_KSM);
    assert_int_equal(p.max_page_sharing, 256);
    share_counters c = converge(&p, &img, 1);
    check(&c, (expect){4, 1020, 0});
    assert_int_equal(c.stable_chains, 1);
    assert_int_equal(c.stable_nodes, 4);
    share_image_free(img);

    img = make_image("ksm4", contents, 4 * N);
    c = converge(&p, &img, 1);
    check(&c, (expect){12, 3060, 0});
    assert_int_equal(c.pages_unshared, 1024);
    p.zero_pages = true;
    c = converge(&p, &img, 1);
    check(&c, (expect){8, 2040, 1024});
    assert_int_equal(c.pages_unshared, 1024);

    /* the two-pass rule: one full scan only records checksums */
    share_model *m = share_model_new(&p);
    share_model_set_vm(m, share_model_add_vm(m, "a"), img);
    share_model_scan(m, 4 * N);
    share_model_counters(m, &c);
    assert_int_equal(c.pages_volatile, 4 * N);
    assert_int_equal(c.pages_shared + c.pages_sharing + c.pages_zero, 0);
    /* a write to one 0xAA page: sharing 2040 -> 2039, shared stays 8 */
    share_model_converge(m);
    assert_int_equal(share_model_write(m, 0, 5), 1);
    assert_true(share_model_check(m));
    share_model_counters(m, &c);
    assert_int_equal(c.pages_sharing, 2039);
    assert_int_equal(c.pages_shared, 8);
    share_model_free(m);
    share_image_free(img);
    free(contents);
}

/* Random snapshots against a naive count: groups of equal content. */
static void test_random_vs_naive(void **state)
{
    (void)state;
    uint64_t rng = 42;
    for (int round = 0; round < 30; round++) {
        uint32_t n_vms = 1 + (uint32_t)(vs_rng_next(&rng) % 4), pool = 1 + (uint32_t)(vs_rng_next(&rng) % 40);
        share_image *imgs[4];
        uint32_t count[64] = {0}; /* pages per content (content < 41) */
        for (uint32_t v = 0; v < n_vms; v++) {
            size_t n = 1 + vs_rng_next(&rng) % 60;
            uint32_t *c = malloc(n * sizeof *c);
            for (size_t i = 0; i < n; i++) {
                c[i] = (uint32_t)(vs_rng_next(&rng) % (pool + 1)); /* 0 = zero page */
                count[c[i]]++;
            }
            imgs[v] = make_image("r", c, n);
            free(c);
        }
        uint32_t cap = 2 + (uint32_t)(vs_rng_next(&rng) % 5);
        for (int pol = 0; pol < SHARE_POLICY_COUNT; pol++)
            for (int z = 0; z < 2; z++) {
                share_params p;
                share_params_defaults(&p, (share_policy)pol);
                p.zero_pages = z;
                p.max_page_sharing = cap;
                p.seed = (uint64_t)round;
                expect e = {0, 0, 0};
                for (uint32_t k = 0; k <= pool; k++) {
                    if (k == 0 && (z || pol == SHARE_XEN)) {
                        e.zero += z ? count[0] : 0;
                        continue;
                    }
                    if (count[k] < 2)
                        continue;
                    uint64_t frames = pol == SHARE_KSM ? (count[k] + cap - 1) / cap : 1;
                    if (pol == SHARE_KSM && count[k] % cap == 1)
                        frames--; /* a lone leftover page has nobody to pair with */
                    uint64_t mapped = pol == SHARE_KSM && count[k] % cap == 1 ? count[k] - 1 : count[k];
                    e.shared += frames;
                    e.sharing += mapped - frames;
                }
                share_counters c = converge(&p, imgs, n_vms);
                check(&c, e);
            }
        for (uint32_t v = 0; v < n_vms; v++)
            share_image_free(imgs[v]);
    }
}

/* ---- copy-on-write ---- */
static void test_cow(void **state)
{
    (void)state;
    static const uint32_t a[] = {1, 1, 1, 0};
    share_image *img = make_image("a", a, 4);
    for (int convert = 0; convert < 2; convert++) {
        share_params p;
        share_params_defaults(&p, SHARE_XEN);
        p.zero_pages = true;
        p.cow_convert = convert;
        share_model *m = share_model_new(&p);
        share_model_set_vm(m, share_model_add_vm(m, "a"), img);
        share_model_converge(m);
        share_counters c;
        share_model_counters(m, &c);
        check(&c, (expect){1, 2, 1});
        assert_int_equal(share_model_write(m, 0, 0), 1); /* refs 3 -> 2: copy */
        assert_int_equal(share_model_write(m, 0, 0), 0); /* private now */
        assert_int_equal(share_model_write(m, 0, 1), 1); /* refs 2 -> 1: copy */
        assert_int_equal(share_model_write(m, 0, 2), convert ? 2 : 1); /* the last reference */
        assert_int_equal(share_model_write(m, 0, 3), 1); /* the zero page: always a copy */
        assert_int_equal(share_model_write(m, 0, 99), 0); /* no such page */
        assert_true(share_model_check(m));
        share_model_counters(m, &c);
        check(&c, (expect){0, 0, 0});
        assert_int_equal(c.cow_breaks, 4);
        const share_events *ev = share_model_events(m);
        assert_int_equal(ev->cow_copy, convert ? 3 : 4);
        assert_int_equal(ev->cow_convert, convert ? 1 : 0);
        share_model_free(m);
    }
    share_image_free(img);
}

/* ---- share_model_check: seeded faults ---- */
/* Every test above trusts share_model_check (the invariants of share_int.h).
 * The seeded faults: each invariant broken by hand in a converged model --
 * a frame's count, the used-frame total, a page on a frame of other content,
 * a zero-mapped page with content or with a frame, a frame past the table,
 * a page dropped from its frame without the count -- must make it fail, and
 * undoing the fault must make it pass again. */
static sh_page *page_where(share_model *m, bool zmap, uint32_t min_refs)
{
    for (size_t i = 0; i < m->vms[0].n; i++) {
        sh_page *pg = &m->vms[0].pages[i];
        if (zmap ? (pg->flags & SH_PG_ZMAP) != 0 : pg->frame != SH_NONE && m->frames[pg->frame].refs >= min_refs)
            return pg;
    }
    fail_msg("no %s page in the converged model", zmap ? "zero-mapped" : "shared");
    return NULL;
}

static void test_check_seeded_faults(void **state)
{
    (void)state;
    static const uint32_t a[] = {1, 1, 1, 2, 0};
    share_image *img = make_image("a", a, VS_ARRAY_LEN(a));
    share_params p;
    share_params_defaults(&p, SHARE_XEN);
    p.zero_pages = true;
    share_model *m = share_model_new(&p);
    share_model_set_vm(m, share_model_add_vm(m, "a"), img);
    share_model_converge(m);
    assert_true(share_model_check(m));
    sh_page *shared = page_where(m, false, 2), *zmap = page_where(m, true, 0);
    const uint8_t *other = m->vms[0].pages[3].data; /* content 2: unlike either */
    sh_frame *f = &m->frames[shared->frame];

    f->refs++; /* a count that no page accounts for */
    assert_false(share_model_check(m));
    f->refs--;
    m->frames_used++;
    assert_false(share_model_check(m));
    m->frames_used--;
    const uint8_t *data = shared->data; /* a page whose frame holds other content */
    shared->data = other;
    assert_false(share_model_check(m));
    shared->data = data;
    data = zmap->data; /* zero-mapped, but not zero */
    zmap->data = other;
    assert_false(share_model_check(m));
    zmap->data = data;
    zmap->frame = shared->frame; /* zero-mapped and on a frame */
    assert_false(share_model_check(m));
    zmap->frame = SH_NONE;
    uint32_t frame = shared->frame;
    shared->frame = m->n_frames; /* past the frame table */
    assert_false(share_model_check(m));
    shared->frame = SH_NONE; /* dropped without the count */
    assert_false(share_model_check(m));
    shared->frame = frame;
    assert_true(share_model_check(m)); /* every fault undone */
    share_model_free(m);
    share_image_free(img);
}

/* ---- timeline: a changed page under a share is broken; unchanged shares stay ---- */
static void test_timeline(void **state)
{
    (void)state;
    static const uint32_t t0[] = {1, 1, 2, 2}, t1[] = {1, 3, 2, 2};
    for (int pol = 0; pol < SHARE_POLICY_COUNT; pol++) {
        share_run *r = vt_share_run((share_policy)pol);
        vs_err err = {0};
        assert_int_equal(share_run_add(r, "a", 0, make_image("a0", t0, 4), &err), VS_OK);
        assert_int_equal(share_run_add(r, "b", 0, make_image("b0", t0, 4), &err), VS_OK);
        assert_int_equal(share_run_add(r, "a", 600, make_image("a1", t1, 4), &err), VS_OK);
        assert_int_equal(share_run_add(r, "a", 600, make_image("a1", t1, 4), &err), VS_E_USAGE);
        assert_int_equal(share_run_exec(r, &err), VS_OK);
        share_counters c;
        share_model_counters(share_run_model(r), &c);
        check(&c, (expect){2, 5, 0}); /* content 1 x3, content 2 x4 */
        assert_int_equal(c.cow_breaks, 1);
        /* JSON: converged counters at the top level, the timeline below */
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        jw *w = jw_new_json(f);
        share_run_report(r, w);
        jw_free(w);
        fclose(f);
        assert_non_null(strstr(buf, "\"pages_sharing\": 5") ? buf : strstr(buf, "\"pages_sharing\":5"));
        assert_non_null(strstr(buf, "\"timeline\""));
        assert_true(strstr(buf, "pages_sharing") < strstr(buf, "\"timeline\""));
        free(buf);
        share_run_free(r);
    }
}

/* ---- CoW replay of a trace's stores ---- */
static void test_cow_trace(void **state)
{
    (void)state;
    static const uint32_t a[] = {1, 1, 1, 2};
    static const trace_rec recs[] = {
        {.kind = TREC_STORE, .addr = 0 * PG + 8, .size = 8},   /* vm a, page 0: shared -> break */
        {.kind = TREC_LOAD, .addr = 1 * PG, .size = 8},        /* a load breaks nothing */
        {.kind = TREC_VM, .id = 1},
        {.kind = TREC_STORE, .addr = 2 * PG - 4, .size = 8},   /* vm b, straddles pages 1 and 2 */
        {.kind = TREC_STORE, .addr = 3 * PG, .size = 8},       /* vm b page 3: shared with a's page 3 */
        {.kind = TREC_STORE, .addr = 3 * PG, .size = 8},       /* again: private by now */
    };
    char *trace = vt_write_vmt("share_cow.vmt", recs, VS_ARRAY_LEN(recs));
    vs_err err = {0};
    share_run *r = vt_share_run(SHARE_KSM);
    assert_int_equal(share_run_add(r, "a", 0, make_image("a", a, 4), &err), VS_OK);
    assert_int_equal(share_run_add(r, "b", 0, make_image("b", a, 4), &err), VS_OK);
    assert_int_equal(share_run_set_cow_trace(r, trace, 0, &err), VS_OK);
    assert_int_equal(share_run_exec(r, &err), VS_OK);
    share_counters c;
    share_model_counters(share_run_model(r), &c);
    /* content 1 x6 and 2 x2 converge to 2 frames, 6 sharing; four pages are written */
    assert_int_equal(c.cow_breaks, 4);
    check(&c, (expect){2, 2, 0}); /* content 1: 3 mappers left; content 2: its last mapper */
    share_run_free(r);
    g_free(trace);
}

/* ---- costs ---- */
static void test_costs(void **state)
{
    (void)state;
    share_cost def, file;
    share_cost_defaults(&def);
    share_cost_defaults(&file);
    vs_err err = {0};
    assert_int_equal(share_cost_load(&file, VS_SOURCE_DIR "/configs/share/thesis-athlon700.ini", &err), VS_OK);
    assert_true(memcmp(&def, &file, sizeof def) == 0); /* the file and the built-in defaults agree */
    share_cost cur;
    share_cost_defaults(&cur);
    assert_int_equal(share_cost_load(&cur, VS_SOURCE_DIR "/configs/share/current.ini", &err), VS_OK);

    vs_config cfg;
    cfg_defaults(&cfg);
    share_events ev = {0};
    ev.remaps = 2;
    ev.allocs = ev.copies = 1;
    ev.hashes = 10;
    share_priced pr;
    share_cost_price(&def, &cfg, SHARE_MC_SHADOW, SHARE_HASH_SFH, &ev, &pr);
    assert_true(pr.remap_each == 1780.0 + 4 * 1807723.0); /* fitted: Table 8.3's change mapping, 7,232,671 + 1 */
    /* the CoW break from its parts: one fault (shadow_fault sets the new shadow entry in it), alloc,
     * 2 x (map + unmap), copy, P2M, one traversal */
    assert_true(pr.cow_copy_each == 229.0 + 2575.0 + 2 * (339.0 + 306.0) + 9936.0 + 1780.0 + 1807723.0);
    assert_true(pr.scan == 10 * 22000.0);
    assert_true(pr.share == 2575.0 + 9936.0 + 2 * pr.remap_each);
    share_cost_price(&def, &cfg, SHARE_MC_NESTED, SHARE_HASH_SFH, &ev, &pr);
    assert_true(pr.remap_each == (double)(cfg.cost_tlb_flush + cfg.cost_vmexit)); /* from the timing model */
    assert_int_equal(share_mode_class_of(mode_find("shadow")), SHARE_MC_SHADOW);
    assert_int_equal(share_mode_class_of(mode_find("nested")), SHARE_MC_NESTED);

    static const char negative[] = "[share]\ncompare = -3\n", typo[] = "[share]\ncomprae = 3\n";
    char *bad = vt_write_file("bad_cost.ini", negative, strlen(negative));
    assert_int_equal(share_cost_load(&cur, bad, &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "bad_cost.ini"));
    assert_non_null(strstr(err.msg, "compare"));
    g_free(bad);
    bad = vt_write_file("bad_cost.ini", typo, strlen(typo));
    assert_int_equal(share_cost_load(&cur, bad, &err), VS_E_CONFIG);
    assert_non_null(strstr(err.msg, "unknown key"));
    g_free(bad);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sfh_vectors),     cmocka_unit_test(test_sizing_tables),
        cmocka_unit_test(test_index_random),    cmocka_unit_test(test_policies_exact),
        cmocka_unit_test(test_xen_intervals),   cmocka_unit_test(test_ksm_cap),
        cmocka_unit_test(test_random_vs_naive), cmocka_unit_test(test_cow),
        cmocka_unit_test(test_timeline),        cmocka_unit_test(test_costs),
        cmocka_unit_test(test_cow_trace),  cmocka_unit_test(test_check_seeded_faults),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
