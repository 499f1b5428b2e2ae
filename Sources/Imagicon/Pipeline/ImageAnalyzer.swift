import Dispatch
import ExifKit
import FaceKit
import ImageKit
import Synchronization

/// Turns one image's bytes into thumbnails, metadata and faces: the AWS-free core of `process`,
/// shared by the Lambda handler and `imagicon process`.
public struct ImageAnalyzer: Sendable {
    /// Face detection runs on at most this many pixels; larger photos are reduced for detection only
    /// (landmarks and descriptors use full resolution), which bounds MMOD's time on 12-24 MP photos.
    public static let detectionMaxPixels = 4_000_000

    /// Thumbnail sizes to make.
    public var sizes: [ThumbnailSize]
    /// Refuse images with more pixels (checked from the header, before decoding).
    public var maxPixels: Int
    /// JPEG quality of thumbnails.
    public var quality: Int
    /// Detector upsampling (0: faces from ~80 px, 1: from ~40 px at 4x the cost).
    public var upsample: Int
    /// The models; nil skips face analysis.
    public var models: FaceModels?

    /// Creates an analyzer.
    public init(sizes: [ThumbnailSize], maxPixels: Int, quality: Int = 85, upsample: Int = 0, models: FaceModels?) {
        self.sizes = sizes
        self.maxPixels = maxPixels
        self.quality = quality
        self.upsample = upsample
        self.models = models
    }

    /// Analyzes `bytes`; throws `ImageError` for data that is not a usable image.
    public func analyze(_ bytes: [UInt8]) throws -> ImageAnalysis {
        var timings: [String: Double] = [:]
        func timed<T>(_ stage: String, _ body: () throws -> T) rethrows -> T {
            let start = DispatchTime.now().uptimeNanoseconds
            defer { timings[stage, default: 0] += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 }
            return try body()
        }

        let header = try timed("header") { try ImageHeader.read(bytes, maxPixels: maxPixels) }
        var metadata = timed("exif") { (try? ExifReader.metadata(from: bytes)) ?? PhotoMetadata() }
        metadata.width = header.width
        metadata.height = header.height

        let decoded = try timed("decode") {
            try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: maxPixels, applyOrientation: true)).pixels
        }
        let faces = try timed("faces") { try models.map { try findFaces(in: decoded, models: $0, timings: &timings) } ?? [] }
        let focus = Self.focus(of: faces, width: decoded.width, height: decoded.height)
        let thumbnails = try timed("thumbnails") { try makeThumbnails(from: decoded, focus: focus) }
        return ImageAnalysis(format: header.format, width: decoded.width, height: decoded.height, metadata: metadata,
                             thumbnails: thumbnails, faces: faces, timings: timings)
    }

    /// All sizes from the one decoded buffer, resampled in parallel, encoded as JPEG (PNG with transparency).
    func makeThumbnails(from image: PixelBuffer, focus: (x: Double, y: Double)) throws -> [EncodedThumbnail] {
        let transparent = image.hasTransparency
        let format: ImageFormat = transparent ? .png : .jpeg
        let results = ResultSlots<EncodedThumbnail>(count: sizes.count)
        DispatchQueue.concurrentPerform(iterations: sizes.count) { i in
            results.set(i, Result {
                let layout = sizes[i].layout(imageWidth: image.width, imageHeight: image.height, focus: focus)
                let resized = try Resampler.resize(image, width: layout.width, height: layout.height, rect: layout.rect)
                let bytes = try ImageEncoder.encode(resized, options: EncodeOptions(format: format, quality: quality))
                return EncodedThumbnail(size: sizes[i], width: resized.width, height: resized.height, bytes: bytes, format: format)
            })
        }
        return try results.values()
    }

    /// Detect on a bounded copy, then landmarks and descriptors on the full-resolution pixels.
    func findFaces(in image: PixelBuffer, models: FaceModels, timings: inout [String: Double]) throws -> [AnalyzedFace] {
        let rgb = RGBImage(width: image.width, height: image.height, pixels: image.channels == 3 ? image.pixels : image.removingAlpha().pixels)
        let pixels = image.width * image.height
        var detections: [FaceDetection]
        let start = DispatchTime.now().uptimeNanoseconds
        if pixels > Self.detectionMaxPixels {
            let scale = (Double(Self.detectionMaxPixels) / Double(pixels)).squareRoot()
            let small = try Resampler.resize(image, width: max(1, Int(Double(image.width) * scale)),
                                             height: max(1, Int(Double(image.height) * scale)))
            let smallRGB = RGBImage(width: small.width, height: small.height,
                                    pixels: small.channels == 3 ? small.pixels : small.removingAlpha().pixels)
            let sx = Double(image.width) / Double(small.width), sy = Double(image.height) / Double(small.height)
            detections = models.detector.detect(in: smallRGB, upsample: upsample).map { d in
                FaceDetection(rect: FaceRect(left: Int((Double(d.rect.left) * sx).rounded()), top: Int((Double(d.rect.top) * sy).rounded()),
                                             right: Int((Double(d.rect.right + 1) * sx).rounded()) - 1,
                                             bottom: Int((Double(d.rect.bottom + 1) * sy).rounded()) - 1),
                              confidence: d.confidence)
            }
        } else {
            detections = models.detector.detect(in: rgb, upsample: upsample)
        }
        timings["detect"] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        detections.sort { $0.confidence > $1.confidence }

        let landmarkStart = DispatchTime.now().uptimeNanoseconds
        let shapes = detections.map { models.landmarks.landmarks(in: rgb, face: $0.rect) }
        let chips = shapes.map { FaceChip.extract(from: rgb, landmarks: $0) }
        timings["landmarks"] = Double(DispatchTime.now().uptimeNanoseconds - landmarkStart) / 1e6

        let descriptorStart = DispatchTime.now().uptimeNanoseconds
        let descriptors = chips.isEmpty ? [] : try models.descriptor.descriptors(ofChips: chips)
        timings["descriptors"] = Double(DispatchTime.now().uptimeNanoseconds - descriptorStart) / 1e6

        return detections.indices.map { i in
            AnalyzedFace(box: detections[i].rect, confidence: detections[i].confidence,
                         landmarks: shapes[i].map { [$0.x, $0.y] }, descriptor: descriptors[i])
        }
    }

    /// The crop centre for `WxHc` thumbnails: the centre of the faces' bounding box, else the image centre.
    static func focus(of faces: [AnalyzedFace], width: Int, height: Int) -> (x: Double, y: Double) {
        guard !faces.isEmpty, width > 0, height > 0 else { return (0.5, 0.5) }
        let left = faces.map { max(0, $0.box.left) }.min()!, right = faces.map { min(width - 1, $0.box.right) }.max()!
        let top = faces.map { max(0, $0.box.top) }.min()!, bottom = faces.map { min(height - 1, $0.box.bottom) }.max()!
        return ((Double(left + right + 1) / 2) / Double(width), (Double(top + bottom + 1) / 2) / Double(height))
    }
}

/// Results written from concurrent iterations, each to its own index.
final class ResultSlots<Value: Sendable>: Sendable {
    private let slots: Mutex<[Result<Value, any Error>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }

    func set(_ index: Int, _ value: Result<Value, any Error>) {
        slots.withLock { $0[index] = value }
    }

    /// The values in index order; rethrows the first failure.
    func values() throws -> [Value] {
        try slots.withLock { try $0.map { try $0!.get() } }
    }
}
