/*
 * fuzz_file.h: the input as a file -- a memory-backed one (memfd), opened by
 * its /proc/self/fd path, so the parsers' real file code (open, stat, mmap,
 * the gzip/xz/zstd sources) runs on it.  No file-system writes, no clean-up.
 */
#ifndef VS_FUZZ_FILE_H
#define VS_FUZZ_FILE_H

#include <assert.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>

/* Writes data to a new memfd; returns its fd (close it when done) and its path in path. */
static int fuzz_memfd(const uint8_t *data, size_t size, char *path, size_t cap)
{
    int fd = memfd_create("fuzz_input", 0);
    assert(fd >= 0);
    size_t off = 0;
    while (off < size) {
        ssize_t w = write(fd, data + off, size - off);
        assert(w > 0);
        off += (size_t)w;
    }
    snprintf(path, cap, "/proc/self/fd/%d", fd);
    return fd;
}

#endif
