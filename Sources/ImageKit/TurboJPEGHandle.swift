import CTurboJPEG

/// Owns one TurboJPEG compressor or decompressor handle and destroys it on release.
final class TurboJPEGHandle {
    let raw: tjhandle

    /// A decompressor (`compress == false`) or a compressor.
    init(compress: Bool) throws {
        guard let handle = compress ? tjInitCompress() : tjInitDecompress() else {
            throw ImageError(compress ? .encodingFailed : .corrupt, "TurboJPEG could not be initialised.")
        }
        raw = handle
    }

    deinit { tjDestroy(raw) }

    /// The last error or warning text of this handle.
    var message: String {
        guard let text = tjGetErrorStr2(raw) else { return "unknown TurboJPEG error" }
        return String(cString: text)
    }

    /// True when the last failure was only a warning (the image was decoded completely).
    var lastFailureWasWarning: Bool { tjGetErrorCode(raw) == Int32(TJERR_WARNING.rawValue) }
}
