/// The `200` body of `search` (DESIGN.md): `{"album", "matches": [...], "zip": {"key", "url"}}`.
public struct SearchResponse: Encodable, Sendable, Equatable {
    /// A face box in displayed pixels.
    public struct Box: Encodable, Sendable, Equatable {
        /// Inclusive bounds, as dlib reports them (may reach outside the image).
        public var left: Int, top: Int, right: Int, bottom: Int
    }

    /// One matching photo.
    public struct Match: Encodable, Sendable, Equatable {
        /// The photo's key.
        public var key: String
        /// Best descriptor distance to the selfies (smaller is more alike).
        public var distance: Double
        /// The matching face.
        public var box: Box
        /// Presigned GET URL of the original.
        public var url: String
        /// Presigned GET URL of the largest thumbnail (nil when the photo has none).
        public var thumbnailUrl: String?
        /// Displayed width.
        public var width: Int?
        /// Displayed height.
        public var height: Int?
        /// EXIF capture time, when the photo has one.
        public var dateTimeOriginal: String?
    }

    /// The ZIP of all matched originals.
    public struct Zip: Encodable, Sendable, Equatable {
        /// Its key (`sessions/<uuid>.zip`).
        public var key: String
        /// Presigned GET URL.
        public var url: String
    }

    /// The album searched.
    public var album: String
    /// Best match first.
    public var matches: [Match]
    /// Present when the request asked for a ZIP.
    public var zip: Zip?
}
