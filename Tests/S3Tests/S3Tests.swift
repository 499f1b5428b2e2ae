// Tests for S3.
