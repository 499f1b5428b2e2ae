import ArgumentParser
import FaceKit

/// `imagicon-bench ...`: side-by-side benchmarks against the peer tools. Kept out of the `imagicon`
/// binary people install (no embedded Python, no peer tooling there); `scripts/bench` runs them.
@main
struct BenchCommand: AsyncParsableCommand {
    /// Single-threaded OpenBLAS first (see `OpenBLASEnvironment`), as in the shipped executables.
    static func main() async {
        OpenBLASEnvironment.configure()
        await main(nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "imagicon-bench",
        abstract: "Benchmarks against peer tools (vipsthumbnail, Pillow, dlib, exiftool).",
        subcommands: [
            BenchThumbnailsCommand.self,
            BenchExifCommand.self,
            BenchAWSCommand.self,
            BenchFacesCommand.self,
            BenchConvertCommand.self,
            BenchPeopleCommand.self,
            BenchIndexCommand.self,
            BenchProcessCommand.self,
            BenchStagesCommand.self,
            BenchDetectionCommand.self,
        ]
    )
}
