/*
 * wl_int.h: what the generator files share and nobody else sees -- the
 * generator table entry and the instruction-stream helper (wl_synth) the six
 * seed-003 workloads are built on.
 */
#ifndef VS_WL_INT_H
#define VS_WL_INT_H

#include "workloads.h"

typedef int (*wl_run_fn)(wl_args *a, uint64_t seed, wl_out *out, vs_err *err);
/* A generator of a memory image instead of a trace: writes the image to fd
 * (a new empty file; path is for messages). */
typedef int (*wl_image_fn)(wl_args *a, uint64_t seed, int fd, const char *path, vs_err *err);

/* A generator's registry entry (wl_gen.c lists them). */
typedef struct wl_gen {
    wl_info info;
    wl_run_fn run; /* NULL: an image generator, a wl_image_gen */
} wl_gen;

typedef struct wl_image_gen {
    wl_gen gen; /* first, so the table holds &x.gen; its run is NULL */
    wl_image_fn image;
} wl_image_gen;

#define WL_CODE_BASE 0x400000ull        /* where x86-64 Linux loads a non-PIE text segment */
#define WL_DATA_BASE 0x10000000000ull   /* 1 TiB: clear of code, below the mmap area */
/* A 32-bit process (va_bits=32, for a guest with 32-bit paging) as i386 Linux
 * lays it out: text where GNU ld's elf_i386 links it, data from the legacy
 * mmap base TASK_UNMAPPED_BASE = TASK_SIZE / 3 up to TASK_SIZE, the 3G/1G
 * split's PAGE_OFFSET (arch/x86/include/asm/processor.h, page_32_types.h). */
#define WL_CODE_BASE_32 0x08048000ull
#define WL_DATA_BASE_32 0x40000000ull
#define WL_TASK_SIZE_32 0xc0000000ull
#define WL_WORD 8u                      /* every synthetic data access is one 8-byte word */
#define WL_LINE 64u                     /* cache-line size the patterns step by */

/* Defaults a generator gives the common keys (seed 003, Figure 7). */
typedef struct wl_synth_defaults {
    double api;          /* data accesses per instruction */
    double writes;       /* fraction of data accesses that are stores; < 0: no writes= key */
    uint64_t footprint;  /* bytes of data per process */
    uint32_t processes;
    uint64_t quantum;    /* instructions between context switches */
    uint64_t code;       /* bytes of the code loop */
} wl_synth_defaults;

typedef struct wl_synth {
    wl_out *out;
    uint64_t rng;
    uint64_t instructions;
    double api, writes;
    uint64_t footprint, quantum, code;
    uint32_t processes;
    uint64_t code_base;   /* WL_CODE_BASE, or WL_CODE_BASE_32 under va_bits=32 */
    bool va32;            /* va_bits=32: data moves from WL_DATA_BASE to WL_DATA_BASE_32 */
    /* running state */
    uint32_t pid;
    uint64_t pc;
    uint64_t acc, api_fx; /* fixed-point accumulator: exact mean rate, no drift */
    uint64_t store_fx;    /* writes as a 2^32 fraction for the store draw */
} wl_synth;

/* Parses refs= | instructions=, api=, writes=, footprint=, processes=,
 * quantum= | cr3_pmi=, code=, va_bits= over the defaults. */
int wl_synth_init(wl_synth *s, wl_args *a, const wl_synth_defaults *d, uint64_t seed, wl_out *out,
                  vs_err *err);
/* Declares the processes and runs the first (only when processes > 1). */
void wl_synth_start(wl_synth *s);
/* Instruction i: a round-robin switch when a quantum ends, then its IFETCH.
 * Returns how many data accesses the instruction makes. */
unsigned wl_synth_instr(wl_synth *s, uint64_t i);
/* Emits an IFETCH at pc without advancing the built-in code loop. */
unsigned wl_synth_instr_at(wl_synth *s, uint64_t pc);
void wl_synth_data(wl_synth *s, uint64_t addr);               /* load or store, by writes= */
/* A given kind.  Under va_bits=32 the address (at or above WL_DATA_BASE) is
 * moved to the 32-bit data area; one beyond TASK_SIZE fails the trace
 * (wl_out_fail), naming its record. */
