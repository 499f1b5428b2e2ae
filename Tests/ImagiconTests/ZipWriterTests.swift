import Foundation
import Testing

@testable import Imagicon

@Suite("search: ZIP writer")
struct ZipWriterTests {
    @Test func crc32CheckValues() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
        var crc = CRC32()
        crc.update(Array("1234".utf8))
        crc.update(Array("56789".utf8))
        #expect(crc.value == 0xCBF4_3926)
    }

    @Test func archiveOpensWithPythonZipfileAndHoldsTheFiles() throws {
        var zip = ZipWriter()
        var bytes: [UInt8] = []
        let files: [(String, [UInt8])] = [
            ("IMG_1.jpg", Array(repeating: 0xAB, count: 1000)), ("été.png", Array("hello".utf8)),
            ("IMG_1.jpg", [1, 2, 3]), ("empty", []),
        ]
        for (name, data) in files { bytes += try zip.add(name: name, data: data) }
        bytes += zip.finish()
        #expect(UInt64(bytes.count) == zip.bytesWritten)

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("ziptest-\(UUID().uuidString).zip")
        defer { try? FileManager.default.removeItem(at: url) }
        try Data(bytes).write(to: url)
        let script = """
            import sys, zipfile, json
            z = zipfile.ZipFile(sys.argv[1])
            assert z.testzip() is None
            print(json.dumps([[i.filename, i.file_size, i.compress_type, list(z.read(i))[:4]] for i in z.infolist()]))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, url.path]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "python3 zipfile rejected the archive")
        let listing = try #require(try JSONSerialization.jsonObject(with: data) as? [[Any]])
        #expect(listing.map { $0[0] as? String } == ["IMG_1.jpg", "été.png", "IMG_1 (2).jpg", "empty"])
        #expect(listing.map { $0[1] as? Int } == [1000, 5, 3, 0])
        #expect(listing.allSatisfy { $0[2] as? Int == 0 })
    }

    @Test func emptyArchiveIsTheEndRecordOnly() {
        var zip = ZipWriter()
        let bytes = zip.finish()
        #expect(bytes == [0x50, 0x4B, 0x05, 0x06] + [UInt8](repeating: 0, count: 18))
    }
}
