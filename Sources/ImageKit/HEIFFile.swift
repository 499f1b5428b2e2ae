import CHeif
import ContainerKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One parsed HEIF/AVIF file: owns a `heif_context` (freed in deinit).
///
/// libheif reads the file in place (no copy), so a `HEIFFile` lives only inside
/// `HEIFFile.read(_:_:)`'s closure, while the bytes are pinned.
final class HEIFFile {
    let library: HEIFLibrary
    private let context: HEIFLibrary.Context

    /// The largest width or height libheif may allocate for (its security limit).
    static let maximumSide: Int32 = 65_535

    private init(library: HEIFLibrary, context: HEIFLibrary.Context) {
        self.library = library
        self.context = context
    }

    deinit { library.contextFree(context) }

    /// Parses `bytes` with libheif's limits set and runs `body` on the file.
    static func read<T>(_ bytes: [UInt8], _ body: (HEIFFile) throws -> T) throws -> T {
        let library = try HEIFLibrary.load()
        guard let context = library.contextAlloc() else { throw ImageError(.corrupt, "libheif could not allocate a context.") }
        let file = HEIFFile(library: library, context: context)
        library.setMaximumImageSizeLimit(context, maximumSide)
        // Grid tiles (a 12 MP iPhone photo is 48 of them) decode on as many threads as there are
        // cores, as heif-convert does: one thread doubled the wall time of a 12 MP thumbnail.
        library.setMaxDecodingThreads(context, Int32(max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))))
        return try bytes.withUnsafeBytes { raw in
            try HEIFFile.check(library.readFromMemory(context, raw.baseAddress, raw.count, nil), "read")
            return try withExtendedLifetime(file) { try body(file) }
        }
    }

    /// The primary image (never a thumbnail or an auxiliary image).
    func primaryImage() throws -> HEIFImageHandle {
        var handle: HEIFLibrary.Handle?
        try HEIFFile.check(library.primaryImageHandle(context, &handle), "find the primary image of")
        guard let handle else { throw ImageError(.corrupt, "The HEIF file has no primary image.") }
        return HEIFImageHandle(file: self, handle: handle)
    }

    /// Throws the `ImageError` for a libheif error, if it is one.
    static func check(_ error: heif_error, _ action: String) throws {
        guard error.code != heif_error_Ok else { return }
        let message = error.message.map { String(cString: $0) } ?? "unknown error"
        let code: ImageError.Code
        switch error.code {
        case heif_error_Invalid_input where error.subcode == heif_suberror_End_of_data: code = .truncated
        case heif_error_Unsupported_filetype, heif_error_Unsupported_feature: code = .unsupportedFormat
        case heif_error_Memory_allocation_error where error.subcode == heif_suberror_Security_limit_exceeded: code = .tooLarge
        default: code = .corrupt
        }
        throw ImageError(code, "Could not \(action) the HEIF/AVIF file: \(message).")
    }
}

/// One image of a HEIF file: owns a `heif_image_handle` (released in deinit) and keeps its file alive.
final class HEIFImageHandle {
    private let file: HEIFFile
    private let handle: HEIFLibrary.Handle
    private var library: HEIFLibrary { file.library }

    fileprivate init(file: HEIFFile, handle: HEIFLibrary.Handle) {
        self.file = file
        self.handle = handle
    }

    deinit { library.handleRelease(handle) }

    /// The coded size from `ispe`, before any transform: what the decoder allocates.
    var codedSize: (width: Int, height: Int) { (Int(library.handleISPEWidth(handle)), Int(library.handleISPEHeight(handle))) }
    /// The displayed size, with `clap`/`irot`/`imir` applied.
    var size: (width: Int, height: Int) { (Int(library.handleWidth(handle)), Int(library.handleHeight(handle))) }
    /// True when the image has an alpha plane.
    var hasAlpha: Bool { library.handleHasAlpha(handle) != 0 }
    /// Bits per luma sample (8, 10, 12), or 8 when not declared.
    var bitDepth: Int {
        let bits = Int(library.handleLumaBits(handle))
        return bits > 0 ? bits : 8
    }

