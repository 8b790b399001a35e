/*
 * fuzz_share_elf.c: libFuzzer target for the snapshot readers -- arbitrary
 * bytes as an ELF core / QEMU vmcore (sim/share/share_elf.c, through the
 * gzip/xz/zstd decompression of share_file_load), and as a raw image at a
 * base taken from the first input bytes.
 *
 * Checked: no crash or sanitizer report; a loaded image has strictly
 * increasing page keys and every page's 4 KiB is readable (each is summed,
 * so ASan sees any page pointer outside the mapping); a failure has a
 * message naming the file.
 */
#include <assert.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "share/share.h"

static void check(int rc, share_image *img, const vs_err *err, const char *path)
{
    if (rc != VS_OK) {
        assert(img == NULL && strstr(err->msg, path) != NULL);
        return;
    }
    unsigned sum = 0;
    for (size_t i = 0; i < share_image_pages(img); i++) {
        assert(i == 0 || share_image_key(img, i) > share_image_key(img, i - 1));
        const uint8_t *d = share_image_data(img, i);
        for (size_t b = 0; b < SHARE_PAGE_SIZE; b += 512)
            sum += d[b] + d[b + 511];
    }
    (void)sum;
    share_image_free(img);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];
    int fd = fuzz_memfd(data, size, path, sizeof path);
    vs_err err = {0};
    share_image *img;
    int rc = share_image_open_elf(path, &img, &err);
    check(rc, img, &err, path);
    uint64_t base = 0;
    for (size_t i = 0; i < 8 && i < size; i++)
        base |= (uint64_t)data[i] << (8 * i);
    rc = share_image_open_raw(path, base & ~0xfffull, &img, &err);
    check(rc, img, &err, path);
    close(fd);
    return 0;
}
