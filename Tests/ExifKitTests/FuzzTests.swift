import ContainerKit
import Foundation
import Testing

@testable import ExifKit

/// Deterministic mutation fuzzing of the parser entry point (`ExifReader.extract`) with real
/// EXIF blocks from `testdata/exif` as seeds. Bounded and seeded so it runs in the normal
/// suite; `EXIFKIT_FUZZ_ITERATIONS` and `EXIFKIT_FUZZ_SEED` make longer or different runs.
/// A crash, trap or hang here is the failure; the parser never sees the same bytes twice
/// within a run, and a failing iteration can be replayed from its seed and index.
@Suite("Fuzz: mutated EXIF blocks", .enabled(if: TestData.available, "needs ../shared/testdata"))
struct FuzzTests {
    /// SplitMix64: small, fast, reproducible.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let iterations = Int(ProcessInfo.processInfo.environment["EXIFKIT_FUZZ_ITERATIONS"] ?? "") ?? 3000
    static let seed = UInt64(ProcessInfo.processInfo.environment["EXIFKIT_FUZZ_SEED"] ?? "") ?? 0xE71F_2026

    /// The TIFF blocks of every test JPEG that has one (capped at 64 KiB each).
    static func seeds() throws -> [[UInt8]] {
        try TestData.exifJPEGs.compactMap { file in
            try ContainerScan(TestData.bytes(file))?.exif.map { Array($0.prefix(65536)) }
        }
    }

    /// Values that tend to break offset and count arithmetic.
    static let interesting32: [UInt32] = [
        0, 1, 2, 7, 8, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x1_0000,
        0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFF0, 0xFFFF_FFFE, 0xFFFF_FFFF,
    ]

    /// One random mutation of `block`.
    static func mutate(_ block: [UInt8], _ rng: inout Generator) -> [UInt8] {
        var b = block
        guard !b.isEmpty else { return [0x49, 0x49, 0x2A, 0] }
        let rounds = 1 + Int(rng.next() % 8)
        for _ in 0..<rounds {
            let at = Int(rng.next() % UInt64(b.count))
            switch rng.next() % 9 {
            case 0: b[at] ^= UInt8(1) << UInt8(rng.next() % 8) // bit flip
            case 1: b[at] = UInt8(truncatingIfNeeded: rng.next()) // random byte
            case 2, 3: // interesting 16/32-bit value
                let v = interesting32[Int(rng.next() % UInt64(interesting32.count))]
                let width = rng.next() % 2 == 0 ? 2 : 4
                for k in 0..<width where at + k < b.count {
                    let shift = UInt32(8 * (Bool.random(using: &rng) ? k : width - 1 - k))
                    b[at + k] = UInt8(truncatingIfNeeded: v >> shift)
                }
            case 4: // offset pointing at itself / nearby
                let v = UInt32(clamping: max(0, at + Int(rng.next() % 32) - 16))
                for k in 0..<4 where at + k < b.count { b[at + k] = UInt8(truncatingIfNeeded: v >> UInt32(8 * k)) }
            case 5: b.removeSubrange(at..<min(b.count, at + 1 + Int(rng.next() % 64))) // delete
            case 6: b = Array(b.prefix(at)) // truncate
            case 7: // duplicate a span
                let len = min(b.count - at, 1 + Int(rng.next() % 128))
                b.insert(contentsOf: b[at..<(at + len)], at: Int(rng.next() % UInt64(b.count)))
            default: // copy 12 bytes (an IFD entry) elsewhere
                let from = Int(rng.next() % UInt64(b.count))
                for k in 0..<12 where at + k < b.count && from + k < b.count { b[at + k] = b[from + k] }
            }
            if b.isEmpty { break }
        }
        return b
    }