    /// The embedded ICC profile (`colr` `prof`/`rICC`), if any.
    var iccProfile: [UInt8]? {
        let type = library.handleColorProfileType(handle)
        guard type == heif_color_profile_type_prof || type == heif_color_profile_type_rICC else { return nil }
        let size = library.handleRawColorProfileSize(handle)
        guard size > 0, size < 64 << 20 else { return nil }
        var profile = [UInt8](repeating: 0, count: size)
        let error = profile.withUnsafeMutableBytes { library.handleRawColorProfile(handle, $0.baseAddress) }
        return error.code == heif_error_Ok ? profile : nil
    }

    /// The `colr` `nclx` colour description (primaries, transfer), if any.
    var nclx: (primaries: Int, transfer: Int)? {
        var profile: UnsafeMutablePointer<heif_color_profile_nclx>?
        guard library.handleNCLXColorProfile(handle, &profile).code == heif_error_Ok, let profile else { return nil }
        defer { library.nclxFree(profile) }
        return (Int(profile.pointee.color_primaries.rawValue), Int(profile.pointee.transfer_characteristics.rawValue))
    }

    /// Decodes to interleaved RGB(A), 8 bits per sample: deeper samples are scaled with
    /// rounding, or converted to sRGB from their full depth when `profile` asks for a conversion
    /// (straight out of libheif's planes: no intermediate copy). With `transforms`, libheif's are
    /// off and only their `clap` crop is applied here, while copying (the pixels stay in stored
    /// orientation); without, libheif applies them all.
    ///
    /// Images without alpha are taken as the planar RGB libheif 1.15 assembles every image in
    /// (tiles are converted from YCbCr into it), so libheif makes no interleaved copy of 12 MP:
    /// one full-size buffer and one pass fewer. Alpha images are taken interleaved, libheif
    /// bringing the alpha plane to the colour's depth.
    func decode(profile: ColorProfile?, transforms: [HEIFTransform]?) throws -> PixelBuffer {
        let alpha = hasAlpha
        let deep = bitDepth > 8
        let chroma: heif_chroma =
            switch (alpha, deep) {
            case (false, _): heif_chroma_444
            case (true, false): heif_chroma_interleaved_RGBA
            case (true, true): heif_chroma_interleaved_RRGGBBAA_LE
            }
        guard let options = library.decodingOptionsAlloc() else { throw ImageError(.corrupt, "libheif could not allocate options.") }
        defer { library.decodingOptionsFree(options) }
        options.pointee.ignore_transformations = transforms == nil ? 0 : 1
        var raw: HEIFLibrary.Image?
        try HEIFFile.check(library.decodeImage(handle, &raw, heif_colorspace_RGB, chroma, options), "decode")
        guard let raw else { throw ImageError(.corrupt, "libheif returned no image.") }
        let image = HEIFDecodedImage(library: library, image: raw)
        return try alpha
            ? image.interleavedPixels(channels: 4, bitDepth: deep ? bitDepth : 8, profile: profile, transforms: transforms)
            : image.planarPixels(profile: profile, transforms: transforms)
    }
}

/// A decoded `heif_image` (released in deinit).
final class HEIFDecodedImage {
    private let library: HEIFLibrary
    private let image: HEIFLibrary.Image

    init(library: HEIFLibrary, image: HEIFLibrary.Image) {
        self.library = library
        self.image = image
    }

    deinit { library.imageRelease(image) }

    /// A deep sample (0...maximum) scaled to 8 bits with rounding.
    @inline(__always)
    static func eightBit(_ v: UInt32, maximum: UInt32) -> UInt8 { UInt8((v * 255 + maximum / 2) / maximum) }

