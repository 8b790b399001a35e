/*
 * share_raw.c: a raw physical-memory image (memdump, /dev/mem copy, QEMU
 * pmemsave) given with the physical address of its first byte.
 *
 * Invariants: base and length are whole pages; page i is keyed base/4K + i.
 */
#include "share_int.h"

#include <assert.h>
#include <unistd.h>

int share_image_open_raw(const char *path, uint64_t base, share_image **out, vs_err *err)
{
    *out = NULL;
    if (base % SHARE_PAGE_SIZE)
        return vs_fail(err, VS_E_USAGE, "%s: base 0x%llx is not a multiple of 4096", path, (unsigned long long)base);
    int fd;
    size_t len;
    void *map;
    if (share_file_open(path, &fd, &len, err) != VS_OK)
        return VS_E_IO;
    if (len == 0 || len % SHARE_PAGE_SIZE) {
        close(fd);
        return vs_fail(err, VS_E_FORMAT, "%s: raw image of %zu bytes: expected a non-zero multiple of 4096 (offset %zu)",
                       path, len, len - len % SHARE_PAGE_SIZE);
    }
    if (share_file_map(path, fd, len, &map, err) != VS_OK)
        return VS_E_IO;
    share_image *img = share_image_new(path);
    img->map = map;
    img->map_len = len;
    for (size_t i = 0; i < len / SHARE_PAGE_SIZE; i++) {
        int rc = share_image_push(img, base / SHARE_PAGE_SIZE + i, (const uint8_t *)map + i * SHARE_PAGE_SIZE, path, err);
        assert(rc == VS_OK);
        (void)rc;
    }
    *out = img;
    return VS_OK;
}
