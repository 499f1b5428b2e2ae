import LambdaRuntime

/// Echoes the event, fails on `fail`, reports the request id on `id`.
struct ScriptedHandler: LambdaHandler {
    struct Failure: Error, CustomStringConvertible { var description: String { "scripted failure" } }

    func handle(_ event: [UInt8], context: LambdaContext) async throws -> [UInt8] {
        switch String(decoding: event, as: UTF8.self) {
        case "fail": throw Failure()
        case "id": return Array(context.requestID.utf8)
        default: return event
        }
    }
}
