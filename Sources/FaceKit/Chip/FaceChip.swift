#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Aligned face chips exactly as dlib cuts them for the ResNet descriptor:
/// `get_face_chip_details(shape, size, padding)` followed by `extract_image_chip`.
///
/// When the chip is much smaller than the face, dlib first builds a half-size image pyramid
/// (`pyramid_down<2>`) over a bounding box of the rotated footprint, picks the level whose
/// footprint is just above the chip's area, then samples it bilinearly (values truncated to
/// integers, 0 outside the source). This type reproduces each of those steps.
public enum FaceChip {
    /// Largest chip side accepted (dlib's descriptor uses 150), which bounds the allocation;
    /// larger requests give an empty chip.
    public static let maximumSide = 2048

    /// The aligned `size x size` chip for 5 face landmarks (as the 5-point shape predictor
    /// returns them). Invalid input (not 5 finite landmarks, `size < 1`, negative padding)
    /// gives a black chip of the requested size (empty when `size < 1`).
    public static func extract(from image: RGBImage, landmarks: [FacePoint], size: Int = 150, padding: Double = 0.25) -> RGBImage {
        guard let details = FaceChipDetails.face(landmarks: landmarks, size: size, padding: padding) else {
            let side = (1...maximumSide).contains(size) ? size : 0
            return RGBImage(width: side, height: side)
        }
        return extract(from: image, details: details)
    }

    /// dlib's `extract_image_chip(img, details, chip)` with bilinear interpolation: a
    /// `details.rows x details.columns` chip, black where the footprint leaves the image.
    /// Details with a side outside `1...maximumSide` or non-finite geometry give an empty image.
    public static func extract(from image: RGBImage, details: FaceChipDetails) -> RGBImage {
        let rows = details.rows
        let columns = details.columns
        guard (1...maximumSide).contains(rows), (1...maximumSide).contains(columns),
            details.angle.isFinite, [details.left, details.top, details.right, details.bottom].allSatisfy({ abs($0) < 1e15 })
        else { return RGBImage(width: 0, height: 0) }
        let rect = details.rect
        let chipArea = Double(rows) * Double(columns)
        return image.pixels.withUnsafeBufferPointer { buffer -> RGBImage in
            // `pixels` is a public var: a buffer that does not match the size is treated as empty.
            guard let base = buffer.baseAddress, image.width > 0, image.height > 0,
                buffer.count >= image.width * image.height * 3
            else {
                return RGBImage(width: columns, height: rows)
            }
            let whole = RGBView(base: base, width: image.width, height: image.height, rowStride: image.width * 3)

            // No rotation and no scaling: a plain copy of the (rounded) rectangle.
            if details.angle == 0, Double(rows) == rect.height, Double(columns) == rect.width {
                return copy(whole, left: lround(rect.left), top: lround(rect.top), rows: rows, columns: columns)
            }

            // Pyramid depth: halve the footprint until it is no larger than the chip.
            var depth = 0
            var grow = 2.0
            var down = rect.pyramidDown()
            while down.area > chipArea, depth < 62 {
                down = down.pyramidDown()
                depth += 1
                grow = grow * 2 + 2
            }

            // Bounding box of the rotated footprint, grown for the filter's border, clipped to
            // the image and rounded to whole pixels (dlib's rectangle += drectangle).
            let (cx, cy) = rect.center
            let cosA = cos(details.angle)
            let sinA = sin(details.angle)
            func rotate(_ x: Double, _ y: Double, _ cx: Double, _ cy: Double) -> (x: Double, y: Double) {
                let dx = x - cx
                let dy = y - cy
                return ((cosA * dx - sinA * dy) + cx, (sinA * dx + cosA * dy) + cy)
            }
            var rotated = DRect.empty
            for (x, y) in [(rect.left, rect.top), (rect.right, rect.top), (rect.left, rect.bottom), (rect.right, rect.bottom)] {
                let p = rotate(x, y, cx, cy)
                rotated = rotated.including(p.x, p.y)
            }
            let imageRect = DRect(left: 0, top: 0, right: Double(image.width - 1), bottom: Double(image.height - 1))
            let clipped = rotated.grown(by: grow).intersection(imageRect)
            guard !clipped.isEmpty, clipped.left.isFinite, clipped.top.isFinite, clipped.right.isFinite, clipped.bottom.isFinite else {
                // Nothing of the image is near the footprint: dlib samples an empty image.
                return RGBImage(width: columns, height: rows)
            }
            let boxLeft = lround(clipped.left)
            let boxTop = lround(clipped.top)
            let boxRight = lround(clipped.right)
            let boxBottom = lround(clipped.bottom)
            let box = RGBView(
                base: base + whole.offset(boxLeft, boxTop), width: boxRight - boxLeft + 1,
                height: boxBottom - boxTop + 1, rowStride: whole.rowStride)

            // The pyramid level to sample, chosen on the footprint relative to the box.
            var level = -1
            var footprint = rect.translated(-Double(boxLeft), -Double(boxTop))
            while footprint.pyramidDown().area > chipArea, level < depth - 1 {
                level += 1
                footprint = footprint.pyramidDown()
            }

            // The affine map from chip pixels to the source: chip corners (0,0), (cols-1,0),
            // (0,rows-1) onto the rotated footprint's tl, tr and bl corners.
            let (fx, fy) = footprint.center
            let tl = rotate(footprint.left, footprint.top, fx, fy)
            let tr = rotate(footprint.right, footprint.top, fx, fy)
            let bl = rotate(footprint.left, footprint.bottom, fx, fy)
            let cs = columns > 1 ? Double(columns - 1) : .infinity
            let rs = rows > 1 ? Double(rows - 1) : .infinity
            let map = ChipMap(
                m00: (tr.x - tl.x) / cs, m01: (bl.x - tl.x) / rs, b0: tl.x,
                m10: (tr.y - tl.y) / cs, m11: (bl.y - tl.y) / rs, b1: tl.y)

            if level < 0 {
                return sample(box, map: map, rows: rows, columns: columns)
            }
            var current = PyramidDown2.apply(box)
            for _ in 0..<level {
                current = current.pixels.withUnsafeBufferPointer { p in
                    guard let b = p.baseAddress else { return RGBImage(width: 0, height: 0) }
                    return PyramidDown2.apply(RGBView(base: b, width: current.width, height: current.height, rowStride: current.width * 3))
                }
            }
            return current.pixels.withUnsafeBufferPointer { p in
                guard let b = p.baseAddress, current.width > 0 else { return RGBImage(width: columns, height: rows) }
                return sample(
                    RGBView(base: b, width: current.width, height: current.height, rowStride: current.width * 3),
                    map: map, rows: rows, columns: columns)
            }
        }
    }

