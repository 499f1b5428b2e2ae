/// What a HEIF (HEIC/AVIF) file's `meta` box says, as ISO/IEC 23008-12 lays it out: the primary
/// item, the items (type, content type) and the primary image's `ispe` size; the first `Exif`
/// item and the first XMP item (`mime`, `application/rdf+xml`) go to the scan's EXIF and XMP.
///
/// Bounds-checked and linear: every box length is checked against its parent, item and extent
/// counts are capped, and nothing is read outside the input. The primary image's transformative
/// properties (`irot`, `imir`, `clap`) are read here, so ImageKit applies them once, to whatever
/// size it needs; pixels and colour are read by libheif while decoding.
public struct HEIFStructure: Sendable {
    /// One item of `iinf`.
    public struct Item: Sendable, Equatable {
        public var id: UInt32
        /// The item type (`hvc1`, `av01`, `grid`, `Exif`, `mime`, ...).
        public var type: String
        /// The MIME content type of a `mime` item, else empty.
        public var contentType: String
    }

    /// The primary item (`pitm`), if declared.
    public internal(set) var primaryItem: UInt32?
    /// The items of `iinf` (version 2/3 `infe` boxes), by id.
    public internal(set) var items: [Item] = []
    /// The primary item's `ispe` (coded size before transforms), if associated.
    public internal(set) var primarySize: (width: Int, height: Int)?
    /// The primary item's `irot`/`imir`/`clap` properties in the order its `ipma` entries list them
    /// (the order they apply in); empty when it has none; nil when the association or one of these
    /// properties cannot be read (then only libheif can say what they mean).
    public internal(set) var primaryTransforms: [HEIFTransform]? = []

    static func scan(_ b: [UInt8], format: ContainerFormat) -> ContainerScan {
        var result = ContainerScan(format: format, byteCount: b.count)
        var heif = HEIFStructure()
        let r = BoxReader(bytes: b)
        // `meta` is a FullBox: 4 bytes of version and flags before its children (a shorter one is empty).
        guard let meta = r.boxes(in: 0..<b.count).first(where: { $0.type == "meta" }), meta.body.count >= 4 else {
            result.heif = heif
            return result
        }
        let children = r.boxes(in: (meta.body.lowerBound + 4)..<meta.body.upperBound)
        var locations: [UInt32: ItemLocation] = [:]
        var idat: Range<Int>?
        for box in children {
            switch box.type {
            case "pitm":
                guard let version = r.u8(box.body.lowerBound) else { continue }
                heif.primaryItem = version == 0 ? r.u16(box.body.lowerBound + 4).map(UInt32.init) : r.u32(box.body.lowerBound + 4)
            case "iinf": heif.items = r.itemInfos(box)
            case "iloc": locations = r.itemLocations(box)
            case "idat": idat = box.body
            default: break
            }
        }
        // `iprp` may come before `pitm`: read it once the primary is known.
        if let primary = heif.primaryItem, let iprp = children.first(where: { $0.type == "iprp" }) {
            let properties = r.properties(of: primary, in: iprp)
            if let size = properties.boxes.lazy.compactMap(r.ispe).first {
                heif.primarySize = size
                result.setSize(size.width, size.height)
            }
            heif.primaryTransforms = r.transforms(properties)
        }
        for item in heif.items {
            let wanted =
                item.type == "Exif"
                ? result.exif == nil : item.type == "mime" && item.contentType == "application/rdf+xml" && result.xmp == nil
            guard wanted else { continue }
            guard let data = locations[item.id].flatMap({ r.data(of: $0, idat: idat) }) else { continue }
            if item.type == "Exif" {
                // exif_tiff_header_offset (32 bits), then that many bytes (normally `Exif\0\0`), then TIFF.
                guard let skip = ByteReads(bytes: data).u32(0), Int(skip) <= data.count - 4 else { continue }
                let tiff = data.dropFirst(4 + Int(skip))
                if TIFFBlock.isHeader(tiff) {
                    result.exif = Array(tiff)
                } else if let start = findTIFF(data) {
                    result.exif = Array(data[start...])
                }
            } else if item.type == "mime" {
                result.keepXMP(data)
            }
        }
        result.heif = heif
        return result
    }

