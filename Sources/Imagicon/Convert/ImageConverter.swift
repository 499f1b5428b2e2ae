import FaceKit
import ImageKit

/// A converted image and how it was made.
public struct ConvertedImage: Sendable {
    /// The encoded bytes.
    public var bytes: [UInt8]
    /// Their format.
    public var format: ImageFormat
    /// Output width.
    public var width: Int
    /// Output height.
    public var height: Int
    /// The part of the displayed (upright) source that was used, in source pixels.
    public var sourceRect: SourceRect
    /// For `fit=smart`: how many faces were found (nil for other fits).
    public var facesFound: Int?
    /// For `fit=smart`: how many of them the crop was centred on.
    public var facesKept: Int?
    /// For `fit=smart`: `records` (the process function's face items) or `detector`.
    public var facesFrom: String?
}

/// The AWS-free core of `convert`: source bytes + request -> encoded image.
public struct ImageConverter: Sendable {
    /// Smart crops detect faces on at most this many pixels (faces from ~80 px in this image).
    public static let detectionMaxPixels = 2_000_000

    /// Refuse sources with more pixels (`IMAGICON_MAX_PIXELS`, checked from the header before decoding).
    public var maxPixels: Int
    /// The face detector for `fit=smart`; nil crops smart requests centred.
    public var faces: LazyFaceDetector?

    /// Creates a converter.
    public init(maxPixels: Int, faces: LazyFaceDetector?) {
        self.maxPixels = maxPixels
        self.faces = faces
    }

    /// Converts `bytes` as `request` asks. `knownFaces` (recorded for these bytes) spares `fit=smart`
    /// the detection when its size matches the image.
    public func convert(_ bytes: [UInt8], request: ConvertRequest, knownFaces: StoredFaces.Record? = nil) throws(ConvertError)
        -> ConvertedImage
    {
        do {
            return try convertUnchecked(bytes, request: request, knownFaces: knownFaces)
        } catch let error as ConvertError {
            throw error
        } catch let error as ImageError {
            throw Self.map(error)
        } catch {
            throw ConvertError(.internalError, status: 500, "The image could not be converted.")
        }
    }

    /// How ImageKit's failures reach the caller.
    static func map(_ error: ImageError) -> ConvertError {
        switch error.code {
        case .tooLarge:
            ConvertError(.tooLarge, status: 422, "The source image is too large: \(error.message)")
        case .unsupportedFormat, .truncated, .corrupt:
            ConvertError(.notAnImage, status: 422, "The source is not a usable JPEG, PNG, WebP, HEIC or AVIF image: \(error.message)")
        case .invalidArgument, .encodingFailed:
            ConvertError(.internalError, status: 500, "The image could not be converted: \(error.message)")
        }
    }

    private func convertUnchecked(_ bytes: [UInt8], request: ConvertRequest, knownFaces: StoredFaces.Record?) throws -> ConvertedImage {
        let header = try ImageHeader.read(bytes, maxPixels: maxPixels)
        let dw = header.displayedWidth
        let dh = header.displayedHeight
        let box = request.box(imageWidth: dw, imageHeight: dh)
        let plan = box.layout(imageWidth: dw, imageHeight: dh)
        guard plan.width * plan.height <= ConvertRequest.maxOutputPixels else {
            throw ConvertError(
                .tooLarge, status: 422,
                "The output would be \(plan.width)x\(plan.height), over \(ConvertRequest.maxOutputPixels) pixels; ask for a smaller w or h."
            )
        }
        let format = request.format ?? header.format.output
        var rect = plan.rect
        var found: Int?
        var kept: Int?
        var from: String?
        let pixels: PixelBuffer
        let known = knownFaces.flatMap { $0.width == dw && $0.height == dh ? $0 : nil }
        if request.fit == .smart, known != nil || faces != nil {
            let detector = known == nil ? try faces?.detector() : nil
            // One decode serves detection and the output: DCT-scaled to what either needs.
            let outputScale = Double(plan.width) / plan.rect.width * Thumbnailer.defaultDCTHeadroom
            let detectionScale = detector == nil ? 0 : (Double(Self.detectionMaxPixels) / Double(dw * dh)).squareRoot()
            let scale = min(1, max(outputScale, detectionScale))
            let cover = (width: Int((Double(header.width) * scale).rounded(.up)), height: Int((Double(header.height) * scale).rounded(.up)))
            let image = try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: maxPixels, applyOrientation: true, cover: cover))
                .pixels
            // Face boxes in displayed source pixels.
            let boxes: [SmartCrop.Face]
            if let detector {
                let fx = Double(dw) / Double(image.width)
                let fy = Double(dh) / Double(image.height)
                var coverage = DetectionCoverage()
                boxes = try detector.detect(
                    in: image, rgb: image.rgbImage, maxPixels: Self.detectionMaxPixels, upsample: 0, coverage: &coverage
                ).map {
                    SmartCrop.Face(
                        left: Double($0.rect.left) * fx, top: Double($0.rect.top) * fy,
                        right: Double($0.rect.right + 1) * fx - 1, bottom: Double($0.rect.bottom + 1) * fy - 1,
                        confidence: $0.confidence)
                }
                from = "detector"
            } else {
                boxes = known?.faces ?? []
                from = "records"
            }
            let focus = SmartCrop.focus(
                faces: boxes, imageWidth: dw, imageHeight: dh, cropWidth: plan.rect.width, cropHeight: plan.rect.height)
            found = boxes.count
            kept = focus?.kept.count ?? 0
            let centre: (x: Double, y: Double) = focus.map { ($0.x, $0.y) } ?? (0.5, 0.5)
            rect = box.layout(imageWidth: dw, imageHeight: dh, focus: centre).rect
            pixels = try Thumbnailer.make(from: image, sizes: [box], focus: centre)[0].image
        } else if !box.crop, plan.width == dw, plan.height == dh {
            // Same size: a format conversion, no resampling.
            pixels = try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: maxPixels, applyOrientation: true)).pixels
        } else {
            // The header was checked against maxPixels above; Thumbnailer also bounds the box by its limit.
            pixels = try Thumbnailer.make(from: bytes, sizes: [box], maxPixels: max(maxPixels, box.width * box.height)).thumbnails[0].image
        }
        let encoded = try ImageEncoder.encode(pixels, options: EncodeOptions(format: format, quality: request.quality))
        return ConvertedImage(
            bytes: encoded, format: format, width: pixels.width, height: pixels.height, sourceRect: rect,
            facesFound: found, facesKept: kept, facesFrom: from)
    }
}
