// S3: see ../shared/DESIGN.md. Module under construction.
