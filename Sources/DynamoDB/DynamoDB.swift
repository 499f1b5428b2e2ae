// DynamoDB: see ../shared/DESIGN.md. Module under construction.
