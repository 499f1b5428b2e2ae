/// HEIF (HEIC/AVIF) walking: the ISO base media file format's `meta` box, as ISO/IEC 23008-12
/// lays it out. Bounds-checked and linear: every box length is checked against its parent,
/// item and extent counts are capped, and nothing is read outside the input.
extension ImageContainer {
    /// True when `b` starts with an ISO-BMFF `ftyp` box naming a HEIF brand.
    static func isHEIF(_ b: [UInt8]) -> Bool {
        guard b.count >= 16, b[4..<8].elementsEqual(Array("ftyp".utf8)) else { return false }
        let size = Int(BoxReader(bytes: b).u32(0) ?? 0)
        guard size >= 16, size <= min(b.count, 4096) else { return false }
        let brands = stride(from: 8, to: size, by: 4).filter { $0 != 12 && $0 + 4 <= size }.map {
            String(decoding: b[$0..<($0 + 4)], as: UTF8.self)
        }
        return brands.contains { ["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1", "avif", "avis", "mif2"].contains($0) }
    }

    /// Reads the primary item's `ispe` size, the first `Exif` item (after its 4-byte offset
    /// header) and the first XMP item (`mime`, `application/rdf+xml`).
    static func scanHEIF(_ b: [UInt8]) -> ImageContainer {
        var result = ImageContainer(format: .heif)
        let r = BoxReader(bytes: b)
        guard let meta = r.boxes(in: 0..<b.count).first(where: { $0.type == "meta" }) else { return result }
        // `meta` is a FullBox: 4 bytes of version and flags before its children.
        let children = r.boxes(in: (meta.body.lowerBound + 4)..<meta.body.upperBound)
        var primary: UInt32?
        var items: [UInt32: (type: String, contentType: String)] = [:]
        var locations: [UInt32: ItemLocation] = [:]
        var idat: Range<Int>?
        for box in children {
            switch box.type {
            case "pitm":
                guard let version = r.u8(box.body.lowerBound) else { continue }
                primary = version == 0 ? r.u16(box.body.lowerBound + 4).map(UInt32.init) : r.u32(box.body.lowerBound + 4)
            case "iinf": items = r.itemInfos(box)
            case "iloc": locations = r.itemLocations(box)
            case "idat": idat = box.body
            case "iprp":
                if let primary, let size = r.ispe(of: primary, in: box) {
                    result.width = size.width
                    result.height = size.height
                }
            default: break
            }
        }
        // `iprp` may come before `pitm`: look again once the primary is known.
        if result.width == nil, let primary, let iprp = children.first(where: { $0.type == "iprp" }),
            let size = r.ispe(of: primary, in: iprp)
        {
            result.width = size.width
            result.height = size.height
        }
        for id in items.keys.sorted() {
            guard let item = items[id], let data = locations[id].flatMap({ r.data(of: $0, idat: idat) }) else { continue }
            if item.type == "Exif", result.exif == nil {
                // exif_tiff_header_offset (32 bits), then that many bytes (normally `Exif\0\0`), then TIFF.
                guard let skip = BoxReader(bytes: data).u32(0), Int(skip) <= data.count - 4 else { continue }
                let tiff = data.dropFirst(4 + Int(skip))
                if isTIFFHeader(tiff) {
                    result.exif = Array(tiff)
                } else if let start = findTIFF(data) {
                    result.exif = Array(data[start...])
                }
            } else if item.type == "mime", item.contentType == "application/rdf+xml", result.xmp == nil {
                result.xmp = data
            }
        }
        return result
    }

    /// Where a TIFF header follows an `Exif\0\0` in `data` (for writers that got the offset wrong).
    private static func findTIFF(_ data: [UInt8]) -> Int? {
        guard data.count >= 14 else { return nil }
        for i in 0...(min(data.count, 64) - 6) where data[i..<(i + 6)].elementsEqual(exifPrefix) && isTIFFHeader(data[(i + 6)...]) {
            return i + 6
        }
        return nil
    }
}

