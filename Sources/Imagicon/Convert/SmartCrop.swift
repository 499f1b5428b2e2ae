import ImageKit

/// Where a face-aware crop is centred: on all faces when they fit in the crop together, else on
/// as many as fit, taken by confidence (the most confident face first, always kept).
public enum SmartCrop {
    /// A face box in displayed pixels (inclusive edges, dlib style) and its detector confidence.
    public struct Face: Sendable, Equatable {
        /// Left column.
        public var left: Double
        /// Top row.
        public var top: Double
        /// Right column, inclusive.
        public var right: Double
        /// Bottom row, inclusive.
        public var bottom: Double
        /// Detector confidence.
        public var confidence: Double

        /// Creates a face box.
        public init(left: Double, top: Double, right: Double, bottom: Double, confidence: Double) {
            self.left = left
            self.top = top
            self.right = right
            self.bottom = bottom
            self.confidence = confidence
        }
    }

    /// The normalised crop centre for a `cropWidth` x `cropHeight` crop (displayed pixels) of an
    /// `imageWidth` x `imageHeight` image, or nil when there is no face (centre it).
    ///
    /// Boxes are clipped to the image first. `ThumbnailSize.layout` then clamps the crop into the
    /// image, which keeps a union that fits inside the crop (the union lies inside the image).
    /// Also returns which faces the centre was chosen for.
    public static func focus(faces: [Face], imageWidth: Int, imageHeight: Int, cropWidth: Double, cropHeight: Double)
        -> (x: Double, y: Double, kept: [Face])?
    {
        let iw = Double(imageWidth)
        let ih = Double(imageHeight)
        let clipped = faces.compactMap { f -> Face? in
            let c = Face(
                left: max(0, f.left), top: max(0, f.top), right: min(iw - 1, f.right), bottom: min(ih - 1, f.bottom),
                confidence: f.confidence)
            return c.right >= c.left && c.bottom >= c.top ? c : nil
        }
        guard iw > 0, ih > 0, !clipped.isEmpty else { return nil }
        let ordered = clipped.sorted {
            $0.confidence != $1.confidence
                ? $0.confidence > $1.confidence
                : ($0.right - $0.left) * ($0.bottom - $0.top) > ($1.right - $1.left) * ($1.bottom - $1.top)
        }
        var union = ordered[0]
        var kept = [ordered[0]]
        for face in ordered.dropFirst() {
            let candidate = Face(
                left: min(union.left, face.left), top: min(union.top, face.top),
                right: max(union.right, face.right), bottom: max(union.bottom, face.bottom), confidence: 0)
            if candidate.right + 1 - candidate.left <= cropWidth + 1e-9, candidate.bottom + 1 - candidate.top <= cropHeight + 1e-9 {
                union = candidate
                kept.append(face)
            }
        }
        return ((union.left + union.right + 1) / 2 / iw, (union.top + union.bottom + 1) / 2 / ih, kept)
    }
}
