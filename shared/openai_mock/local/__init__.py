"""`openai-mock serve`: every function app of template.yaml in one process, routed like API Gateway."""
