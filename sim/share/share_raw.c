/*
 * share_raw.c: a raw physical-memory image (memdump, /dev/mem copy, QEMU
 * pmemsave) given with the physical address of its first byte.
 *
 * Invariants: base and length are whole pages and base + length <= 2^52;
 * page i is keyed base/4K + i.
 */
#include "share_int.h"

#include <assert.h>
#include <sys/mman.h>

#define RAW_PHYS_LIMIT (1ull << 52) /* MAXPHYADDR is at most 52 (SDM Vol. 3A 4.1.4): a base + length past it is a typo */

int share_image_open_raw(const char *path, uint64_t base, share_image **out, vs_err *err)
{
    *out = NULL;
    if (base >= RAW_PHYS_LIMIT)
        return vs_fail(err, VS_E_USAGE, "%s: base 0x%llx is beyond 2^52, the largest x86-64 physical address", path,
                       (unsigned long long)base);
    if (base % SHARE_PAGE_SIZE)
        return vs_fail(err, VS_E_USAGE, "%s: base 0x%llx is not a multiple of 4096", path, (unsigned long long)base);
    void *map;
    size_t len;
    int rc = share_file_load(path, &map, &len, err);
    if (rc != VS_OK)
        return rc;
    if (len == 0 || len % SHARE_PAGE_SIZE) {
        if (map)
            munmap(map, len);
        return vs_fail(err, VS_E_FORMAT, "%s: raw image of %zu bytes: expected a non-zero multiple of 4096 (offset %zu)",
                       path, len, len - len % SHARE_PAGE_SIZE);
    }
    if (len / SHARE_PAGE_SIZE > (RAW_PHYS_LIMIT - base) / SHARE_PAGE_SIZE) {
        munmap(map, len);
        return vs_fail(err, VS_E_USAGE,
                       "%s: raw image of %zu bytes at base 0x%llx ends beyond 2^52, the largest x86-64 physical "
                       "address (MAXPHYADDR <= 52, SDM Vol. 3A 4.1.4); expected a smaller base",
                       path, len, (unsigned long long)base);
    }
    share_image *img = share_image_new(path);
    img->map = map;
    img->map_len = len;
    for (size_t i = 0; i < len / SHARE_PAGE_SIZE; i++) {
        rc = share_image_push(img, base / SHARE_PAGE_SIZE + i, (const uint8_t *)map + i * SHARE_PAGE_SIZE, path, err);
        assert(rc == VS_OK);
        (void)rc;
    }
    *out = img;
    return VS_OK;
}
