// Tests for ImageKit.
