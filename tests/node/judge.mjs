// The official Node SDK (openai on npm) as a judge of the mock: each scenario drives the SDK against
// OPENAI_BASE_URL and returns a small summary of what came back, or throws.
// `node tests/node/judge.mjs <scenario>` prints the summary as JSON (exit 0) or the error (exit 1), `--list` the
// scenarios' names; tests/functions/test_node_sdk.py runs each against a live mock and checks its summary.

import { createServer } from 'node:http';
import { connect as tcpConnect } from 'node:net';

import OpenAI, { BadRequestError, toFile } from 'openai';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { ResponsesWS } from 'openai/resources/responses/ws';

const CHAT_MODEL = 'gpt-4o-mini';
const RESPONSES_MODEL = 'gpt-4.1';
const PNG_SIGNATURE = '89504e470d0a1a0a';
const DEADLINE_MS = 30_000;

function makeClient() {
  // No retries: a scenario must see the mock's first answer, not a retried one.
  return new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
}

function check(condition, message) {
  if (!condition) throw new Error(message);
}

function user(content) {
  return [{ role: 'user', content }];
}

// Resolves with the first event `wanted` accepts; rejects on an `error` event or after the deadline.
function nextEvent(emitter, wanted, what) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${DEADLINE_MS} ms`)), DEADLINE_MS);
    const onEvent = (event) => {
      if (!wanted(event)) return;
      clearTimeout(timer);
      resolve(event);
    };
    emitter.on('event', onEvent);
    emitter.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const scenarios = {
  async models(client) {
    const ids = [];
    for await (const model of client.models.list()) ids.push(model.id);
    const one = await client.models.retrieve(ids[0]);
    return { count: ids.length, unique: new Set(ids).size, has: ids.includes(CHAT_MODEL), retrieved: one.id };
  },

  async chat(client) {
    const completion = await client.chat.completions.create({
      model: CHAT_MODEL,
      messages: user('Say hello to Ada.'),
      max_completion_tokens: 64,
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
    const stream = client.chat.completions.stream({
      model: CHAT_MODEL,
      messages: user('Tell me about the sea.'),
      stream_options: { include_usage: true },
    });
    let chunks = 0;
    let streamed = '';
    for await (const chunk of stream) {
      chunks += 1;
      streamed += chunk.choices[0]?.delta?.content ?? '';
    }
    const final = await stream.finalChatCompletion();
    return {
      chunks,
      streamed,
      id: final.id,
      text: final.choices[0].message.content,
      finish_reason: final.choices[0].finish_reason,
      total_tokens: final.usage?.total_tokens ?? null,
    };
  },

  async chat_tools(client) {
    const messages = user('What is the weather in Paris?');
    const first = await client.chat.completions.create({ model: CHAT_MODEL, messages, tools: [weatherTool] });
    const message = first.choices[0].message;
    const call = message.tool_calls?.[0];
    check(call, `no tool call: ${JSON.stringify(first.choices[0])}`);
    const args = JSON.parse(call.function.arguments);
    messages.push(message, { role: 'tool', tool_call_id: call.id, content: 'Sunny and 24 degrees.' });
    const second = await client.chat.completions.create({ model: CHAT_MODEL, messages, tools: [weatherTool] });
    return {
      first_finish_reason: first.choices[0].finish_reason,
      tool: call.function.name,
      arguments: args,
      call_id: call.id,
      final_finish_reason: second.choices[0].finish_reason,
      final_text: second.choices[0].message.content,
    };
  },

  async structured_output(client) {
    const completion = await client.chat.completions.parse({
      model: CHAT_MODEL,
      messages: user('Describe a city.'),
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'city',
          strict: true,
          schema: {
            type: 'object',
            properties: {
              name: { type: 'string' },
              population: { type: 'integer' },
              coastal: { type: 'boolean' },
            },
            required: ['name', 'population', 'coastal'],
            additionalProperties: false,
          },
        },
      },
    });
    const parsed = completion.choices[0].message.parsed;
    return { parsed, types: Object.fromEntries(Object.entries(parsed).map(([key, value]) => [key, typeof value])) };
  },

  async responses(client) {
    const response = await client.responses.create({
      model: RESPONSES_MODEL,
      input: 'Write one sentence about owls.',
      instructions: 'Be brief.',
    });
    return {
      id: response.id,
      object: response.object,
      status: response.status,
      output_text: response.output_text,
      output_types: response.output.map((item) => item.type),
      input_tokens: response.usage.input_tokens,
      output_tokens: response.usage.output_tokens,
    };
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
    };
  },

  async responses_continuation(client) {
    const first = await client.responses.create({ model: RESPONSES_MODEL, input: 'My name is Ada.' });
    const second = await client.responses.create({
      model: RESPONSES_MODEL,
      input: 'What is my name?',
      previous_response_id: first.id,
    });
    const items = [];
    for await (const item of client.responses.inputItems.list(second.id)) items.push(item);
    return {
      first_id: first.id,
      previous_response_id: second.previous_response_id,
      output_text: second.output_text,
      // The second turn was billed for the first one's context too.
      input_tokens: [first.usage.input_tokens, second.usage.input_tokens],
      input_items: items.length,
    };
  },

  async conversations(client) {
    const conversation = await client.conversations.create({
      metadata: { topic: 'demo' },
      items: [{ type: 'message', role: 'user', content: 'Hello there.' }],
    });
    await client.conversations.items.create(conversation.id, {
      items: [{ type: 'message', role: 'user', content: 'A second message.' }],
    });
    const response = await client.responses.create({
      model: RESPONSES_MODEL,
      conversation: conversation.id,
      input: 'Answer me.',
    });
    const items = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc', limit: 2 })) {
      items.push(item);
    }
    const retrieved = await client.conversations.retrieve(conversation.id);
    return {
      id: conversation.id,
      object: retrieved.object,
      metadata: retrieved.metadata,
      item_roles: items.map((item) => `${item.type}:${item.role}`),
      response_text: response.output_text,
      response_conversation: response.conversation?.id ?? null,
    };
  },

  async embeddings(client) {
    // The Node SDK asks for base64 when no encoding_format is given and decodes it into floats.
    const result = await client.embeddings.create({
      model: 'text-embedding-3-small',
      input: ['the cat sat', 'the dog ran'],
    });
    const [first, second] = result.data.map((item) => item.embedding);
    const norm = Math.hypot(...first);
    return {
      count: result.data.length,
      dimensions: first.length,
      numbers: first.every((value) => typeof value === 'number' && Number.isFinite(value)),
      nonzero: first.filter((value) => value !== 0).length,
      norm,
      differ: first.some((value, index) => value !== second[index]),
      prompt_tokens: result.usage.prompt_tokens,
    };
  },

  async embeddings_dimensions(client) {
    const floats = await client.embeddings.create({
      model: 'text-embedding-3-large',
      input: 'shortened',
      dimensions: 256,
      encoding_format: 'float',
    });
    const decoded = await client.embeddings.create({ model: 'text-embedding-3-large', input: 'shortened', dimensions: 256 });
    return {
      dimensions: floats.data[0].embedding.length,
      // float32 over the wire as base64, doubles as JSON numbers: the same vector to float32 precision.
      same: floats.data[0].embedding.every((value, index) => Math.fround(value) === decoded.data[0].embedding[index]),
    };
  },

  async files(client) {
    const bytes = Buffer.from('{"prompt": "a", "completion": "b"}\n{"prompt": "c", "completion": "d"}\n');
    const uploaded = await client.files.create({ file: await toFile(bytes, 'train.jsonl'), purpose: 'user_data' });
    const retrieved = await client.files.retrieve(uploaded.id);
    const content = Buffer.from(await (await client.files.content(uploaded.id)).arrayBuffer());
    for (const name of ['a.txt', 'b.txt']) {
      await client.files.create({ file: await toFile(Buffer.from(name), name), purpose: 'user_data' });
    }
    const listed = [];
    for await (const file of client.files.list({ limit: 1 })) listed.push(file.id); // one page per file
    const deleted = await client.files.delete(uploaded.id);
    return {
      id: uploaded.id,
      filename: retrieved.filename,
      bytes: retrieved.bytes,
      purpose: retrieved.purpose,
      content_equal: content.equals(bytes),
      listed: listed.length,
      listed_unique: new Set(listed).size,
      deleted: deleted.deleted,
    };
  },

  async images(client) {
    const result = await client.images.generate({
      model: 'gpt-image-1',
      prompt: 'A red square',
      size: '1024x1024',
      quality: 'low',
    });
    const png = Buffer.from(result.data[0].b64_json, 'base64');
    return {
      count: result.data.length,
      signature: png.subarray(0, 8).toString('hex'),
      width: png.readUInt32BE(16),
      height: png.readUInt32BE(20),
      output_format: result.output_format ?? null,
    };
  },

  async audio(client) {
    const speech = await client.audio.speech.create({
      model: 'gpt-4o-mini-tts',
      voice: 'alloy',
      input: 'The quick brown fox jumps over the lazy dog.',
      response_format: 'wav',
    });
    const wav = Buffer.from(await speech.arrayBuffer());
    const transcription = await client.audio.transcriptions.create({
      model: 'whisper-1',
      file: await toFile(wav, 'speech.wav', { type: 'audio/wav' }),
      response_format: 'verbose_json',
    });
    return {
      content_type: speech.headers.get('content-type'),
      riff: wav.subarray(0, 4).toString('ascii'),
      wave: wav.subarray(8, 12).toString('ascii'),
      bytes: wav.length,
      text: transcription.text,
      duration: transcription.duration,
      segments: transcription.segments?.length ?? 0,
    };
  },

  async moderations(client) {
    const result = await client.moderations.create({
      model: 'omni-moderation-latest',
      input: ['I love sunny days.', 'I will kill you.'],
    });
    return {
      model: result.model,
      flagged: result.results.map((item) => item.flagged),
      violence: result.results[1].categories.violence,
      category_count: Object.keys(result.results[0].categories).length,
    };
  },

  async vector_store(client) {
    const store = await client.vectorStores.create({ name: 'Handbook' });
    const files = [
      await toFile(Buffer.from('Holidays: every employee has 25 days of paid leave.'), 'holidays.txt'),
      await toFile(Buffer.from('Expenses: receipts are filed within 30 days.'), 'expenses.txt'),
    ];
    const batch = await client.vectorStores.fileBatches.uploadAndPoll(store.id, { files }, { pollIntervalMs: 50 });
    const results = await client.vectorStores.search(store.id, { query: 'paid leave days' });
    return {
      batch_status: batch.status,
      file_counts: batch.file_counts,
      hits: results.data.length,
      top_file: results.data[0]?.filename ?? null,
      top_text: results.data[0]?.content?.[0]?.text ?? null,
    };
  },

  async batches(client) {
    const lines = ['Hi', 'Bye'].map((content, index) =>
      JSON.stringify({
        custom_id: `request-${index}`,
        method: 'POST',
        url: '/v1/chat/completions',
        body: { model: CHAT_MODEL, messages: user(content) },
      }),
    );
    const input = await client.files.create({
      file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'batch.jsonl'),
      purpose: 'batch',
    });
    const batch = await client.batches.create({
      input_file_id: input.id,
      endpoint: '/v1/chat/completions',
      completion_window: '24h',
      metadata: { job: 'node' },
    });
    const retrieved = await client.batches.retrieve(batch.id);
    const listed = [];
    for await (const item of client.batches.list()) listed.push(item.id);
    return {
      id: batch.id,
      input_file_id: retrieved.input_file_id,
      endpoint: retrieved.endpoint,
      status: retrieved.status,
      metadata: retrieved.metadata,
      listed: listed.includes(batch.id),
    };
  },

  async bad_request(client) {
    try {
      await client.chat.completions.create({ model: CHAT_MODEL, messages: user('Hi'), temperature: 5 });
    } catch (error) {
      check(error instanceof BadRequestError, `not a BadRequestError: ${error}`);
      return {
        class: error.constructor.name,
        status: error.status,
        param: error.param,
        code: error.code,
        type: error.type,
        request_id: error.requestID ?? null,
      };
    }
    throw new Error('temperature 5 was accepted');
  },

  async not_found(client) {
    try {
      await client.files.retrieve('file-doesnotexist');
    } catch (error) {
      return { class: error.constructor.name, status: error.status, type: error.type, param: error.param };
    }
    throw new Error('an unknown file was found');
  },

  async realtime(client) {
    // The SDK always opens wss:// (it rewrites the scheme). Against a plain http:// mock the socket is made with
    // net.connect, which the `ws` package takes as `createConnection`; against `openai-mock serve --tls` it is
    // the SDK's own TLS socket (the certificate trusted through NODE_EXTRA_CA_CERTS).
    const plain = new URL(client.baseURL).protocol === 'http:';
    const options = plain ? { createConnection: (socketOptions) => tcpConnect(socketOptions) } : {};
    const rt = new OpenAIRealtimeWS({ model: 'gpt-realtime', options }, client);
    const created = nextEvent(rt, (event) => event.type === 'session.created', 'session.created');
    await new Promise((resolve, reject) => {
      rt.socket.once('open', resolve);
      rt.socket.once('error', reject);
    });
    const session = await created;
    const updated = nextEvent(rt, (event) => event.type === 'session.updated', 'session.updated');
    rt.send({
      type: 'session.update',
      session: { type: 'realtime', output_modalities: ['text'], instructions: 'Answer in one sentence.' },
    });
    const afterUpdate = await updated;
    let text = '';
    rt.on('response.output_text.delta', (event) => {
      text += event.delta;
    });
    const done = nextEvent(rt, (event) => event.type === 'response.done', 'response.done');
    rt.send({
      type: 'conversation.item.create',
      item: { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Hello!' }] },
    });
    rt.send({ type: 'response.create' });
    const { response } = await done;
    rt.close();
    return {
      session_id: session.session.id ?? null,
      instructions: afterUpdate.session.instructions,
      output_modalities: afterUpdate.session.output_modalities,
      status: response.status,
      text,
      done_text: response.output?.[0]?.content?.[0]?.text ?? null,
    };
  },

  async responses_websocket(client) {
    const ws = new ResponsesWS(client);
    const completed = () => nextEvent(ws, (event) => event.type === 'response.completed', 'response.completed');
    let text = '';
    ws.on('event', (event) => {
      if (event.type === 'response.output_text.delta') text += event.delta;
    });
    const first = completed();
    ws.send({ type: 'response.create', model: RESPONSES_MODEL, input: 'My name is Ada.' });
    const { response: one } = await first;
    const firstText = text;
    text = '';
    const second = completed();
    ws.send({
      type: 'response.create',
      model: RESPONSES_MODEL,
      input: 'What is my name?',
      previous_response_id: one.id,
    });
    const { response: two } = await second;
    ws.close({ code: 1000, reason: 'done' });
    return {
      ids: [one.id, two.id],
      statuses: [one.status, two.status],
      previous_response_id: two.previous_response_id,
      texts: [firstText, text],
      input_tokens: [one.usage.input_tokens, two.usage.input_tokens],
    };
  },

  async webhooks(client) {
    const received = [];
    const receiver = createServer((request, reply) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        received.push({ body, headers: request.headers });
        reply.writeHead(200).end('ok');
      });
    });
    await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${receiver.address().port}/webhooks/openai`;
      const endpoint = await client.webhooks.create({ name: 'Node judge', url, event_types: ['batch.completed'] });
      const test = await client.webhooks.test(endpoint.id, { event_type: 'batch.completed' });
      check(received.length === 1, `${received.length} deliveries received`);
      const [{ body, headers }] = received;
      const event = await client.webhooks.unwrap(body, headers, endpoint.signing_secret);
      let forged = null;
      try {
        await client.webhooks.unwrap(body.replace('batch.completed', 'batch.failed'), headers, endpoint.signing_secret);
      } catch (error) {
        forged = error.constructor.name;
      }
      return {
        test_status: test.status_code,
        success: test.success,
        event_type: event.type,
        event_id: event.id,
        data_id: event.data.id,
        webhook_id: headers['webhook-id'],
        forged,
      };
    } finally {
      receiver.close();
    }
  },
};

async function main() {
  const name = process.argv[2];
  if (name === '--list') {
    console.log(JSON.stringify(Object.keys(scenarios)));
    process.exit(0);
  }
  const scenario = scenarios[name];
  if (!scenario) {
    console.error(`unknown scenario ${name}; one of: ${Object.keys(scenarios).join(', ')}`);
    process.exit(2);
  }
  try {
    console.log(JSON.stringify(await scenario(makeClient())));
    process.exit(0);
  } catch (error) {
    console.error(error?.stack ?? String(error));
    if (error?.error) console.error(JSON.stringify(error.error));
    process.exit(1);
  }
}

await main();