void wl_synth_access(wl_synth *s, uint64_t addr, bool store);
/* glibc's default M_MMAP_THRESHOLD, 128 KiB (mallopt(3)): a malloc of at
 * least this size is its own mmap, and its free a munmap -- the unit of
 * heap memory the generators' free_rate= keys release. */
#define WL_MMAP_THRESHOLD (128u << 10)
/* The running process releases [addr, addr + len) (munmap), addr moved as above. */
void wl_synth_unmap(wl_synth *s, uint64_t addr, uint64_t len);
static inline uint64_t wl_rand(wl_synth *s, uint64_t n) { return n ? vs_rng_next(&s->rng) % n : 0; }
/* True with probability p. */
static inline bool wl_chance(wl_synth *s, double p)
{
    return (double)(vs_rng_next(&s->rng) >> 11) * 0x1.0p-53 < p;
}

#endif

/* ---- data structures: the simulated heap and each structure's hooks ---- */

#define WL_DS_BASE 0x100000000ull /* 4 GiB: the critical data area's fixed base */
#define DS_NIL 0ull               /* a NULL pointer inside the simulated heap */
/* Node fields, 8 bytes each, at fixed offsets (Weiss's struct layouts). */
#define F_KEY 0u
#define F_LEFT 8u  /* also binomial LeftChild, list Next */
#define F_RIGHT 16u /* also binomial NextSibling */
#define F_AUX 24u   /* AVL Height, AA Level */

/* keys=weiss: which of Weiss's test drivers a structure's keys follow (wl_ds.c). */
enum { DS_WEISS_TREE, DS_WEISS_HEAP, DS_WEISS_HASH };

typedef struct wl_ds_ops {
    uint32_t natural;  /* natural node (or array cell) bytes */
    /* Leading bytes of the globals that Weiss's programs keep out of malloc'd
     * memory (main's local T, function statics): outside the CDA under
     * layout=glibc, where the CDA is the malloc heap. */
    uint32_t unheaped;
    bool nodes;        /* allocates nodes (else works in arrays sized by capacity) */
    uint8_t weiss;     /* DS_WEISS_*: the Weiss test driver whose key order keys=weiss follows */
    /* Sets d->aux if needed; returns the globals' bytes and *arrays the array bytes. */
    uint64_t (*layout)(wl_ds *d, uint64_t *arrays);
    void (*init)(wl_ds *d);
    bool (*insert)(wl_ds *d, uint64_t key);
    bool (*remove)(wl_ds *d, uint64_t key);
    bool (*check)(const wl_ds *d, char *why, size_t cap);
    size_t (*keys)(const wl_ds *d, uint64_t *out, size_t cap);
} wl_ds_ops;

#define WL_DS_DECLARE(ID, STEM) extern const wl_ds_ops wl_ds_##STEM;
WL_DS_ROWS(WL_DS_DECLARE)
#undef WL_DS_DECLARE

struct wl_ds {
    const wl_ds_ops *ops;
    wl_out *out;
    unsigned char *mem;
    uint64_t base, bytes;
    uint64_t cda;                    /* first byte of the CDA (base + unheaped under glibc) */
    uint64_t globals, arrays, nodes; /* addresses of the three regions */
    uint32_t node;                   /* node or cell stride */
    uint64_t capacity, slots, aux;
    uint64_t *free_stack; /* free node addresses, next allocation on top */
    uint64_t top;         /* glibc: the next node still to be carved from the top chunk */
    /* glibc: bytes of a block the operation that mallocs a node mallocs right
     * after it and never frees (binomial: Insert's OneItem = Initialize());
     * set by the layout hook, 0 for none.  The node's slot then holds both
     * chunks, the node's first (chunk bytes), the block's at n + chunk. */
    uint64_t companion;
    uint32_t chunk;       /* glibc: the node's own chunk (the slot, without a companion) */
    bool glibc;           /* layout=glibc: emit malloc's header and free-list stores */
    bool weiss_driver;    /* wl_ds_params.weiss_driver */
    uint32_t ib;          /* memory an int field takes: an 8-byte slot, or DS_INT_BYTES in packed arrays */
    size_t nfree, size;
    uint64_t inserts; /* insert calls so far: a test driver's loop counter (hashquad's i) */
    uint64_t used;    /* hashquad: cells not Empty in the current table (model-side count) */
};

