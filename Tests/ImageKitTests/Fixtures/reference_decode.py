#!/usr/bin/env python3
"""Reference decodes for ImageKitTests, made with Pillow.

usage: reference_decode.py OUTDIR [--upright] FILE...

For each FILE writes OUTDIR/<n>.raw (8-bit RGB or RGBA, rows top to bottom) and one line of
OUTDIR/index.tsv:  FILE <tab> ok <tab> width <tab> height <tab> channels <tab> tolerance
or                 FILE <tab> fail <tab> reason
`tolerance` is the largest per-sample difference the test accepts, and why it is not 0:
16-bit samples (Pillow truncates to the high byte, libpng rounds) and gAMA (Pillow ignores
it; libpng converts to sRGB, emulated here with the same power law in float).
--upright applies the EXIF orientation (ImageOps.exif_transpose) before writing.
"""
import os
import sys

from PIL import Image, ImageOps


def srgb_encode(linear):
    return 12.92 * linear if linear <= 0.0031308 else 1.055 * linear ** (1 / 2.4) - 0.055


def png_bit_depth(path):
    with open(path, "rb") as f:
        head = f.read(25)
    return head[24] if len(head) == 25 and head[12:16] == b"IHDR" else 8


def reference(path, upright):
    img = Image.open(path)
    img.load()
    tolerance = 0
    if upright:
        img = ImageOps.exif_transpose(img)
    mode = img.mode
    info = img.info
    gamma = info.get("gamma") if img.format == "PNG" and "srgb" not in info else None
    # libpng leaves gamma alone when it is within its threshold of sRGB's 1/2.2.
    if gamma is not None and abs(gamma * 2.2 - 1) < 0.05:
        gamma = None
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in info
    if mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: scale from the full 16-bit value ourselves.
        w, h = img.size
        values = list(img.getdata())
        trns = info.get("transparency")
        out = bytearray()
        for v in values:
            g = v / 65535.0
            if gamma is not None and has_alpha:
                # ImageKit reads 16-bit images with alpha as linear light and encodes them
                # with the exact sRGB curve; libpng's own 8-bit path uses a 2.2 power law.
                g = srgb_encode(g ** (1.0 / gamma))
            elif gamma is not None:
                g = g ** (1.0 / (gamma * 2.2))
            g8 = int(g * 255 + 0.5)
            if has_alpha:
                out += bytes((g8, g8, g8, 0 if v == trns else 255))
            else:
                out += bytes((g8, g8, g8))
        return w, h, 4 if has_alpha else 3, 1 if gamma is None else 2, bytes(out)
    depth = png_bit_depth(path) if img.format == "PNG" else 8
    bits16 = depth == 16
    if mode == "L" and depth < 8 and isinstance(info.get("transparency"), int):
        # Pillow keeps a low-bit-depth grey tRNS value unscaled while it scales the samples.
        img.info["transparency"] = info["transparency"] * (255 // ((1 << depth) - 1))
    target = "RGBA" if has_alpha else "RGB"
    if mode == "CMYK" or mode.startswith("YCbCr") or mode == "L" or mode == "1" or mode == "P" or mode.startswith("RGB") or mode in ("LA", "PA"):
        img = img.convert(target)
    else:
        raise ValueError("unexpected mode " + mode)
    data = img.tobytes()
    if gamma is not None:
        table = bytes(int(((v / 255.0) ** (1.0 / (gamma * 2.2))) * 255 + 0.5) for v in range(256))
        if has_alpha:
            arr = bytearray(data)
            for i in range(len(arr)):
                if i % 4 != 3:
                    arr[i] = table[arr[i]]
            data = bytes(arr)
        else:
            data = data.translate(table)
        tolerance = 2
        if bits16:
            # Pillow already truncated the 16-bit samples to 8 bits, so the reference can be
            # off by one input step, magnified by the transfer curve's steepest step.
            tolerance = max(table[v + 1] - table[v] for v in range(255)) + 1
    if bits16:
        tolerance = max(tolerance, 1)
    return img.size[0], img.size[1], len(target), tolerance, data


def main():
    out_dir = sys.argv[1]
    args = sys.argv[2:]
    upright = "--upright" in args
    files = [a for a in args if a != "--upright"]
    with open(os.path.join(out_dir, "index.tsv"), "w") as index:
        for n, path in enumerate(files):
            try:
                w, h, ch, tol, data = reference(path, upright)
            except Exception as e:  # noqa: BLE001 - any failure is reported, not fatal
                index.write(f"{path}\tfail\t{type(e).__name__}: {e}\n")
                continue
            with open(os.path.join(out_dir, f"{n}.raw"), "wb") as f:
                f.write(data)
            index.write(f"{path}\tok\t{w}\t{h}\t{ch}\t{tol}\n")


if __name__ == "__main__":
    main()
