import Foundation

/// What a browser does with presigned links, done with the curl command-line tool: GET a URL, POST
/// a form upload. Shared by the S3 and end-to-end tests.
public enum Browser {
    /// Fetches a URL; returns the status and the body.
    public static func get(_ url: String) throws -> (status: Int, body: Data) {
        try curl([url])
    }

    /// POSTs a multipart form as a browser form upload does: every field, then the file as `file`.
    public static func postForm(_ url: String, fields: [String: String], file: [UInt8], contentType: String) throws -> (
        status: Int, body: Data
    ) {
        let upload = FileManager.default.temporaryDirectory.appendingPathComponent("imagicon-form-\(UUID().uuidString)")
        try Data(file).write(to: upload)
        defer { try? FileManager.default.removeItem(at: upload) }
        // --form-string sends values verbatim (no @file or <file interpretation).
        let arguments = fields.sorted { $0.key < $1.key }.flatMap { ["--form-string", "\($0.key)=\($0.value)"] }
        return try curl(arguments + ["-F", "file=@\(upload.path);type=\(contentType)", url])
    }

    static func curl(_ arguments: [String]) throws -> (status: Int, body: Data) {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("imagicon-curl-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        let pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-sS", "--max-time", "20", "-o", output.path, "-w", "%{http_code}"] + arguments
        process.standardOutput = pipe
        try process.run()
        let status = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (Int(status) ?? -1, (try? Data(contentsOf: output)) ?? Data())
    }
}
