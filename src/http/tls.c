/* The HTTPS certificate: checked before the server starts, and read again
 * on demand (SIGHUP) so that a renewed certificate needs no restart.
 *
 * libwebsockets loads the files once, into the SSL_CTX of the vhost; it
 * hands that SSL_CTX to the protocol callback while it makes the vhost
 * (LWS_CALLBACK_OPENSSL_LOAD_EXTRA_SERVER_VERIFY_CERTS), where server.c
 * keeps it. A reload reads and checks the new pair in full first (the key
 * must be the certificate's, the certificate must not have expired), and
 * only then swaps them into that SSL_CTX: a bad pair leaves the old one
 * serving. Connections made after the swap get the new certificate
 * (SSL_new copies the SSL_CTX's certificate); those open keep theirs.
 * Everything here runs on the control thread, like the loop that makes
 * the connections. */
#include "http/http_internal.h"

#include "base/log.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <string.h>

typedef struct tls_pair {
    X509 *cert;
    STACK_OF(X509) * chain; /* the certificates after the first, if any */
    EVP_PKEY *key;
} tls_pair;

static void pair_free(tls_pair *p)
{
    X509_free(p->cert);
    sk_X509_pop_free(p->chain, X509_free);
    EVP_PKEY_free(p->key);
    memset(p, 0, sizeof *p);
}

static void set_why(char *why, size_t cap, const char *what, const char *path)
{
    unsigned long e = ERR_peek_last_error();
    char detail[160] = "";
    if (e) ERR_error_string_n(e, detail, sizeof detail);
    ERR_clear_error();
    snprintf(why, cap, "%s %s%s%s", what, path, detail[0] ? ": " : "", detail);
}

static int read_chain(const char *path, tls_pair *p, char *why, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, cap, "cannot open the certificate file %s", path);
        return -1;
    }
    p->cert = PEM_read_X509(f, NULL, NULL, NULL);
    p->chain = sk_X509_new_null();
    X509 *more;
    while (p->cert && p->chain && (more = PEM_read_X509(f, NULL, NULL, NULL)))
        sk_X509_push(p->chain, more);
    fclose(f);
    ERR_clear_error(); /* the end of the file reads as an error */
    if (!p->cert || !p->chain) {
        set_why(why, cap, "no PEM certificate in", path);
        return -1;
    }
    if (X509_cmp_current_time(X509_get0_notAfter(p->cert)) <= 0) {
        snprintf(why, cap, "the certificate in %s has expired", path);
        return -1;
    }
    return 0;
}

static int read_key(const char *path, tls_pair *p, char *why, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(why, cap, "cannot open the key file %s", path);
        return -1;
    }
    p->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (!p->key) {
        set_why(why, cap, "no PEM private key (without a passphrase) in", path);
        return -1;
    }
    return 0;
}

static int read_pair(const char *cert, const char *key, tls_pair *p, char *why, size_t cap)
{
    memset(p, 0, sizeof *p);
    if (read_chain(cert, p, why, cap) != 0 || read_key(key, p, why, cap) != 0) {
        pair_free(p);
        return -1;
    }
    if (X509_check_private_key(p->cert, p->key) != 1) {
        ERR_clear_error();
        snprintf(why, cap, "the key in %s is not the key of the certificate in %s", key, cert);
        pair_free(p);
        return -1;
    }
    return 0;
}

int mj_http_tls_check(const char *cert, const char *key, char *why, size_t cap)
{
    tls_pair p;
    if (read_pair(cert, key, &p, why, cap) != 0) return -1;
    pair_free(&p);
    return 0;
}

/* Puts the pair into ctx: the certificate, then its key (which OpenSSL
 * checks against it), then the chain. */
static int install(SSL_CTX *ctx, tls_pair *p)
{
    if (SSL_CTX_use_certificate(ctx, p->cert) != 1 || SSL_CTX_use_PrivateKey(ctx, p->key) != 1 ||
        SSL_CTX_clear_chain_certs(ctx) != 1)
        return -1;
    for (int i = 0; i < sk_X509_num(p->chain); i++)
        if (SSL_CTX_add1_chain_cert(ctx, sk_X509_value(p->chain, i)) != 1) return -1;
    return SSL_CTX_check_private_key(ctx) == 1 ? 0 : -1;
}

void mj_http_tls_keep_ctx(mj_http_server *srv, void *ssl_ctx)
{
    if (!srv->tls_ctx) srv->tls_ctx = ssl_ctx;
}

int mj_http_reload_tls(mj_http_server *srv)
{
    const char *cert = srv->cfg.tls_cert, *key = srv->cfg.tls_key;
    if (!cert || !key) return 0;
    if (!srv->tls_ctx) {
        mj_error("tls: no TLS context to reload the certificate into");
        return -1;
    }
    char why[400];
    tls_pair p;
    if (read_pair(cert, key, &p, why, sizeof why) != 0) {
        mj_error("tls: keeping the old certificate: %s", why);
        return -1;
    }
    int rc = install(srv->tls_ctx, &p);
    pair_free(&p);
    if (rc != 0) {
        set_why(why, sizeof why, "OpenSSL refused the certificate of", cert);
        mj_error("tls: %s; the server may now refuse TLS connections until a good reload", why);
        return -1;
    }
    mj_info("tls: certificate reloaded from %s", cert);
    return 0;
}