    @Test("mutated EXIF blocks never crash the reader (JPEG, PNG, WebP, bare TIFF)")
    func fuzz() throws {
        let seeds = try Self.seeds()
        try #require(seeds.count >= 50)
        var rng = Generator(state: Self.seed)
        var records = 0
        let deadline = ContinuousClock.now + .seconds(120) // a safety net, not a timing assertion
        for i in 0..<Self.iterations {
            if ContinuousClock.now > deadline { break }
            let block = Self.mutate(seeds[Int(rng.next() % UInt64(seeds.count))], &rng)
            let wrapped: [UInt8]
            switch i % 4 {
            case 0: wrapped = TIFFBuilder.jpeg(exif: block)
            case 1: wrapped = TIFFBuilder.png(exif: block)
            case 2: wrapped = TIFFBuilder.webp(exif: block)
            default: wrapped = block
            }
            if let m = try? ExifReader.metadata(from: wrapped) {
                records += 1
                _ = m.jsonString()
                if let d = m.dateTimeOriginal { #expect(d.count == 19 || d.count == 25) }
                if let o = m.orientation { #expect((1...8).contains(o)) }
                if let lat = m.gps?.latitude { #expect(abs(lat) <= 90) }
            }
        }
        // Container-wrapped blocks always give a record; only some bare blocks may be refused.
        #expect(records >= Self.iterations * 3 / 4 - 1 || ContinuousClock.now > deadline)
    }

    @Test("mutated MakerNotes never crash the vendor readers (each reader over each MakerNote)")
    func fuzzMakerNotes() throws {
        var seeds: [([UInt8], MakerNoteLocation)] = []
        for block in try Self.seeds() {
            var copy = Array(block.prefix(ExifBlockSanitizer.libexifLimit))
            if let location = ExifBlockSanitizer.sanitize(&copy, fullLength: block.count).makerNote,
                location.length > 0, location.offset >= 0, location.offset + location.length <= block.count
            {
                seeds.append((block, location))
            }
        }
        try #require(seeds.count >= 20)
        let makes = ["Canon", "NIKON CORPORATION", "NIKON", "CASIO", "EASTMAN KODAK COMPANY", "Eastman Kodak Company"]
        var rng = Generator(state: Self.seed ^ 0x3A4E)
        for i in 0..<(Self.iterations / 2) {
            let (block, location) = seeds[Int(rng.next() % UInt64(seeds.count))]
            let range = location.offset..<(location.offset + location.length)
            // Mutate only the MakerNote, keeping its size so the rest of the block stays put.
            let note = Self.mutate(Array(block[range]), &rng)
            var mutated = block
            mutated.replaceSubrange(
                range, with: Array(note.prefix(location.length)) + Array(repeating: 0, count: max(0, location.length - note.count)))
            // A declared size that may be wrong (shorter, or running past the block).
            let declared = MakerNoteLocation(offset: location.offset, length: Int(rng.next() % UInt64(location.length + 64)))
            for make in makes {
                _ = MakerNote.read(tiff: mutated, at: location, make: make, model: "DX3700")
                _ = MakerNote.read(tiff: mutated, at: declared, make: make, model: "CX4200")
            }
            if i % 4 == 0 { _ = try? ExifReader.metadata(from: TIFFBuilder.jpeg(exif: mutated)).jsonString() }
        }
    }

    @Test("mutated CIFF heaps (APP0) never crash the reader")
    func fuzzCIFF() throws {
        let file = try TestData.bytes("exif/cameras/exiforg_sony-powershota5.jpg")
        let signature = Array("HEAPJPGM".utf8)
        let at = try #require((0..<(file.count - 8)).first { file[$0..<($0 + 8)].elementsEqual(signature) })
        let length = Int(file[at - 8]) << 8 | Int(file[at - 7]) // APP0 length, before "II" + header length
        let real = Array(file[(at - 6)..<(at - 8 + length)])
        try #require(CIFFRecord(app0: real[...])?.model == "Canon PowerShot A5")
        let c = CIFFBuilder(bigEndian: true)
        let synthetic = c.app0([
            .block(0x300A, [c.makeModel("Canon", "A5"), c.cameraSettings(focalUnits: 32), c.focalLength(100)]), c.timeStamp(1),
        ])
        var rng = Generator(state: Self.seed ^ 0xC1FF)
        for i in 0..<Self.iterations {
            let heap = Self.mutate(i % 2 == 0 ? real : synthetic, &rng)
            let record = CIFFRecord(app0: heap[...])
            if let date = record?.dateTimeOriginal { #expect(date.count == 19) }
            if i % 8 == 0 { _ = try? ExifReader.metadata(from: CIFFBuilder.jpeg(app0: Array(heap.prefix(65000)))).jsonString() }
        }
    }

    @Test("mutated whole files from testdata/exif never crash the reader")
    func fuzzFiles() throws {
        let files = try TestData.exifJPEGs.map { try TestData.bytes($0) }.filter { $0.count <= 200_000 }
        var rng = Generator(state: Self.seed ^ 0xF11E)
        for _ in 0..<(Self.iterations / 3) {
            let f = files[Int(rng.next() % UInt64(files.count))]
            // Mutate only the metadata part (before the image data) so the run stays about EXIF.
            let headEnd = min(f.count, 70_000)
            let mutated = Self.mutate(Array(f[0..<headEnd]), &rng) + f[headEnd...]
            _ = try? ExifReader.metadata(from: mutated).jsonString()
        }
    }
}
