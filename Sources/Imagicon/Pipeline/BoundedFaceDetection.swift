import FaceKit
import ImageKit

extension PixelBuffer {
    /// The RGB pixels FaceKit takes (alpha composited away as the pipeline does).
    public var rgbImage: RGBImage {
        RGBImage(width: width, height: height, pixels: channels == 3 ? pixels : removingAlpha().pixels)
    }
}

extension PixelBuffer {
    /// The copy detection runs on when the image has more than `maxPixels` (same aspect, Lanczos); nil when it has no more.
    public func detectionCopy(maxPixels: Int) throws -> PixelBuffer? {
        let pixels = width * height
        guard pixels > maxPixels else { return nil }
        let scale = (Double(maxPixels) / Double(pixels)).squareRoot()
        return try Resampler.resize(self, width: max(1, Int(Double(width) * scale)), height: max(1, Int(Double(height) * scale)))
    }
}

extension FaceDetector {
    /// Faces in `image`'s pixel coordinates, detected on a copy reduced to at most `maxPixels`
    /// (bounds MMOD's time and memory on large photos); boxes are mapped back to full size.
    /// `rgb` is `image` as RGB, used as is when no reduction is needed (callers that already made it pass it).
    /// `search` and `coverage` as in ``FaceDetector/detect(in:upsample:adjustThreshold:search:coverage:)``.
    func detect(
        in image: PixelBuffer, rgb: @autoclosure () -> RGBImage, maxPixels: Int, upsample: Int, search: ProposalSearch? = nil,
        coverage: inout DetectionCoverage
    ) throws -> [FaceDetection] {
        guard let small = try image.detectionCopy(maxPixels: maxPixels) else {
            return detect(in: rgb(), upsample: upsample, search: search, coverage: &coverage)
        }
        let sx = Double(image.width) / Double(small.width)
        let sy = Double(image.height) / Double(small.height)
        return detect(in: small.rgbImage, upsample: upsample, search: search, coverage: &coverage).map { d in
            FaceDetection(
                rect: FaceRect(
                    left: Int((Double(d.rect.left) * sx).rounded()), top: Int((Double(d.rect.top) * sy).rounded()),
                    right: Int((Double(d.rect.right + 1) * sx).rounded()) - 1,
                    bottom: Int((Double(d.rect.bottom + 1) * sy).rounded()) - 1),
                confidence: d.confidence)
        }
    }
}
