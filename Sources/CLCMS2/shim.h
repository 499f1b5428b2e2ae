// Shim for Little CMS 2 (Debian: liblcms2-dev). The pixel-format macros are function-like in
// lcms2.h, which Swift does not import: the few ImageKit uses are spelled out as constants.
#pragma once
#include <lcms2.h>

static const cmsUInt32Number ImagiconTypeRGB8 = TYPE_RGB_8;
static const cmsUInt32Number ImagiconTypeRGBA8 = TYPE_RGBA_8;
static const cmsUInt32Number ImagiconTypeCMYK8 = TYPE_CMYK_8;
static const cmsUInt32Number ImagiconTypeCMYK8Reversed = TYPE_CMYK_8_REV;
static const cmsUInt32Number ImagiconFlagCopyAlpha = cmsFLAGS_COPY_ALPHA;
