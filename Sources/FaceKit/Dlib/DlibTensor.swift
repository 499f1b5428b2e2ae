/// A `dlib::resizable_tensor` as serialised in DNN model files: its 4-D shape
/// (samples, channels `k`, rows, columns) and its `float32` values in that (NCHW) order.
public struct DlibTensor: Sendable, Equatable {
    /// Number of samples (`num_samples()`).
    public let samples: Int
    /// Number of channels (`k()`).
    public let channels: Int
    /// Rows (`nr()`).
    public let rows: Int
    /// Columns (`nc()`).
    public let columns: Int
    /// `samples * channels * rows * columns` values.
    public let values: [Float]
}
