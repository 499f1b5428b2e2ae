/// The metadata record of one photo: the fields of the `imagicon exif` contract (DESIGN.md).
///
/// Every field is optional: a tag the file does not carry is `nil` and is omitted from the
/// JSON, never guessed. Strings are trimmed of padding NULs and spaces and are valid UTF-8;
/// rationals are evaluated; GPS coordinates are signed decimal degrees.
public struct PhotoMetadata: Codable, Sendable, Equatable, Hashable {
    /// A GPS position: signed decimal degrees (south and west negative), altitude in metres
    /// (below sea level negative).
    public struct GPS: Codable, Sendable, Equatable, Hashable {
        /// Latitude in decimal degrees, south negative.
        public var latitude: Double?
        /// Longitude in decimal degrees, west negative.
        public var longitude: Double?
        /// Altitude in metres, below sea level negative.
        public var altitude: Double?

        /// Creates a position; all parts optional.
        public init(latitude: Double? = nil, longitude: Double? = nil, altitude: Double? = nil) {
            self.latitude = latitude
            self.longitude = longitude
            self.altitude = altitude
        }

        /// True when no part of the position is known.
        public var isEmpty: Bool { latitude == nil && longitude == nil && altitude == nil }
    }

    /// Camera maker (IFD0 Make; else CIFF or XMP).
    public var make: String?
    /// Camera model (IFD0 Model; else CIFF or XMP).
    public var model: String?
    /// Lens model (EXIF LensModel, 0xA434; else the Canon MakerNote's, else XMP's).
    public var lensModel: String?
    /// Capture time `YYYY-MM-DDTHH:MM:SS`, followed by `±HH:MM` when the file has OffsetTimeOriginal
    /// (EXIF DateTimeOriginal; else CIFF, XMP or IPTC).
    public var dateTimeOriginal: String?
    /// Exposure time in seconds.
    public var exposureTime: Double?
    /// F-number (aperture).
    public var fNumber: Double?
    /// ISO speed (EXIF 0x8827 ISOSpeedRatings / PhotographicSensitivity, first value; else
    /// the camera MakerNote's, as exiftool -n gives it: Canon's computed ISO is not always a
    /// whole number, e.g. 64.84).
    public var iso: Double?
    /// Focal length in millimetres (EXIF; else CIFF).
    public var focalLength: Double?
    /// 35 mm equivalent focal length in millimetres.
    public var focalLength35mm: Int?
    /// The EXIF Flash value (a bit field, reported as its number).
    public var flash: Int?
    /// EXIF orientation, 1...8.
    public var orientation: Int?
    /// GPS position, when the file carries any part of one.
    public var gps: GPS?
    /// Software that wrote the file.
    public var software: String?
    /// Artist / creator.
    public var artist: String?
    /// Copyright notice (photographer and editor notices separated by a newline).
    public var copyright: String?
    /// Image description / caption.
    public var imageDescription: String?
    /// Pixel width from the image header (JPEG SOF, PNG IHDR, WebP), not EXIF's size tags.
    public var width: Int?
    /// Pixel height from the image header (JPEG SOF, PNG IHDR, WebP), not EXIF's size tags.
    public var height: Int?

    /// Creates an empty record.
    public init() {}

    /// The JSON keys in contract order (DESIGN.md, `imagicon exif`); also the Codable order.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case make, model, lensModel, dateTimeOriginal, exposureTime, fNumber, iso, focalLength
        case focalLength35mm, flash, orientation, gps, software, artist, copyright, imageDescription
        case width, height
    }

    /// True when no field is known.
    public var isEmpty: Bool { self == PhotoMetadata() }
}
