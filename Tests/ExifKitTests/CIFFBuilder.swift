/// Builds Canon CIFF heaps (as found in the APP0 segment of early PowerShot JPEGs) for tests:
/// header (`II`/`MM`, header length 26, `HEAPJPGM`, version), then the root block. A block is
/// its values, nested blocks included, then its directory (count + 10-byte entries), then
/// the directory's offset in the block.
struct CIFFBuilder {
    /// One heap item.
    indirect enum Item {
        /// A value stored in the block's data area.
        case value(UInt16, [UInt8])
        /// A value of up to 8 bytes stored in the entry itself (tag gets the 0x4000 flag).
        case inEntry(UInt16, [UInt8])
        /// A nested block (tag type 0x28 or 0x30).
        case block(UInt16, [Item])
    }

    var bigEndian = false

    func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
    func u32(_ v: UInt32) -> [UInt8] {
        let le = [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF), UInt8((v >> 16) & 0xFF), UInt8(v >> 24)]
        return bigEndian ? le.reversed() : le
    }

    /// The bytes of one block.
    func block(_ items: [Item]) -> [UInt8] {
        var data: [UInt8] = []
        var directory: [UInt8] = u16(UInt16(items.count))
        for item in items {
            switch item {
            case .value(let tag, let bytes):
                directory += u16(tag) + u32(UInt32(bytes.count)) + u32(UInt32(data.count))
                data += bytes
            case .inEntry(let tag, let bytes):
                directory += u16(tag | 0x4000) + (bytes + Array(repeating: 0, count: 8)).prefix(8)
            case .block(let tag, let inner):
                let sub = block(inner)
                directory += u16(tag) + u32(UInt32(sub.count)) + u32(UInt32(data.count))
                data += sub
            }
        }
        return data + directory + u32(UInt32(data.count))
    }

    /// The 26-byte heap header.
    var header: [UInt8] {
        (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u32(26) + Array("HEAPJPGM".utf8) + u32(0x0001_0001) + Array(repeating: 0, count: 8)
    }

    /// An APP0 payload holding the heap.
    func app0(_ items: [Item]) -> [UInt8] { header + block(items) }

    /// A minimal JPEG with the heap in APP0 and, optionally, an EXIF block in APP1.
    static func jpeg(app0 payload: [UInt8], exif: [UInt8]? = nil) -> [UInt8] {
        [0xFF, 0xD8, 0xFF, 0xE0, UInt8((payload.count + 2) >> 8), UInt8((payload.count + 2) & 0xFF)] + payload
            + TIFFBuilder.jpeg(exif: exif).dropFirst(2)
    }

    // MARK: values

    /// MakeModel (0x080A): make NUL model NUL.
    func makeModel(_ make: String, _ model: String) -> Item { .value(0x080A, Array(make.utf8) + [0] + Array(model.utf8) + [0]) }
    /// TimeStamp (0x180E): Unix time, time zone code, time zone info.
    func timeStamp(_ seconds: UInt32) -> Item { .value(0x180E, u32(seconds) + u32(0) + u32(0)) }
    /// FocalLength (0x1029): focal type, focal length in focal units, plane sizes.
    func focalLength(_ raw: UInt16) -> Item { .value(0x1029, u16(1) + u16(raw) + u16(0) + u16(0)) }
    /// CameraSettings (0x102D): 46 int16 values, [25] FocalUnits.
    func cameraSettings(focalUnits: Int16) -> Item {
        var values = [UInt16](repeating: 0, count: 46)
        values[0] = 92
        values[25] = UInt16(bitPattern: focalUnits)
        return .value(0x102D, values.flatMap(u16))
    }
}
