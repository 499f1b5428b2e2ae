extension RGBImage {
    /// The pixels inside `rect` (inclusive bounds, which must lie inside the image).
    public func cropped(to rect: FaceRect) -> RGBImage {
        let w = rect.right - rect.left + 1
        var out = [UInt8](repeating: 0, count: w * (rect.bottom - rect.top + 1) * 3)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                for (i, row) in (rect.top...rect.bottom).enumerated() {
                    let from = src.baseAddress! + (row * width + rect.left) * 3
                    (dst.baseAddress! + i * w * 3).update(from: from, count: w * 3)
                }
            }
        }
        return RGBImage(width: w, height: rect.bottom - rect.top + 1, pixels: out)
    }
}
