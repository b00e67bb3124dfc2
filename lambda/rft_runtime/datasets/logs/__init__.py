"""Reading Bedrock model invocation logs: sources, records, body formats, metadata filters."""
