// Shim for libheif (Debian: libheif-dev; libheif1 1.15 decodes HEVC with libde265 and AV1 with
// dav1d/aom). ImageKit loads libheif.so.1 with dlopen the first time it meets a HEIF or AVIF
// file (see ImageKit's HEIFLibrary), so nothing is linked at build time: processes that never
// see one do not load libheif and its codecs. Only the header's types are used.
#pragma once
#include <dlfcn.h>
#include <libheif/heif.h>
