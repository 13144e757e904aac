"""openai-mock's response-generation layer: everything the Lambda functions share."""
