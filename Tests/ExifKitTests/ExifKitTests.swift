// Tests for ExifKit.
