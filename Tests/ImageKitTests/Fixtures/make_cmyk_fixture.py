#!/usr/bin/env python3
"""Makes cmyk_profile.jpg and cmyk_plain.jpg, the CMYK JPEG fixtures of ColorManagementTests.

usage: make_cmyk_fixture.py OUTDIR

The shared test data has CMYK JPEGs without a profile only, and no CMYK ICC profile is free to
ship, so this builds a small one with Little CMS 2 (through ctypes): an input-class CMYK->Lab
profile whose A2B0 table (5 points a side) models inks with dot gain and a warm paper white, so
its colours differ clearly from the naive `(255 - c) * (255 - k)` conversion. The picture is a
64x48 CMYK gradient; Pillow writes it (Adobe APP14, inverted samples, as Photoshop does) once with
the profile and once without.
"""
import ctypes
import ctypes.util
import io
import os
import sys

from PIL import Image

lcms = ctypes.CDLL(ctypes.util.find_library("lcms2") or "liblcms2.so.2")
VP = ctypes.c_void_p
lcms.cmsCreateProfilePlaceholder.restype = VP
lcms.cmsCreateProfilePlaceholder.argtypes = [VP]
lcms.cmsPipelineAlloc.restype = VP
lcms.cmsPipelineAlloc.argtypes = [VP, ctypes.c_uint32, ctypes.c_uint32]
lcms.cmsStageAllocCLut16bit.restype = VP
lcms.cmsStageAllocCLut16bit.argtypes = [VP, ctypes.c_uint32, ctypes.c_uint32, ctypes.c_uint32, VP]
SAMPLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_uint16), ctypes.POINTER(ctypes.c_uint16), VP)
lcms.cmsStageSampleCLut16bit.argtypes = [VP, SAMPLER, VP, ctypes.c_uint32]
lcms.cmsPipelineInsertStage.argtypes = [VP, ctypes.c_int, VP]
lcms.cmsWriteTag.argtypes = [VP, ctypes.c_uint32, VP]
lcms.cmsSetDeviceClass.argtypes = [VP, ctypes.c_uint32]
lcms.cmsSetColorSpace.argtypes = [VP, ctypes.c_uint32]
lcms.cmsSetPCS.argtypes = [VP, ctypes.c_uint32]
lcms.cmsSetProfileVersion.argtypes = [VP, ctypes.c_double]
lcms.cmsMLUalloc.restype = VP
lcms.cmsMLUalloc.argtypes = [VP, ctypes.c_uint32]
lcms.cmsMLUsetASCII.argtypes = [VP, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
lcms.cmsSaveProfileToMem.argtypes = [VP, VP, ctypes.POINTER(ctypes.c_uint32)]
lcms.cmsD50_XYZ.restype = VP


def sig(s):
    return int.from_bytes(s.encode(), "big")


def lab16(r, g, b):
    """sRGB (0..1) to lcms2's 16-bit Lab encoding (D50)."""
    def lin(v):
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
    rl, gl, bl = lin(r), lin(g), lin(b)
    # sRGB -> XYZ (D50, Bradford), as lcms2's built-in sRGB profile.
    x = 0.4360747 * rl + 0.3850649 * gl + 0.1430804 * bl
    y = 0.2225045 * rl + 0.7168786 * gl + 0.0606169 * bl
    z = 0.0139322 * rl + 0.0971045 * gl + 0.7141733 * bl
    def f(t):
        return t ** (1 / 3) if t > (6 / 29) ** 3 else t / (3 * (6 / 29) ** 2) + 4 / 29
    fx, fy, fz = f(x / 0.9642), f(y / 1.0), f(z / 0.8249)
    L, a, bb = 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)
    return [round(max(0, min(100, L)) * 655.35), round(max(0, min(255, a + 128)) * 257), round(max(0, min(255, bb + 128)) * 257)]


@SAMPLER
def sample(inp, out, cargo):
    c, m, y, k = (inp[i] / 65535 for i in range(4))
    gain = lambda v: v ** 0.8  # dot gain: mid tones print darker
    paper = (0.98, 0.96, 0.90)  # warm paper
    rgb = [paper[i] * (1 - gain(ink)) * (1 - gain(k)) for i, ink in enumerate((c, m, y))]
    for i, v in enumerate(lab16(*rgb)):
        out[i] = v
    return 1


def profile():
    h = lcms.cmsCreateProfilePlaceholder(None)
    lcms.cmsSetProfileVersion(h, 2.1)
    lcms.cmsSetDeviceClass(h, sig("scnr"))
    lcms.cmsSetColorSpace(h, sig("CMYK"))
    lcms.cmsSetPCS(h, sig("Lab "))
    lut = lcms.cmsPipelineAlloc(None, 4, 3)
    clut = lcms.cmsStageAllocCLut16bit(None, 5, 4, 3, None)
    assert lcms.cmsStageSampleCLut16bit(clut, sample, None, 0)
    lcms.cmsPipelineInsertStage(lut, 0, clut)
    assert lcms.cmsWriteTag(h, sig("A2B0"), lut)
    mlu = lcms.cmsMLUalloc(None, 1)
    lcms.cmsMLUsetASCII(mlu, b"en", b"US", b"Imagicon test CMYK (dot gain, warm paper)")
    assert lcms.cmsWriteTag(h, sig("desc"), mlu)
    assert lcms.cmsWriteTag(h, sig("wtpt"), lcms.cmsD50_XYZ())
    size = ctypes.c_uint32(0)
    assert lcms.cmsSaveProfileToMem(h, None, ctypes.byref(size))
    buf = ctypes.create_string_buffer(size.value)
    assert lcms.cmsSaveProfileToMem(h, buf, ctypes.byref(size))
    return buf.raw[: size.value]


def main():
    out = sys.argv[1]
    icc = profile()
    w, h = 64, 48
    im = Image.new("CMYK", (w, h))
    px = im.load()
    for yy in range(h):
        for xx in range(w):
            px[xx, yy] = (xx * 4, yy * 5, (xx + yy) * 2, (xx * yy) % 64)
    im.save(os.path.join(out, "cmyk_profile.jpg"), quality=95, icc_profile=icc)
    im.save(os.path.join(out, "cmyk_plain.jpg"), quality=95)


if __name__ == "__main__":
    main()
