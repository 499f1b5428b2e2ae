import ArgumentParser
import ExifKit

#if canImport(Glibc)
    import Glibc
#endif

/// `imagicon exif FILE`: prints the file's PhotoMetadata as one JSON object (DESIGN.md contract).
struct ExifCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exif",
        abstract: "Print a photo's EXIF metadata (PhotoMetadata JSON).")

    @Argument(help: "A JPEG, PNG, WebP or TIFF/EXIF file.")
    var file: String

    @Flag(help: "Indent the JSON.")
    var pretty = false

    @Flag(help: "Log libexif's parser diagnostics on stderr.")
    var verbose = false

    func run() throws {
        do {
            let extraction = try ExifReader.extract(from: ExifReader.readFile(file))
            if verbose {
                for line in extraction.warnings { ExifStandardError.write("libexif: \(line)\n") }
            }
            print(extraction.metadata.jsonString(pretty: pretty))
        } catch {
            ExifStandardError.write("imagicon exif: \(error.message)\n")
            throw ExitCode(1)
        }
    }
}

/// Writes diagnostics to stderr (stdout carries the one JSON document).
private enum ExifStandardError {
    /// Writes `text` to file descriptor 2, unbuffered.
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { _ = Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
