import FaceKit
import ImageKit

extension PixelBuffer {
    /// The RGB pixels FaceKit takes (alpha composited away as the pipeline does).
    public var rgbImage: RGBImage {
        RGBImage(width: width, height: height, pixels: channels == 3 ? pixels : removingAlpha().pixels)
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
        let pixels = image.width * image.height
        guard pixels > maxPixels else { return detect(in: rgb(), upsample: upsample, search: search, coverage: &coverage) }
        let scale = (Double(maxPixels) / Double(pixels)).squareRoot()
        let small = try Resampler.resize(
            image, width: max(1, Int(Double(image.width) * scale)),
            height: max(1, Int(Double(image.height) * scale)))
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
