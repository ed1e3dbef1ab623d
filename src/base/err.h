/* Error codes shared by every layer.
 *
 * Functions return 0 (or a byte count) on success and a negative MJ_E* code
 * on failure, libuv-style. Parsers also take an optional `const char **why`
 * that receives a static, human-readable reason. */
#ifndef MJ_BASE_ERR_H
#define MJ_BASE_ERR_H

#define MJ_MUST_USE __attribute__((warn_unused_result))

enum {
    MJ_OK = 0,
    MJ_EINVAL = -1, /* malformed input or bad argument */
    MJ_ENOMEM = -2, /* allocation failed */
    MJ_ENOSPC = -3, /* output buffer or fixed table too small */
    MJ_ETRUNC = -4, /* input shorter than its own framing says */
    MJ_EAUTH = -5,  /* integrity, signature or credential check failed */
    MJ_ENOTFOUND = -6,
    MJ_EEXIST = -7,
    MJ_EAGAIN = -8,   /* nothing to do now; try again later */
    MJ_EPROTO = -9,   /* peer broke the protocol */
    MJ_ECRYPTO = -10, /* a crypto library call failed */
    MJ_ESTATE = -11,  /* call not valid in the current state */
    MJ_EIO = -12,     /* system call failed (shell layers only) */
    MJ_EUNSUPP = -13, /* well-formed but not something we support */
    MJ_EREPLAY = -14, /* replayed packet */
    MJ_ELIMIT = -15,  /* a configured capacity or rate was reached */
    MJ_ETIMEDOUT = -16,
};

/* Static name of an error code ("invalid input", ...). */
const char *mj_strerror(int err);

#endif
