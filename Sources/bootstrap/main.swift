// The Lambda executable: picks the handler from `_HANDLER` and runs the Runtime API loop.
import FaceKit
import Imagicon
import LambdaRuntime
import Logging

#if canImport(Glibc)
    import Glibc
#endif

MallocTuning.configure()
OpenBLASEnvironment.configure()
JSONLogHandler.bootstrap()
ShutdownSignal.install()
let logger = Logger(label: "bootstrap")
let environment = FileSystem.environment()

guard let endpoint = environment["AWS_LAMBDA_RUNTIME_API"] else {
    logger.critical("AWS_LAMBDA_RUNTIME_API is not set: bootstrap must be started by Lambda or `imagicon invoke`")
    exit(2)
}

do {
    let api = try CurlRuntimeAPI(endpoint: endpoint)
    try await LambdaRuntime(api: api, logger: logger).run {
        try HandlerFactory.make(environment: environment)
    }
    exit(0)
} catch let error as ConfigurationError {
    // Already reported through /init/error; Lambda restarts the environment.
    logger.critical("init error: \(error.message)")
    exit(1)
} catch {
    logger.critical("runtime loop stopped: \(error)")
    exit(1)
}
