// Tests for DynamoDB.
