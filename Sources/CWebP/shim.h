// Shim for libwebp (Debian: libwebp-dev).
#pragma once
#include <webp/decode.h>
#include <webp/encode.h>
