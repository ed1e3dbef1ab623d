/* Validation and normalization of what members type about themselves:
 * handles, display names, bios and passphrases, and the initials avatar.
 *
 * Display names are shown to everyone in rooms and lists, so they are the
 * first tool of an impersonator. They are normalized to NFC (Unicode
 * UAX #15) so that one name has one byte form, whitespace is trimmed and
 * collapsed, and anything that can reorder or hide text is refused: control
 * characters, every bidirectional control (embeddings and overrides
 * U+202A-U+202E, isolates U+2066-U+2069, and the marks U+200E, U+200F,
 * U+061C: the web app isolates each name itself, so a name never needs
 * them), other format characters except ZWNJ and ZWJ (Persian and Kurdish
 * spelling and emoji need those), invisible fillers, unassigned and
 * private-use code points, and long stacks of combining marks. Arabic with
 * its diacritics, and every other script, passes intact.
 *
 * Pure functions over bytes (utf8proc for the Unicode tables); they live in
 * the shell library only because that is what links utf8proc. */
#ifndef MJ_API_NAMES_H
#define MJ_API_NAMES_H

#include "base/err.h"

#include <stddef.h>
#include <stdint.h>

#define MJ_HANDLE_MIN 3
#define MJ_HANDLE_MAX 20
/* Lengths count characters: code points other than combining marks, so
 * that a fully vowelled Arabic name is not cut shorter than a bare one.
 * The byte caps bound the marks. */
#define MJ_NAME_MAX_CHARS  50
#define MJ_NAME_MAX_BYTES  256
#define MJ_MAX_MARKS       5 /* combining marks on one character */
#define MJ_TITLE_MAX_CHARS 100
#define MJ_TITLE_MAX_BYTES 512 /* = MJ_ROOM_TITLE_MAX */
#define MJ_BIO_MAX_CHARS   160
#define MJ_BIO_MAX_BYTES   1024
#define MJ_BIO_MAX_LINES   6
#define MJ_PASS_MIN_CHARS  10
#define MJ_PASS_MAX_BYTES  1024
#define MJ_INITIALS_MAX    64

/* A handle is 3 to 20 of [a-z0-9_]. ASCII capitals are accepted and folded
 * to lower case, so "Layla" and "layla" are one handle. out receives the
 * canonical form. 0 or MJ_EINVAL (*why says why). */
MJ_MUST_USE int mj_handle_normalize(const char *in, size_t len, char out[MJ_HANDLE_MAX + 1],
                                    const char **why);

/* Display name: valid UTF-8 in, NFC out (NUL-terminated), 1 to
 * MJ_NAME_MAX_CHARS characters. 0 or MJ_EINVAL. */
MJ_MUST_USE int mj_display_name_normalize(const uint8_t *in, size_t len,
                                          char out[MJ_NAME_MAX_BYTES + 1], const char **why);

/* A room's title: the rules of a display name, 1 to MJ_TITLE_MAX_CHARS
 * characters. */
MJ_MUST_USE int mj_title_normalize(const uint8_t *in, size_t len, char out[MJ_TITLE_MAX_BYTES + 1],
                                   const char **why);

/* Bio: as a display name, but may be empty and may hold line breaks (CRLF
 * becomes LF; at most MJ_BIO_MAX_LINES lines). */
MJ_MUST_USE int mj_bio_normalize(const uint8_t *in, size_t len, char out[MJ_BIO_MAX_BYTES + 1],
                                 const char **why);

/* Passphrase: valid UTF-8 without NUL, normalized to NFC (so the same
 * words typed on two keyboards give the same bytes, as NIST SP 800-63B
 * advises), at least min_chars code points (MJ_PASS_MIN_CHARS for a new
 * passphrase; 0 at login, so that raising the minimum never locks anyone
 * out) and at most MJ_PASS_MAX_BYTES bytes. Writes *out_len bytes plus a
 * NUL. Scratch memory is wiped before returning. 0 or MJ_EINVAL. */
MJ_MUST_USE int mj_passphrase_normalize(const uint8_t *in, size_t len, size_t min_chars,
                                        char out[MJ_PASS_MAX_BYTES + 1], size_t *out_len,
                                        const char **why);

/* Initials for the avatar: the first grapheme of the first word and of the
 * last word of a valid display name, joined by ZWNJ so that two Arabic
 * letters stay apart instead of joining into a word. */
void mj_initials(const char *display_name, char out[MJ_INITIALS_MAX]);

/* A stable hue (0-359) for the avatar, from the handle. */
int mj_avatar_hue(const char *handle);

#endif
