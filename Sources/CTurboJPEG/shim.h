// Shim for libjpeg-turbo's TurboJPEG API (Debian: libturbojpeg0-dev).
#pragma once
#include <stddef.h>
#include <turbojpeg.h>
