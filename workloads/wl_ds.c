/*
 * wl_ds.c: the simulated heap the `ds` structures live in, and the `ds`
 * generator (seed 000/001: data-structure transactions, Table 2).
 *
 * The heap is one critical data area (declared first, TREC_CDA) holding the
 * structure's global variables, its arrays, and a pool of fixed-size node
 * slots.  Structures touch it only through ds_ld/ds_st/ds_sti, which read
 * and write the real bytes and emit one LOAD or STORE each, so the trace is
 * exactly the memory traffic of the code that ran; a store carries the width
 * of the C field (ds_sti: an int, 4 bytes).  The allocator's own bookkeeping is
 * not in the heap (like a size-class allocator with out-of-line metadata)
 * and emits nothing.  layout=seq hands out slots in address order,
 * layout=random in a random permutation; freed slots are reused LIFO.
 *
 * layout=glibc is the heap Weiss's programs ran on: every node is
 * malloc(sizeof node) from glibc's ptmalloc2 on x86-64 as of 2011 (glibc
 * 2.11-2.13, before tcache), so a node occupies a chunk of
 * max(MINSIZE, request + SIZE_SZ rounded up to 16) bytes with the user
 * memory 16 bytes in, and the allocator's own stores land in the heap:
 * carving a chunk from the top chunk writes the chunk's size field and the
 * new top's (malloc.c, _int_malloc, use_top: two set_head), and freeing a
 * chunk of at most DEFAULT_MXFAST bytes writes its fd link (fastbin push),
 * which the next malloc of that size pops without a store.  The CDA is then
 * the malloc heap: the structure's leading `unheaped` global bytes, which
 * Weiss keeps in main's locals (the root T of `T = Insert(j, T)`) or in
 * function statics (the splay tree's Header, the AA tree's DeletePtr), lie
 * outside it (below it in the model), so their stores are traced but not
 * checkpointed; the heap starts at a page, as the program break where glibc
 * carves its first chunk does.  Its arrays (heap, queue, hash cells) are
 * not chunks but lie at the C types' sizes,
 * every field an int of DS_INT_BYTES (d->ib, wl_int.h), where the other
 * layouts give every field an 8-byte slot.
 * keys=ascending (default) inserts 1..ops in order, keys=random a shuffled
 * spread, keys=weiss the orders of Weiss's own test programs;
 * ds_key_sequence is the one place that builds them.
 *
 * Invariants: every access lies inside [base, base + bytes); the number of
 * live nodes never exceeds slots.
 */
#include "wl_int.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096ull
#define ALIGN 64ull       /* regions start on cache lines */
#define SPARE_NODES 4u    /* sentinels and a splay tree's pre-allocated node */
#define KEY_MUL 0x9e3779b97f4a7c15ull /* odd: multiplying permutes [0, 2^61) */
#define KEY_MASK ((1ull << 61) - 1)
/* layout=glibc: ptmalloc2's constants on x86-64 (glibc 2.11-2.13 malloc.c). */
#define GLIBC_SIZE_SZ 8ull    /* INTERNAL_SIZE_T: a chunk's size field */
#define GLIBC_ALIGN 16ull     /* MALLOC_ALIGNMENT = 2 * SIZE_SZ */
#define GLIBC_MINSIZE 32ull   /* MINSIZE: the smallest chunk */
#define GLIBC_MEM 16ull       /* chunk2mem: user memory after prev_size and size */
#define GLIBC_MAX_FAST 128ull /* DEFAULT_MXFAST = 64 * SIZE_SZ / 4: freed to a fastbin */
#define GLIBC_PREV_INUSE 1ull /* the size field's low bit */

#define DS_NAME_ROW(ID, STEM) #STEM,
#define DS_OPS_ROW(ID, STEM) &wl_ds_##STEM,
const char *const wl_ds_names[WL_DS_COUNT + 1] = {WL_DS_ROWS(DS_NAME_ROW) NULL};
static const wl_ds_ops *const OPS[WL_DS_COUNT] = {WL_DS_ROWS(DS_OPS_ROW)};

static uint64_t round_up(uint64_t x, uint64_t a) { return (x + a - 1) / a * a; }

