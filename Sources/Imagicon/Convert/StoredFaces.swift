import DynamoDB

/// The face boxes the `process` function recorded for an original (DESIGN.md's storage
/// contract), so `fit=smart` can skip face detection (seconds) for a table read (milliseconds).
public struct StoredFaces: Sendable {
    /// Faces of one image, in displayed pixels of a `width` x `height` image.
    public struct Record: Sendable, Equatable {
        /// Displayed width the boxes refer to.
        public var width: Int
        /// Displayed height the boxes refer to.
        public var height: Int
        /// The boxes.
        public var faces: [SmartCrop.Face]
    }

    let dynamo: DynamoDBClient
    let table: String

    /// Reads records from `table`.
    public init(dynamo: DynamoDBClient, table: String) {
        self.dynamo = dynamo
        self.table = table
    }

    /// The recorded faces of `key`, or nil (detect instead) unless its image item is `processed`,
    /// from `bucket`, and from the same bytes (`etag`, quotes ignored). Read failures are nil too:
    /// the records only save time.
    public func record(bucket: String, key: String, etag: String) async -> Record? {
        let album = StorageLayout.album(ofKey: key)
        let pk = AttributeValue.s(StorageLayout.partitionKey(album: album))
        guard let image = try? await dynamo.getItem(table: table, key: ["PK": pk, "SK": .s(StorageLayout.imageSortKey(key: key))]),
            image["status"]?.stringValue == "processed", image["bucket"]?.stringValue == bucket,
            let stored = image["etag"]?.stringValue, Self.unquote(stored) == Self.unquote(etag),
            let width = image["width"]?.numberString.flatMap(Int.init), let height = image["height"]?.numberString.flatMap(Int.init),
            let count = image["faceCount"]?.numberString.flatMap(Int.init), (0...10_000).contains(count)
        else { return nil }
        if count == 0 { return Record(width: width, height: height, faces: []) }
        let query = DynamoDBQuery(
            table: table, keyCondition: "PK = :pk AND begins_with(SK, :prefix)",
            attributes: .init(values: [":pk": pk, ":prefix": .s(StorageLayout.faceSortKeyPrefix(key: key))]))
        guard let items = try? await dynamo.queryAll(query, maxPages: 8) else { return nil }
        let faces = items.compactMap { item -> SmartCrop.Face? in
            guard let box = item["box"]?.mapValue,
                let l = box["left"]?.numberString.flatMap(Double.init), let t = box["top"]?.numberString.flatMap(Double.init),
                let r = box["right"]?.numberString.flatMap(Double.init), let b = box["bottom"]?.numberString.flatMap(Double.init)
            else { return nil }
            return SmartCrop.Face(
                left: l, top: t, right: r, bottom: b,
                confidence: item["confidence"]?.numberString.flatMap(Double.init) ?? 0)
        }
        // Face items are written before the image item; a mismatch means a write in progress.
        return faces.count == count ? Record(width: width, height: height, faces: faces) : nil
    }

    static func unquote(_ etag: String) -> Substring {
        var s = Substring(etag)
        if s.hasPrefix("\"") { s = s.dropFirst() }
        if s.hasSuffix("\"") { s = s.dropLast() }
        return s
    }
}
