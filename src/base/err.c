#include "base/err.h"

const char *mj_strerror(int err)
{
    switch (err) {
    case MJ_OK: return "ok";
    case MJ_EINVAL: return "invalid input";
    case MJ_ENOMEM: return "out of memory";
    case MJ_ENOSPC: return "no space";
    case MJ_ETRUNC: return "truncated";
    case MJ_EAUTH: return "authentication failed";
    case MJ_ENOTFOUND: return "not found";
    case MJ_EEXIST: return "already exists";
    case MJ_EAGAIN: return "try again";
    case MJ_EPROTO: return "protocol error";
    case MJ_ECRYPTO: return "crypto failure";
    case MJ_ESTATE: return "wrong state";
    case MJ_EIO: return "i/o error";
    case MJ_EUNSUPP: return "unsupported";
    case MJ_EREPLAY: return "replayed";
    case MJ_ELIMIT: return "limit reached";
    case MJ_ETIMEDOUT: return "timed out";
    default: return "unknown error";
    }
}