uint64_t ds_peek(const wl_ds *d, uint64_t addr)
{
    assert(addr >= d->base && addr + 8 <= d->base + d->bytes);
    uint64_t v;
    memcpy(&v, d->mem + (addr - d->base), sizeof v);
    return v;
}

uint64_t ds_peeki(const wl_ds *d, uint64_t addr)
{
    assert(addr >= d->base && addr + d->ib <= d->base + d->bytes);
    uint64_t v = 0; /* little-endian, as ds_peek */
    memcpy(&v, d->mem + (addr - d->base), d->ib);
    return v;
}

uint64_t ds_ld(wl_ds *d, uint64_t addr)
{
    wl_emit(d->out, TREC_LOAD, addr, 8, 0, 0);
    return ds_peek(d, addr);
}

uint64_t ds_ldi(wl_ds *d, uint64_t addr)
{
    wl_emit(d->out, TREC_LOAD, addr, d->ib, 0, 0);
    return ds_peeki(d, addr);
}

/* The model's memory keeps every field in an 8-byte slot (keys=random spreads
 * keys over 61 bits) but for the packed int arrays of layout=glibc; the
 * record carries the width the C code stores. */
static void store(wl_ds *d, uint64_t addr, uint64_t v, uint64_t width, uint32_t bytes)
{
    assert(addr >= d->base && addr + bytes <= d->base + d->bytes);
    assert(bytes == 8 || v <= UINT32_MAX); /* packed ints: the generator's keys fit (ds_run) */
    wl_emit(d->out, TREC_STORE, addr, width, 0, 0);
    memcpy(d->mem + (addr - d->base), &v, bytes);
}

void ds_st(wl_ds *d, uint64_t addr, uint64_t v) { store(d, addr, v, 8, 8); }

void ds_sti(wl_ds *d, uint64_t addr, uint64_t v) { store(d, addr, v, DS_INT_BYTES, d->ib); }

/* glibc's request2size: the chunk that serves a malloc of `bytes`. */
static uint64_t glibc_chunk(uint64_t bytes)
{
    uint64_t c = (bytes + GLIBC_SIZE_SZ + GLIBC_ALIGN - 1) & ~(GLIBC_ALIGN - 1);
    return c < GLIBC_MINSIZE ? GLIBC_MINSIZE : c;
}

/* _int_malloc's use_top: the chunk of `bytes` whose user memory is at mem
 * gets its size field, and the top chunk's rest after it its own. */
static void carve(wl_ds *d, uint64_t mem, uint64_t bytes)
{
    uint64_t rest = d->base + d->bytes - (mem + bytes - GLIBC_MEM);
    ds_st(d, mem - GLIBC_SIZE_SZ, bytes | GLIBC_PREV_INUSE);
    ds_st(d, mem + bytes - GLIBC_SIZE_SZ, rest | GLIBC_PREV_INUSE);
}

uint64_t ds_alloc(wl_ds *d)
{
    assert(d->nfree > 0);
    uint64_t n = d->free_stack[--d->nfree];
    if (d->glibc && n == d->top) { /* use_top: split the top chunk, set both heads */
        carve(d, n, d->chunk);
        if (d->companion) /* the same operation's second malloc, from the new top */
            carve(d, n + d->chunk, d->node - d->chunk);
        d->top += d->node;
    }
    return n;
}

void ds_release(wl_ds *d, uint64_t node)
{
    assert(d->nfree < d->slots && node >= d->nodes);
    if (d->glibc) { /* fastbin push (every modelled chunk is fastbin-sized): p->fd = old head */
        uint64_t head = d->nfree > 0 && d->free_stack[d->nfree - 1] < d->top ? d->free_stack[d->nfree - 1] : DS_NIL;
        ds_st(d, node, head);
    }
    d->free_stack[d->nfree++] = node;
}

bool ds_failf(char *why, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why && cap)
        vsnprintf(why, cap, fmt, ap);
    va_end(ap);
    return false;
}

size_t ds_tree_keys(const wl_ds *d, uint64_t root, uint64_t nil, uint64_t *out, size_t cap)
{
    uint64_t *stack = vs_malloc((d->slots + 1) * sizeof *stack);
    size_t sp = 0, n = 0;
    uint64_t t = root;
    while ((t != nil || sp > 0) && sp <= d->slots) {
        while (t != nil && sp <= d->slots) {
            stack[sp++] = t;
            t = ds_peek(d, t + F_LEFT);
        }
        if (sp == 0 || sp > d->slots)
            break;
        t = stack[--sp];
        if (n < cap)
            out[n] = ds_peek(d, t + F_KEY);
        n++;
        if (n > d->slots) /* a cycle: more keys than nodes */
            break;
        t = ds_peek(d, t + F_RIGHT);
    }
    free(stack);
    return n;
}

