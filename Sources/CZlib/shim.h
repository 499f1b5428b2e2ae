// Shim for zlib (Debian: zlib1g-dev): ImageKit inflates PNG iCCP profiles with it.
#pragma once
#include <zlib.h>
