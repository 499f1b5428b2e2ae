// libFuzzer entry point for ExifKit's parser (built by scripts/fuzz-exif together with the
// ExifKit sources as one module, so it can reach the internal container walk too).

/// Feeds one input to the parser entry point as-is, and its bytes as a bare TIFF/EXIF
/// block inside a JPEG APP1 segment, so mutations reach libexif even when they break framing.
@_cdecl("LLVMFuzzerTestOneInput")
public func exifFuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let m = try? ExifReader.metadata(from: bytes) { _ = m.jsonString() }
    if size <= 65_000 {
        let payload = ImageContainer.exifPrefix + bytes
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE1, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)]
            + payload + [0xFF, 0xD9]
        if let m = try? ExifReader.metadata(from: jpeg) { _ = m.jsonString() }
    }
    return 0
}
