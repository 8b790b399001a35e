/*
 * fuzz_trace.h: the body every trace fuzz target shares -- the input becomes
 * a memory-backed file (fuzz_file.h, so the real trace_src code runs), then
 * trace_open + trace_read until end or error, every batch also through
 * `trace info`'s summary (its first-touch sets see any unmap a reader
 * decodes, however large or malformed its range).
 * Checked: no crash or sanitizer report, batches never exceed the buffer,
 * every kind is valid, and an error carries a message naming the file and,
 * for malformed input, the position in the format's unit (docs/trace-format.md,
 * Errors): the line in a text format, a byte offset in a binary one, both
 * offsets when the compressed stream itself is bad.
 */
#ifndef VS_FUZZ_TRACE_H
#define VS_FUZZ_TRACE_H

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_file.h"
#include "trace/trace.h"
#include "trace/trace_formats.h"

#define FUZZ_CAP 257 /* odd batch size: exercises records split across calls */

/* Which formats are text, from the registry's DETECT column. */
#define FUZZ_DETECT_MAGIC false
#define FUZZ_DETECT_TEXT true
#define FUZZ_DETECT_PLAUSIBLE false
#define FUZZ_TEXT_ROW(ID, STEM, DETECT, WRITE, SUFFIXES, HELP) [TFMT_##ID] = FUZZ_DETECT_##DETECT,
static const bool fuzz_text_fmt[TFMT_COUNT] = {TRACE_FORMATS(FUZZ_TEXT_ROW)};

static bool fuzz_names_position(const char *msg, trace_fmt f)
{
    if (strstr(msg, " (compressed offset "))
        return true; /* the byte source's own errors, whatever the format inside */
    return fuzz_text_fmt[f] ? strstr(msg, ":line ") != NULL : strstr(msg, "offset ") != NULL;
}

static int fuzz_trace_run(const uint8_t *data, size_t size, trace_fmt fmt)
{
    char path[64];
    int fd = fuzz_memfd(data, size, path, sizeof path);
    vs_err err = {0};
    trace_reader *r;
    if (trace_open(path, fmt, &r, &err) == VS_OK) {
        static trace_rec buf[FUZZ_CAP];
        size_t cap = 1 + size % FUZZ_CAP;
        long n;
        trace_summary *sum = trace_summary_new();
        while ((n = trace_read(r, buf, cap, &err)) > 0) {
            assert((size_t)n <= cap);
            for (long i = 0; i < n; i++)
                assert(buf[i].kind < TREC_KIND_COUNT);
            trace_summary_add(sum, buf, (size_t)n);
        }
        trace_rates rates;
        trace_summary_rates(sum, &rates);
        trace_summary_free(sum);
        if (n < 0) {
            assert(strstr(err.msg, path));
            assert(n != VS_E_FORMAT || fuzz_names_position(err.msg, trace_reader_fmt(r)));
            assert(trace_read(r, buf, cap, &err) == n); /* errors are sticky */
        }
        trace_close(r);
    } else {
        assert(err.msg[0] != '\0');
    }
    close(fd);
    return 0;
}

#endif
