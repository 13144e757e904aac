"""Content provenance checks: recognise the images the mock generated
(openai_mock.resources.content_provenance_checks)."""

from fastapi import APIRouter, Request

from openai_mock.resources import content_provenance_checks
from openai_mock.web.app_factory import create_app, make_handler
from openai_mock.web.form_body import Upload, read_fields
from openai_mock.web.json_response import JSONObject

router = APIRouter(prefix="/v1/content_provenance_checks")


@router.post("", operation_id="Createcontentprovenancecheck")
async def create_content_provenance_check(request: Request) -> JSONObject:
    upload = (await read_fields(request)).get("file")
    return JSONObject(content_provenance_checks.check(upload.data if isinstance(upload, Upload) else None))


app = create_app(router, title="openai-mock content provenance checks")
handler = make_handler(app)
