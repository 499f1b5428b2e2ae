import Foundation
import Synchronization

/// A wall clock tests move by hand: a client's `now`, advanced by its recorded sleeps
/// (``SleepLog/init(advancing:)``) and by the time a scripted call is made to take.
public final class TestClock: Sendable {
    private let current: Mutex<Date>

    /// A clock reading `start`.
    public init(_ start: Date = Date(timeIntervalSince1970: 1_700_000_000)) {
        current = Mutex(start)
    }

    /// The time now.
    public var now: Date { current.withLock { $0 } }

    /// Moves the clock forward by `duration`.
    public func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        current.withLock { $0 += Double(seconds) + Double(attoseconds) / 1e18 }
    }

    /// The time `milliseconds` from now.
    public func later(milliseconds: Int64) -> Date { now.addingTimeInterval(Double(milliseconds) / 1000) }
}
