#!/usr/bin/env python3
"""Colour-managed references for ImageKitTests: Pillow's ImageCms (Little CMS 2).

usage: icc_reference.py OUTDIR SIZE FILE...

For each FILE (JPEG/PNG with an embedded ICC profile, or a heif-convert PNG, which carries the
HEIF's ICC profile) converts the full-size image to sRGB (perceptual intent, as jpgicc and
transicc default to), applies the EXIF orientation, then shrinks it to fit SIZExSIZE with
Lanczos (never enlarging), and writes OUTDIR/<n>.raw (8-bit RGB) and one line of
OUTDIR/index.tsv:  FILE <tab> width <tab> height   (or FILE <tab> fail <tab> reason).
"""
import io
import os
import sys

from PIL import Image, ImageCms, ImageOps


def main():
    out, size, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    srgb = ImageCms.createProfile("sRGB")
    with open(os.path.join(out, "index.tsv"), "w") as index:
        for n, path in enumerate(files):
            try:
                im = Image.open(path)
                icc = im.info.get("icc_profile")
                if not icc:
                    raise ValueError("no ICC profile")
                im = ImageOps.exif_transpose(im)
                mode = "RGB"
                if im.mode not in ("RGB", "CMYK", "L"):
                    im = im.convert("RGB")
                source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
                im = ImageCms.profileToProfile(im, source, srgb, renderingIntent=0, outputMode=mode)
                w, h = im.size
                scale = min(1.0, size / w, size / h)
                if scale < 1:
                    im = im.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.LANCZOS)
                with open(os.path.join(out, "%d.raw" % n), "wb") as f:
                    f.write(im.tobytes())
                index.write("%s\t%d\t%d\n" % (path, im.size[0], im.size[1]))
            except Exception as e:  # noqa: BLE001 - reported to the test
                index.write("%s\tfail\t%s\n" % (path, str(e).replace("\t", " ").replace("\n", " ")))


if __name__ == "__main__":
    main()
