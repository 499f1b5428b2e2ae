import Parallel

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Runs `body` over `0..<height` split into bands of at least 64 rows, at most one per core, in
/// parallel: the one way ImageKit spreads a per-row pass (resampling, colour conversion) over the
/// cores. Bands are disjoint, so each may write its own rows of a shared output.
func forEachRowBand(_ height: Int, _ body: (Range<Int>) -> Void) {
    let bands = max(1, min(ProcessInfo.processInfo.activeProcessorCount, height / 64))
    parallelFor(bands) { band in body((height * band / bands)..<(height * (band + 1) / bands)) }
}
