import CHeif

#if canImport(Glibc)
    import Glibc
#endif

/// libheif, loaded with `dlopen` the first time a HEIF or AVIF file is read.
///
/// Loaded rather than linked: libheif pulls in libde265, dav1d, aom and x265 (tens of MB of
/// relocations), which a process that only ever sees JPEGs should not pay for at cold start.
/// Debian's libheif1 1.15 has its decoders built in (HEVC: libde265; AV1: dav1d, then aom).
struct HEIFLibrary: @unchecked Sendable {
    /// The library's soname, found through the executable's RUNPATH and the loader cache.
    static let soname = "libheif.so.1"

    typealias Context = OpaquePointer
    typealias Handle = OpaquePointer
    typealias Image = OpaquePointer

    let version: @convention(c) () -> UnsafePointer<CChar>?
    let contextAlloc: @convention(c) () -> Context?
    let contextFree: @convention(c) (Context?) -> Void
    let readFromMemory: @convention(c) (Context?, UnsafeRawPointer?, Int, OpaquePointer?) -> heif_error
    let setMaximumImageSizeLimit: @convention(c) (Context?, Int32) -> Void
    let setMaxDecodingThreads: @convention(c) (Context?, Int32) -> Void
    let primaryImageHandle: @convention(c) (Context?, UnsafeMutablePointer<Handle?>?) -> heif_error
    let handleRelease: @convention(c) (Handle?) -> Void
    let handleWidth: @convention(c) (Handle?) -> Int32
    let handleHeight: @convention(c) (Handle?) -> Int32
    let handleISPEWidth: @convention(c) (Handle?) -> Int32
    let handleISPEHeight: @convention(c) (Handle?) -> Int32
    let handleHasAlpha: @convention(c) (Handle?) -> Int32
    let handleLumaBits: @convention(c) (Handle?) -> Int32
    let handleColorProfileType: @convention(c) (Handle?) -> heif_color_profile_type
    let handleRawColorProfileSize: @convention(c) (Handle?) -> Int
    let handleRawColorProfile: @convention(c) (Handle?, UnsafeMutableRawPointer?) -> heif_error
    let handleNCLXColorProfile:
        @convention(c) (Handle?, UnsafeMutablePointer<UnsafeMutablePointer<heif_color_profile_nclx>?>?) -> heif_error
    let nclxFree: @convention(c) (UnsafeMutablePointer<heif_color_profile_nclx>?) -> Void
    let decodingOptionsAlloc: @convention(c) () -> UnsafeMutablePointer<heif_decoding_options>?
    let decodingOptionsFree: @convention(c) (UnsafeMutablePointer<heif_decoding_options>?) -> Void
    let decodeImage:
        @convention(c) (Handle?, UnsafeMutablePointer<Image?>?, heif_colorspace, heif_chroma, UnsafePointer<heif_decoding_options>?) ->
            heif_error
    let imageRelease: @convention(c) (Image?) -> Void
    let imageWidth: @convention(c) (Image?, heif_channel) -> Int32
    let imageHeight: @convention(c) (Image?, heif_channel) -> Int32
    let imagePlane: @convention(c) (Image?, heif_channel, UnsafeMutablePointer<Int32>?) -> UnsafePointer<UInt8>?
    let imageBitsPerPixelRange: @convention(c) (Image?, heif_channel) -> Int32

    /// The loaded library (once per process, thread-safe).
    /// - Throws: `ImageError` (`.unsupportedFormat`) when libheif cannot be loaded.
    static func load() throws(ImageError) -> HEIFLibrary {
        switch loaded {
        case .success(let library): return library
        case .failure(let error): throw error
        }
    }

    /// libheif's version string, e.g. "1.15.1" ("unavailable" when it could not be loaded).
    public static var versionString: String {
        guard case .success(let library) = loaded, let v = library.version() else { return "unavailable" }
        return String(cString: v)
    }

    private static let loaded: Result<HEIFLibrary, ImageError> = {
        guard let handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown error"
            return .failure(ImageError(.unsupportedFormat, "HEIF/AVIF decoding is unavailable: libheif could not be loaded (\(reason))."))
        }
        var missing: [String] = []
        func symbol<T>(_ name: String, as type: T.Type = T.self) -> T {
            guard let pointer = dlsym(handle, name) else {
                missing.append(name)
                return unsafeBitCast(dlsym(handle, "heif_get_version"), to: type) // never called: load fails below
            }
            return unsafeBitCast(pointer, to: type)
        }
        guard dlsym(handle, "heif_get_version") != nil else {
            return .failure(ImageError(.unsupportedFormat, "HEIF/AVIF decoding is unavailable: \(soname) is not libheif."))
        }
        let library = HEIFLibrary(
            version: symbol("heif_get_version"),
            contextAlloc: symbol("heif_context_alloc"),
            contextFree: symbol("heif_context_free"),
            readFromMemory: symbol("heif_context_read_from_memory_without_copy"),
            setMaximumImageSizeLimit: symbol("heif_context_set_maximum_image_size_limit"),
            setMaxDecodingThreads: symbol("heif_context_set_max_decoding_threads"),
            primaryImageHandle: symbol("heif_context_get_primary_image_handle"),
            handleRelease: symbol("heif_image_handle_release"),
            handleWidth: symbol("heif_image_handle_get_width"),
            handleHeight: symbol("heif_image_handle_get_height"),
            handleISPEWidth: symbol("heif_image_handle_get_ispe_width"),
            handleISPEHeight: symbol("heif_image_handle_get_ispe_height"),
            handleHasAlpha: symbol("heif_image_handle_has_alpha_channel"),
            handleLumaBits: symbol("heif_image_handle_get_luma_bits_per_pixel"),
            handleColorProfileType: symbol("heif_image_handle_get_color_profile_type"),
            handleRawColorProfileSize: symbol("heif_image_handle_get_raw_color_profile_size"),
            handleRawColorProfile: symbol("heif_image_handle_get_raw_color_profile"),
            handleNCLXColorProfile: symbol("heif_image_handle_get_nclx_color_profile"),
            nclxFree: symbol("heif_nclx_color_profile_free"),
            decodingOptionsAlloc: symbol("heif_decoding_options_alloc"),
            decodingOptionsFree: symbol("heif_decoding_options_free"),
            decodeImage: symbol("heif_decode_image"),
            imageRelease: symbol("heif_image_release"),
            imageWidth: symbol("heif_image_get_width"),
            imageHeight: symbol("heif_image_get_height"),
            imagePlane: symbol("heif_image_get_plane_readonly"),
            imageBitsPerPixelRange: symbol("heif_image_get_bits_per_pixel_range"))
        guard missing.isEmpty else {
            return .failure(
                ImageError(.unsupportedFormat, "HEIF/AVIF decoding is unavailable: \(soname) lacks \(missing.joined(separator: ", "))."))
        }
        return .success(library)
    }()
}
