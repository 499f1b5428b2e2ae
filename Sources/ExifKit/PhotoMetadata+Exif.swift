/// Tag numbers read by `PhotoMetadata.init(_:)`.
enum ExifTagID {
    static let imageDescription: UInt16 = 0x010E
    static let make: UInt16 = 0x010F
    static let model: UInt16 = 0x0110
    static let orientation: UInt16 = 0x0112
    static let software: UInt16 = 0x0131
    static let artist: UInt16 = 0x013B
    static let copyright: UInt16 = 0x8298
    static let exposureTime: UInt16 = 0x829A
    static let fNumber: UInt16 = 0x829D
    static let isoSpeedRatings: UInt16 = 0x8827
    static let dateTimeOriginal: UInt16 = 0x9003
    static let offsetTimeOriginal: UInt16 = 0x9011
    static let flash: UInt16 = 0x9209
    static let focalLength: UInt16 = 0x920A
    static let focalLengthIn35mm: UInt16 = 0xA405
    static let lensModel: UInt16 = 0xA434
    static let gpsLatitudeRef: UInt16 = 0x0001
    static let gpsLatitude: UInt16 = 0x0002
    static let gpsLongitudeRef: UInt16 = 0x0003
    static let gpsLongitude: UInt16 = 0x0004
    static let gpsAltitudeRef: UInt16 = 0x0005
    static let gpsAltitude: UInt16 = 0x0006
}

extension PhotoMetadata {
    /// Maps a parsed EXIF block onto the record. Each field comes from its standard place
    /// (IFD0, EXIF IFD or GPS IFD; never IFD1, which describes the thumbnail) and is read the
    /// way `exiftool -n` reads it. Values that are undefined (zero denominators, unknown
    /// formats, malformed dates, orientation outside 1...8) are left out.
    init(_ doc: LibExifDocument) {
        self.init()
        make = doc.value(ExifTagID.make, in: .ifd0)?.text
        model = doc.value(ExifTagID.model, in: .ifd0)?.text
        lensModel = doc.value(ExifTagID.lensModel, in: .exif)?.text
        software = doc.value(ExifTagID.software, in: .ifd0)?.text
        artist = doc.value(ExifTagID.artist, in: .ifd0)?.text
        copyright = doc.value(ExifTagID.copyright, in: .ifd0)?.copyrightText
        imageDescription = doc.value(ExifTagID.imageDescription, in: .ifd0)?.text

        if let date = doc.value(ExifTagID.dateTimeOriginal, in: .exif)?.text {
            let offset = doc.value(ExifTagID.offsetTimeOriginal, in: .exif)?.text
            dateTimeOriginal = Self.isoDateTime(exif: date, offset: offset)
        }

        exposureTime = doc.value(ExifTagID.exposureTime, in: .exif)?.number
        fNumber = doc.value(ExifTagID.fNumber, in: .exif)?.number
        iso = doc.value(ExifTagID.isoSpeedRatings, in: .exif)?.integer.map(Double.init)
        focalLength = doc.value(ExifTagID.focalLength, in: .exif)?.number
        focalLength35mm = doc.value(ExifTagID.focalLengthIn35mm, in: .exif)?.integer
        flash = doc.value(ExifTagID.flash, in: .exif)?.integer
        if let o = doc.value(ExifTagID.orientation, in: .ifd0)?.integer, (1...8).contains(o) {
            orientation = o
        }

        var gps = GPS()
        gps.latitude = Self.coordinate(
            doc.value(ExifTagID.gpsLatitude, in: .gps),
            ref: doc.value(ExifTagID.gpsLatitudeRef, in: .gps), negative: "S", limit: 90)
        gps.longitude = Self.coordinate(
            doc.value(ExifTagID.gpsLongitude, in: .gps),
            ref: doc.value(ExifTagID.gpsLongitudeRef, in: .gps), negative: "W", limit: 180)
        if let alt = doc.value(ExifTagID.gpsAltitude, in: .gps)?.number {
            // GPSAltitudeRef 1 = below sea level. exiftool negates for any non-zero reference.
            let below = (doc.value(ExifTagID.gpsAltitudeRef, in: .gps)?.integer ?? 0) != 0
            gps.altitude = below ? -abs(alt) : alt
        }
        self.gps = gps.isEmpty ? nil : gps
    }

    /// Degrees (+ minutes/60 + seconds/3600) with the hemisphere applied. Without a reference
    /// tag the sign is unknown, so the coordinate is left out (as exiftool's composite does);
    /// values outside ±`limit` are not coordinates and are left out too.
    static func coordinate(_ value: ExifRawValue?, ref: ExifRawValue?, negative: Character, limit: Double) -> Double? {
        guard let parts = value?.numbers(limit: 3), let refText = ref?.text else { return nil }
        var degrees = parts[0]
        if parts.count > 1 { degrees += parts[1] / 60 }
        if parts.count > 2 { degrees += parts[2] / 3600 }
        guard degrees.isFinite, abs(degrees) <= limit else { return nil }
        return refText.uppercased().first == negative ? -degrees : degrees
    }

    /// `YYYY:MM:DD HH:MM:SS` -> `YYYY-MM-DDTHH:MM:SS`, plus `±HH:MM` when `offset` is one.
    /// Anything else (blank "unknown" dates, garbage) gives nil.
    static func isoDateTime(exif: String, offset: String?) -> String? {
        let c = Array(exif.utf8)
        guard c.count >= 19 else { return nil }
        let digits = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18]
        guard digits.allSatisfy({ (0x30...0x39).contains(c[$0]) }),
            c[4] == 0x3A, c[7] == 0x3A, c[10] == 0x20, c[13] == 0x3A, c[16] == 0x3A
        else { return nil }
        guard c.count == 19 || !(0x30...0x39).contains(c[19]) else { return nil }
        var out = Array(c[0..<19])
        out[4] = 0x2D
        out[7] = 0x2D
        out[10] = 0x54
        var text = String(decoding: out, as: UTF8.self)
        if let offset {
            let o = Array(offset.utf8)
            if o.count == 6, o[0] == 0x2B || o[0] == 0x2D, o[3] == 0x3A,
                [1, 2, 4, 5].allSatisfy({ (0x30...0x39).contains(o[$0]) })
            {
                text += offset
            }
        }
        return text
    }
}
