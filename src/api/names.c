#include "api/names.h"

#include "base/map.h"

#include <sodium.h>
#include <stdbool.h>
#include <string.h>
#include <utf8proc.h>

#define INPUT_MAX 4096 /* bytes looked at before anything else */
#define WORK_MAX  8192 /* code points after decomposition */

#define ZWNJ 0x200C
#define ZWJ  0x200D

int mj_handle_normalize(const char *in, size_t len, char out[MJ_HANDLE_MAX + 1], const char **why)
{
    if (len < MJ_HANDLE_MIN || len > MJ_HANDLE_MAX) {
        *why = "a handle is 3 to 20 characters";
        return MJ_EINVAL;
    }
    for (size_t i = 0; i < len; i++) {
        char c = in[i];
        if (c >= 'A' && c <= 'Z') c = (char)(c - 'A' + 'a');
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
            *why = "a handle may hold only the letters a-z, digits and '_'";
            return MJ_EINVAL;
        }
        out[i] = c;
    }
    out[len] = '\0';
    return 0;
}

static bool is_bidi_control(int32_t cp)
{
    return (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200E ||
           cp == 0x200F || cp == 0x061C;
}

/* Letters that render as nothing: the Hangul fillers and the blank Braille
 * pattern are the usual way to make an "empty" name look filled. */
static bool is_invisible_letter(int32_t cp)
{
    return cp == 0x115F || cp == 0x1160 || cp == 0x3164 || cp == 0xFFA0 || cp == 0x2800 ||
           cp == 0x034F || cp == 0x17B4 || cp == 0x17B5;
}

static bool is_mark(utf8proc_category_t c)
{
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_ME;
}

static bool is_visible(utf8proc_category_t c)
{
    return (c >= UTF8PROC_CATEGORY_LU && c <= UTF8PROC_CATEGORY_LO) ||
           (c >= UTF8PROC_CATEGORY_ND && c <= UTF8PROC_CATEGORY_NO) ||
           (c >= UTF8PROC_CATEGORY_PC && c <= UTF8PROC_CATEGORY_PO) ||
           (c >= UTF8PROC_CATEGORY_SM && c <= UTF8PROC_CATEGORY_SO) || c == UTF8PROC_CATEGORY_MC;
}

/* Why a code point may not appear in a name at all, or NULL. */
static const char *refused(int32_t cp, utf8proc_category_t cat)
{
    if (cat == UTF8PROC_CATEGORY_CC || cat == UTF8PROC_CATEGORY_ZL || cat == UTF8PROC_CATEGORY_ZP)
        return "control characters and line breaks are not allowed";
    if (is_bidi_control(cp)) return "bidirectional control characters are not allowed";
    if (cat == UTF8PROC_CATEGORY_CF && cp != ZWNJ && cp != ZWJ)
        return "invisible formatting characters are not allowed";
    if (cat == UTF8PROC_CATEGORY_CO || cat == UTF8PROC_CATEGORY_CS || cat == UTF8PROC_CATEGORY_CN)
        return "private-use and unassigned characters are not allowed";
    if (is_invisible_letter(cp)) return "invisible characters are not allowed";
    return NULL;
}

typedef struct text_rules {
    size_t max_chars, max_bytes;
    int max_lines; /* 1: no line breaks */
    bool allow_empty;
    const char *too_long;
} text_rules;

typedef struct text_out {
    char *p;
    size_t len, chars;
    int lines;
    int pending_breaks; /* line breaks seen and not yet written */
    bool pending_space;
    bool line_started; /* something written on the current line */
    bool visible;      /* at least one letter, digit, mark or symbol */
    int marks;         /* combining marks on the last character */
    int32_t last;
} text_out;

static int put(text_out *o, const text_rules *r, int32_t cp, const char **why)
{
    uint8_t enc[4];
    utf8proc_ssize_t n = utf8proc_encode_char(cp, enc);
    if (o->len + (size_t)n > r->max_bytes) {
        *why = r->too_long;
        return MJ_EINVAL;
    }
    memcpy(o->p + o->len, enc, (size_t)n);
    o->len += (size_t)n;
    o->last = cp;
    return 0;
}

/* Writes the breaks and the space that were held back, so that nothing
 * trails a line or the text. */
static int flush_pending(text_out *o, const text_rules *r, const char **why)
{
    if (o->pending_breaks && o->len) {
        int breaks = o->pending_breaks > 2 ? 2 : o->pending_breaks;
        o->lines += breaks;
        if (o->lines > r->max_lines) {
            *why = "too many lines";
            return MJ_EINVAL;
        }
        for (int i = 0; i < breaks; i++)
            if (put(o, r, '\n', why)) return MJ_EINVAL;
        o->line_started = false;
        o->pending_space = false;
    }
    o->pending_breaks = 0;
    if (o->pending_space && o->line_started && put(o, r, ' ', why)) return MJ_EINVAL;
    o->pending_space = false;
    return 0;
}

static int add_cp(text_out *o, const text_rules *r, int32_t cp, const char **why)
{
    utf8proc_category_t cat = utf8proc_category(cp);
    bool breaking = cp == '\n' && r->max_lines > 1;
    if ((breaking || cat == UTF8PROC_CATEGORY_ZS) && (o->last == ZWNJ || o->last == ZWJ)) {
        *why = "a joiner must sit between two characters";
        return MJ_EINVAL;
    }
    if (breaking) {
        o->pending_breaks++;
        o->pending_space = false;
        return 0;
    }
    if (cat == UTF8PROC_CATEGORY_ZS) {
        o->pending_space = true;
        return 0;
    }
    const char *no = refused(cp, cat);
    if (no) {
        *why = no;
        return MJ_EINVAL;
    }
    bool joiner = cp == ZWNJ || cp == ZWJ;
    if (is_mark(cat) || joiner) {
        /* A mark or joiner belongs to the character before it: never at
         * the start of a word, never after a joiner, and not in stacks. */
        if (!o->line_started || o->pending_space || o->pending_breaks || o->last == ZWNJ ||
            o->last == ZWJ) {
            *why = joiner ? "a joiner must sit between two characters"
                          : "a combining mark must follow a letter";
            return MJ_EINVAL;
        }
        if (is_mark(cat) && ++o->marks > MJ_MAX_MARKS) {
            *why = "too many combining marks on one character";
            return MJ_EINVAL;
        }
        if (is_mark(cat)) o->visible = true;
        return put(o, r, cp, why);
    }
    if (flush_pending(o, r, why)) return MJ_EINVAL;
    if (++o->chars > r->max_chars) {
        *why = r->too_long;
        return MJ_EINVAL;
    }
    o->marks = 0;
    o->line_started = true;
    if (is_visible(cat)) o->visible = true;
    return put(o, r, cp, why);
}

static int normalize_text(const uint8_t *in, size_t len, const text_rules *r, char *out,
                          const char **why)
{
    static const utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_REJECTNA;
    if (len > INPUT_MAX) {
        *why = r->too_long;
        return MJ_EINVAL;
    }
    utf8proc_int32_t work[WORK_MAX];
    utf8proc_ssize_t n = utf8proc_decompose(in, (utf8proc_ssize_t)len, work, WORK_MAX, opts);
    if (n == UTF8PROC_ERROR_NOTASSIGNED) {
        *why = "private-use and unassigned characters are not allowed";
        return MJ_EINVAL;
    }
    if (n < 0) {
        *why = "text is not valid UTF-8";
        return MJ_EINVAL;
    }
    if (n > WORK_MAX) {
        *why = r->too_long;
        return MJ_EINVAL;
    }
    n = utf8proc_normalize_utf32(work, n, opts);
    if (n < 0) {
        *why = "text cannot be normalized";
        return MJ_EINVAL;
    }
    text_out o = {.p = out, .lines = 1};
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        int32_t cp = work[i];
        if (cp == '\r' && r->max_lines > 1 && i + 1 < n && work[i + 1] == '\n') continue;
        if (add_cp(&o, r, cp, why)) return MJ_EINVAL;
    }
    if (o.last == ZWNJ || o.last == ZWJ) {
        *why = "a joiner must sit between two characters";
        return MJ_EINVAL;
    }
    if (!o.visible && !(r->allow_empty && o.len == 0)) {
        *why = "a name needs at least one visible letter, digit or symbol";
        return MJ_EINVAL;
    }
    out[o.len] = '\0';
    return 0;
}