    /// The interleaved plane as an 8-bit `PixelBuffer` (see `pixels(_:width:height:profile:transforms:)`).
    func interleavedPixels(channels: Int, bitDepth: Int, profile: ColorProfile?, transforms: [HEIFTransform]?) throws -> PixelBuffer {
        let pixelBytes = channels * (bitDepth > 8 ? 2 : 1)
        let (width, height, plane, stride) = try self.plane(heif_channel_interleaved, minimumRowBytes: pixelBytes)
        return try pixels(
            { x, y, w, h in
                SampleRows(
                    base: plane + y * stride + x * pixelBytes, stride: stride, width: w, height: h, channels: channels, bitDepth: bitDepth)
            }, width: width, height: height, profile: profile, transforms: transforms)
    }

    /// The planar R, G, B planes (of one depth) as an 8-bit `PixelBuffer` (see `pixels(_:width:height:profile:transforms:)`).
    func planarPixels(profile: ColorProfile?, transforms: [HEIFTransform]?) throws -> PixelBuffer {
        let channels = [heif_channel_R, heif_channel_G, heif_channel_B]
        let bitDepth = Int(library.imageBitsPerPixelRange(image, heif_channel_R))
        guard (8...16).contains(bitDepth), channels.allSatisfy({ Int(library.imageBitsPerPixelRange(image, $0)) == bitDepth }) else {
            throw ImageError(.corrupt, "libheif returned RGB planes of different or unusable depths.")
        }
        let sampleBytes = bitDepth > 8 ? 2 : 1
        let planes = try channels.map { try plane($0, minimumRowBytes: sampleBytes) }
        let (width, height) = (planes[0].width, planes[0].height)
        guard planes.allSatisfy({ $0.width == width && $0.height == height }) else {
            throw ImageError(.corrupt, "libheif returned RGB planes of different sizes.")
        }
        return try pixels(
            { x, y, w, h in
                SampleRows(
                    planes: planes.map { $0.base + y * $0.stride + x * sampleBytes }, strides: planes.map(\.stride), width: w, height: h,
                    bitDepth: bitDepth)
            }, width: width, height: height, profile: profile, transforms: transforms)
    }

    /// One plane: its size, first sample and stride, checked to hold rows of `minimumRowBytes` per pixel.
    private func plane(_ channel: heif_channel, minimumRowBytes: Int) throws -> (
        width: Int, height: Int, base: UnsafeRawPointer, stride: Int
    ) {
        let width = Int(library.imageWidth(image, channel))
        let height = Int(library.imageHeight(image, channel))
        var stride: Int32 = 0
        guard width > 0, height > 0, let plane = library.imagePlane(image, channel, &stride) else {
            throw ImageError(.corrupt, "libheif returned an image without pixels.")
        }
        guard Int(stride) >= width * minimumRowBytes else { throw ImageError(.corrupt, "libheif returned a short row.") }
        return (width, height, UnsafeRawPointer(plane), Int(stride))
    }

    /// The decoded samples as an 8-bit `PixelBuffer`, cropped to the `clap` of `transforms`
    /// (computed on the decoded size, as libheif does): converted to sRGB through `profile` when
    /// it asks for that, otherwise copied (deep samples rounded to 8 bits). `rows(x, y, w, h)`
    /// are the samples of the rectangle kept.
    private func pixels(
        _ rows: (Int, Int, Int, Int) -> SampleRows, width: Int, height: Int, profile: ColorProfile?, transforms: [HEIFTransform]?
    ) throws -> PixelBuffer {
        let crop = try transforms.map { try HEIFGeometry($0, width: width, height: height) }
        let kept = rows(crop?.x ?? 0, crop?.y ?? 0, crop?.width ?? width, crop?.height ?? height)
        return withExtendedLifetime(self) { profile.flatMap { ColorConverter.convert(kept, profile: $0) } ?? kept.eightBit() }
    }
}
