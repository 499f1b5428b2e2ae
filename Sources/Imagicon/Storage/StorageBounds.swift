import ExifKit

/// What a record may hold: an image item must stay far below DynamoDB's 400 KB item limit and
/// every number inside DynamoDB's range, whatever an upload's metadata claims. Values outside a
/// plausible range are dropped ("unknown"), never stored as facts; long strings are cut.
public enum StorageBounds {
    /// Longest stored string (UTF-8 bytes): metadata strings and error messages.
    public static let maxStringBytes = 1024

    /// `text` cut to at most ``maxStringBytes`` bytes, on a Unicode scalar boundary.
    public static func capped(_ text: String) -> String {
        guard text.utf8.count > maxStringBytes else { return text }
        var bytes = 0
        var end = text.unicodeScalars.startIndex
        for index in text.unicodeScalars.indices {
            let length = UTF8.width(text.unicodeScalars[index])
            if bytes + length > maxStringBytes { break }
            bytes += length
            end = text.unicodeScalars.index(after: index)
        }
        return String(text.unicodeScalars[..<end])
    }

    /// The metadata with every string capped and every number kept only inside its plausible range:
    /// f-number 0.5...1,000, ISO 1...10,000,000 (0 and 65535 are MakerNote "unknown"), exposure up to a
    /// day, focal lengths up to 100 m, GPS on Earth, altitudes -20 km...1,000 km, pixel sizes below 2^31.
    public static func bounded(_ metadata: PhotoMetadata) -> PhotoMetadata {
        var m = metadata
        func keep(_ value: Double?, _ range: ClosedRange<Double>) -> Double? {
            guard let value, value.isFinite, range.contains(value) else { return nil }
            return value
        }
        func keep(_ value: Int?, _ range: ClosedRange<Int>) -> Int? {
            guard let value, range.contains(value) else { return nil }
            return value
        }
        m.make = m.make.map(capped)
        m.model = m.model.map(capped)
        m.lensModel = m.lensModel.map(capped)
        m.dateTimeOriginal = m.dateTimeOriginal.map(capped)
        m.software = m.software.map(capped)
        m.artist = m.artist.map(capped)
        m.copyright = m.copyright.map(capped)
        m.imageDescription = m.imageDescription.map(capped)
        m.exposureTime = keep(m.exposureTime, 1e-9...86_400)
        m.fNumber = keep(m.fNumber, 0.5...1_000)
        m.iso = m.iso == 65_535 ? nil : keep(m.iso, 1...10_000_000)
        m.focalLength = keep(m.focalLength, 1e-3...100_000)
        m.focalLength35mm = keep(m.focalLength35mm, 1...100_000)
        m.flash = keep(m.flash, 0...0xFFFF)
        m.orientation = keep(m.orientation, 1...8)
        m.width = keep(m.width, 1...Int(Int32.max))
        m.height = keep(m.height, 1...Int(Int32.max))
        if var gps = m.gps {
            gps.latitude = keep(gps.latitude, -90...90)
            gps.longitude = keep(gps.longitude, -180...180)
            gps.altitude = keep(gps.altitude, -20_000...1_000_000)
            m.gps = gps.isEmpty ? nil : gps
        }
        return m
    }
}
