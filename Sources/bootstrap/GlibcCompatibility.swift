// Keeps the Lambda executable loadable on Amazon Linux 2023 (glibc 2.34) when it is built on a
// newer glibc (Debian 12 has 2.36).
//
// The Swift `Glibc` overlay (libswiftGlibc.a, one object linked into every program that uses
// `open`, `errno`, ...) contains `hypot(Float, Float)`, which calls C `hypotf`. Linked against
// glibc >= 2.35 that reference binds to `hypotf@GLIBC_2.35`, a version Amazon Linux 2023 lacks:
// the function would die at start with "symbol lookup error". Defining `hypotf` here makes the
// static linker resolve the overlay's reference inside the executable, so nothing imports the new
// version. scripts/package checks that no symbol newer than GLIBC 2.34 remains.

/// C `hypotf`: `sqrt(x² + y²)` without undue overflow. Squares of `Float`s cannot overflow or lose
/// precision in `Double`, so the single rounding back to `Float` gives a faithful result.
@_cdecl("hypotf")
func imagiconHypotf(_ x: Float, _ y: Float) -> Float {
    if x.isInfinite || y.isInfinite { return .infinity } // C: even when the other one is NaN
    let (a, b) = (Double(x), Double(y))
    return Float((a * a + b * b).squareRoot())
}
