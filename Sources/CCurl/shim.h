// Shim for libcurl (Debian: libcurl4-openssl-dev).
// curl_easy_setopt/getinfo are variadic, which Swift cannot call; these typed
// inline wrappers are the only additions.
#pragma once
#include <curl/curl.h>

static inline CURLcode imagicon_curl_setopt_long(CURL *h, CURLoption o, long v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode imagicon_curl_setopt_off(CURL *h, CURLoption o, curl_off_t v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode imagicon_curl_setopt_ptr(CURL *h, CURLoption o, const void *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode imagicon_curl_setopt_str(CURL *h, CURLoption o, const char *v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode imagicon_curl_setopt_slist(CURL *h, CURLoption o, struct curl_slist *v) { return curl_easy_setopt(h, o, v); }
typedef size_t (*imagicon_curl_io_fn)(char *, size_t, size_t, void *);
static inline CURLcode imagicon_curl_setopt_fn(CURL *h, CURLoption o, imagicon_curl_io_fn v) { return curl_easy_setopt(h, o, v); }
typedef int (*imagicon_curl_xferinfo_fn)(void *, curl_off_t, curl_off_t, curl_off_t, curl_off_t);
static inline CURLcode imagicon_curl_setopt_xferinfo(CURL *h, CURLoption o, imagicon_curl_xferinfo_fn v) { return curl_easy_setopt(h, o, v); }
static inline CURLcode imagicon_curl_getinfo_long(CURL *h, CURLINFO i, long *v) { return curl_easy_getinfo(h, i, v); }
static inline CURLcode imagicon_curl_getinfo_double(CURL *h, CURLINFO i, double *v) { return curl_easy_getinfo(h, i, v); }
