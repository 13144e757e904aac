"""One FastAPI app per API group; each is a Lambda function (template.yaml routes to them)."""