/// Where an item's data lies: extents in the file (construction method 0) or in `idat` (1).
struct ItemLocation {
    var method: Int
    var baseOffset: Int
    var extents: [(offset: Int, length: Int)]
}

/// Bounds-checked big-endian reads and box walks over an ISO-BMFF file.
struct BoxReader {
    let bytes: [UInt8]
    /// Most items or extents read from one box (real files have a few hundred tiles).
    static let maxEntries = 4096
    /// Largest item read (Exif and XMP are small; this bounds a hostile `iloc`).
    static let maxItemBytes = 16 << 20

    /// One box: its four-character type and the range of its body.
    struct Box {
        var type: String
        var body: Range<Int>
    }

    func u8(_ o: Int) -> UInt8? { o >= 0 && o < bytes.count ? bytes[o] : nil }
    func u16(_ o: Int) -> UInt16? { uint(o, size: 2).map { UInt16($0) } }
    func u32(_ o: Int) -> UInt32? { uint(o, size: 4).map { UInt32($0) } }

    /// An unsigned big-endian integer of `size` bytes (0, 2, 4 or 8; 0 reads as 0).
    func uint(_ o: Int, size: Int) -> UInt64? {
        guard o >= 0, size >= 0, o <= bytes.count - size else { return nil }
        var v: UInt64 = 0
        for i in 0..<size { v = v << 8 | UInt64(bytes[o + i]) }
        return v
    }

    /// The boxes directly inside `range`, stopping at the first that does not fit.
    func boxes(in range: Range<Int>) -> [Box] {
        var result: [Box] = []
        var i = range.lowerBound
        while i + 8 <= range.upperBound, result.count < Self.maxEntries {
            guard let size32 = u32(i) else { break }
            let type = String(decoding: bytes[(i + 4)..<(i + 8)], as: UTF8.self)
            var header = 8
            var size = Int(size32)
            if size32 == 1 {
                guard let large = uint(i + 8, size: 8), large <= UInt64(range.upperBound - i) else { break }
                size = Int(large)
                header = 16
            } else if size32 == 0 {
                size = range.upperBound - i
            }
            guard size >= header, size <= range.upperBound - i else { break }
            result.append(Box(type: type, body: (i + header)..<(i + size)))
            i += size
        }
        return result
    }

    /// `iinf`: item id -> (item type, MIME content type) from its `infe` (version 2/3) boxes.
    func itemInfos(_ iinf: Box) -> [UInt32: (type: String, contentType: String)] {
        guard let version = u8(iinf.body.lowerBound) else { return [:] }
        let start = iinf.body.lowerBound + 4 + (version == 0 ? 2 : 4)
        var result: [UInt32: (type: String, contentType: String)] = [:]
        for infe in boxes(in: start..<iinf.body.upperBound) where infe.type == "infe" {
            let s = infe.body.lowerBound
            guard let v = u8(s), v >= 2 else { continue }
            let idSize = v == 2 ? 2 : 4
            guard let id = uint(s + 4, size: idSize), s + 4 + idSize + 6 <= infe.body.upperBound else { continue }
            let typeStart = s + 4 + idSize + 2
            let type = String(decoding: bytes[typeStart..<(typeStart + 4)], as: UTF8.self)
            var contentType = ""
            if type == "mime" {
                // item_name NUL, content_type NUL.
                let rest = bytes[(typeStart + 4)..<infe.body.upperBound]
                if let nameEnd = rest.firstIndex(of: 0) {
                    let ct = rest[(nameEnd + 1)...]
                    contentType = String(decoding: ct.prefix { $0 != 0 }, as: UTF8.self)
                }
            }
            result[UInt32(id)] = (type, contentType)
        }
        return result
    }

