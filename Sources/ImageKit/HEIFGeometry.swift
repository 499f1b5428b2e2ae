import ContainerKit

/// Where a HEIF image's displayed picture lies in its decoded pixels: the `clap` crop, in coded
/// (decoded) coordinates, and the orientation `irot`/`imir` amount to.
///
/// libheif 1.15 applies the transforms to the whole decoded image, one after another, and turns
/// a 12 MP photo byte by byte. Any sequence of them is one crop of the coded image followed by
/// one of the eight EXIF orientations, so ImageKit decodes with the transforms off, crops while
/// copying out of libheif's plane, and turns only what needs it (a thumbnail after resampling,
/// a full decode when asked to be upright): the same pixels as libheif's, once.
struct HEIFGeometry: Equatable {
    /// The crop in coded coordinates (the whole image when there is no `clap`).
    var x: Int
    var y: Int
    var width: Int
    var height: Int
    /// How the cropped pixels must be turned to show the picture.
    var orientation: Orientation

    /// The geometry of `transforms` (in the order libheif applies them) on a decoded image
    /// `width` by `height`.
    /// - Throws: `ImageError` `.corrupt` when a `clap` leaves nothing (libheif refuses it too).
    init(_ transforms: [HEIFTransform], width: Int, height: Int) throws {
        self.x = 0
        self.y = 0
        self.width = width
        self.height = height
        self.orientation = .up
        for transform in transforms {
            switch transform {
            case .rotation(let quarterTurns):
                // An anticlockwise turn is how the stored picture must be turned to show it.
                let turn: [Orientation] = [.up, .left, .down, .right]
                orientation = orientation.followed(by: turn[quarterTurns & 3])
            case .mirror(let leftRight):
                orientation = orientation.followed(by: leftRight ? .upMirrored : .downMirrored)
            case .cleanAperture(let clap):
                // libheif crops the image as transformed so far: map that crop back to coded pixels.
                let shown = orientation.displayedSize(width: self.width, height: self.height)
                guard let c = clap.crop(imageWidth: shown.width, imageHeight: shown.height) else {
                    throw ImageError(
                        .corrupt, "The HEIF clean aperture (clap) is empty or invalid for a \(shown.width)x\(shown.height) image.")
                }
                let a = orientation.storedPixel(x: c.x, y: c.y, w: self.width, h: self.height)
                let b = orientation.storedPixel(x: c.x + c.width - 1, y: c.y + c.height - 1, w: self.width, h: self.height)
                x += min(a.x, b.x)
                y += min(a.y, b.y)
                self.width = abs(b.x - a.x) + 1
                self.height = abs(b.y - a.y) + 1
            }
        }
    }
}

extension Orientation {
    /// The orientation of applying `self`, then `next` to the result.
    func followed(by next: Orientation) -> Orientation {
        // Compare where each displayed pixel of a 3x2 image comes from (no two orientations agree on it).
        let (w, h) = (3, 2)
        let middle = displayedSize(width: w, height: h)
        let shown = next.displayedSize(width: middle.width, height: middle.height)
        func source(_ px: Int, _ py: Int) -> (x: Int, y: Int) {
            let m = next.storedPixel(x: px, y: py, w: middle.width, h: middle.height)
            return storedPixel(x: m.x, y: m.y, w: w, h: h)
        }
        return Orientation.allCases.first { candidate in
            guard candidate.displayedSize(width: w, height: h) == shown else { return false }
            for py in 0..<shown.height {
                for px in 0..<shown.width where candidate.storedPixel(x: px, y: py, w: w, h: h) != source(px, py) { return false }
            }
            return true
        }!
    }
}
