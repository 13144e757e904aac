"""OpenAI-shaped ids. The leading characters encode the creation time in milliseconds, so sorting ids
sorts objects by creation: a store can list in creation order by listing in id order."""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import threading

from openai_mock import clock

_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_TIME_WIDTH = 8  # 62**8 ms ≈ 6,900 years
_SEQUENCE_WIDTH = 3

# Prefixes as OpenAI spells them, with the length of the part after the prefix.
PREFIXES: dict[str, tuple[str, int]] = {
    "chat.completion": ("chatcmpl-", 29),
    "text_completion": ("cmpl-", 29),
    "response": ("resp_", 48),
    "message_item": ("msg_", 48),
    "function_call": ("fc_", 48),
    "reasoning": ("rs_", 48),
    "tool_search_call": ("tsc_", 48),
    "tool_search_output": ("tso_", 48),
    "file_search_call": ("fs_", 48),
    "web_search_call": ("ws_", 48),
    "computer_call": ("cu_", 48),
    "compaction": ("cmp_", 48),
    "multi_agent_call": ("mac_", 48),  # a guess: OpenAI has not shown these ids
    "multi_agent_call_output": ("maco_", 48),
    "conversation": ("conv_", 48),
    "code_interpreter_call": ("ci_", 48),
    "mcp_list_tools": ("mcpl_", 48),
    "mcp_approval_request": ("mcpr_", 48),
    "mcp_call": ("mcp_", 48),
    "image_generation_call": ("ig_", 48),
    "custom_tool_call": ("ctc_", 48),
    "local_shell_call": ("lsh_", 48),
    "local_shell_call_output": ("lsho_", 48),
    "shell_call": ("sh_", 48),
    "shell_call_output": ("sho_", 48),
    "apply_patch_call": ("apc_", 48),
    "apply_patch_call_output": ("apco_", 48),
    "program": ("cm_", 48),  # the spec's examples: cm_123, cmo_123
    "program_output": ("cmo_", 48),
    "container": ("cntr_", 48),
    "container.file": ("cfile_", 32),
    "skill": ("skill_", 32),
    "skill.version": ("skillver_", 32),
    "chatkit.session": ("cksess_", 32),
    "chatkit.thread": ("cthr_", 32),
    "chatkit.thread_item": ("cthi_", 32),
    "call": ("call_", 24),
    "assistant": ("asst_", 24),
    "thread": ("thread_", 24),
    "thread.message": ("msg_", 24),
    "thread.run": ("run_", 24),
    "thread.run.step": ("step_", 24),
    "file": ("file-", 22),
    "upload": ("upload_", 24),
    "upload.part": ("part_", 24),
    "vector_store": ("vs_", 24),
    "vector_store.file_batch": ("vsfb_", 24),
    "batch": ("batch_", 24),
    "batch.request": ("batch_req_", 32),
    "fine_tuning.job": ("ftjob-", 24),
    "fine_tuning.job.event": ("ftevent-", 24),
    "fine_tuning.job.checkpoint": ("ftckpt_", 24),
    "checkpoint.permission": ("cp_", 24),
    "eval": ("eval_", 32),
    "eval.run": ("evalrun_", 32),
    "eval.run.output_item": ("outputitem_", 32),
    "organization.admin_api_key": ("key_", 16),
    "organization.invite": ("invite-", 24),
    "organization.user": ("user-", 24),
    "organization.project": ("proj_", 24),
    "organization.project.service_account": ("svc_acct_", 24),
    "organization.project.api_key": ("key_", 16),
    "organization.role": ("role_", 24),
    "organization.group": ("group_", 24),
    "organization.certificate": ("cert_", 24),
    "organization.spend_alert": ("alert_", 24),
    "organization.workload_identity_provider": ("wip_", 24),
    "organization.workload_identity_federation_rule": ("wifr_", 24),
    "organization.external_key": ("extkey_", 24),
    "organization.external_storage": ("extstor_", 24),
    "health.alert_rule": ("alertrule_", 24),
    "health.alert": ("alert_", 24),  # the prefix of the webhook events' samples (control/webhooks/events.py)
    "safety.alert": ("safety_alert_", 24),
    "safety.case": ("safety_case_", 24),
    # Agents API (beta) — agents and vaults
    "agent": ("agent_", 32),
    "vault": ("vault_", 32),
    "vault.credential": ("vcred_", 32),
    # Agents API (beta) — environments
    "agent.environment": ("env_", 32),  # the prefix of the webhook events' samples (control/webhooks/events.py)
    "agent.environment.template": ("envtpl_", 32),
    "agent.environment.file": ("envfile_", 32),
    # Agents API (beta) — sessions
    "agent.session": ("sess_", 32),  # the prefix of the webhook events' samples (control/webhooks/events.py)
    "agent.session.turn": ("turn_", 32),
    "agent.session.item": ("item_", 32),
    "agent.session.subagent": ("subagent_", 32),
    "agent.session.artifact": ("artifact_", 32),
    # Agents API (beta) — automations
    "agent.automation": ("auto_", 32),
    "agent.automation.invocation": ("autoinv_", 32),
    # Live sessions
    "live.session": ("live_", 32),  # the SDK's `live_...` session ids (webhooks/live_*_webhook_event.py)
    "audit_log": ("audit_log-", 24),
    "realtime.session": ("sess_", 21),
    "realtime.call": ("rtc_", 32),
    "video": ("video_", 48),
    "video.character": ("char_", 24),
    "audio.voice_consent": ("cons_", 24),
    "audio.voice": ("voice_", 24),
    "request": ("req_", 32),
    "moderation": ("modr-", 32),
    "organization": ("org-", 24),
    "mock.fixture": ("fixture_", 24),
    "mock.prompt": ("pmpt_", 48),
    "mock.request": ("mockreq_", 24),
    "event": ("evt_", 32),  # a webhook event
    "webhook": ("wh_", 32),  # a webhook message: the `webhook-id` header, the same on every retry
    "mock.webhook": ("we_", 24),  # a webhook endpoint (/__mock/webhooks)
    "mock.webhook.delivery": ("whdel_", 24),
    "mock.webhook.attempt": ("whatt_", 24),
}

