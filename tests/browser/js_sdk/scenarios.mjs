// The official JS SDK (tests/node/node_modules/openai, served as-is under /openai/) run by a page of another origin
// against the mock. `?base=<mock>/v1&key=<api key>&scenario=<name>`: the page runs that scenario and puts a promise
// of its JSON summary on `window.results` (tests/browser/test_js_sdk.py awaits it). A failed scenario resolves to
// `{ error }` so the test shows what the SDK threw.

import OpenAI, { BadRequestError, toFile } from '/openai/index.mjs';

const CHAT_MODEL = 'gpt-4o-mini';
const RESPONSES_MODEL = 'gpt-4.1';
const NOTES = '{"prompt": "tide", "completion": "moon"}\n{"prompt": "wind", "completion": "sail"}\n';

const query = new URLSearchParams(location.search);

function makeClient() {
  // No retries: a scenario must see the mock's first answer, not a retried one.
  return new OpenAI({ baseURL: query.get('base'), apiKey: query.get('key'), dangerouslyAllowBrowser: true, maxRetries: 0 });
}

function user(content) {
  return [{ role: 'user', content }];
}

const scenarios = {
  async models(client) {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    const { data: one, response } = await client.models.retrieve(CHAT_MODEL).withResponse();
    return {
      count: ids.length,
      unique: new Set(ids).size,
      has: ids.includes(CHAT_MODEL),
      retrieved: one.id,
      owned_by: one.owned_by,
      // Readable cross-origin only because the mock exposes them (Access-Control-Expose-Headers).
      request_id: response.headers.get('x-request-id'),
      openai_version: response.headers.get('openai-version'),
    };
  },

  async chat(client) {
    const completion = await client.chat.completions.create({
      model: CHAT_MODEL,
      messages: user('Say hello to Ada.'),
      max_completion_tokens: 64,
      seed: 7,
    });
    const [choice] = completion.choices;
    return {
      id: completion.id,
      object: completion.object,
      model: completion.model,
      role: choice.message.role,
      text: choice.message.content,
      finish_reason: choice.finish_reason,
      usage: completion.usage,
    };
  },

  async chat_stream(client) {
    // Paced by the mock (its x-mock-* controls, custom headers a preflight must allow): the chunks reach the page
    // over time, so the browser's fetch body is read as a stream, not buffered.
    const stream = await client.chat.completions.create(
      {
        model: CHAT_MODEL,
        messages: user('Tell me about the sea.'),
        seed: 7,
        stream: true,
        stream_options: { include_usage: true },
      },
      { headers: { 'x-mock-ttft-ms': '50', 'x-mock-tokens-per-second': '200' } },
    );
    let chunks = 0;
    let streamed = '';
    let finish_reason = null;
    let usage = null;
    const ids = new Set();
    const arrivals = [];
    for await (const chunk of stream) {
      chunks += 1;
      arrivals.push(performance.now());
      ids.add(chunk.id);
      streamed += chunk.choices[0]?.delta?.content ?? '';
      finish_reason = chunk.choices[0]?.finish_reason ?? finish_reason;
      usage = chunk.usage ?? usage;
    }
    return { chunks, ids: [...ids], streamed, finish_reason, usage, spread_ms: arrivals.at(-1) - arrivals[0] };
  },

  async responses_stream(client) {
    const stream = client.responses.stream({ model: RESPONSES_MODEL, input: 'Tell me about rivers.' });
    const types = [];
    let streamed = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') streamed += event.delta;
    }
    const final = await stream.finalResponse();
    return {
      first: types[0],
      last: types.at(-1),
      deltas: types.filter((type) => type === 'response.output_text.delta').length,
      streamed,
      id: final.id,
      status: final.status,
      output_text: final.output_text,
      output_tokens: final.usage.output_tokens,
    };
  },

  async files(client) {
    // A browser File (what an <input type=file> gives) and the SDK's toFile over a Blob: both go up as FormData.
    const file = new File([NOTES], 'notes.jsonl', { type: 'application/jsonl' });
    const uploaded = await client.files.create({ file, purpose: 'user_data' });
    const blob = new Blob(['The second file.'], { type: 'text/plain' });
    const second = await client.files.create({ file: await toFile(blob, 'second.txt'), purpose: 'assistants' });
    const retrieved = await client.files.retrieve(uploaded.id);
    const content = await (await client.files.content(uploaded.id)).text();
    const secondContent = await (await client.files.content(second.id)).text();
    return {
      id: uploaded.id,
      filename: retrieved.filename,
      bytes: retrieved.bytes,
      purpose: retrieved.purpose,
      content,
      second_id: second.id,
      second_filename: second.filename,
      second_purpose: second.purpose,
      second_content: secondContent,
    };
  },

  async bad_request(client) {
    try {
      await client.chat.completions.create({ model: CHAT_MODEL, messages: user('Hi'), temperature: 5 });
    } catch (error) {
      return {
        is_bad_request: error instanceof BadRequestError,
        class: error.constructor.name,
        status: error.status,
        param: error.param,
        code: error.code,
        type: error.type,
        message: error.message,
        request_id: error.requestID ?? null,
      };
    }
    return { error: 'temperature 5 was accepted' };
  },
};

async function run(name) {
  const scenario = scenarios[name];
  if (!scenario) return { error: `no scenario ${name}` };
  try {
    return await scenario(makeClient());
  } catch (error) {
    return { error: `${error?.constructor?.name}: ${error?.message}`, stack: String(error?.stack ?? '') };
  }
}

window.results = run(query.get('scenario'));
