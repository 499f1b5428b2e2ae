import ArgumentParser
import FaceKit
import Imagicon

/// `imagicon-bench ...`: side-by-side benchmarks against the peer tools. Kept out of the `imagicon`
/// binary people install (no embedded Python, no peer tooling there); `scripts/bench` runs them.
@main
struct BenchCommand: AsyncParsableCommand {
    /// Tuned malloc (see `MallocTuning`) and single-threaded OpenBLAS (see `OpenBLASEnvironment`)
    /// first, as in the shipped executables, so that the children measured (`process`, `stages`)
    /// allocate as `bootstrap` and `imagicon` do (`IMAGICON_MALLOC=default` for glibc's defaults).
    static func main() async {
        MallocTuning.configure()
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
            BenchProposalDataCommand.self,
            BenchStagesCommand.self,
            BenchDetectionCommand.self,
        ]
    )
}
