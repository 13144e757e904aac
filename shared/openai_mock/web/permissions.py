"""The permission catalogue of roles, and the permission each API request needs.

Project permissions (`resource_type` "api.project") say what a project API key may do: one `read` and one
`write` permission per family of endpoints, and `api.model.request` for the endpoints that run a model.
Organization permissions ("api.organization") say what a user may manage in the organization. Custom roles
are made of these names; anything else is refused (400, `param` "permissions").

A restricted project API key carries scopes (`scopes` of its creation or update): project permission names,
`api.all.read` (read-only: every `.read` permission) or, as older keys were made, path patterns such as `/v1/*`.
A key's scopes narrow what its owner's roles allow; they never add to them (`scope_allows`).

`required_permission(method, path)` is a table lookup on the path's first segment after `/v1`, so the web
tier can check a project key before any route runs (`web/access.py`)."""

from __future__ import annotations

from fnmatch import fnmatchcase

ORGANIZATION = "api.organization"
PROJECT = "api.project"

MODEL_REQUEST = "api.model.request"

# Path segment after /v1 → the family whose read/write permission the request needs. Endpoints that run a
# model (POST) need `api.model.request` instead (see `_MODEL_REQUEST_POSTS`).
_FAMILIES = {
    "models": "api.model",
    "chat": "api.chat.completions",
    "completions": "api.model",
    "embeddings": "api.model",
    "moderations": "api.model",
    "decisions": "api.model",
    "images": "api.model",
    "audio": "api.model",
    "realtime": "api.model",
    "responses": "api.responses",
    "conversations": "api.conversations",
    "assistants": "api.assistants",
    "threads": "api.threads",
    "files": "api.files",
    "uploads": "api.files",
    "vector_stores": "api.vector_stores",
    "fine_tuning": "api.fine_tuning",
    "batches": "api.batch",
    "evals": "api.evals",
    "containers": "api.containers",
    "videos": "api.videos",
    "chatkit": "api.chatkit",
    "skills": "api.skills",
}
_MODEL_REQUEST_POSTS = {"completions", "embeddings", "moderations", "decisions", "images", "audio", "realtime"}

PROJECT_PERMISSIONS: tuple[str, ...] = (
    "api.model.read",
    "api.model.write",
    MODEL_REQUEST,
    *(
        f"{family}.{access}"
        for family in sorted(set(_FAMILIES.values()) - {"api.model"})
        for access in ("read", "write")
    ),
    # Managing the project itself (the dashboard's project settings; admin keys are not bound by these).
    "api.organization.projects.api_keys.read",
    "api.organization.projects.api_keys.write",
    "api.organization.projects.service_accounts.read",
    "api.organization.projects.service_accounts.write",
    "api.organization.projects.users.read",
    "api.organization.projects.users.write",
)
ORGANIZATION_PERMISSIONS: tuple[str, ...] = tuple(
    f"{family}.{access}"
    for family in (
        "api.organization",
        "api.groups",
        "api.roles",
        "api.organization.users",
        "api.organization.invites",
        "api.organization.projects",
        "api.organization.admin_api_keys",
        "api.organization.audit_logs",
        "api.organization.usage",
        "api.organization.certificates",
        "api.organization.billing",
    )
    for access in ("read", "write")
)

PROJECT_READ_PERMISSIONS = tuple(name for name in PROJECT_PERMISSIONS if name.endswith(".read"))
PROJECT_API_PERMISSIONS = tuple(name for name in PROJECT_PERMISSIONS if not name.startswith("api.organization."))


def required_permission(method: str, path: str) -> str | None:
    """The project permission an API request needs, or None for paths no permission governs."""
    if not path.startswith("/v1/"):
        return None
    segment = path[4:].partition("/")[0]
    family = _FAMILIES.get(segment)
    if family is None:
        return None
    reading = method in ("GET", "HEAD")
    if not reading:
        if segment in _MODEL_REQUEST_POSTS:
            return MODEL_REQUEST
        if segment == "chat" and path.rstrip("/") == "/v1/chat/completions":
            return MODEL_REQUEST
    return f"{family}.{'read' if reading else 'write'}"


READ_ONLY_SCOPE = "api.all.read"
KEY_SCOPES = frozenset((READ_ONLY_SCOPE, *PROJECT_API_PERMISSIONS))


def valid_key_scope(scope: str) -> bool:
    return scope in KEY_SCOPES or scope.startswith("/v1/")


def scope_allows(scopes: tuple[str, ...], method: str, path: str) -> str | None:
    """None when one of a restricted key's scopes allows the request, else the permission it lacks (a write
    scope includes its family's read)."""
    needed = required_permission(method, path)
    for scope in scopes:
        if scope.startswith("/") and fnmatchcase(path, scope):
            return None
        if needed is None or scope == needed:
            return None
        if needed.endswith(".read") and scope in (READ_ONLY_SCOPE, f"{needed[:-5]}.write"):
            return None
    return needed or path
