/* The web app's files, embedded at build time from web/ (see
 * scripts/embed-web.cmake). */
#ifndef MJ_API_ASSETS_H
#define MJ_API_ASSETS_H

#include <stddef.h>

typedef struct mj_asset {
    const char *path; /* "/index.html" */
    const unsigned char *data;
    size_t len;
    const char *etag; /* quoted, from the content's hash */
} mj_asset;

extern const mj_asset mj_assets[]; /* terminated by path == NULL */

/* Finds the asset for a request path ("/" means "/index.html"); NULL if
 * there is none. */
const mj_asset *mj_asset_find(const char *path);
/* Content type from the file extension. */
const char *mj_asset_mime(const char *path);

#endif