int mj_display_name_normalize(const uint8_t *in, size_t len, char out[MJ_NAME_MAX_BYTES + 1],
                              const char **why)
{
    static const text_rules rules = {MJ_NAME_MAX_CHARS, MJ_NAME_MAX_BYTES, 1, false,
                                     "a display name is at most 50 characters"};
    return normalize_text(in, len, &rules, out, why);
}

int mj_title_normalize(const uint8_t *in, size_t len, char out[MJ_TITLE_MAX_BYTES + 1],
                       const char **why)
{
    static const text_rules rules = {MJ_TITLE_MAX_CHARS, MJ_TITLE_MAX_BYTES, 1, false,
                                     "a title is at most 100 characters"};
    return normalize_text(in, len, &rules, out, why);
}

int mj_bio_normalize(const uint8_t *in, size_t len, char out[MJ_BIO_MAX_BYTES + 1],
                     const char **why)
{
    static const text_rules rules = {MJ_BIO_MAX_CHARS, MJ_BIO_MAX_BYTES, MJ_BIO_MAX_LINES, true,
                                     "a bio is at most 160 characters"};
    return normalize_text(in, len, &rules, out, why);
}

int mj_passphrase_normalize(const uint8_t *in, size_t len, size_t min_chars,
                            char out[MJ_PASS_MAX_BYTES + 1], size_t *out_len, const char **why)
{
    static const utf8proc_option_t opts = UTF8PROC_STABLE | UTF8PROC_COMPOSE;
    if (len > MJ_PASS_MAX_BYTES) {
        *why = "a passphrase is at most 1024 bytes";
        return MJ_EINVAL;
    }
    if (memchr(in, 0, len)) {
        *why = "a passphrase cannot contain NUL";
        return MJ_EINVAL;
    }
    utf8proc_int32_t work[MJ_PASS_MAX_BYTES * 4];
    int err = MJ_EINVAL;
    size_t pos = 0;
    utf8proc_ssize_t n = utf8proc_decompose(in, (utf8proc_ssize_t)len, work,
                                            (utf8proc_ssize_t)(sizeof work / sizeof work[0]), opts);
    if (n < 0 || n > (utf8proc_ssize_t)(sizeof work / sizeof work[0])) {
        *why = "a passphrase must be valid UTF-8";
        goto done;
    }
    n = utf8proc_normalize_utf32(work, n, opts);
    if ((size_t)n < min_chars) {
        *why = "a passphrase needs at least 10 characters";
        goto done;
    }
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        uint8_t enc[4];
        utf8proc_ssize_t k = utf8proc_encode_char(work[i], enc);
        if (pos + (size_t)k > MJ_PASS_MAX_BYTES) {
            *why = "a passphrase is at most 1024 bytes";
            goto done;
        }
        memcpy(out + pos, enc, (size_t)k);
        pos += (size_t)k;
        sodium_memzero(enc, sizeof enc);
    }
    out[pos] = '\0';
    *out_len = pos;
    err = 0;
