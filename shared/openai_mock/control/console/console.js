// The openai-mock console (docs/console.md). Hand-written, no framework, no build step, nothing fetched from
// elsewhere: every call goes to this mock's own /v1 and /__mock routes with the key entered, like any client.
"use strict";

(() => {
  const KEY_STORAGE = "openai-mock-console-key";
  const POLL_MS = 1000;
  // Behind API Gateway the page is /<stage>/__mock/console: calls keep the stage.
  const BASE = location.pathname.replace(/\/__mock\/console\/?$/, "");
  const ORIGIN = location.origin + BASE;
  const $ = (id) => document.getElementById(id);

  const state = {
    key: sessionStorage.getItem(KEY_STORAGE) || "",
    entries: [],
    selected: null,
    paused: false,
    polling: null,
    seen: new Set(),
    fixtures: [],
    editing: null,
    objects: [],
    clock: null,
  };

  // ------------------------------------------------------------------------------------------- helpers

  async function call(method, path, body, extraHeaders, key) {
    // x-mock-console marks the console's own calls in the journal (the live view hides them unless asked).
    const headers = { Authorization: `Bearer ${key || state.key}`, "X-Mock-Console": "1", ...(extraHeaders || {}) };
    const init = { method, headers, cache: "no-store" };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = typeof body === "string" ? body : JSON.stringify(body);
    }
    const response = await fetch(BASE + path, init);
    let json = null;
    try {
      json = await response.json();
    } catch (_) {
      json = null;
    }
    return { status: response.status, ok: response.ok, json };
  }

  function errorText(answer) {
    const error = answer.json && answer.json.error;
    if (error && error.message) return `${answer.status}: ${error.message}`;
    return `HTTP ${answer.status}`;
  }

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = value;
      else if (name === "class") node.className = value;
      else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function say(id, text, kind) {
    const node = $(id);
    node.textContent = text;
    node.className = `status ${kind || ""}`;
  }

  function pretty(value) {
    if (value === null || value === undefined) return "—";
    if (typeof value === "string") return value;
    return JSON.stringify(value, null, 2);
  }

  function time(seconds) {
    return new Date(seconds * 1000).toLocaleTimeString([], { hour12: false });
  }

  function dateTime(seconds) {
    if (!seconds) return "—";
    return new Date(seconds * 1000).toISOString().replace("T", " ").slice(0, 19);
  }

  function masked(key) {
    return key.length > 8 ? `${key.slice(0, 4)}…${key.slice(-4)}` : "****";
  }

  function tokensOf(entry) {
    const usage = entry.usage;
    if (!usage) return null;
    if (typeof usage.total_tokens === "number") return usage.total_tokens;
    return (usage.prompt_tokens || usage.input_tokens || 0) + (usage.completion_tokens || usage.output_tokens || 0);
  }

  // ------------------------------------------------------------------------------------------- tabs

  const TABS = ["requests", "fixtures", "objects", "time", "usage"];
  const onShow = {
    requests: () => {},
    fixtures: () => loadFixtures(),
    objects: () => loadObjects(),
    time: () => loadTime(),
    usage: () => loadUsage(),
  };

  function showTab(name, focus) {
    for (const tab of TABS) {
      const button = $(`tab-${tab}`);
      const selected = tab === name;
      button.setAttribute("aria-selected", String(selected));
      button.tabIndex = selected ? 0 : -1;
      $(`panel-${tab}`).hidden = !selected;
      if (selected && focus) button.focus();
    }
    onShow[name]();
  }

  function setUpTabs() {
    for (const tab of TABS) {
      const button = $(`tab-${tab}`);
      button.addEventListener("click", () => showTab(tab));
      button.addEventListener("keydown", (event) => {
        const index = TABS.indexOf(tab);
        const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: TABS.length - 1 - index };
        if (event.key in moves) {
          event.preventDefault();
          showTab(TABS[(index + moves[event.key] + TABS.length) % TABS.length], true);
        }
      });
    }
  }

  // ------------------------------------------------------------------------------------------- key

  function connect(key) {
    state.key = key;
    sessionStorage.setItem(KEY_STORAGE, key);
    $("key").value = "";
    $("key").placeholder = masked(key);
    $("tenant").textContent = `Connected with ${masked(key)}: everything below is this key's tenant.`;
    $("forget").hidden = false;
    $("welcome").hidden = true;
    $("tabs").hidden = false;
    state.entries = [];
    state.seen = new Set();
    state.selected = null;
    $("detail").hidden = true;
    showTab("requests");
    startPolling();
  }

  function forget() {
    sessionStorage.removeItem(KEY_STORAGE);
    state.key = "";
    stopPolling();
    $("tabs").hidden = true;
    for (const tab of TABS) $(`panel-${tab}`).hidden = true;
    $("welcome").hidden = false;
    $("forget").hidden = true;
    $("key").placeholder = "sk-test";
    $("tenant").textContent = "Key forgotten.";
    $("key").focus();
  }

  // ------------------------------------------------------------------------------------------- live requests

  function startPolling() {
    stopPolling();
    poll();
    state.polling = setInterval(poll, POLL_MS);
  }

  function stopPolling() {
    if (state.polling) clearInterval(state.polling);
    state.polling = null;
  }

  let inFlight = false;
  async function poll() {
    if (state.paused || inFlight || !state.key) return;
    inFlight = true;
    try {
      const filter = $("path-filter").value.trim();
      const query = new URLSearchParams({ limit: "100" });
      if (filter) query.set("path", filter);
      const answer = await call("GET", `/__mock/requests?${query}`);
      if (!answer.ok) {
        $("live").textContent = `Journal: ${errorText(answer)}`;
        return;
      }
      $("live").textContent = `Live · updated ${new Date().toLocaleTimeString([], { hour12: false })}`;
      const entries = answer.json.data.filter((entry) => $("show-own").checked || !isOwn(entry));
      const changed =
        entries.length !== state.entries.length || entries.some((entry, i) => entry.id !== state.entries[i].id);
      state.entries = entries;
      if (changed) renderRequests();
    } catch (error) {
      $("live").textContent = `Journal unreachable: ${error.message}`;
    } finally {
      inFlight = false;
    }
  }

  function renderRequests() {
    const body = $("requests").tBodies[0];
    const rows = state.entries.map((entry) => {
      const fresh = state.seen.size > 0 && !state.seen.has(entry.id);
      const tokens = tokensOf(entry);
      const row = el(
        "tr",
        {
          tabindex: 0,
          "data-id": entry.id,
          class: fresh ? "new" : null,
          "aria-selected": String(state.selected === entry.id),
          onclick: () => openEntry(entry.id),
          onkeydown: (event) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              openEntry(entry.id);
            } else if (event.key === "ArrowDown" && row.nextElementSibling) {
              event.preventDefault();
              row.nextElementSibling.focus();
            } else if (event.key === "ArrowUp" && row.previousElementSibling) {
              event.preventDefault();
              row.previousElementSibling.focus();
            }
          },
        },
        el("td", { text: time(entry.created_at) }),
        el("td", { text: entry.method }),
        el("td", { class: "path", text: entry.path + (entry.query ? `?${entry.query}` : "") }),
        el("td", { text: entry.model || "—" }),
        el("td", { class: `status-${String(entry.status)[0]}`, text: String(entry.status) }),
        el("td", { text: `${Math.round(entry.latency_ms)} ms` }),
        el("td", { text: tokens === null ? "—" : String(tokens) }),
        el("td", { class: "id", text: answeredBy(entry) }),
      );
      return row;
    });
    for (const entry of state.entries) state.seen.add(entry.id);
    const focused = document.activeElement && document.activeElement.getAttribute("data-id");
    body.replaceChildren(...rows);
    if (focused) {
      const again = body.querySelector(`tr[data-id="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
    $("requests-empty").hidden = state.entries.length > 0;
  }

  function isOwn(entry) {
    return Boolean(entry.headers && entry.headers["x-mock-console"]);
  }

  function answeredBy(entry) {
    if (entry.fixture) return entry.fixture;
    const headers = entry.headers || {};
    if (headers["x-mock-fault"]) return `fault: ${headers["x-mock-fault"]}`;
    if (entry.status >= 400) return "error";
    return endpointOf(entry.path) ? "generated" : "—";
  }

  function openEntry(id) {
    const entry = state.entries.find((item) => item.id === id);
    if (!entry) return;
    state.selected = id;
    for (const row of $("requests").tBodies[0].rows) {
      row.setAttribute("aria-selected", String(row.getAttribute("data-id") === id));
    }
    $("detail").hidden = false;
    $("detail-title").textContent = `${entry.method} ${entry.path}`;
    const tokens = tokensOf(entry);
    $("detail-summary").textContent =
      `${entry.id} · ${dateTime(entry.created_at)} · status ${entry.status} · ${entry.latency_ms} ms` +
      (entry.model ? ` · ${entry.model}` : "") +
      (tokens !== null ? ` · ${tokens} tokens` : "") +
      ` · answered by ${answeredBy(entry)}`;
    $("detail-request-headers").textContent = pretty(entry.headers || {});
    $("detail-request-body").textContent = pretty(entry.body);
    const response = entry.response || {};
    $("detail-response-headers").textContent = pretty(response.headers || {});
    const events = response.events;
    $("detail-response-body").hidden = Boolean(events);
    $("detail-response-title").textContent = events ? `Response: ${events.length} stream events` : "Response body";
    $("detail-response-body").textContent = pretty(response.body);
    $("detail-events").hidden = !events;
    if (events) {
      $("detail-events").querySelector("tbody").replaceChildren(
        ...events.map((event, i) =>
          el(
            "tr",
            { class: "event" },
            el("td", { text: String(i + 1) }),
            el("td", { text: `${Math.round(event.at_ms)} ms` }),
            el("td", { text: event.event || "message" }),
            el("td", { class: "text", text: eventText(event.data) }),
            el("td", {}, eventData(event.data)),
          ),
        ),
      );
    }
    $("save-fixture").disabled = !endpointOf(entry.path);
    $("copied").hidden = true;
    say("detail-status", "");
    $("detail-title").focus();
  }

  // The words an event carries (a chat delta, a completion's text, a Responses delta), to read a stream at a glance.
  function eventText(data) {
    if (!data || typeof data !== "object") return "";
    if (typeof data.delta === "string") return data.delta;
    if (Array.isArray(data.choices)) {
      return data.choices
        .map((choice) => {
          if (typeof choice.text === "string") return choice.text;
          const delta = choice.delta || {};
          const calls = (delta.tool_calls || []).map((call) => (call.function && (call.function.name || call.function.arguments)) || "");
          return (delta.content || "") + calls.join("");
        })
        .join("");
    }
    return "";
  }

  // An event's data: one line, opened (a <details>) to the whole JSON.
  function eventData(data) {
    if (typeof data === "string") return data;
    const line = JSON.stringify(data);
    if (line.length <= 60) return line;
    return el("details", {}, el("summary", { text: `${line.slice(0, 60)}…` }), el("pre", { text: pretty(data) }));
  }

  function selectedEntry() {
    return state.entries.find((item) => item.id === state.selected);
  }

  // ------------------------------------------------------------------------------------------- copy as …

  function shellQuote(text) {
    return `'${text.replace(/'/g, "'\\''")}'`;
  }

  const FORWARDED = ["openai-beta", "openai-organization", "openai-project", "x-mock-seed"];

  function curlOf(entry) {
    const url = ORIGIN + entry.path + (entry.query ? `?${entry.query}` : "");
    const lines = [`curl -s${entry.method === "GET" ? "" : ` -X ${entry.method}`} ${shellQuote(url)}`];
    lines.push(`  -H "Authorization: Bearer $OPENAI_API_KEY"`);
    const headers = entry.headers || {};
    for (const name of Object.keys(headers)) {
      if (name === "x-mock-console") continue;
      if (FORWARDED.includes(name) || name.startsWith("x-mock-")) lines.push(`  -H ${shellQuote(`${name}: ${headers[name]}`)}`);
    }
    if (entry.body !== null && entry.body !== undefined) {
      lines.push(`  -H "Content-Type: application/json"`);
      lines.push(`  -d ${shellQuote(JSON.stringify(entry.body))}`);
    }
    return lines.join(" \\\n");
  }

  function python(value, indent) {
    const pad = "    ".repeat(indent + 1);
    const end = "    ".repeat(indent);
    if (value === null || value === undefined) return "None";
    if (value === true) return "True";
    if (value === false) return "False";
    if (typeof value === "number") return String(value);
    if (typeof value === "string") return JSON.stringify(value);
    if (Array.isArray(value)) {
      if (!value.length) return "[]";
      return `[\n${value.map((item) => pad + python(item, indent + 1)).join(",\n")},\n${end}]`;
    }
    const keys = Object.keys(value);
    if (!keys.length) return "{}";
    return `{\n${keys.map((k) => `${pad}${JSON.stringify(k)}: ${python(value[k], indent + 1)}`).join(",\n")},\n${end}}`;
  }

  const SDK_METHODS = {
    "POST /v1/chat/completions": "client.chat.completions.create",
    "POST /v1/completions": "client.completions.create",
    "POST /v1/responses": "client.responses.create",
    "POST /v1/embeddings": "client.embeddings.create",
    "POST /v1/moderations": "client.moderations.create",
    "POST /v1/images/generations": "client.images.generate",
  };

  function pythonOf(entry) {
    const method = SDK_METHODS[`${entry.method} ${entry.path}`];
    const lines = [];
    if (method && entry.body && typeof entry.body === "object" && !Array.isArray(entry.body)) {
      lines.push("import os", "", "from openai import OpenAI", "");
      lines.push(`client = OpenAI(base_url=${JSON.stringify(`${ORIGIN}/v1`)}, api_key=os.environ["OPENAI_API_KEY"])`);
      lines.push(`answer = ${method}(**${python(entry.body, 0)})`);
      lines.push(entry.body.stream ? "for event in answer:\n    print(event)" : "print(answer)");
      return lines.join("\n");
    }
    lines.push("import os", "", "import httpx", "");
    const headers = { Authorization: 'f"Bearer {os.environ[\'OPENAI_API_KEY\']}"' };
    const extra = Object.entries(entry.headers || {}).filter(
      ([name]) => name !== "x-mock-console" && (FORWARDED.includes(name) || name.startsWith("x-mock-")),
    );
    const headerText = [`"Authorization": ${headers.Authorization}`, ...extra.map(([k, v]) => `${JSON.stringify(k)}: ${JSON.stringify(v)}`)];
    lines.push(`answer = httpx.request(`);
    lines.push(`    ${JSON.stringify(entry.method)},`);
    lines.push(`    ${JSON.stringify(ORIGIN + entry.path + (entry.query ? `?${entry.query}` : ""))},`);
    lines.push(`    headers={${headerText.join(", ")}},`);
    if (entry.body !== null && entry.body !== undefined) lines.push(`    json=${python(entry.body, 1)},`);
    lines.push(")");
    lines.push("print(answer.status_code, answer.text)");
    return lines.join("\n");
  }

  async function copy(text, what) {
    const box = $("copied");
    box.value = text;
    box.hidden = false;
    try {
      await navigator.clipboard.writeText(text);
      say("detail-status", `Copied as ${what}.`, "ok");
    } catch (_) {
      box.focus();
      box.select();
      say("detail-status", `The clipboard is not available here: the ${what} text is selected below, copy it with Ctrl+C.`, "");
    }
  }

  // ------------------------------------------------------------------------------------------- save as fixture

  const ENDPOINTS = {
    "/v1/chat/completions": "chat.completions",
    "/v1/completions": "completions",
    "/v1/responses": "responses",
    "/v1/embeddings": "embeddings",
  };

  function endpointOf(path) {
    if (ENDPOINTS[path]) return ENDPOINTS[path];
    if (/^\/v1\/threads\/(runs|[^/]+\/runs)$/.test(path)) return "assistants.runs";
    return null;
  }

  function textOf(content) {
    if (typeof content === "string") return content;
    if (Array.isArray(content)) return content.map((part) => (part && (part.text || "")) || "").join("");
    return "";
  }

  function lastUserText(body) {
    if (!body || typeof body !== "object") return "";
    if (Array.isArray(body.messages)) {
      for (const message of [...body.messages].reverse()) if (message.role === "user") return textOf(message.content);
    }
    if (typeof body.input === "string") return body.input;
    if (Array.isArray(body.input)) {
      for (const item of [...body.input].reverse()) {
        if (item && (item.role === "user" || item.type === "input_text")) return textOf(item.content ?? item.text);
      }
    }
    if (typeof body.prompt === "string") return body.prompt;
    if (body.thread && Array.isArray(body.thread.messages)) {
      for (const message of [...body.thread.messages].reverse()) if (message.role === "user") return textOf(message.content);
    }
    return "";
  }

  // What the model said in a recorded answer: {content} and/or {tool_calls}, from a JSON body or stream events.
  function answerOf(entry) {
    const response = entry.response || {};
    const events = response.events;
    let body = response.body;
    if (events) {
      const completed = events.find((event) => event.event === "response.completed");
      if (completed) body = completed.data.response;
      else {
        let text = "";
        const calls = {};
        for (const event of events) {
          const data = event.data;
          if (!data || typeof data !== "object" || !Array.isArray(data.choices)) continue;
          for (const choice of data.choices) {
            if (typeof choice.text === "string") text += choice.text;
            const delta = choice.delta || {};
            if (typeof delta.content === "string") text += delta.content;
            for (const call of delta.tool_calls || []) {
              const slot = (calls[call.index] = calls[call.index] || { name: "", arguments: "" });
              if (call.function && call.function.name) slot.name += call.function.name;
              if (call.function && call.function.arguments) slot.arguments += call.function.arguments;
            }
          }
        }
        const toolCalls = Object.values(calls);
        if (toolCalls.length) return text ? { content: text, tool_calls: toolCalls } : { tool_calls: toolCalls };
        return { content: text };
      }
    }
    if (!body || typeof body !== "object") return null;
    if (Array.isArray(body.choices) && body.choices.length) {
      const choice = body.choices[0];
      if (typeof choice.text === "string") return { content: choice.text };
      const message = choice.message || {};
      const calls = (message.tool_calls || []).map((call) => ({ name: call.function.name, arguments: call.function.arguments }));
      const answer = {};
      if (typeof message.content === "string") answer.content = message.content;
      if (calls.length) answer.tool_calls = calls;
      return answer;
    }
    if (Array.isArray(body.output)) {
      let text = "";
      const calls = [];
      for (const item of body.output) {
        if (item.type === "message") text += (item.content || []).map((part) => part.text || "").join("");
        if (item.type === "function_call") calls.push({ name: item.name, arguments: item.arguments });
      }
      const answer = {};
      if (text || !calls.length) answer.content = text;
      if (calls.length) answer.tool_calls = calls;
      return answer;
    }
    return null;
  }

  function fixtureOf(entry) {
    const endpoint = endpointOf(entry.path);
    const match = { endpoint };
    if (entry.model) match.model = entry.model;
    const asked = lastUserText(entry.body);
    if (asked) match.contains = asked;
    const fixture = { name: `saved from ${entry.id}`, match };
    const said = endpoint === "embeddings" ? null : answerOf(entry);
    if (said) fixture.response = said;
    return fixture;
  }

  async function saveFixture() {
    const entry = selectedEntry();
    if (!entry) return;
    const fixture = fixtureOf(entry);
    const answer = await call("POST", "/__mock/fixtures", fixture);
    if (answer.ok) {
      say("detail-status", `Saved as fixture ${answer.json.id}: the next matching request gets this answer.`, "ok");
    } else {
      say("detail-status", `Not saved: ${errorText(answer)}`, "error");
    }
  }

  // ------------------------------------------------------------------------------------------- fixtures

  const TEMPLATE_FIXTURE = { match: { contains: "weather" }, response: { content: "Sunny, 21 °C." } };

  function summary(value) {
    if (!value) return "—";
    return Object.entries(value)
      .map(([k, v]) => `${k}: ${typeof v === "string" ? v : JSON.stringify(v)}`)
      .join(", ");
  }

  async function loadFixtures() {
    const all = [];
    let after = null;
    for (;;) {
      const query = new URLSearchParams({ limit: "100", order: "asc" });
      if (after) query.set("after", after);
      const answer = await call("GET", `/__mock/fixtures?${query}`);
      if (!answer.ok) {
        say("fixture-status", errorText(answer), "error");
        return;
      }
      all.push(...answer.json.data);
      if (!answer.json.has_more || !answer.json.data.length) break;
      after = answer.json.data[answer.json.data.length - 1].id;
    }
    state.fixtures = all;
    renderFixtures();
    renderArmedFaults();
    if (!$("fixture-json").value) $("fixture-json").value = JSON.stringify(TEMPLATE_FIXTURE, null, 2);
  }

  function answerSummary(fixture) {
    const parts = [];
    if (fixture.response) parts.push(summary(fixture.response));
    if (fixture.fault) parts.push(`fault ${fixture.fault.kind} at ${fixture.fault.rate}`);
    if (fixture.latency) parts.push(`latency ${summary(fixture.latency)}`);
    return parts.join("; ") || "—";
  }

  function renderFixtures() {
    const rows = state.fixtures.map((fixture) =>
      el(
        "tr",
        { "data-id": fixture.id },
        el("td", { class: "id" }, el("span", { text: fixture.id }), fixture.name ? el("div", { class: "muted", text: fixture.name }) : null),
        el("td", { text: summary(fixture.match) || "every model request" }),
        el("td", { text: answerSummary(fixture) }),
        el("td", { class: "matched", text: fixture.times ? `${fixture.matched} of ${fixture.times}` : String(fixture.matched) }),
        el(
          "td",
          {},
          el("button", { type: "button", class: "link", text: "Edit", "aria-label": `Edit ${fixture.id}`, onclick: () => editFixture(fixture) }),
          el("button", { type: "button", class: "link", text: "Delete", "aria-label": `Delete ${fixture.id}`, onclick: () => deleteFixture(fixture.id) }),
        ),
      ),
    );
    $("fixtures").tBodies[0].replaceChildren(...rows);
    $("fixtures-empty").hidden = rows.length > 0;
  }

  function portable(fixture) {
    const { id: _id, object: _object, created_at: _created, matched: _matched, ...rest } = fixture;
    return rest;
  }

  function editFixture(fixture) {
    state.editing = fixture.id;
    $("editor-title").textContent = `Edit ${fixture.id} (saved as a new fixture, the old one deleted)`;
    $("fixture-json").value = JSON.stringify(portable(fixture), null, 2);
    $("fixture-save").textContent = "Save";
    $("fixture-cancel").hidden = false;
    $("fixture-json").focus();
  }

  function stopEditing() {
    state.editing = null;
    $("editor-title").textContent = "New fixture";
    $("fixture-save").textContent = "Create";
    $("fixture-cancel").hidden = true;
  }

  async function saveEditor() {
    let body;
    try {
      body = JSON.parse($("fixture-json").value);
    } catch (error) {
      say("fixture-status", `Not JSON: ${error.message}`, "error");
      return;
    }
    const answer = await call("POST", "/__mock/fixtures", body);
    if (!answer.ok) {
      say("fixture-status", `The mock refused it: ${errorText(answer)}`, "error");
      return;
    }
    if (state.editing) await call("DELETE", `/__mock/fixtures/${encodeURIComponent(state.editing)}`);
    say("fixture-status", `${state.editing ? "Saved" : "Created"} ${answer.json.id}.`, "ok");
    stopEditing();
    await loadFixtures();
  }

  async function deleteFixture(id) {
    const answer = await call("DELETE", `/__mock/fixtures/${encodeURIComponent(id)}`);
    say("fixture-status", answer.ok ? `Deleted ${id}.` : errorText(answer), answer.ok ? "ok" : "error");
    if (state.editing === id) stopEditing();
    await loadFixtures();
  }

  async function deleteAllFixtures() {
    if (!confirm("Delete every fixture of this tenant?")) return;
    const answer = await call("DELETE", "/__mock/fixtures");
    say("fixture-status", answer.ok ? `Deleted ${answer.json.count} fixtures.` : errorText(answer), answer.ok ? "ok" : "error");
    await loadFixtures();
  }

  function exportFixtures() {
    const document_ = { fixtures: state.fixtures.map(portable) };
    const blob = new Blob([JSON.stringify(document_, null, 2)], { type: "application/json" });
    const link = el("a", { href: URL.createObjectURL(blob), download: "fixtures.json" });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    say("fixture-status", `Exported ${state.fixtures.length} fixtures to fixtures.json.`, "ok");
  }

  async function importFixtures(file) {
    let entries;
    try {
      const parsed = JSON.parse(await file.text());
      entries = Array.isArray(parsed) ? parsed : parsed.fixtures;
      if (!Array.isArray(entries)) throw new Error('expected a list of fixtures or {"fixtures": [...]}');
    } catch (error) {
      say("fixture-status", `Cannot import ${file.name}: ${error.message}`, "error");
      return;
    }
    const refused = [];
    for (const [index, entry] of entries.entries()) {
      const answer = await call("POST", "/__mock/fixtures", entry);
      if (!answer.ok) refused.push(`#${index + 1}: ${errorText(answer)}`);
    }
    const created = entries.length - refused.length;
    say("fixture-status", `Imported ${created} of ${entries.length} fixtures.${refused.length ? `\n${refused.join("\n")}` : ""}`, refused.length ? "error" : "ok");
    await loadFixtures();
  }

  // ------------------------------------------------------------------------------------------- objects

  const BETA = { assistants: { "OpenAI-Beta": "assistants=v2" } };

  function nameOf(item) {
    return item.name || item.filename || item.fine_tuned_model || item.model || item.endpoint || item.purpose || "";
  }

  async function loadObjects() {
    const kind = $("object-kind").value;
    const query = kind === "fine_tuning/jobs" ? "limit=100" : "limit=100&order=desc";
    say("objects-status", "Loading…");
    const answer = await call("GET", `/v1/${kind}?${query}`, undefined, BETA[kind]);
    if (!answer.ok) {
      state.objects = [];
      renderObjects();
      say("objects-status", errorText(answer), "error");
      return;
    }
    state.objects = answer.json.data || [];
    renderObjects();
    say("objects-status", `${state.objects.length}${answer.json.has_more ? "+" : ""} ${$("object-kind").selectedOptions[0].text.toLowerCase()}.`);
  }

  function renderObjects() {
    const needle = $("object-search").value.trim().toLowerCase();
    const shown = state.objects.filter((item) => !needle || JSON.stringify(item).toLowerCase().includes(needle));
    const rows = shown.map((item) => {
      const row = el(
        "tr",
        {
          tabindex: 0,
          "data-id": item.id,
          onclick: () => showObject(item, row),
          onkeydown: (event) => {
            if (event.key === "Enter" || event.key === " ") {
              event.preventDefault();
              showObject(item, row);
            }
          },
        },
        el("td", { class: "id", text: item.id }),
        el("td", { text: nameOf(item) }),
        el("td", { class: "object-status", text: item.status || "—" }),
        el("td", { text: dateTime(item.created_at || item.created) }),
      );
      return row;
    });
    $("objects").tBodies[0].replaceChildren(...rows);
  }

  function showObject(item, row) {
    for (const other of $("objects").tBodies[0].rows) other.setAttribute("aria-selected", String(other === row));
    $("object-title").textContent = item.id;
    $("object-json").textContent = pretty(item);
  }

  // ------------------------------------------------------------------------------------------- time and faults

  async function loadTime() {
    await Promise.all([loadClock(), loadQuotas(), loadFixtures()]);
  }

  async function loadClock() {
    const answer = await call("GET", "/__mock/clock");
    if (answer.status === 404) {
      state.clock = null;
      $("clock-buttons").hidden = true;
      $("clock-now").textContent = new Date().toISOString().replace("T", " ").slice(0, 19);
      $("clock-offset").textContent =
        "This deployment has no /__mock/clock: its clock is real time (the pytest helper's freeze/advance work in-process only).";
      return;
    }
    if (!answer.ok) {
      say("clock-status", errorText(answer), "error");
      return;
    }
    state.clock = answer.json;
    $("clock-buttons").hidden = false;
    $("clock-now").textContent = dateTime(answer.json.now);
    const offset = answer.json.offset_seconds || 0;
    $("clock-offset").textContent = offset ? `${offset} s ahead of real time` : "Real time";
  }

  async function moveClock(body, what) {
    const answer = await call("POST", "/__mock/clock", body);
    if (!answer.ok) {
      say("clock-status", errorText(answer), "error");
      return;
    }
    say("clock-status", what, "ok");
    await loadClock();
  }

  async function loadQuotas() {
    const answer = await call("GET", "/__mock/quotas");
    if (!answer.ok) {
      say("quotas-status", errorText(answer), "error");
      return;
    }
    $("rpm").value = answer.json.requests_per_minute ?? "";
    $("tpm").value = answer.json.tokens_per_minute ?? "";
  }

  async function saveQuotas(body) {
    const answer = await call("POST", "/__mock/quotas", body);
    say("quotas-status", answer.ok ? "Quotas saved." : errorText(answer), answer.ok ? "ok" : "error");
    await loadQuotas();
  }

  const FAULT_NAME = "console fault switch";

  function renderArmedFaults() {
    const armed = state.fixtures.filter((fixture) => fixture.name === FAULT_NAME && (!fixture.times || fixture.matched < fixture.times));
    $("faults-armed").replaceChildren(
      ...armed.map((fixture) =>
        el(
          "li",
          {},
          el("span", {
            text: `${fixture.fault.kind} on ${fixture.match.endpoint || "every model endpoint"}: ${fixture.times - fixture.matched} of ${fixture.times} left`,
          }),
          el("button", { type: "button", class: "secondary", text: "Disarm", onclick: () => deleteFixture(fixture.id) }),
        ),
      ),
    );
  }

  async function armFault() {
    const times = Number.parseInt($("fault-times").value, 10);
    const match = {};
    if ($("fault-endpoint").value) match.endpoint = $("fault-endpoint").value;
    const body = { name: FAULT_NAME, match, fault: { rate: 1, kind: $("fault-kind").value }, times };
    const answer = await call("POST", "/__mock/fixtures", body);
    say("fault-status", answer.ok ? `Armed: the next ${times} model requests fail with ${body.fault.kind}.` : errorText(answer), answer.ok ? "ok" : "error");
    await loadFixtures();
  }

  async function resetTenant() {
    if (!confirm("Delete every object, fixture, journal entry and quota of this tenant?")) return;
    const answer = await call("POST", "/__mock/reset");
    say("reset-status", answer.ok ? `Reset: ${answer.json.objects_deleted} objects deleted.` : errorText(answer), answer.ok ? "ok" : "error");
    state.entries = [];
    renderRequests();
    await loadTime();
  }

  // ------------------------------------------------------------------------------------------- usage

  async function loadUsage() {
    const adminKey = $("admin-key").value.trim();
    const rows = adminKey ? await usageFromApi(adminKey) : await usageFromJournal();
    if (!rows) return;
    renderUsage(rows);
  }

  async function usageFromJournal() {
    const entries = [];
    let after = null;
    for (let page = 0; page < 20; page++) {
      const query = new URLSearchParams({ limit: "100" });
      if (after) query.set("after", after);
      const answer = await call("GET", `/__mock/requests?${query}`);
      if (!answer.ok) {
        $("usage-source").textContent = errorText(answer);
        return null;
      }
      entries.push(...answer.json.data);
      if (!answer.json.has_more || !answer.json.data.length) break;
      after = answer.json.data[answer.json.data.length - 1].id;
    }
    $("usage-source").textContent = `From the request journal (${entries.length} requests this key made that the journal still holds).`;
    const rows = new Map();
    for (const entry of entries) {
      const tokens = tokensOf(entry);
      if (tokens === null || !entry.model) continue;
      const hour = Math.floor(entry.created_at / 3600) * 3600;
      const key = `${hour} ${entry.model}`;
      const row = rows.get(key) || { hour, model: entry.model, requests: 0, tokens: 0 };
      row.requests += 1;
      row.tokens += tokens;
      rows.set(key, row);
    }
    return [...rows.values()];
  }

  async function usageFromApi(adminKey) {
    const start = (Math.floor(Date.now() / 3600000) - 23) * 3600; // 24 hourly buckets, this one the last
    const query = new URLSearchParams({ start_time: String(start), bucket_width: "1h", group_by: "model", limit: "24" });
    const answer = await call("GET", `/v1/organization/usage/completions?${query}`, undefined, undefined, adminKey);
    if (!answer.ok) {
      $("usage-source").textContent = `The usage API refused: ${errorText(answer)}`;
      return null;
    }
    $("usage-source").textContent = "From /v1/organization/usage/completions (the admin key's organization, last 24 hours).";
    const rows = [];
    for (const bucket of answer.json.data || []) {
      for (const result of bucket.results || []) {
        rows.push({
          hour: bucket.start_time,
          model: result.model || "all models",
          requests: result.num_model_requests || 0,
          tokens: (result.input_tokens || 0) + (result.output_tokens || 0),
        });
      }
    }
    return rows.filter((row) => row.tokens > 0);
  }

  const SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, ...children) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, String(value));
    }
    node.append(...children);
    return node;
  }

  function hourLabel(seconds) {
    return `${String(new Date(seconds * 1000).getUTCHours()).padStart(2, "0")}:00`;
  }

  function renderUsage(rows) {
    rows.sort((a, b) => a.hour - b.hour || a.model.localeCompare(b.model));
    $("usage-table").tBodies[0].replaceChildren(
      ...rows.map((row) =>
        el(
          "tr",
          {},
          el("td", { text: dateTime(row.hour).slice(0, 16) }),
          el("td", { text: row.model }),
          el("td", { text: String(row.requests) }),
          el("td", { text: String(row.tokens) }),
        ),
      ),
    );
    const seen = rows.map((row) => row.hour);
    const hours = [];  // every hour from the first to the last (at most 48), empty ones included
    for (let hour = Math.max(Math.min(...seen), Math.max(...seen) - 47 * 3600); hour <= Math.max(...seen); hour += 3600) {
      hours.push(hour);
    }
    const models = [...new Set(rows.map((row) => row.model))].sort();
    const totals = hours.map((hour) => rows.filter((row) => row.hour === hour).reduce((sum, row) => sum + row.tokens, 0));
    const max = Math.max(1, ...totals);
    const width = 720;
    const height = 260;
    const left = 56;
    const bottom = 28;
    const top = 12;
    const plot = height - bottom - top;
    const slot = (width - left - 8) / Math.max(hours.length, 1);
    const bar = Math.min(48, slot * 0.7);
    const chart = svg("svg", {
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-labelledby": "usage-caption",
      class: "usage",
    });
    for (const fraction of [0, 0.5, 1]) {
      const y = top + plot * (1 - fraction);
      chart.append(svg("line", { x1: left, x2: width - 4, y1: y, y2: y, class: "axis" }));
      chart.append(svg("text", { x: left - 6, y: y + 4, "text-anchor": "end", text: String(Math.round(max * fraction)) }));
    }
    hours.forEach((hour, i) => {
      const x = left + i * slot + (slot - bar) / 2;
      let y = top + plot;
      for (const model of models) {
        const row = rows.find((r) => r.hour === hour && r.model === model);
        if (!row) continue;
        const h = (row.tokens / max) * plot;
        y -= h;
        const rect = svg("rect", { x, y, width: bar, height: Math.max(h, 1), class: `series-${models.indexOf(model) % 8}` });
        rect.append(svg("title", { text: `${model}, ${hourLabel(hour)}: ${row.tokens} tokens in ${row.requests} requests` }));
        chart.append(rect);
      }
      if (hours.length <= 12 || i % Math.ceil(hours.length / 12) === 0) {
        chart.append(svg("text", { x: x + bar / 2, y: height - 8, "text-anchor": "middle", text: hourLabel(hour) }));
      }
    });
    const legend = el(
      "div",
      { class: "legend" },
      ...models.map((model, i) => el("span", {}, el("span", { class: `swatch series-${i % 8}`, "aria-hidden": "true" }), model)),
    );
    if (!rows.length) {
      $("usage-chart").replaceChildren(el("p", { class: "muted", text: "No tokens counted yet: make a model request with this key." }));
    } else {
      $("usage-chart").replaceChildren(chart, legend);
    }
  }

  // ------------------------------------------------------------------------------------------- wiring

  function wire() {
    setUpTabs();
    $("key-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const key = $("key").value.trim();
      if (key) connect(key);
    });
    $("forget").addEventListener("click", forget);
    $("pause").addEventListener("click", () => {
      state.paused = !state.paused;
      $("pause").setAttribute("aria-pressed", String(state.paused));
      $("pause").textContent = state.paused ? "Resume" : "Pause";
      $("live").textContent = state.paused ? "Paused" : "";
    });
    $("show-own").addEventListener("change", () => {
      state.entries = [];
      poll();
    });
    $("path-filter").addEventListener("input", () => {
      state.entries = [];
      poll();
    });
    $("clear-journal").addEventListener("click", async () => {
      await call("DELETE", "/__mock/requests");
      state.entries = [];
      state.selected = null;
      $("detail").hidden = true;
      renderRequests();
    });
    $("copy-curl").addEventListener("click", () => copy(curlOf(selectedEntry()), "curl"));
    $("copy-python").addEventListener("click", () => copy(pythonOf(selectedEntry()), "Python"));
    $("save-fixture").addEventListener("click", saveFixture);
    $("fixtures-refresh").addEventListener("click", loadFixtures);
    $("fixture-save").addEventListener("click", saveEditor);
    $("fixture-cancel").addEventListener("click", () => {
      stopEditing();
      $("fixture-json").value = JSON.stringify(TEMPLATE_FIXTURE, null, 2);
    });
    $("fixtures-delete-all").addEventListener("click", deleteAllFixtures);
    $("fixtures-export").addEventListener("click", exportFixtures);
    $("fixtures-import").addEventListener("change", (event) => {
      const file = event.target.files[0];
      if (file) importFixtures(file);
      event.target.value = "";
    });
    $("object-kind").addEventListener("change", loadObjects);
    $("objects-refresh").addEventListener("click", loadObjects);
    $("object-search").addEventListener("input", renderObjects);
    $("advance-minute").addEventListener("click", () => moveClock({ advance_seconds: 60 }, "Advanced 1 minute."));
    $("advance-hour").addEventListener("click", () => moveClock({ advance_seconds: 3600 }, "Advanced 1 hour."));
    $("clock-real").addEventListener("click", () => moveClock({ offset_seconds: 0 }, "Back to real time."));
    $("quotas-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const body = {};
      if ($("rpm").value) body.requests_per_minute = Number($("rpm").value);
      if ($("tpm").value) body.tokens_per_minute = Number($("tpm").value);
      saveQuotas(body);
    });
    $("quotas-default").addEventListener("click", () => saveQuotas({}));
    $("fault-form").addEventListener("submit", (event) => {
      event.preventDefault();
      armFault();
    });
    $("reset").addEventListener("click", resetTenant);
    $("usage-refresh").addEventListener("click", loadUsage);
    if (state.key) connect(state.key);
    else $("key").focus();
  }

  wire();
})();
