"""Mock controls (docs/controls.md): fixtures, latency, faults, quotas, the request journal and reset.

- `runtime`: the per-request side, run by the middleware on every request (kept light: no pydantic models);
- `fixtures`: fixture bodies, storage and matching; `faults`: injected errors with their real bodies;
- `api`: the layer's hook `scripted(...)` for model-serving entry points, the journal listing and reset.
Nothing is imported here, so the middleware pays only for `runtime`."""