bool ds_tree_check_order(const wl_ds *d, uint64_t root, uint64_t nil, char *why, size_t cap)
{
    size_t want = d->slots + 1;
    uint64_t *k = vs_malloc(want * sizeof *k);
    size_t n = ds_tree_keys(d, root, nil, k, want);
    bool ok = true;
    if (n != d->size)
        ok = ds_failf(why, cap, "tree holds %zu keys, expected %zu", n, d->size);
    for (size_t i = 1; ok && i < n; i++)
        if (k[i - 1] >= k[i])
            ok = ds_failf(why, cap, "in-order keys not increasing at %zu: %llu then %llu", i,
                          (unsigned long long)k[i - 1], (unsigned long long)k[i]);
    free(k);
    return ok;
}

uint64_t ds_rotate_with_left(wl_ds *d, uint64_t k2)
{
    uint64_t k1 = ds_ld(d, k2 + F_LEFT);
    ds_st(d, k2 + F_LEFT, ds_ld(d, k1 + F_RIGHT));
    ds_st(d, k1 + F_RIGHT, k2);
    return k1;
}

uint64_t ds_rotate_with_right(wl_ds *d, uint64_t k1)
{
    uint64_t k2 = ds_ld(d, k1 + F_RIGHT);
    ds_st(d, k1 + F_RIGHT, ds_ld(d, k2 + F_LEFT));
    ds_st(d, k2 + F_LEFT, k1);
    return k2;
}

uint64_t ds_tree_leaf(wl_ds *d, uint64_t key, uint64_t nil)
{
    uint64_t t = ds_alloc(d);
    ds_sti(d, t + F_KEY, key);
    ds_sti(d, t + F_AUX, 1);
    ds_st(d, t + F_LEFT, nil);
    ds_st(d, t + F_RIGHT, nil);
    return t;
}

uint64_t ds_tree_delete(wl_ds *d, uint64_t x, uint64_t t, bool *gone, ds_fix_fn fix)
{
    if (t == DS_NIL)
        return DS_NIL;
    uint64_t k = ds_ld(d, t + F_KEY);
    if (x < k) {
        ds_st(d, t + F_LEFT, ds_tree_delete(d, x, ds_ld(d, t + F_LEFT), gone, fix));
    } else if (x > k) {
        ds_st(d, t + F_RIGHT, ds_tree_delete(d, x, ds_ld(d, t + F_RIGHT), gone, fix));
    } else {
        uint64_t l = ds_ld(d, t + F_LEFT), r = ds_ld(d, t + F_RIGHT);
        if (l == DS_NIL || r == DS_NIL) {
            ds_release(d, t);
            *gone = true;
            return l == DS_NIL ? r : l;
        }
        uint64_t m = r; /* two children: replace with the smallest on the right */
        for (uint64_t n; (n = ds_ld(d, m + F_LEFT)) != DS_NIL;)
            m = n;
        m = ds_ld(d, m + F_KEY);
        ds_sti(d, t + F_KEY, m);
        ds_st(d, t + F_RIGHT, ds_tree_delete(d, m, r, gone, fix));
    }
    return fix ? fix(d, t) : t;
}

uint64_t ds_root_layout(wl_ds *d, uint64_t *arrays)
{
    (void)d;
    *arrays = 0;
    return 8; /* root */
}

void ds_root_init(wl_ds *d) { ds_st(d, d->globals, DS_NIL); }

size_t ds_root_keys(const wl_ds *d, uint64_t *out, size_t cap)
{
    return ds_tree_keys(d, ds_peek(d, d->globals), DS_NIL, out, cap);
}