    /// `iloc`: item id -> location, for versions 0, 1 and 2.
    func itemLocations(_ iloc: Box) -> [UInt32: ItemLocation] {
        let s = iloc.body.lowerBound
        let end = iloc.body.upperBound
        guard let version = u8(s), version <= 2, let a = u8(s + 4), let c = u8(s + 5) else { return [:] }
        let offsetSize = Int(a >> 4)
        let lengthSize = Int(a & 15)
        let baseSize = Int(c >> 4)
        let indexSize = version == 0 ? 0 : Int(c & 15)
        guard [0, 4, 8].contains(offsetSize), [0, 4, 8].contains(lengthSize), [0, 4, 8].contains(baseSize), [0, 4, 8].contains(indexSize)
        else { return [:] }
        var p = s + 6
        let countSize = version < 2 ? 2 : 4
        guard let count = uint(p, size: countSize), count <= UInt64(Self.maxEntries) else { return [:] }
        p += countSize
        var result: [UInt32: ItemLocation] = [:]
        for _ in 0..<Int(count) {
            let idSize = version < 2 ? 2 : 4
            guard let id = uint(p, size: idSize) else { break }
            p += idSize
            var method = 0
            if version >= 1 {
                guard let m = u16(p) else { break }
                method = Int(m & 15)
                p += 2
            }
            p += 2 // data_reference_index
            guard let base = uint(p, size: baseSize), let extentCount = u16(p + baseSize), extentCount <= 1024 else { break }
            p += baseSize + 2
            var extents: [(Int, Int)] = []
            for _ in 0..<Int(extentCount) {
                p += indexSize
                guard let offset = uint(p, size: offsetSize), let length = uint(p + offsetSize, size: lengthSize), p <= end else {
                    return result
                }
                p += offsetSize + lengthSize
                guard offset <= UInt64(Int32.max) * 4, length <= UInt64(Self.maxItemBytes) else { continue }
                extents.append((Int(offset), Int(length)))
            }
            guard base <= UInt64(Int32.max) * 4 else { continue }
            result[UInt32(id)] = ItemLocation(method: method, baseOffset: Int(base), extents: extents)
        }
        return result
    }

    /// An item's bytes, nil when any extent lies outside the file (or `idat`) or it is too large.
    /// A zero length means "to the end of the file".
    func data(of location: ItemLocation, idat: Range<Int>?) -> [UInt8]? {
        let space: Range<Int>
        switch location.method {
        case 0: space = 0..<bytes.count
        case 1:
            guard let idat else { return nil }
            space = idat
        default: return nil
        }
        var out: [UInt8] = []
        for extent in location.extents {
            let start = space.lowerBound + location.baseOffset + extent.offset
            let length = extent.length == 0 ? space.upperBound - start : extent.length
            guard start >= space.lowerBound, length >= 0, start <= space.upperBound - length, out.count + length <= Self.maxItemBytes
            else { return nil }
            out.append(contentsOf: bytes[start..<(start + length)])
        }
        return out.isEmpty ? nil : out
    }

    /// The `ispe` (image spatial extents) property associated with `item` in `iprp`.
    func ispe(of item: UInt32, in iprp: Box) -> (width: Int, height: Int)? {
        let parts = boxes(in: iprp.body)
        guard let ipco = parts.first(where: { $0.type == "ipco" }) else { return nil }
        let properties = boxes(in: ipco.body)
        for ipma in parts where ipma.type == "ipma" {
            let s = ipma.body.lowerBound
            guard let version = u8(s), let flags = u8(s + 3), let count = u32(s + 4), count <= UInt32(Self.maxEntries) else { continue }
            var p = s + 8
            for _ in 0..<Int(count) {
                let idSize = version < 1 ? 2 : 4
                guard let id = uint(p, size: idSize), let n = u8(p + idSize) else { break }
                p += idSize + 1
                let wide = flags & 1 != 0
                for _ in 0..<Int(n) {
                    guard let raw = uint(p, size: wide ? 2 : 1) else { return nil }
                    p += wide ? 2 : 1
                    let index = Int(raw & (wide ? 0x7FFF : 0x7F))
                    guard id == UInt64(item), index >= 1, index <= properties.count else { continue }
                    let property = properties[index - 1]
                    if property.type == "ispe", let w = u32(property.body.lowerBound + 4), let h = u32(property.body.lowerBound + 8), w > 0,
                        h > 0
                    {
                        return (Int(w), Int(h))
                    }
                }
            }
        }
        return nil
    }
}
