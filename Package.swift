// swift-tools-version:6.0
// Imagicon: S3 photo pipeline (thumbnails, EXIF, faces) as AWS Lambda functions.
// The map of modules and what each may import: docs/ARCHITECTURE.md (contracts: ../shared/DESIGN.md).
// Dependencies point one way: shims, CKernels (FaceKit's and ImageKit's C kernels), Parallel, ContainerKit (the one container walk, pure Swift) <- {LambdaRuntime, AWSCore,
// ImageKit, ExifKit, FaceKit} <- {S3, DynamoDB, SQS} <- Imagicon <- {bootstrap, imagicon}; People (faces into people)
// depends on nothing and Imagicon uses it;
// Benchmarks/ beside, never shipped.
import PackageDescription

/// A system-library shim: a module map over one C library found with pkg-config.
func shim(_ name: String, pkgConfig: String, apt: String) -> Target {
    .systemLibrary(name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

/// Optimised even in debug builds: pixel and tensor loops are unusable at -Onone.
let hotLoops: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "Imagicon",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bootstrap", targets: ["bootstrap"]),
        .executable(name: "imagicon", targets: ["ImagiconCLI"]),
        .executable(name: "imagicon-bench", targets: ["ImagiconBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
    ],
    targets: [
        // C library shims.
        shim("CTurboJPEG", pkgConfig: "libturbojpeg", apt: "libturbojpeg0-dev"),
        shim("CPNG", pkgConfig: "libpng16", apt: "libpng-dev"),
        shim("CExif", pkgConfig: "libexif", apt: "libexif-dev"),
        shim("CCurl", pkgConfig: "libcurl", apt: "libcurl4-openssl-dev"),
        // Types only: FaceKit loads OpenBLAS (libopenblas0) with dlopen on first use.
        .systemLibrary(name: "CBLAS", path: "Sources/CBLAS"),
        shim("CWebP", pkgConfig: "libwebp", apt: "libwebp-dev"),
        // Types only: ImageKit loads libheif (libheif1) with dlopen on the first HEIC/AVIF.
        .systemLibrary(name: "CHeif", path: "Sources/CHeif"),
        shim("CLCMS2", pkgConfig: "lcms2", apt: "liblcms2-dev"),
        shim("CZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),

        // Hand-written kernels (C: AVX2/FMA builds chosen at run time): FaceKit's convolutions, ImageKit's Lanczos passes.
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),

        // Libraries.
        .target(name: "Parallel"),
        // Pure Swift, no C: the one walk over JPEG/PNG/WebP/HEIF containers, shared by ImageKit and ExifKit.
        .target(name: "ContainerKit", swiftSettings: hotLoops),
        .target(name: "LambdaRuntime", dependencies: ["CCurl", .product(name: "Logging", package: "swift-log")]),
        .target(
            name: "AWSCore",
            dependencies: ["CCurl", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")]),
        .target(name: "S3", dependencies: ["AWSCore"]),
        .target(name: "DynamoDB", dependencies: ["AWSCore"]),
        .target(name: "SQS", dependencies: ["AWSCore"]),
        .target(
            name: "ImageKit",
            dependencies: ["CTurboJPEG", "CPNG", "CWebP", "CHeif", "CLCMS2", "CZlib", "CKernels", "Parallel", "ContainerKit"],
            swiftSettings: hotLoops
        ),
        .target(name: "ExifKit", dependencies: ["CExif", "ContainerKit"]),
        .target(name: "FaceKit", dependencies: ["CBLAS", "CKernels", "Parallel"], swiftSettings: hotLoops),
        .target(name: "People", swiftSettings: hotLoops),
        .target(
            name: "Imagicon",
            dependencies: [
                "LambdaRuntime", "AWSCore", "S3", "DynamoDB", "ContainerKit", "ImageKit", "ExifKit", "FaceKit", "People",
                .product(name: "Logging", package: "swift-log"),
            ]),

        // Executables.
        .executableTarget(
            name: "bootstrap",
            dependencies: ["Imagicon", "LambdaRuntime", "FaceKit", .product(name: "Logging", package: "swift-log")]),
        .executableTarget(
            name: "ImagiconCLI",
            dependencies: [
                "Imagicon", "LambdaRuntime", "ImageKit", "ExifKit", "FaceKit", "People", "AWSCore", "S3", "DynamoDB", "SQS",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "FlyingFox", package: "FlyingFox"),
            ]),

        // Benchmarks, apart from the product: `imagicon-bench` (run by scripts/bench) and the exact
        // reference resize that thumbnail quality is measured against.
        .target(name: "ImageQuality", dependencies: ["ImageKit"], path: "Benchmarks/ImageQuality"),
        .executableTarget(
            name: "ImagiconBench",
            dependencies: [
                "Imagicon", "ImageKit", "ImageQuality", "ExifKit", "FaceKit", "People", "AWSCore", "S3", "DynamoDB",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Benchmarks/ImagiconBench"),

        // Tests: one target per module, plus the slower end-to-end suite.
        .testTarget(name: "LambdaRuntimeTests", dependencies: ["LambdaRuntime", "TestSupport"]),
        .testTarget(name: "AWSCoreTests", dependencies: ["AWSCore", "TestSupport"], exclude: ["Fixtures"]),
        .target(
            name: "TestSupport", dependencies: ["AWSCore", "LambdaRuntime", .product(name: "Logging", package: "swift-log")],
            path: "Tests/TestSupport"),
        .testTarget(name: "S3Tests", dependencies: ["S3", "AWSCore", "TestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "DynamoDBTests", dependencies: ["DynamoDB", "AWSCore", "TestSupport"]),
        .testTarget(name: "SQSTests", dependencies: ["SQS", "S3", "AWSCore", "TestSupport"]),
        .testTarget(name: "ImageKitTests", dependencies: ["ImageKit", "ContainerKit", "ImageQuality", "CLCMS2"], exclude: ["Fixtures"]),
        .testTarget(name: "ContainerKitTests", dependencies: ["ContainerKit"]),
        .testTarget(name: "ExifKitTests", dependencies: ["ExifKit", "ContainerKit"]),
        .testTarget(name: "FaceKitTests", dependencies: ["FaceKit", "ImageKit", "CTurboJPEG", "CPNG"], exclude: ["Fixtures"]),
        .testTarget(name: "PeopleTests", dependencies: ["People"]),
        .testTarget(
            name: "ImagiconTests",
            dependencies: [
                "Imagicon", "TestSupport", "AWSCore", "S3", "DynamoDB", "ImageKit", "FaceKit", "LambdaRuntime",
                .product(name: "Logging", package: "swift-log"),
            ]),
        .testTarget(name: "EndToEndTests", dependencies: ["S3", "DynamoDB", "AWSCore", "ImageKit", "TestSupport"], exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
