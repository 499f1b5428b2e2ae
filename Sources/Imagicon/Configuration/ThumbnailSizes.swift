import AWSCore
import ImageKit

extension ThumbnailSize {
    /// Largest side accepted from configuration: bounds a thumbnail's memory whatever the variable says.
    public static let maxConfiguredSide = 8192

    /// Parses `IMAGICON_THUMBNAIL_SIZES`, a comma list such as `200x200,1024x1024,300x300c`.
    public static func parseList(_ text: String) throws -> [ThumbnailSize] {
        var sizes: [ThumbnailSize] = []
        for item in text.split(separator: ",") {
            let spec = item.trimmingASCIIWhitespace()
            guard let size = ThumbnailSize(spec), size.width <= maxConfiguredSide, size.height <= maxConfiguredSide else {
                throw ConfigurationError(
                    .invalidValue,
                    "thumbnail size '\(spec)' must be WxH or WxHc with sides 1...\(maxConfiguredSide)")
            }
            if !sizes.contains(size) { sizes.append(size) }
        }
        guard !sizes.isEmpty else {
            throw ConfigurationError(.invalidValue, "IMAGICON_THUMBNAIL_SIZES lists no size")
        }
        return sizes
    }
}
