/// The one check for names people type (album names, person names): trimmed, at least one character,
/// no control characters, and capped both in characters and in UTF-8 bytes — a single character can
/// carry megabytes of combining marks, and a name must always fit an item (see `StorageBounds`).
enum DisplayName {
    /// The trimmed name, or nil when it is empty, too long or holds control characters.
    static func validated(_ raw: String, maxCharacters: Int) -> String? {
        let name = raw.trimmingASCIIWhitespace()
        guard (1...maxCharacters).contains(name.count), name.utf8.count <= 4 * maxCharacters,
            !name.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
        else { return nil }
        return name
    }
}
