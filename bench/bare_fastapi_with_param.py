"""Import-time baseline: fastapi + mangum and the smallest app with one path parameter, wrapped for Lambda."""

from fastapi import FastAPI
from mangum import Mangum

app = FastAPI()


@app.get("/v1/models/{model}")
async def retrieve_model(model: str) -> dict:
    return {"id": model, "object": "model"}


handler = Mangum(app, lifespan="off")
