/// A dense row-major matrix as read from a dlib stream.
public struct DlibMatrix<Element: Sendable & Equatable>: Sendable, Equatable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns.
    public let columns: Int
    /// `rows * columns` elements, row-major.
    public let values: [Element]

    /// Creates a matrix; `values.count` must be `rows * columns`.
    public init(rows: Int, columns: Int, values: [Element]) {
        precondition(values.count == rows * columns, "DlibMatrix: element count does not match shape")
        self.rows = rows
        self.columns = columns
        self.values = values
    }

    /// The element at `row`, `column`.
    public subscript(row: Int, column: Int) -> Element { values[row * columns + column] }
}