done:
    sodium_memzero(work, sizeof work);
    if (err) sodium_memzero(out, pos);
    return err;
}

/* Copies the first grapheme of s (upper-cased when it starts with a
 * lower-case letter) to out; returns bytes written. */
static size_t first_grapheme(const char *s, char *out, size_t cap)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t len = strlen(s), pos = 0, w = 0;
    utf8proc_int32_t prev = -1, cp, state = 0;
    while (pos < len) {
        utf8proc_ssize_t k = utf8proc_iterate(p + pos, (utf8proc_ssize_t)(len - pos), &cp);
        if (k <= 0 || cp == ' ') break;
        if (prev >= 0 && utf8proc_grapheme_break_stateful(prev, cp, &state)) break;
        utf8proc_int32_t shown = prev < 0 ? utf8proc_toupper(cp) : cp;
        uint8_t enc[4];
        utf8proc_ssize_t e = utf8proc_encode_char(shown, enc);
        if (w + (size_t)e >= cap) break;
        memcpy(out + w, enc, (size_t)e);
        w += (size_t)e;
        prev = cp;
        pos += (size_t)k;
    }
    return w;
}

void mj_initials(const char *name, char out[MJ_INITIALS_MAX])
{
    size_t w = first_grapheme(name, out, MJ_INITIALS_MAX / 2 - 4);
    const char *last = strrchr(name, ' ');
    /* Arabic family names often start with the article "ال" (al-): the
     * initial of "ليلى الحسن" is ح, not ا. */
    static const char article[] = "\xD8\xA7\xD9\x84";
    if (last && strncmp(last + 1, article, 4) == 0 && last[5] && last[5] != ' ') last += 4;
    if (w && last && last[1]) {
        memcpy(out + w, "\xE2\x80\x8C", 3); /* ZWNJ */
        w += 3;
        w += first_grapheme(last + 1, out + w, MJ_INITIALS_MAX - w - 1);
    }
    out[w] = '\0';
}

int mj_avatar_hue(const char *handle)
{
    return (int)(mj_hash_bytes(handle, strlen(handle)) % 360);
}
