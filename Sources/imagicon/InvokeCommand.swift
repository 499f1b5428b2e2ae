import ArgumentParser

/// `imagicon invoke EVENT.json...`: serves events to a real `bootstrap` over a local Runtime API.
struct InvokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "invoke", abstract: "Replay events through a bootstrap child process.")
    @Argument var events: [String] = []
    func run() async throws { throw ValidationError("not built yet") }
}