/* Every load and store of structure memory goes through these: ds_st stores
 * a pointer or size_t (8 bytes), ds_sti an int -- Weiss's ElementType,
 * heights, levels and counters -- traced DS_INT_BYTES wide though the model
 * keeps it in an 8-byte slot (the padding after an int in his x86-64
 * structs).  Loads are traced 8 wide: the checkpoint models read no loads.
 * The exception is an array of ints under layout=glibc (the heap's and the
 * queue's elements, the hash cells): there the array is packed at the C
 * types' sizes, d->ib = DS_INT_BYTES, ds_sti writes and ds_ldi/ds_peeki read
 * only the int's bytes, and ds_ldi traces its load that wide. */
#define DS_INT_BYTES 4u /* sizeof(int) on x86-64 (LP64) */
uint64_t ds_ld(wl_ds *d, uint64_t addr);
uint64_t ds_ldi(wl_ds *d, uint64_t addr); /* an int field */
void ds_st(wl_ds *d, uint64_t addr, uint64_t v);
void ds_sti(wl_ds *d, uint64_t addr, uint64_t v);
/* Reads without emitting a record: for invariant checks only. */
uint64_t ds_peek(const wl_ds *d, uint64_t addr);
uint64_t ds_peeki(const wl_ds *d, uint64_t addr); /* an int field */
uint64_t ds_alloc(wl_ds *d); /* a node; its contents are whatever was there */
/* The companion block carved with node n (d->companion > 0, layout=glibc). */
static inline uint64_t ds_companion(const wl_ds *d, uint64_t n) { return n + d->chunk; }
void ds_release(wl_ds *d, uint64_t node);
/* Binary-search-tree helpers over F_KEY/F_LEFT/F_RIGHT with sentinel nil:
 * in-order keys, and a check that they strictly increase. */
size_t ds_tree_keys(const wl_ds *d, uint64_t root, uint64_t nil, uint64_t *out, size_t cap);
bool ds_tree_check_order(const wl_ds *d, uint64_t root, uint64_t nil, char *why, size_t cap);
/* Weiss's SingleRotateWithLeft and SingleRotateWithRight (children only;
 * heights and levels are the caller's): return the new subtree root. */
uint64_t ds_rotate_with_left(wl_ds *d, uint64_t k2);
uint64_t ds_rotate_with_right(wl_ds *d, uint64_t k1);
/* A new node of height or level 1 (F_AUX) holding key, both children nil. */
uint64_t ds_tree_leaf(wl_ds *d, uint64_t key, uint64_t nil);
/* Weiss's recursive Delete over DS_NIL: stores each returned subtree into its
 * parent, replaces a two-child node's key by its successor's, and passes
 * every node left on the search path to fix (NULL: none) on the way up. */
typedef uint64_t (*ds_fix_fn)(wl_ds *d, uint64_t t);
uint64_t ds_tree_delete(wl_ds *d, uint64_t x, uint64_t t, bool *gone, ds_fix_fn fix);
/* Hooks of trees whose one global is the root pointer, nil = DS_NIL. */
uint64_t ds_root_layout(wl_ds *d, uint64_t *arrays);
void ds_root_init(wl_ds *d);
size_t ds_root_keys(const wl_ds *d, uint64_t *out, size_t cap);
bool ds_failf(char *why, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
