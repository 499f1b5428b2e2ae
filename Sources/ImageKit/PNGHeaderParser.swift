/// Reads a PNG's IHDR and the ancillary chunks before the image data (tRNS, eXIf, iCCP, sRGB).
enum PNGHeaderParser {
    static func parse(_ b: [UInt8]) throws -> ImageHeader {
        func u32(_ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
        func type(_ i: Int) -> String { String(decoding: b[i..<(i + 4)], as: UTF8.self) }
        guard b.count >= 33 else { throw ImageError(.truncated, "The PNG ends inside its header.") }
        guard u32(8) == 13, type(12) == "IHDR" else { throw ImageError(.corrupt, "The PNG does not start with an IHDR chunk.") }
        let width = u32(16)
        let height = u32(20)
        let depth = Int(b[24])
        let colorType = Int(b[25])
        let interlace = Int(b[28])
        guard width > 0, height > 0, width < 1 << 31, height < 1 << 31 else {
            throw ImageError(.corrupt, "The PNG declares an invalid size (\(width)x\(height)).")
        }
        let validDepths: [Int: [Int]] = [0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16]]
        guard let depths = validDepths[colorType], depths.contains(depth), interlace <= 1, b[26] == 0, b[27] == 0 else {
            throw ImageError(.corrupt, "The PNG header has an invalid colour type, bit depth or method.")
        }
        var hasAlpha = colorType == 4 || colorType == 6
        var orientation = Orientation.up
        var profile: ColorProfile?
        var declaresSRGB = false
        var offset = 33
        while offset + 8 <= b.count {
            let length = u32(offset)
            let name = type(offset + 4)
            if name == "IDAT" || name == "IEND" { break }
            let data = (offset + 8)..<(offset + 8 + length)
            guard length < 1 << 31, data.upperBound + 4 <= b.count else { break } // libpng reports the damage
            if name == "tRNS" { hasAlpha = true }
            if name == "eXIf", let o = ExifOrientationReader.orientation(tiff: b[data]) { orientation = o }
            if name == "iCCP", profile == nil { profile = ColorProfile.pngICC(b[data]) }
            if name == "sRGB" { declaresSRGB = true }
            offset = data.upperBound + 4
        }
        // An sRGB chunk wins over iCCP (the PNG specification says both must not appear).
        return ImageHeader(
            format: .png, width: width, height: height, hasAlpha: hasAlpha, orientation: orientation,
            colorProfile: declaresSRGB ? nil : profile, bytesPerSample: depth == 16 ? 2 : 1)
    }
}
