import FaceKit
import ImageKit

/// Turns a selfie into its one face descriptor, refusing images that are not a clear single face.
public struct SelfieEncoder: Sendable {
    /// A face whose box is smaller than this fraction of the largest face's is background (a passer-by
    /// in a selfie) and does not count towards "several faces".
    public static let backgroundFaceAreaRatio = 0.1

    /// The models.
    public let models: FaceModels
    /// The most pixels a selfie may have, whatever the photo limit: a selfie is one face, and phone
    /// cameras' full-resolution modes stay below it, so its decode stays far below a 100 MP photo's.
    public static let maxSelfiePixels = 40_000_000

    /// Refuse larger images (read from the header, before decoding).
    public let maxPixels: Int

    /// Creates an encoder refusing selfies over `maxPixels` (at most ``maxSelfiePixels``).
    public init(models: FaceModels, maxPixels: Int) {
        self.models = models
        self.maxPixels = min(maxPixels, Self.maxSelfiePixels)
    }

    /// The descriptor of the selfie's face; ``SearchError`` NotAnImage, TooLarge, NoFace or MultipleFaces.
    public func descriptor(of bytes: [UInt8]) throws -> [Float] {
        let decoded: PixelBuffer
        do {
            _ = try ImageHeader.read(bytes, maxPixels: maxPixels)
            decoded = try ImageDecoder.decode(bytes, options: DecodeOptions(maxPixels: maxPixels, applyOrientation: true)).pixels
        } catch let error as ImageError where error.code == .tooLarge {
            throw SearchError(.tooLarge, "The selfie has more than \(maxPixels) pixels.")
        } catch {
            throw SearchError(.notAnImage, "The selfie is not a JPEG, PNG, WebP, HEIC or AVIF image that can be read.")
        }
        var timings: [String: Double] = [:]
        let faces = try models.faces(in: decoded, timings: &timings).faces
        let areas = faces.map { Double(max(0, $0.box.right - $0.box.left + 1) * max(0, $0.box.bottom - $0.box.top + 1)) }
        let largest = areas.max() ?? 0
        let clear = faces.indices.filter { areas[$0] >= largest * Self.backgroundFaceAreaRatio }
        guard let first = clear.first else { throw SearchError(.noFace, "No face was found in the selfie.") }
        guard clear.count == 1 else {
            throw SearchError(.multipleFaces, "The selfie shows \(clear.count) faces; send a photo of one person.")
        }
        return faces[first].descriptor
    }
}
