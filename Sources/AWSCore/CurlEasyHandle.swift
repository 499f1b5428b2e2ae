import CCurl
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `curl_global_init`, run exactly once (Swift initialises globals lazily and thread-safely).
let curlGlobalInitResult: CURLcode = curl_global_init(Int(CURL_GLOBAL_SSL | CURL_GLOBAL_WIN32))

/// The CA bundle libcurl should use: Amazon Linux's path, then Debian's; nil keeps libcurl's default.
let curlCABundle: String? = ["/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/certs/ca-certificates.crt"]
    .first { access($0, R_OK) == 0 }

/// Owns one libcurl easy handle. libcurl keeps the connection cache inside the handle, so
/// reusing it gives keep-alive. Not thread-safe: `CurlTransport` lends each handle to one
/// transfer at a time.
final class CurlEasyHandle: @unchecked Sendable {
    let handle: UnsafeMutableRawPointer

    init() throws(AWSError) {
        guard curlGlobalInitResult == CURLE_OK else {
            throw AWSError(.configuration, "curl_global_init failed: code \(curlGlobalInitResult.rawValue)")
        }
        guard let handle = curl_easy_init() else { throw AWSError(.configuration, "curl_easy_init failed") }
        self.handle = handle
    }

    deinit { curl_easy_cleanup(handle) }

    /// Runs one transfer synchronously on the calling thread; setting `cancellation` aborts
    /// it within libcurl's progress-callback interval (about a second at worst, usually sooner).
    func perform(_ request: HTTPRequest, limits: TransportLimits, cancellation: CancellationFlag? = nil) throws(AWSError) -> HTTPResponse {
        curl_easy_reset(handle) // options only; the connection cache survives
        let state = TransferState(maxResponseBytes: limits.maxResponseBytes, cancellation: cancellation)
        var headerList: UnsafeMutablePointer<curl_slist>? = nil
        defer { curl_slist_free_all(headerList) }

        var setupFailed = false
        func check(_ code: CURLcode) { if code != CURLE_OK { setupFailed = true } }

        let url = request.url
        check(imagicon_curl_setopt_str(handle, CURLOPT_URL, url))
        check(imagicon_curl_setopt_long(handle, CURLOPT_NOSIGNAL, 1))
        check(imagicon_curl_setopt_long(handle, CURLOPT_PATH_AS_IS, 1))
        check(imagicon_curl_setopt_long(handle, CURLOPT_TCP_NODELAY, 1))
        check(imagicon_curl_setopt_long(handle, CURLOPT_TCP_KEEPALIVE, 1))
        check(imagicon_curl_setopt_long(handle, CURLOPT_FOLLOWLOCATION, 0))
        check(imagicon_curl_setopt_long(handle, CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeoutMilliseconds))
        check(imagicon_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, limits.totalTimeoutMilliseconds))
        // Abort transfers that stall: below 1 byte/s for the low-speed window.
        check(imagicon_curl_setopt_long(handle, CURLOPT_LOW_SPEED_LIMIT, 1))
        check(imagicon_curl_setopt_long(handle, CURLOPT_LOW_SPEED_TIME, max(1, limits.stallTimeoutSeconds)))
        check(imagicon_curl_setopt_long(handle, CURLOPT_PROTOCOLS, Int(CURLPROTO_HTTP | CURLPROTO_HTTPS)))
        if let bundle = curlCABundle { check(imagicon_curl_setopt_str(handle, CURLOPT_CAINFO, bundle)) }

        let hasBody = !request.body.isEmpty || request.method == "PUT" || request.method == "POST"
        switch request.method {
        case "GET" where !hasBody: check(imagicon_curl_setopt_long(handle, CURLOPT_HTTPGET, 1))
        case "HEAD": check(imagicon_curl_setopt_long(handle, CURLOPT_NOBODY, 1))
        default:
            if hasBody {
                check(imagicon_curl_setopt_long(handle, CURLOPT_UPLOAD, 1))
                check(imagicon_curl_setopt_off(handle, CURLOPT_INFILESIZE_LARGE, curl_off_t(request.body.count)))
            }
            if request.method != "PUT" || !hasBody { check(imagicon_curl_setopt_str(handle, CURLOPT_CUSTOMREQUEST, request.method)) }
        }

