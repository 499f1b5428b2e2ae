import Foundation

/// `serve --album NAME [--upload DIR]`: makes (or, with `--data`, finds again) an album through the
/// app's own API, uploads a folder with the browser's presigned forms, and waits for `process`.
struct AlbumSeeder {
    /// The app's base URL, e.g. `http://127.0.0.1:8080`.
    let baseURL: String
    let adminToken: String
    let state: ServeState

    struct Album: Codable {
        var id: String
        var ownerToken: String
    }

    static let imageTypes = [
        "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp", "heic": "image/heic", "heif": "image/heif",
        "hif": "image/heif", "avif": "image/avif",
    ]

    /// The album called `name`: the one this data directory made before, else a new one.
    func album(named name: String) async throws -> (album: Album, isNew: Bool) {
        if let known = state.albums[name] { return (known, false) }
        let answer = try await call("POST", "/api/albums", token: adminToken, json: ["name": name], expect: 201)
        guard let album = answer["album"] as? [String: Any], let id = album["id"] as? String, let owner = answer["ownerToken"] as? String
        else {
            throw ServeError("POST /api/albums answered without album.id and ownerToken")
        }
        let made = Album(id: id, ownerToken: owner)
        try state.remember(album: made, as: name)
        return (made, true)
    }

    /// Uploads every photo of `directory` as a browser would; returns how many went up.
    func upload(_ directory: URL, to album: Album) async throws -> Int {
        let files = try FileManager.default.contentsOfDirectory(at: directory, includingPropertiesForKeys: nil)
            .filter { Self.imageTypes[$0.pathExtension.lowercased()] != nil }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        var sent = 0
        for start in stride(from: 0, to: files.count, by: 10) {
            let batch = Array(files[start..<min(start + 10, files.count)])
            let contents = try batch.map { url -> Data in
                guard let data = FileManager.default.contents(atPath: url.path) else { throw ServeError("cannot read \(url.path)") }
                return data
            }
            let request: [String: Any] = [
                "files": zip(batch, contents).map { url, data in
                    ["name": url.lastPathComponent, "size": data.count, "contentType": Self.imageTypes[url.pathExtension.lowercased()]!]
                }
            ]
            let answer = try await call("POST", "/api/albums/\(album.id)/uploads", token: album.ownerToken, json: request, expect: 200)
            guard let forms = answer["uploads"] as? [[String: Any]], forms.count == batch.count else {
                throw ServeError("POST .../uploads answered \(answer) for \(batch.count) file(s)")
            }
            for ((url, data), form) in zip(zip(batch, contents), forms) {
                guard let target = form["url"] as? String, let fields = form["fields"] as? [String: String] else {
                    throw ServeError("an upload form has no url/fields")
                }
                try await Self.postForm(
                    target, fields: fields, file: data, name: url.lastPathComponent,
                    contentType: Self.imageTypes[url.pathExtension.lowercased()]!)
                sent += 1
            }
        }
        return sent
    }

    /// Waits until the album lists `count` photos that `process` has finished (processed or failed).
    func waitForProcessing(_ album: Album, count: Int, timeoutSeconds: Double = 900) async throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        while Date() < deadline {
            var finished = 0
            var cursor: String?
            repeat {
                var path = "/api/albums/\(album.id)/photos?limit=100"
                if let cursor, let encoded = cursor.addingPercentEncoding(withAllowedCharacters: .alphanumerics) {
                    path += "&cursor=\(encoded)"
                }
                let page = try await call("GET", path, token: album.ownerToken, expect: 200)
                for photo in page["photos"] as? [[String: Any]] ?? [] {
                    let status = photo["status"] as? String ?? "processed"
                    if status == "processed" || status == "failed" { finished += 1 }
                }
                cursor = page["cursor"] as? String
            } while cursor != nil
            if finished >= count { return }
            try await Task.sleep(for: .milliseconds(500))
        }
        throw ServeError("the uploaded photos were not processed within \(Int(timeoutSeconds)) s")
    }

    /// One API call; the JSON answer as a dictionary.
    private func call(_ method: String, _ path: String, token: String, json: [String: Any]? = nil, expect: Int) async throws -> [String:
        Any]
    {
        var headers = [("Authorization", "Bearer \(token)"), ("Accept", "application/json")]
        var body: [UInt8] = []
        if let json {
            body = Array(try JSONSerialization.data(withJSONObject: json))
            headers.append(("Content-Type", "application/json"))
        }
        let response = try await LocalHTTP.send(method, baseURL + path, headers: headers, body: body, timeoutSeconds: 120)
        guard response.status == expect || (200..<300).contains(response.status) else {
            throw ServeError("\(method) \(path) answered \(response.status): \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
        return (try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any]) ?? [:]
    }

    /// A browser's form upload (multipart/form-data: the policy fields, then the file).
    static func postForm(_ url: String, fields: [String: String], file: Data, name: String, contentType: String) async throws {
        let boundary = "imagicon-\(UUID().uuidString)"
        var body = Data()
        for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
            body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(key)\"\r\n\r\n\(value)\r\n".utf8))
        }
        let safeName = name.replacingOccurrences(of: "\"", with: "_")
        body.append(
            Data(
                "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(safeName)\"\r\nContent-Type: \(contentType)\r\n\r\n"
                    .utf8))
        body.append(file)
        body.append(Data("\r\n--\(boundary)--\r\n".utf8))
        let response = try await LocalHTTP.send(
            "POST", url, headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: Array(body), timeoutSeconds: 300)
        guard (200..<300).contains(response.status) else {
            throw ServeError("uploading \(name) answered \(response.status): \(String(decoding: response.body.prefix(500), as: UTF8.self))")
        }
    }
}
