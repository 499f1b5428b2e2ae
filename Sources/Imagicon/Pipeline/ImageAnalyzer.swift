import ContainerKit
import Dispatch
import ExifKit
import FaceKit
import ImageKit

/// Turns one image's bytes into thumbnails, metadata and faces: the AWS-free core of `process`,
/// shared by the Lambda handler and `imagicon process`.
public struct ImageAnalyzer: Sendable {
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

        // One container walk serves the decode header and the metadata record.
        let (scan, header) = try timed("header") {
            let scan = ContainerScan(bytes)
            return (scan, try ImageHeader.read(bytes, scan: scan, maxPixels: maxPixels))
        }
        var metadata = timed("exif") { scan.map { ExifReader.extract(from: $0).metadata } ?? PhotoMetadata() }
        metadata.width = header.width
        metadata.height = header.height

        let decoded = try timed("decode") {
            try ImageDecoder.decode(bytes, header: header, options: DecodeOptions(maxPixels: maxPixels, applyOrientation: true)).pixels
        }
        let (faces, facesDropped) = try timed("faces") {
            try models.map { try $0.faces(in: decoded, upsample: upsample, timings: &timings) } ?? ([], 0)
        }
        let resized = try timed("thumbnails") { try resizeThumbnails(from: decoded, faces: faces) }
        let thumbnails = try timed("encode") { try encode(resized, transparent: decoded.hasTransparency) }
        let faceThumbnails = try timed("faceThumbnails") { try self.faceThumbnails(from: decoded, faces: faces) }
        return ImageAnalysis(
            format: header.format, width: decoded.width, height: decoded.height, metadata: metadata,
            thumbnails: thumbnails, faces: faces, faceThumbnails: faceThumbnails, facesDropped: facesDropped, timings: timings)
    }

    /// One JPEG per face, ``StorageLayout/faceThumbnailSide`` square, of the face box grown by
    /// 40% and kept inside the image (``faceCrop(_:width:height:)``): so a people page shows faces.
    func faceThumbnails(from image: PixelBuffer, faces: [AnalyzedFace]) throws -> [EncodedThumbnail] {
        let side = StorageLayout.faceThumbnailSide
        guard !faces.isEmpty, let size = ThumbnailSize(width: side, height: side, crop: true) else { return [] }
        return try faces.map { face in
            let crop = Self.faceCrop(face.box, width: image.width, height: image.height)
            let pixels = try Resampler.resize(image, width: side, height: side, rect: crop).removingAlpha()
            let bytes = try ImageEncoder.encode(pixels, options: EncodeOptions(format: .jpeg, quality: quality))
            return EncodedThumbnail(size: size, width: side, height: side, bytes: bytes, format: .jpeg)
        }
    }

    /// The square around `box` (its longer side plus 40%), centred on it, shrunk to fit the image
    /// and shifted inside it.
    static func faceCrop(_ box: FaceRect, width: Int, height: Int) -> SourceRect {
        let boxWidth = Double(box.right - box.left + 1)
        let boxHeight = Double(box.bottom - box.top + 1)
        let side = min(max(boxWidth, boxHeight) * 1.4, Double(width), Double(height))
        let centreX = Double(box.left) + boxWidth / 2
        let centreY = Double(box.top) + boxHeight / 2
        let x = min(max(centreX - side / 2, 0), Double(width) - side)
        let y = min(max(centreY - side / 2, 0), Double(height) - side)
        return SourceRect(x: x, y: y, width: side, height: side)
    }

    /// All sizes from the one decoded buffer (not yet encoded). `WxHc` sizes are cropped around the
    /// faces as `convert`'s `fit=smart` does (``SmartCrop``).
    func resizeThumbnails(from image: PixelBuffer, faces: [AnalyzedFace]) throws -> [Thumbnail] {
        try sizes.map { size in
            let focus = size.crop ? Self.focus(of: faces, width: image.width, height: image.height, size: size) : nil
            return try Thumbnailer.make(from: image, sizes: [size], focus: focus)[0]
        }
    }

    /// Encodes resized thumbnails as JPEG, or PNG when the source has transparency.
    func encode(_ thumbnails: [Thumbnail], transparent: Bool) throws -> [EncodedThumbnail] {
        let format: ImageFormat = transparent ? .png : .jpeg
        return try thumbnails.map { thumbnail in
            let bytes = try ImageEncoder.encode(thumbnail.image, options: EncodeOptions(format: format, quality: quality))
            return EncodedThumbnail(
                size: thumbnail.size, width: thumbnail.image.width, height: thumbnail.image.height,
                bytes: bytes, format: format)
        }
    }

    /// The crop centre for a `WxHc` size: on all faces when they fit in its crop, else on as many as
    /// fit, most confident first (``SmartCrop``); the image centre without faces.
    static func focus(of faces: [AnalyzedFace], width: Int, height: Int, size: ThumbnailSize) -> (x: Double, y: Double) {
        let crop = size.layout(imageWidth: width, imageHeight: height).rect
        let boxes = faces.map {
            SmartCrop.Face(
                left: Double($0.box.left), top: Double($0.box.top), right: Double($0.box.right), bottom: Double($0.box.bottom),
                confidence: $0.confidence)
        }
        guard
            let focus = SmartCrop.focus(
                faces: boxes, imageWidth: width, imageHeight: height, cropWidth: crop.width, cropHeight: crop.height)
        else { return (0.5, 0.5) }
        return (focus.x, focus.y)
    }
}
