import FlyingFox
import Foundation

/// The HTTP server of `imagicon serve`: `/api/...` goes to the `api` function through the Function URL
/// gateway, everything else is a file of the web app.
struct WebServer: HTTPHandler {
    let gateway: FunctionURLGateway
    let webRoot: URL

    static let contentTypes = [
        "html": "text/html; charset=utf-8", "css": "text/css; charset=utf-8", "js": "text/javascript; charset=utf-8",
        "json": "application/json", "svg": "image/svg+xml", "png": "image/png", "ico": "image/x-icon",
        "webmanifest": "application/manifest+json", "txt": "text/plain; charset=utf-8",
    ]

    func handleRequest(_ request: FlyingFox.HTTPRequest) async throws -> FlyingFox.HTTPResponse {
        let path = request.target.path(percentEncoded: false)
        if path == "/api" || path.hasPrefix("/api/") {
            return await gateway.handle(request)
        }
        guard request.method == .GET || request.method == .HEAD else {
            return FunctionURLGateway.problem(405, "MethodNotAllowed", "Only GET is served here.")
        }
        return file(at: path == "/" ? "/index.html" : path, head: request.method == .HEAD)
    }

    /// A file under the web root; never anything outside it.
    func file(at path: String, head: Bool) -> FlyingFox.HTTPResponse {
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !parts.isEmpty, parts.allSatisfy({ $0 != ".." && $0 != "." && !$0.hasPrefix(".") && !$0.contains("\\") }) else {
            return notFound()
        }
        let url = parts.reduce(webRoot) { $0.appendingPathComponent(String($1)) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue,
            let data = FileManager.default.contents(atPath: url.path)
        else { return notFound() }
        let headers: FlyingFox.HTTPHeaders = [
            .contentType: Self.contentTypes[url.pathExtension.lowercased()] ?? "application/octet-stream",
            HTTPHeader("Cache-Control"): "no-cache",
            HTTPHeader("X-Content-Type-Options"): "nosniff",
            HTTPHeader("Referrer-Policy"): "no-referrer",
        ]
        return FlyingFox.HTTPResponse(statusCode: .ok, headers: headers, body: head ? Data() : data)
    }

    private func notFound() -> FlyingFox.HTTPResponse {
        FlyingFox.HTTPResponse(
            statusCode: .notFound, headers: [.contentType: "text/plain; charset=utf-8"], body: Data("Not found\n".utf8))
    }
}