    /// Where a TIFF header follows an `Exif\0\0` in `data` (for writers that got the offset wrong).
    static func findTIFF(_ data: [UInt8]) -> Int? {
        guard data.count >= 14 else { return nil }
        for i in 0...(min(data.count, 64) - 6)
        where data[i..<(i + 6)].elementsEqual(TIFFBlock.exifPrefix) && TIFFBlock.isHeader(data[(i + 6)...]) {
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
    private var reads: ByteReads { ByteReads(bytes: bytes) }
    /// Most boxes, items or extents read from one box (real files have a few hundred tiles).
    static let maxEntries = 4096
    /// Largest item read (Exif and XMP are small; this bounds a hostile `iloc`).
    static let maxItemBytes = 16 << 20

    /// One box: its four-character type and the range of its body.
    struct Box {
        var type: String
        var body: Range<Int>
    }

    func u8(_ o: Int) -> UInt8? { reads.u8(o) }
    func u16(_ o: Int) -> UInt16? { reads.u16(o) }
    func u32(_ o: Int) -> UInt32? { reads.u32(o) }
    func uint(_ o: Int, size: Int) -> UInt64? { reads.uint(o, size: size) }

    /// The boxes directly inside `range`, stopping at the first that does not fit. Each box is at
    /// least its 8-byte header long and lies inside its parent, so the walk always moves forward.
    func boxes(in range: Range<Int>) -> [Box] {
        var result: [Box] = []
        var i = range.lowerBound
        while i + 8 <= range.upperBound, result.count < Self.maxEntries {
            guard let size32 = u32(i), let type = reads.fourCC(i + 4) else { break }
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

    /// `iinf`: its items from the `infe` (version 2/3) boxes.
    func itemInfos(_ iinf: Box) -> [HEIFStructure.Item] {
        guard let version = u8(iinf.body.lowerBound) else { return [] }
        let start = iinf.body.lowerBound + 4 + (version == 0 ? 2 : 4)
        guard start <= iinf.body.upperBound else { return [] }
        var result: [UInt32: HEIFStructure.Item] = [:]
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
                    contentType = String(decoding: rest[(nameEnd + 1)...].prefix { $0 != 0 }, as: UTF8.self)
                }
            }
            result[UInt32(id)] = HEIFStructure.Item(id: UInt32(id), type: type, contentType: contentType)
        }
        return result.values.sorted { $0.id < $1.id }
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

    /// The properties associated with `item` by the first entry for it in `iprp`'s first `ipma`
    /// box (the one libheif reads), in association order; `complete` is false when the walk could
    /// not read that far (a truncated `ipma`, an index past `ipco`'s properties).
    func properties(of item: UInt32, in iprp: Box) -> (boxes: [Box], complete: Bool) {
        let parts = boxes(in: iprp.body)
        guard let ipco = parts.first(where: { $0.type == "ipco" }), let ipma = parts.first(where: { $0.type == "ipma" }) else {
            return ([], true)
        }
        let properties = boxes(in: ipco.body)
        let end = ipma.body.upperBound
        let s = ipma.body.lowerBound
        guard let version = u8(s), let flags = u8(s + 3), let count = u32(s + 4), s + 8 <= end, count <= UInt32(Self.maxEntries) else {
            return ([], false)
        }
        var p = s + 8
        let idSize = version < 1 ? 2 : 4
        let indexSize = flags & 1 != 0 ? 2 : 1
        for _ in 0..<Int(count) {
            guard let id = uint(p, size: idSize), let n = u8(p + idSize), p + idSize + 1 + Int(n) * indexSize <= end else {
                return ([], false)
            }
            p += idSize + 1
            guard id == UInt64(item) else {
                p += Int(n) * indexSize
                continue
            }
            var result: [Box] = []
            for _ in 0..<Int(n) {
                let index = Int(uint(p, size: indexSize)! & (indexSize == 2 ? 0x7FFF : 0x7F))
                p += indexSize
                guard index <= properties.count else { return (result, false) }
                if index > 0 { result.append(properties[index - 1]) } // 0: no property
            }
            return (result, true)
        }
        return ([], true)
    }

    /// An `ispe` (image spatial extents) property's size, nil for another box or an empty size.
    func ispe(_ property: Box) -> (width: Int, height: Int)? {
        guard property.type == "ispe", let w = u32(property.body.lowerBound + 4), let h = u32(property.body.lowerBound + 8),
            property.body.lowerBound + 12 <= property.body.upperBound, w > 0, h > 0
        else { return nil }
        return (Int(w), Int(h))
    }

    /// The transformative properties among `properties`, in order; nil when the association was
    /// incomplete or one of them is unreadable.
    func transforms(_ properties: (boxes: [Box], complete: Bool)) -> [HEIFTransform]? {
        guard properties.complete else { return nil }
        var result: [HEIFTransform] = []
        for box in properties.boxes {
            switch HEIFTransform.read(box.type, body: bytes[box.body]) {
            case .transform(let t)?: result.append(t)
            case .invalid?: return nil
            case nil: continue
            }
        }
        return result
    }
}