int wl_ds_new(const wl_ds_params *p, wl_out *out, wl_ds **ds, vs_err *err)
{
    *ds = NULL;
    if ((unsigned)p->kind >= WL_DS_COUNT || p->capacity == 0)
        return vs_fail(err, VS_E_USAGE, "ds: unknown structure or zero capacity");
    const wl_ds_ops *ops = OPS[p->kind];
    uint32_t node = p->node_bytes ? p->node_bytes : ops->natural;
    if (node < ops->natural || node % 8)
        return vs_fail(err, VS_E_USAGE, "ds %s: node=%u: expected a multiple of 8 of at least %u bytes",
                       wl_ds_names[p->kind], node, ops->natural);
    if (p->layout == WL_LAYOUT_GLIBC && !ops->nodes && node != ops->natural)
        return vs_fail(err, VS_E_USAGE,
                       "ds %s: layout=glibc with node=%u: its arrays are laid out at the C types' sizes; node= "
                       "pads layout=seq and layout=random only", wl_ds_names[p->kind], node);
    if (p->layout == WL_LAYOUT_GLIBC && ops->nodes && glibc_chunk(node) > GLIBC_MAX_FAST)
        return vs_fail(err, VS_E_USAGE,
                       "ds %s: layout=glibc with node=%u: a %llu-byte chunk; only fastbin chunks (at most %llu "
                       "bytes) are modelled", wl_ds_names[p->kind], node, (unsigned long long)glibc_chunk(node),
                       GLIBC_MAX_FAST);
    wl_ds *d = vs_calloc(1, sizeof *d);
    d->ops = ops;
    d->out = out;
    d->glibc = p->layout == WL_LAYOUT_GLIBC && ops->nodes;
    d->weiss_driver = p->weiss_driver;
    d->node = d->glibc ? (uint32_t)glibc_chunk(node) : node;
    d->ib = 8;
    if (p->layout == WL_LAYOUT_GLIBC && !ops->nodes) {
        /* Weiss's C arrays at their C sizes: every field of an array cell is
         * an int (ElementType; a hash cell's Info enum), 4 bytes, not a slot. */
        d->ib = DS_INT_BYTES;
        d->node = node / 8 * DS_INT_BYTES;
    }
    d->capacity = p->capacity;
    /* layout=glibc: the CDA, the malloc heap, starts at the initial program
     * break, which Linux page-aligns (fs/binfmt_elf.c, set_brk:
     * ELF_PAGEALIGN), and glibc 2.11's first chunk starts at the break
     * (sYSMALLOc: no front_misalign on a 16-byte aligned break); the
     * unheaped globals lie below it. */
    uint64_t unheaped = p->layout == WL_LAYOUT_GLIBC ? ops->unheaped : 0;
    d->base = WL_DS_BASE - unheaped;
    uint64_t arrays = 0, globals = ops->layout(d, &arrays);
    assert(globals >= unheaped);
    d->chunk = d->node;
    if (d->glibc && d->companion) /* the slot holds the node's chunk and the companion's */
        d->node += (uint32_t)glibc_chunk(d->companion);
    d->slots = ops->nodes ? p->capacity + SPARE_NODES : 0;
    d->globals = d->base;
    d->cda = WL_DS_BASE;
    d->arrays = d->cda + round_up(globals - unheaped, ALIGN);
    d->nodes = d->arrays + round_up(arrays, ALIGN);
    uint64_t first = d->nodes + (d->glibc ? GLIBC_MEM : 0); /* the first node's user memory */
    d->bytes = unheaped + round_up(first - d->cda + d->slots * d->node, PAGE);
    d->mem = vs_calloc(1, d->bytes);
    d->free_stack = vs_malloc((d->slots + 1) * sizeof *d->free_stack);
    for (uint64_t i = 0; i < d->slots; i++) /* top of the stack = lowest address */
        d->free_stack[i] = first + (d->slots - 1 - i) * d->node;
    d->nfree = d->slots;
    d->top = first;
    if (p->layout == WL_LAYOUT_RANDOM) {
        uint64_t rng = p->seed ^ 0x5eedull;
        for (uint64_t i = d->slots; i > 1; i--) {
            uint64_t j = vs_rng_next(&rng) % i, t = d->free_stack[i - 1];
            d->free_stack[i - 1] = d->free_stack[j];
            d->free_stack[j] = t;
        }
    }
    wl_emit(out, TREC_CDA, d->cda, 0, 0, d->base + d->bytes - d->cda);
    ops->init(d);
    *ds = d;
    return VS_OK;
}

