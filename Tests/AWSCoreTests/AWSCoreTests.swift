// Tests for AWSCore.
