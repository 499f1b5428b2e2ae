import ExifKit
import FaceKit
import ImageKit

/// One face found in an image, in displayed (orientation-applied) pixel coordinates.
public struct AnalyzedFace: Sendable, Equatable, Codable {
    /// dlib's rectangle: inclusive bounds, may reach outside the image.
    public var box: FaceRect
    /// The detector's confidence.
    public var confidence: Double
    /// The 5 landmarks as `[x, y]`.
    public var landmarks: [[Double]]
    /// The 128-d descriptor.
    public var descriptor: [Float]
}

/// One encoded thumbnail, ready to upload.
public struct EncodedThumbnail: Sendable {
    /// The requested size.
    public var size: ThumbnailSize
    /// Output width in pixels.
    public var width: Int
    /// Output height in pixels.
    public var height: Int
    /// Encoded bytes.
    public var bytes: [UInt8]
    /// `jpeg`, or `png` when the source has transparency.
    public var format: ImageFormat

    /// The MIME type of ``bytes``.
    public var contentType: String { format.mimeType }
}

/// Everything the pipeline derives from one image's bytes.
public struct ImageAnalysis: Sendable {
    /// The sniffed container format.
    public var format: ImageFormat
    /// Displayed width (after orientation).
    public var width: Int
    /// Displayed height (after orientation).
    public var height: Int
    /// EXIF metadata (header pixel size included).
    public var metadata: PhotoMetadata
    /// Thumbnails in configuration order.
    public var thumbnails: [EncodedThumbnail]
    /// Faces, largest confidence first.
    public var faces: [AnalyzedFace]
    /// One JPEG face thumbnail per face, in ``faces`` order.
    public var faceThumbnails: [EncodedThumbnail] = []
    /// Faces detected but not kept: past ``FaceModels/maxFacesPerPhoto``, the smallest go.
    public var facesDropped = 0
    /// Milliseconds per stage, for the per-object log line.
    public var timings: [String: Double]
}
