/* The server's signing secret, in its own file so that it can be backed up
 * or rotated apart from the database. */
#include "store/store.h"

#include "base/rand.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int read_secret(const char *path, uint8_t out[MJ_SECRET_LEN], const char **why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno == ENOENT ? MJ_ENOTFOUND : MJ_EIO;
    ssize_t n = read(fd, out, MJ_SECRET_LEN);
    close(fd);
    if (n != MJ_SECRET_LEN) {
        *why = "secret.key in the data directory is damaged (wrong size)";
        return MJ_EINVAL;
    }
    return 0;
}

int mj_data_secret(const char *data_dir, uint8_t out[MJ_SECRET_LEN], const char **why)
{
    const char *dummy;
    if (!why) why = &dummy;
    int err = mj_data_dir_ensure(data_dir, why);
    if (err) return err;
    char path[4096], tmp[4200];
    if ((size_t)snprintf(path, sizeof path, "%s/secret.key", data_dir) >= sizeof path) {
        *why = "data directory path too long";
        return MJ_EINVAL;
    }
    err = read_secret(path, out, why);
    if (err != MJ_ENOTFOUND) {
        if (err == MJ_EIO) *why = "cannot read secret.key in the data directory";
        return err;
    }
    /* Write to a private temporary file, sync, then link it into place:
     * two processes racing on first start agree on one secret, and a crash
     * never leaves a half-written one. */
    uint8_t fresh[MJ_SECRET_LEN];
    mj_rand_bytes(fresh, sizeof fresh);
    snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        *why = "cannot create secret.key in the data directory";
        return MJ_EIO;
    }
    bool ok = write(fd, fresh, sizeof fresh) == (ssize_t)sizeof fresh && fsync(fd) == 0;
    close(fd);
    if (ok && link(tmp, path) != 0 && errno != EEXIST) ok = false;
    unlink(tmp);
    if (!ok) {
        *why = "cannot write secret.key in the data directory";
        return MJ_EIO;
    }
    err = read_secret(path, out, why);
    if (err == MJ_EIO || err == MJ_ENOTFOUND) *why = "cannot read secret.key in the data directory";
    return err;
}
