"""What a request reads of its tenant before its work, in one batch (`store.get_many`: one BatchGetItem on AWS, one
statement on SQLite), where each was a round trip of its own, one after the other:

- every request the controls see (all but `/__mock`): the tenant's clock offset (`control/tenant_clock`: its
  journal entry's time, and any time it asks), and its fixtures' stamp (`control/fixtures`: the process's copy of
  the tenant's fixtures stands while the stamp does);
- a model request (a billed `POST`, `web/spend_guard.is_billed`) also its spend state (`web/spend_guard`: the
  429 past a hard spend limit, before any work) and its stored quota (`control/quotas`: the accounting step
  counts against it).

What was read goes where it is used: the offset to the clock, the stamp onto the request's controls, the spend
state and the quota onto the request's state (`SPEND_STATE_KEY`, `QUOTA_STATE_KEY`)."""

from __future__ import annotations

from typing import Any

from openai_mock import clock
from openai_mock.control import fixtures, quotas, tenant_clock
from openai_mock.control.runtime import RequestControls
from openai_mock.store import get_store
from openai_mock.web import spend_guard
from openai_mock.web.auth import Principal

QUOTA_STATE_KEY = "stored_quota"  # request.state attribute: the tenant's stored quota (None: the deployment's)
_EVERY_REQUEST = (tenant_clock.KEY, fixtures.STAMP_KEY)
_MODEL_REQUEST = (*_EVERY_REQUEST, spend_guard.KEY, quotas.KEY)


def read(principal: Principal, controls: RequestControls, state: dict[str, Any], billed: bool) -> None:
    """Read the request's tenant objects in one batch and hand them on; a model request over its hard spend limit
    raises the 429 (`insufficient_quota`)."""
    found = get_store().get_many(principal.tenant, _MODEL_REQUEST if billed else _EVERY_REQUEST)
    offset = tenant_clock.offset_of(found[0])
    clock.use_tenant_offset(lambda: offset)
    controls.fixtures_stamp = fixtures.stamp_of(found[1])
    if billed:
        state[QUOTA_STATE_KEY] = found[3]
        state[spend_guard.SPEND_STATE_KEY] = spend_guard.check_spend(principal, found[2])
