/*
 * share_image.c: one memory snapshot as a sorted list of (page number, 4 KiB
 * content) -- the form every reader (ELF core, vmcore, raw image) produces
 * and every scanner policy consumes.
 *
 * Invariants: keys strictly increase; every data pointer addresses 4 KiB that
 * live as long as the image (inside its file mapping, its owned copies, or
 * share_zero_page for zero-filled tails).  Snapshot files are mapped, or
 * decompressed (gzip, xz, zstd) into anonymous memory, by share_file_load.
 */
#include "share_int.h"
#include "../trace/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

const uint8_t share_zero_page[SHARE_PAGE_SIZE];

share_image *share_image_new(const char *name)
{
    share_image *img = vs_calloc(1, sizeof *img);
    img->name = vs_strdup(name ? name : "image");
    return img;
}

int share_image_push(share_image *img, uint64_t key, const uint8_t *data, const char *what, vs_err *err)
{
    if (img->n && key <= img->keys[img->n - 1])
        return vs_fail(err, VS_E_FORMAT, "%s: page 0x%llx given after page 0x%llx (overlapping or unordered)",
                       what, (unsigned long long)key, (unsigned long long)img->keys[img->n - 1]);
    if (img->n == img->cap) {
        img->cap = img->cap ? img->cap * 2 : 256;
        img->keys = vs_realloc(img->keys, img->cap * sizeof *img->keys);
        img->data = vs_realloc(img->data, img->cap * sizeof *img->data);
    }
    img->keys[img->n] = key;
    img->data[img->n] = data;
    img->n++;
    return VS_OK;
}

int share_image_add(share_image *img, uint64_t key, const void *page, vs_err *err)
{
    uint8_t *copy = vs_malloc(SHARE_PAGE_SIZE);
    memcpy(copy, page, SHARE_PAGE_SIZE);
    int rc = share_image_push(img, key, copy, img->name, err);
    if (rc != VS_OK) {
        free(copy);
        return rc;
    }
    img->owned = vs_realloc(img->owned, (img->n_owned + 1) * sizeof *img->owned);
    img->owned[img->n_owned++] = copy;
    return VS_OK;
}

size_t share_image_pages(const share_image *img) { return img->n; }
uint64_t share_image_key(const share_image *img, size_t i) { return img->keys[i]; }
const uint8_t *share_image_data(const share_image *img, size_t i) { return img->data[i]; }
uint64_t share_image_omitted(const share_image *img) { return img->omitted; }

void share_image_free(share_image *img)
{
    if (!img)
        return;
    if (img->map)
        munmap(img->map, img->map_len);
    for (size_t i = 0; i < img->n_owned; i++)
        free(img->owned[i]);
    free(img->owned);
    free(img->keys);
    free(img->data);
    free(img->name);
    free(img);
}

#define SHARE_INFLATE_FIRST (16u << 20) /* first anonymous mapping for a decompressed snapshot; doubles */

/* Decompresses the whole of src into an anonymous read-only mapping. */
static int inflate_all(trace_src *src, const char *path, void **map, size_t *len, vs_err *err)
{
    size_t cap = SHARE_INFLATE_FIRST, n = 0;
    uint8_t *buf = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    long got = 0;
    while (buf != MAP_FAILED) {
        if (n == cap) {
            void *grown = mremap(buf, cap, 2 * cap, MREMAP_MAYMOVE);
            if (grown == MAP_FAILED) {
                munmap(buf, cap);
                buf = MAP_FAILED;
                break;
            }
            buf = grown;
            cap *= 2;
        }
        got = trace_src_read(src, buf + n, cap - n, err);
        if (got <= 0)
            break;
        n += (size_t)got;
    }
    if (buf == MAP_FAILED)
        return vs_fail(err, VS_E_IO, "%s: no memory for the decompressed snapshot (%zu bytes so far): %s", path, n,
                       strerror(errno));
    if (got < 0 || n == 0) {
        munmap(buf, cap);
        *map = NULL;
        *len = 0;
        return got < 0 ? (int)got : VS_OK;
    }
    size_t keep = (n + SHARE_PAGE_SIZE - 1) / SHARE_PAGE_SIZE * SHARE_PAGE_SIZE;
    if (keep < cap) /* shrinking in place cannot fail (mremap(2)); then munmap(map, n) frees it all */
        (void)mremap(buf, cap, keep, 0);
    mprotect(buf, keep, PROT_READ);
    *map = buf;
    *len = n;
    return VS_OK;
}

int share_file_load(const char *path, void **map, size_t *len, vs_err *err)
{
    *map = NULL;
    *len = 0;
    struct stat st;
    if (stat(path, &st) < 0)
        return vs_fail(err, VS_E_IO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode))
        return vs_fail(err, VS_E_IO, "%s: is a directory; expected a snapshot file (ELF core, QEMU vmcore or raw "
                       "image)", path);
    if (!S_ISREG(st.st_mode))
        return vs_fail(err, VS_E_IO, "%s: not a regular file; expected a snapshot file (ELF core, QEMU vmcore or "
                       "raw image)", path);
    /* trace_src recognises gzip, xz and zstd by their magic, as for traces. */
    trace_src *src;
    int rc = trace_src_open(path, &src, err);
    if (rc != VS_OK)
        return rc;
    if (strcmp(trace_src_codec(src), "none") != 0) {
        rc = inflate_all(src, path, map, len, err);
        trace_src_close(src);
        return rc;
    }
    trace_src_close(src);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return vs_fail(err, VS_E_IO, "%s: %s", path, strerror(errno));
    if (fstat(fd, &st) < 0) {
        rc = vs_fail(err, VS_E_IO, "%s: %s", path, strerror(errno));
        close(fd);
        return rc;
    }
    if (st.st_size == 0) { /* nothing to map: the readers report the empty file */
        close(fd);
        return VS_OK;
    }
    *map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (*map == MAP_FAILED) {
        *map = NULL;
        return vs_fail(err, VS_E_IO, "%s: mmap: %s", path, strerror(errno));
    }
    *len = (size_t)st.st_size;
    return VS_OK;
}
