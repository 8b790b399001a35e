/*
 * share_hash.c: the page hashes the scanners use -- SuperFastHash (Paul
 * Hsieh, 2004, "Hash functions", azillionmonkeys.com/qed/hash.html), the
 * 32-bit hash of the thesis (section 5.4), and XXH64 through libxxhash.
 *
 * SuperFastHash, as published: h starts at the length; each 4-byte block
 * adds its low 16-bit half, mixes the high half in shifted by 11, and folds;
 * a 1-3 byte tail has its own steps; six shift/xor/add steps avalanche the
 * result.  Halves are read little-endian (the reference's get16bits on x86).
 * Invariant: the results do not depend on the host's alignment or endianness.
 */
#include "share_int.h"

#include <string.h>
#ifdef VS_HAVE_XXHASH
#include <xxhash.h>
#endif

static inline uint32_t rd16(const uint8_t *p)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    uint16_t v;
    memcpy(&v, p, 2); /* one unaligned load */
    return v;
#else
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
#endif
}

uint32_t share_sfh(const void *data, size_t len) { return share_sfh_from(data, len, (uint32_t)len); }

uint32_t share_sfh_from(const void *data, size_t len, uint32_t init)
{
    const uint8_t *p = data;
    if (!p || len == 0)
        return 0;
    uint32_t h = init;
    for (size_t blocks = len / 4; blocks; blocks--, p += 4) {
        h += rd16(p);
        uint32_t t = (rd16(p + 2) << 11) ^ h;
        h = (h << 16) ^ t;
        h += h >> 11;
    }
    switch (len & 3) {
    case 3:
        h += rd16(p);
        h ^= h << 16;
        h ^= (uint32_t)(int32_t)(int8_t)p[2] << 18; /* the reference reads the last byte as signed char */
        h += h >> 11;
        break;
    case 2:
        h += rd16(p);
        h ^= h << 11;
        h += h >> 17;
        break;
    case 1:
        h += (uint32_t)(int32_t)(int8_t)p[0];
        h ^= h << 10;
        h += h >> 1;
        break;
    default:
        break;
    }
    h ^= h << 3;
    h += h >> 5;
    h ^= h << 4;
    h += h >> 17;
    h ^= h << 25;
    h += h >> 6;
    return h;
}

static const char *const hash_names[SHARE_HASH_COUNT] = {"sfh", "xxh64"};

const char *share_hash_name(share_hash_kind k) { return k < SHARE_HASH_COUNT ? hash_names[k] : "?"; }

int share_hash_from_name(const char *s, share_hash_kind *out)
{
    for (int k = 0; k < SHARE_HASH_COUNT; k++)
        if (!strcmp(s, hash_names[k])) {
#ifndef VS_HAVE_XXHASH
            if (k == SHARE_HASH_XXH64)
                return -1;
#endif
            *out = (share_hash_kind)k;
            return 0;
        }
    return -1;
}

unsigned share_hash_bits(share_hash_kind k) { return k == SHARE_HASH_SFH ? 32 : 64; }

uint64_t share_hash(share_hash_kind k, const void *data, size_t len)
{
#ifdef VS_HAVE_XXHASH
    if (k == SHARE_HASH_XXH64)
        return XXH64(data, len, 0);
#endif
    (void)k;
    return share_sfh(data, len);
}
