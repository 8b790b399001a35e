/*
 * share_int.h: the share module's internals -- the snapshot layout, the
 * page/frame state the policies act on, and the policy interface.
 *
 * Invariants (checked by share_model_check in tests/test_share.c): a page
 * with frame != SH_NONE is counted once in that frame's refs and has the
 * frame's content; SH_PG_ZMAP pages have all-zero content and no frame;
 * frames_used is the number of frames with refs > 0.
 */
#ifndef VS_SHARE_INT_H
#define VS_SHARE_INT_H

#include "share.h"

#include <stdio.h>

struct share_image {
    char *name;
    uint64_t *keys;
    const uint8_t **data;
    size_t n, cap;
    uint64_t omitted;
    void *map;        /* the file's read-only mapping, when read from a file */
    size_t map_len;
    uint8_t **owned;  /* pages copied in by share_image_add */
    size_t n_owned;
};

/* Grows img to hold one more page (keys strictly increasing). */
int share_image_push(share_image *img, uint64_t key, const uint8_t *data, const char *what, vs_err *err);
/* The snapshot readers' file access: the whole of path, read-only -- mapped,
 * or decompressed into anonymous memory when gzip, xz or zstd (detected by
 * magic, as for traces).  *map is NULL when *len is 0; release it with
 * munmap(*map, *len) (share_image_free does, for img->map).  A directory or
 * any other non-regular file is refused by name.  VS_E_IO or the decoder's
 * VS_E_FORMAT, naming path. */
int share_file_load(const char *path, void **map, size_t *len, vs_err *err);
extern const uint8_t share_zero_page[SHARE_PAGE_SIZE];

#define SH_NONE UINT32_MAX /* no frame */

enum {
    SH_PG_ZERO = 1u << 0,    /* content is all zero */
    SH_PG_ZMAP = 1u << 1,    /* mapped to the zero page */
    SH_PG_CKSUM = 1u << 2,   /* ksm: cksum holds the previous scan's checksum */
    SH_PG_UNSTABLE = 1u << 3,/* ksm: in the unstable tree */
    SH_PG_BAD = 1u << 4,     /* esx: declared ineligible after a false match */
    SH_PG_SEEN = 1u << 5,    /* visited by the scanner since it got this content */
};

typedef struct sh_page {
    const uint8_t *data;
    uint64_t key;
    uint32_t frame;
    uint32_t cksum;
    uint32_t flags;
} sh_page;

typedef struct sh_frame {
    const uint8_t *data;
    uint32_t refs;     /* 0 = free slot */
    uint32_t aux;      /* policy's use (ksm: chain id) */
} sh_frame;

typedef struct sh_vm {
    char *name;
    sh_page *pages;
    size_t n;
} sh_vm;

typedef struct share_policy_ops share_policy_ops;

struct share_model {
    share_params p;
    sh_vm *vms;
    uint32_t n_vms;
    sh_frame *frames;
    uint32_t n_frames, cap_frames, free_head;
    uint32_t frames_used;
    share_events ev;
    share_counters c;       /* policy-maintained counters (scanned, collisions, ...) */
    uint64_t changes;       /* state changes; a round without any is convergence */
    const share_policy_ops *ops;
    void *pol;
};

struct share_policy_ops {
    void *(*create)(share_model *m);
    void (*destroy)(void *pol);
    /* Called before vm's pages are replaced or written (drop references to them). */
    void (*forget_page)(void *pol, share_model *m, uint32_t vm, sh_page *pg);
    void (*vm_changed)(void *pol, share_model *m); /* page arrays were rebuilt */
    void (*frame_freed)(void *pol, share_model *m, uint32_t frame);
    uint64_t (*scan)(void *pol, share_model *m, uint64_t budget);
    uint64_t (*rounds)(void *pol);          /* completed full rounds */
    double (*rate)(const share_model *m);   /* page visits per second */
    void (*counters)(void *pol, const share_model *m, share_counters *c);
    /* What the policy adds to the common report (share_report.c), so that a
     * new policy is its own file plus one SHARE_POLICY_ROWS row. */
    share_hash_kind default_hash;           /* hash when the user names none */
    const char *zero_name;                  /* the report's name for pages_zero */
    void (*counters_json)(jw *w, const share_counters *c); /* after the common counters */
    void (*extra_json)(jw *w, const share_counters *c);    /* after cow_breaks */
    void (*index_json)(jw *w, const share_counters *c);    /* fields of "index" */
    void (*index_print)(FILE *out, const share_counters *c); /* the text report's index line */
    void (*params_json)(jw *w, const share_params *p);     /* the policy's own "params" */
};

const share_policy_ops *share_policy_ops_of(share_policy p);
/* The hash-index report of the policies that keep a share_index (xen, esx). */
void sh_index_json(jw *w, const share_counters *c);
void sh_index_print(FILE *out, const share_counters *c);
/* For a policy that adds nothing at a report hook. */
void sh_no_json(jw *w, const share_counters *c);

#define SHARE_POLICY_DECLARE(ID, NAME, STEM) extern const share_policy_ops share_##STEM##_ops;
SHARE_POLICY_ROWS(SHARE_POLICY_DECLARE)
#undef SHARE_POLICY_DECLARE

/* ---- state operations the policies share (share_model.c) ---- */
uint32_t sh_frame_new(share_model *m, const uint8_t *data);
/* Maps pg to frame (counting one remap). */
void sh_map(share_model *m, sh_page *pg, uint32_t frame);
/* Maps pg to the zero page. */
void sh_map_zero(share_model *m, sh_page *pg);
/* Bitwise compare, counted with the bytes it read (memcmp order). */
int sh_memcmp(share_model *m, const uint8_t *a, const uint8_t *b);
/* Full bitwise compare, counted, plus the VMM's map/unmap of both pages. */
bool sh_same(share_model *m, const uint8_t *a, const uint8_t *b);
uint64_t sh_hash(share_model *m, const uint8_t *data); /* counted, plus a map/unmap pair */
sh_page *sh_find_page(share_model *m, uint32_t vm, uint64_t key);

#endif
