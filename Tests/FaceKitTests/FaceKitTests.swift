// Tests for FaceKit.
