import AWSCore
import S3

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Streams originals, one at a time, into one ZIP at `sessions/<uuid>.zip` (multipart upload, so
/// memory stays at about one part) and presigns it. Shared by `search` and the albums API.
struct ZipExport: Sendable {
    let s3: S3Client
    /// Where the ZIP goes.
    let bucket: String
    /// Largest original put in the ZIP, and the largest ZIP.
    var maxBytes: UInt64 = 2 << 30

    /// Writes the ZIP of `originals` (entries named after the keys' file names, made safe by
    /// ``ZipWriter``); originals deleted since they were listed are left out.
    func write(_ originals: [(bucket: String, key: String)], expires: Int) async throws -> (key: String, url: String) {
        let key = StorageLayout.sessionKey(UUID().uuidString.lowercased() + ".zip")
        var upload = S3MultipartUpload(s3: s3, bucket: bucket, key: key, contentType: "application/zip")
        var zip = ZipWriter()
        do {
            for original in originals {
                let remaining = Int(min(maxBytes - min(maxBytes, zip.bytesWritten), UInt64(Int.max)))
                guard let body = try await read(original, maxBytes: remaining) else { continue }
                let name = original.key.split(separator: "/").last.map(String.init) ?? original.key
                try await upload.write(try Self.entry(&zip, name: name, data: body))
            }
            try await upload.write(zip.finish())
            try await upload.finish()
        } catch {
            await upload.abort()
            throw error
        }
        return (key, try s3.presignedGetURL(bucket: bucket, key: key, expires: expires))
    }

    /// One original; nil when it was deleted since it was processed (its records go with the
    /// ObjectRemoved event).
    func read(_ original: (bucket: String, key: String), maxBytes: Int) async throws -> [UInt8]? {
        let result: Result<S3Object, AWSError>
        do {
            result = .success(try await s3.getObject(bucket: original.bucket, key: original.key, maxBytes: maxBytes))
        } catch {
            result = .failure(error)
        }
        switch result {
        case .success(let object):
            return object.body
        case .failure(let error) where error.code == .notFound:
            return nil
        case .failure(let error) where error.code == .responseTooLarge:
            throw SearchError(.tooLarge, "The originals exceed the \(self.maxBytes)-byte ZIP limit; ask for fewer photos.")
        case .failure(let error):
            throw error
        }
    }

    /// A ZIP entry, the format's limits as ``SearchError``.
    static func entry(_ zip: inout ZipWriter, name: String, data: [UInt8]) throws -> [UInt8] {
        do {
            return try zip.add(name: name, data: data)
        } catch {
            throw SearchError(.tooLarge, "The originals do not fit in one ZIP (\(error)); ask for fewer photos.")
        }
    }
}
