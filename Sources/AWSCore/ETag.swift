/// Entity tags as S3 and HTTP carry them.
public enum ETag {
    /// The tag without its surrounding double quotes (`"abc"` -> `abc`); other text is returned as is,
    /// so quoted and bare forms of one tag compare equal after this.
    public static func unquote(_ tag: some StringProtocol) -> String {
        let tag = String(tag)
        let utf8 = tag.utf8
        if utf8.count >= 2, utf8.first == UInt8(ascii: "\""), utf8.last == UInt8(ascii: "\"") {
            return String(tag.dropFirst().dropLast())
        }
        return tag
    }
}
