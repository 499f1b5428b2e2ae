extension PhotoMetadata {
    /// Fills ISO and lens model from MakerNote values when standard EXIF has none: the EXIF
    /// tags win, as exiftool gives them priority over MakerNote and composite values.
    mutating func fill(from makerNote: MakerNoteValues) {
        if iso == nil { iso = makerNote.iso }
        if lensModel == nil { lensModel = makerNote.lensModel }
    }

    /// Fills make, model, capture time and focal length from a CIFF heap when EXIF has none.
    mutating func fill(from ciff: CIFFRecord) {
        if make == nil { make = ciff.make }
        if model == nil { model = ciff.model }
        if dateTimeOriginal == nil, let date = ciff.dateTimeOriginal { dateTimeOriginal = Self.isoDateTime(exif: date, offset: nil) }
        if focalLength == nil, let focal = ciff.focalLength, focal.isFinite { focalLength = focal }
    }
}