        var sawHost = false
        for field in request.headers {
            // Header injection guard: a CR or LF would split the line into two headers.
            if field.name.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0x3A })
                || field.value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A })
            {
                throw AWSError(.invalidRequest, "header \(field.name) contains a line break")
            }
            if field.name.lowercased() == "host" { sawHost = true }
            headerList = curl_slist_append(headerList, field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if !sawHost { headerList = curl_slist_append(headerList, "Host: \(request.endpoint.hostHeader)") }
        headerList = curl_slist_append(headerList, "Expect:") // no 100-continue round trip
        headerList = curl_slist_append(headerList, "Accept:")
        check(imagicon_curl_setopt_slist(handle, CURLOPT_HTTPHEADER, headerList))

        let context = Unmanaged.passUnretained(state).toOpaque()
        check(imagicon_curl_setopt_fn(handle, CURLOPT_WRITEFUNCTION, curlWriteCallback))
        check(imagicon_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, context))
        check(imagicon_curl_setopt_fn(handle, CURLOPT_HEADERFUNCTION, curlHeaderCallback))
        check(imagicon_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, context))
        check(imagicon_curl_setopt_fn(handle, CURLOPT_READFUNCTION, curlReadCallback))
        check(imagicon_curl_setopt_ptr(handle, CURLOPT_READDATA, context))
        if cancellation != nil {
            check(imagicon_curl_setopt_xferinfo(handle, CURLOPT_XFERINFOFUNCTION, curlProgressCallback))
            check(imagicon_curl_setopt_ptr(handle, CURLOPT_XFERINFODATA, context))
            check(imagicon_curl_setopt_long(handle, CURLOPT_NOPROGRESS, 0))
        }
        guard !setupFailed else { throw AWSError(.invalidRequest, "libcurl rejected an option for \(request.method) \(request.endpoint)") }

        let result: CURLcode = request.body.withUnsafeBytes { body in
            state.upload = body
            defer { state.upload = UnsafeRawBufferPointer(start: nil, count: 0) }
            return curl_easy_perform(handle)
        }
        guard result == CURLE_OK else {
            throw Self.error(for: result, state: state, request: request)
        }
        var status = 0
        _ = imagicon_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: state.headers, body: state.body)
    }

    static func error(for code: CURLcode, state: TransferState, request: HTTPRequest) -> AWSError {
        let what = "\(request.method) \(request.endpoint)"
        if state.tooLarge {
            return AWSError(.responseTooLarge, "response to \(what) exceeds the limit of \(state.maxResponseBytes) bytes")
        }
        if state.cancellation?.isCancelled == true {
            return AWSError(.cancelled, "\(what) was cancelled")
        }
        let reason = String(cString: curl_easy_strerror(code))
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            return AWSError(.timeout, "\(what) timed out: \(reason)")
        case CURLE_URL_MALFORMAT, CURLE_UNSUPPORTED_PROTOCOL, CURLE_BAD_FUNCTION_ARGUMENT:
            return AWSError(.invalidRequest, "\(what): \(reason)")
        default:
            return AWSError(.connection, "\(what) failed: \(reason) (curl \(code.rawValue))")
        }
    }
}

/// Per-transfer state the C callbacks reach through their user pointer.
final class TransferState {
    let maxResponseBytes: Int
    var upload = UnsafeRawBufferPointer(start: nil, count: 0)
    var uploadOffset = 0
    var body: [UInt8] = []
    var headers = HTTPHeaders()
    var tooLarge = false
    let cancellation: CancellationFlag?

    init(maxResponseBytes: Int, cancellation: CancellationFlag? = nil) {
        self.maxResponseBytes = maxResponseBytes
        self.cancellation = cancellation
    }
}

/// Set from a task's cancellation handler, read by libcurl's progress callback.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    var isCancelled: Bool { flag.load(ordering: .acquiring) }
    func cancel() { flag.store(true, ordering: .releasing) }
}

private let curlProgressCallback: imagicon_curl_xferinfo_fn = { context, _, _, _, _ in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    return state.cancellation?.isCancelled == true ? 1 : 0 // non-zero aborts the transfer
}

private let curlWriteCallback: imagicon_curl_io_fn = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard state.body.count + length <= state.maxResponseBytes else {
        state.tooLarge = true
        return 0 // makes libcurl abort with CURLE_WRITE_ERROR
    }
    if length > 0, let data {
        state.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

private let curlReadCallback: imagicon_curl_io_fn = { buffer, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let remaining = state.upload.count - state.uploadOffset
    let length = min(size * count, remaining)
    if length > 0, let buffer, let base = state.upload.baseAddress {
        UnsafeMutableRawPointer(buffer).copyMemory(from: base + state.uploadOffset, byteCount: length)
        state.uploadOffset += length
    }
    return length
}

private let curlHeaderCallback: imagicon_curl_io_fn = { data, size, count, context in
    let state = Unmanaged<TransferState>.fromOpaque(context!).takeUnretainedValue()
    let length = size * count
    guard let data, length > 0 else { return length }
    let line = UnsafeRawBufferPointer(start: data, count: length)
    if line.starts(with: Array("HTTP/".utf8)) {
        state.headers = HTTPHeaders() // a new response (after 100 Continue): keep only the final headers
        return length
    }
    guard let colon = line.firstIndex(of: 0x3A) else { return length }
    let name = String(decoding: line[..<colon], as: UTF8.self).trimmingASCIIWhitespace()
    let value = String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingASCIIWhitespace()
    guard !name.isEmpty, state.headers.fields.count < 256 else { return length }
    state.headers.add(name, value)
    if name.lowercased() == "content-length", let expected = Int(value), expected > 0 {
        guard expected <= state.maxResponseBytes else {
            state.tooLarge = true
            return 0
        }
        state.body.reserveCapacity(expected)
    }
    return length
}