void wl_ds_free(wl_ds *d)
{
    if (!d)
        return;
    free(d->mem);
    free(d->free_stack);
    free(d);
}

void wl_ds_insert(wl_ds *d, uint64_t key)
{
    if (d->size >= d->capacity)
        return;
    d->inserts++;
    if (d->ops->insert(d, key))
        d->size++;
}

bool wl_ds_remove(wl_ds *d, uint64_t key)
{
    if (!d->ops->remove(d, key))
        return false;
    assert(d->size > 0);
    d->size--;
    return true;
}

bool wl_ds_check(const wl_ds *d, char *why, size_t cap)
{
    if (d->ops->nodes && d->nfree + d->size > d->slots)
        return ds_failf(why, cap, "%zu free + %zu live nodes exceed %llu slots", d->nfree, d->size,
                        (unsigned long long)d->slots);
    return d->ops->check(d, why, cap);
}

size_t wl_ds_keys(const wl_ds *d, uint64_t *out, size_t cap) { return d->ops->keys(d, out, cap); }
size_t wl_ds_size(const wl_ds *d) { return d->size; }

/* ---- the `ds` generator ---- */

enum { DS_KEYS_RANDOM, DS_KEYS_ASCENDING, DS_KEYS_WEISS };
static const char *const KEY_ORDERS[] = {"random", "ascending", "weiss", NULL};
/* keys=weiss: the orders of the test programs distributed with Weiss's book
 * (the seeds' reference [25], "Data Structures and Algorithm Analysis in C",
 * 2nd ed.): testtree.c, testavl.c, testsplay.c and testaatree.c insert
 * j = (j + 7) mod N from j = 0; testheap.c and testbin.c insert
 * j = (j + 71) mod N from j = N / 2; testhash.c inserts j += 71 from 0.
 * Both strides are prime, so for N not a multiple of them the N keys are
 * distinct: the seeds' "10,000 unique data structure operations".  Each
 * structure's hooks name the driver it follows (wl_ds_ops.weiss); the queue
 * and the list follow the trees'. */
#define WEISS_TREE_STRIDE 7
#define WEISS_HEAP_STRIDE 71
/* Ascending reproduces seeds 000/001 better: constant PPT under OPT=5 for
 * every structure, Emul > PT for the BST, one outlier in emulated data
 * (docs/workloads.md compares the two orders). */
#define DS_KEYS_DEFAULT DS_KEYS_ASCENDING

/* Puts keys in the order of `order`: random shuffles them (Fisher-Yates);
 * ascending leaves them as built, already increasing. */
static void ds_order_keys(uint64_t *keys, uint64_t n, int order, uint64_t *rng)
{
    if (order != DS_KEYS_RANDOM)
        return;
    for (uint64_t i = n; i > 1; i--) {
        uint64_t j = vs_rng_next(rng) % i, t = keys[i - 1];
        keys[i - 1] = keys[j];
        keys[j] = t;
    }
}

/* keys=weiss (above).  Keys are the drivers' j plus 1, an order-preserving
 * shift that keeps them above the heap's sentinel MinData = 0, except for
 * hashquad, whose cell is the key itself mod the table size. */
static void ds_weiss_keys(uint64_t *keys, uint64_t n, wl_ds_kind kind)
{
    unsigned driver = OPS[kind]->weiss;
    bool heap = driver == DS_WEISS_HEAP;
    uint64_t j = heap ? n / 2 : 0, stride = heap ? WEISS_HEAP_STRIDE : WEISS_TREE_STRIDE;
    for (uint64_t i = 0; i < n; i++) {
        keys[i] = driver == DS_WEISS_HASH ? i * WEISS_HEAP_STRIDE : j + 1;
        j = (j + stride) % n;
    }
}

/* The n distinct keys the generator inserts, in insertion order.  ascending:
 * 1, 2, ..., n (from 1, not 0, because the heap's sentinel MinData is 0 and
 * every key must exceed it).  random: 0..n-1 through an invertible map, so
 * the keys are unique and spread over [1, 2^61], then shuffled (the same
 * permutation as shuffling first and mapping after, so traces made before
 * keys= existed are unchanged). */
