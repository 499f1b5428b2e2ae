import ImageKit

extension FaceModels {
    /// The faces of an encoded image, as `process` finds them: the size checked from the header
    /// (``ImageError`` `tooLarge` above `maxPixels`), decoded upright, then
    /// ``faces(in:upsample:limit:timings:)`` (at most ``maxFacesPerPhoto``, the largest). For tools
    /// that want faces only (`imagicon people`, the people benchmark).
    public func faces(inEncoded bytes: [UInt8], maxPixels: Int, upsample: Int = 0) throws -> [AnalyzedFace] {
        _ = try ImageHeader.read(bytes, maxPixels: maxPixels)
        let decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: maxPixels, applyOrientation: true)).pixels
        var timings: [String: Double] = [:]
        return try faces(in: decoded, upsample: upsample, timings: &timings).faces
    }
}
