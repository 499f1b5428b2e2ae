import CCurl

/// The Runtime API over libcurl: one easy handle, so one kept-alive connection, for the whole process.
public final class CurlRuntimeAPI: RuntimeAPI {
    /// Largest event or error body accepted from the Runtime API (Lambda's own limit is 6 MB).
    public static let maxBodyBytes = 16 << 20

    private let baseURL: String
    private let handle: UnsafeMutableRawPointer

    /// Connects lazily to `host:port`, the value of `AWS_LAMBDA_RUNTIME_API`.
    public init(endpoint: String) throws {
        guard !endpoint.isEmpty, !endpoint.contains("/"), endpoint.contains(":") else {
            throw LambdaRuntimeError(.missingRuntimeAPI, "AWS_LAMBDA_RUNTIME_API must be host:port, got '\(endpoint)'")
        }
        CurlGlobal.initialize()
        guard let handle = curl_easy_init() else {
            throw LambdaRuntimeError(.transport, "curl_easy_init failed")
        }
        self.handle = handle
        self.baseURL = "http://\(endpoint)/2018-06-01/runtime"
    }

    deinit { curl_easy_cleanup(handle) }

    public func nextInvocation() throws -> Invocation {
        let reply = try perform(method: "GET", path: "/invocation/next", body: nil, errorType: nil)
        guard reply.status == 200 else {
            throw LambdaRuntimeError(.unexpectedStatus, "GET /invocation/next answered \(reply.status): \(reply.text)")
        }
        return try Invocation(headers: reply.headers, event: reply.body)
    }

    public func sendResponse(requestID: String, body: [UInt8]) throws {
        let path = "/invocation/\(Self.escape(requestID))/response"
        let reply = try perform(method: "POST", path: path, body: body, errorType: nil)
        if (400..<500).contains(reply.status) {
            throw LambdaRuntimeError(
                .responseRefused, "the Runtime API refused a \(body.count)-byte response with \(reply.status): \(reply.text.prefix(300))")
        }
        guard (200..<300).contains(reply.status) else {
            throw LambdaRuntimeError(.unexpectedStatus, "POST \(path) answered \(reply.status): \(reply.text)")
        }
    }

    public func sendError(requestID: String, report: ErrorReport) throws {
        try post("/invocation/\(Self.escape(requestID))/error", body: report.json, errorType: report.errorType)
    }

    public func sendInitError(_ report: ErrorReport) throws {
        try post("/init/error", body: report.json, errorType: report.errorType)
    }

    private func post(_ path: String, body: [UInt8], errorType: String?) throws {
        let reply = try perform(method: "POST", path: path, body: body, errorType: errorType)
        guard (200..<300).contains(reply.status) else {
            throw LambdaRuntimeError(.unexpectedStatus, "POST \(path) answered \(reply.status): \(reply.text)")
        }
    }

    /// Request ids are UUIDs from Lambda; anything else is percent-encoded so it cannot alter the path.
    static func escape(_ id: String) -> String {
        var out = ""
        for byte in id.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    private struct Reply {
        var status: Int
        var headers: [String: String]
        var body: [UInt8]
        var text: String { String(decoding: body.prefix(512), as: UTF8.self) }
    }

    /// Collects one transfer's headers and body; curl's callbacks reach it through an unmanaged pointer.
    private final class Sink {
        var headers: [String: String] = [:]
        var body: [UInt8] = []
        var overflow = false
    }

    private func perform(method: String, path: String, body: [UInt8]?, errorType: String?) throws -> Reply {
        curl_easy_reset(handle)
        let sink = Sink()
        let sinkPointer = Unmanaged.passUnretained(sink).toOpaque()
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }
        headerList = curl_slist_append(headerList, "Expect:")
        if let errorType {
            headerList = curl_slist_append(headerList, "Lambda-Runtime-Function-Error-Type: \(errorType)")
        }
        if body != nil {
            headerList = curl_slist_append(headerList, "Content-Type: application/json")
        }

        let url = baseURL + path
        imagicon_curl_setopt_str(handle, CURLOPT_URL, url)
        imagicon_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1)
        imagicon_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1)
        imagicon_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1)
        imagicon_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, 5000)
        // /next is a long poll: no total timeout, Lambda freezes the process between events.
        imagicon_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, 0)
        imagicon_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList)
        imagicon_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, sinkPointer)
        imagicon_curl_setopt_fn(
            handle, CURLOPT_HEADERFUNCTION,
            { data, size, count, user in
                let length = size * count
                guard let data, let user else { return length }
                let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
                let line = String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
                if let colon = line.firstIndex(of: ":") {
                    let name = line[..<colon].lowercased()
                    let value = line[line.index(after: colon)...].trimmingCharacters(in: " \t\r\n")
                    sink.headers[name] = value
                }
                return length
            })
        imagicon_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, sinkPointer)
        imagicon_curl_setopt_fn(
            handle, CURLOPT_WRITEFUNCTION,
            { data, size, count, user in
                let length = size * count
                guard let data, let user else { return length }
                let sink = Unmanaged<Sink>.fromOpaque(user).takeUnretainedValue()
                if sink.body.count + length > CurlRuntimeAPI.maxBodyBytes {
                    sink.overflow = true
                    return 0 // aborts the transfer
                }
                data.withMemoryRebound(to: UInt8.self, capacity: length) {
                    sink.body.append(contentsOf: UnsafeBufferPointer(start: $0, count: length))
                }
                return length
            })

        let code: CURLcode = try withExtendedLifetime(sink) {
            if let body {
                return body.withUnsafeBufferPointer { buffer in
                    imagicon_curl_setopt_long(handle, CURLOPT_POST, 1)
                    imagicon_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(buffer.count))
                    imagicon_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, buffer.baseAddress ?? UnsafePointer(bitPattern: 1))
                    return curl_easy_perform(handle)
                }
            }
            guard method == "GET" else { throw LambdaRuntimeError(.transport, "unsupported method \(method)") }
            imagicon_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
            return curl_easy_perform(handle)
        }
        if sink.overflow {
            throw LambdaRuntimeError(.responseTooLarge, "\(method) \(path): body over \(Self.maxBodyBytes) bytes")
        }
        guard code == CURLE_OK else {
            let reason = String(cString: curl_easy_strerror(code))
            throw LambdaRuntimeError(.transport, "\(method) \(url): \(reason)")
        }
        var status = 0
        imagicon_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return Reply(status: status, headers: sink.headers, body: sink.body)
    }
}

/// `curl_global_init` exactly once per process.
enum CurlGlobal {
    private static let once: Bool = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
        return true
    }()

    static func initialize() { _ = once }
}

extension StringProtocol {
    /// Trims the given ASCII characters from both ends. (AWSCore's `trimmingASCIIWhitespace` is the
    /// package's one trimming; LambdaRuntime depends on nothing of ours, so it keeps this small one.)
    func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self).unicodeScalars[...]
        while let first = scalars.first, set.unicodeScalars.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.unicodeScalars.contains(last) { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