static void ds_key_sequence(uint64_t *keys, uint64_t n, int order, wl_ds_kind kind, uint64_t *rng)
{
    for (uint64_t i = 0; i < n; i++)
        keys[i] = order == DS_KEYS_ASCENDING ? i + 1 : ((i * KEY_MUL) & KEY_MASK) + 1;
    if (order == DS_KEYS_WEISS)
        ds_weiss_keys(keys, n, kind);
    ds_order_keys(keys, n, order, rng);
}

static int ds_run(wl_args *a, uint64_t seed, wl_out *out, vs_err *err)
{
    static const char *const OPNAMES[] = {"insert", "delete", NULL};
    static const char *const LAYOUTS[] = {"seq", "random", "glibc", NULL};
    int kind, op, layout, korder;
    uint64_t opt, ops, node;
    int rc = wl_arg_choice(a, "structure", wl_ds_names, WL_DS_AVL, &kind, err);
    if (rc == VS_OK)
        rc = wl_arg_choice(a, "op", OPNAMES, 0, &op, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "opt", 1, 1, 1u << 20, &opt, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "ops", 10000, 1, 1ull << 26, &ops, err);
    if (rc == VS_OK)
        rc = wl_arg_u64(a, "node", 0, 0, 1u << 16, &node, err);
    if (rc == VS_OK)
        rc = wl_arg_choice(a, "layout", LAYOUTS, WL_LAYOUT_SEQ, &layout, err);
    if (rc == VS_OK)
        rc = wl_arg_choice(a, "keys", KEY_ORDERS, DS_KEYS_DEFAULT, &korder, err);
    if (rc == VS_OK)
        rc = wl_args_done(a, err);
    if (rc != VS_OK)
        return rc;
    if (korder == DS_KEYS_WEISS && ops > 1 && (ops % WEISS_TREE_STRIDE == 0 || ops % WEISS_HEAP_STRIDE == 0))
        return vs_fail(err, VS_E_USAGE, "ds: keys=weiss with ops=%llu: expected ops not a multiple of %d or %d "
                       "(Weiss's strides), so that the keys are distinct", (unsigned long long)ops,
                       WEISS_TREE_STRIDE, WEISS_HEAP_STRIDE);
    if (korder == DS_KEYS_RANDOM && layout == WL_LAYOUT_GLIBC && !OPS[kind]->nodes)
        return vs_fail(err, VS_E_USAGE, "ds %s: layout=glibc stores Weiss's int ElementType in a packed array, "
                       "and keys=random spreads keys over 61 bits: use keys=ascending|weiss, or layout=seq",
                       wl_ds_names[kind]);
    uint64_t rng = seed, *keys = vs_malloc(ops * sizeof *keys);
    ds_key_sequence(keys, ops, korder, (wl_ds_kind)kind, &rng);
    wl_ds_params p = {.kind = (wl_ds_kind)kind, .capacity = ops, .node_bytes = (uint32_t)node,
                      .layout = (wl_ds_layout)layout, .seed = seed, .weiss_driver = korder == DS_KEYS_WEISS};
    wl_ds *d;
    rc = wl_ds_new(&p, out, &d, err);
    if (rc != VS_OK) {
        free(keys);
        return rc;
    }
    if (op == 1) { /* delete: build the structure first, outside any transaction */
        for (uint64_t i = 0; i < ops; i++)
            wl_ds_insert(d, keys[i]);
        ds_order_keys(keys, ops, korder, &rng); /* random: another random order; ascending: the same */
    }
    uint32_t txn = 0;
    for (uint64_t i = 0; i < ops; i += opt, txn++) {
        wl_emit(out, TREC_TXN_BEGIN, 0, 0, txn, 0);
        for (uint64_t j = i; j < i + opt && j < ops; j++) {
            if (op == 0)
                wl_ds_insert(d, keys[j]);
            else
                wl_ds_remove(d, keys[j]);
        }
        wl_emit(out, TREC_TXN_END, 0, 0, txn, 0);
    }
    wl_ds_free(d);
    free(keys);
    return VS_OK;
}

const wl_gen wl_gen_ds = {
    {"ds", "Weiss data structures in a critical data area, transactions of opt operations (000/001)",
     "structure=avl|splay|aa|heap|binomial|queue|list|hashquad|bst op=insert|delete opt=1 ops=10000 "
     "node=0 (natural size) layout=seq|random|glibc keys=ascending|random|weiss"},
    ds_run};