_sequence = itertools.count()
_lock = threading.Lock()
# The tails' random bytes: a generator seeded from the OS once per process, and again in a forked child (which would
# otherwise repeat its parent's tails); an `os.urandom` system call per id cost more than the rest of the id.
_tails = random.Random()
os.register_at_fork(after_in_child=_tails.seed)
# Random bytes → alphabet characters in one C call (ids are made on every journalled request).
_BYTE_TO_CHAR = bytes(ord(_ALPHABET[byte % 62]) for byte in range(256))


_PAIRS = [a + b for a in _ALPHABET for b in _ALPHABET]  # base62 two digits at a time


def _base62(number: int, width: int) -> str:
    chars = []
    for _ in range(0, width, 2):
        number, pair = divmod(number, 3844)
        chars.append(_PAIRS[pair])
    return "".join(reversed(chars))[-width:]


_time_head: tuple[int, str] = (-1, "")  # the last millisecond encoded: ids made in the same ms share it


def new_id(object_type: str) -> str:
    """A fresh id for an object type (a key of PREFIXES): time-sortable and unique."""
    global _time_head
    prefix, length = PREFIXES[object_type]
    millis = int(clock.now() * 1000)
    with _lock:
        sequence = next(_sequence) % 62**_SEQUENCE_WIDTH
        if _time_head[0] != millis:
            _time_head = (millis, _base62(millis, _TIME_WIDTH))
        time_head = _time_head[1]
    head = time_head + _base62(sequence, _SEQUENCE_WIDTH)
    # The tail only has to make ids unique across processes (Lambda containers), not reproducible.
    tail_length = max(length - len(head), 6)
    tail = _tails.getrandbits(8 * tail_length).to_bytes(tail_length).translate(_BYTE_TO_CHAR).decode()
    return prefix + head + tail


def stable_id(object_type: str, at: float, material: str, sequence: int = 0) -> str:
    """The same id every time for the same (type, time, material), sorted where an object created at
    `at` sorts (then by `sequence`): for state seeded idempotently (an organization's initial objects) by
    racing requests, and for objects named only when first listed (the memory journal's)."""
    prefix, length = PREFIXES[object_type]
    head = _base62(int(at * 1000), _TIME_WIDTH) + _base62(sequence % 62**_SEQUENCE_WIDTH, _SEQUENCE_WIDTH)
    digest = hashlib.sha256(f"{object_type}|{material}".encode()).digest()
    tail = "".join(_ALPHABET[byte % 62] for byte in digest[: max(length - len(head), 6)])
    return prefix + head + tail
