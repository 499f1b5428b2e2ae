import ArgumentParser
import FaceKit
import Imagicon

/// The `imagicon` command-line tool: every subcommand prints one JSON document on stdout,
/// logs on stderr, and exits non-zero with a one-line reason on bad input.
@main
struct ImagiconCommand: AsyncParsableCommand {
    /// Tunes malloc (see `MallocTuning`) and sets up a single-threaded OpenBLAS environment (see
    /// `OpenBLASEnvironment`), then parses and runs as usual.
    static func main() async {
        MallocTuning.configure()
        OpenBLASEnvironment.configure()
        await main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "imagicon",
        abstract: "Photo pipeline tools: thumbnails, EXIF, faces, local Lambda replay.",
        subcommands: [
            AlbumCommand.self,
            InvokeCommand.self,
            ServeCommand.self,
            ProcessCommand.self,
            DemoCommand.self,
            ThumbnailCommand.self,
            ExifCommand.self,
            FacesCommand.self,
            PeopleCommand.self,
            SearchCommand.self,
            CompileModelsCommand.self,
        ]
    )
}