    /// Chip pixel (c, r) -> source point `m * (c, r) + b`.
    struct ChipMap {
        let m00: Double, m01: Double, b0: Double
        let m10: Double, m11: Double, b1: Double
    }

    /// dlib's `transform_image` with `interpolate_bilinear` and a black background.
    static func sample(_ src: RGBView, map: ChipMap, rows: Int, columns: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: rows * columns * 3)
        let maxX = Double(src.width - 1)
        let maxY = Double(src.height - 1)
        out.withUnsafeMutableBufferPointer { out in
            var o = 0
            for r in 0..<rows {
                let dr = Double(r)
                for c in 0..<columns {
                    let dc = Double(c)
                    let x = (map.m00 * dc + map.m01 * dr) + map.b0
                    let y = (map.m10 * dc + map.m11 * dr) + map.b1
                    // left >= 0, top >= 0, left + 1 < width, top + 1 < height; NaN fails too.
                    if x >= 0, y >= 0, x < maxX, y < maxY {
                        // Both are >= 0 here, so truncation is floor (and needs no libm call).
                        let ix = Int(x)
                        let iy = Int(y)
                        let lr = x - Double(ix)
                        let tb = y - Double(iy)
                        let p = src.offset(ix, iy)
                        let q = p + src.rowStride
                        for ch in 0..<3 {
                            let tlv = Double(src.base[p + ch])
                            let trv = Double(src.base[p + 3 + ch])
                            let blv = Double(src.base[q + ch])
                            let brv = Double(src.base[q + 3 + ch])
                            let v = (1 - tb) * ((1 - lr) * tlv + lr * trv) + tb * ((1 - lr) * blv + lr * brv)
                            out[o + ch] = UInt8(v)
                        }
                    }
                    o += 3
                }
            }
        }
        return RGBImage(width: columns, height: rows, pixels: out)
    }

    /// dlib's `basic_extract_image_chip`: a copy of a rectangle, black where it leaves the image.
    static func copy(_ src: RGBView, left: Int, top: Int, rows: Int, columns: Int) -> RGBImage {
        var out = [UInt8](repeating: 0, count: rows * columns * 3)
        for r in 0..<rows {
            let y = top + r
            guard y >= 0, y < src.height else { continue }
            for c in 0..<columns {
                let x = left + c
                guard x >= 0, x < src.width else { continue }
                let s = src.offset(x, y)
                let d = (r * columns + c) * 3
                out[d] = src.base[s]
                out[d + 1] = src.base[s + 1]
                out[d + 2] = src.base[s + 2]
            }
        }
        return RGBImage(width: columns, height: rows, pixels: out)
    }
}
