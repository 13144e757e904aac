// The official Node SDK (openai on npm) as a judge of the mock: each scenario drives the SDK against
// OPENAI_BASE_URL and returns a small summary of what came back, or throws.
// `node tests/node/judge.mjs <scenario>` prints the summary as JSON (exit 0) or the error (exit 1), `--list` the
// scenarios' names; tests/functions/test_node_sdk.py runs each against a live mock and checks its summary.

import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { connect as tcpConnect } from 'node:net';

import OpenAI, { BadRequestError, toFile } from 'openai';
import { zodResponseFormat, zodTextFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { OpenAIRealtimeWS } from 'openai/realtime/ws';
import { ResponsesWS } from 'openai/resources/responses/ws';
import { check, runScenario } from './runner.mjs';

const CHAT_MODEL = 'gpt-4o-mini';
const RESPONSES_MODEL = 'gpt-4.1';
const PNG_SIGNATURE = '89504e470d0a1a0a';
const DEADLINE_MS = 30_000;
const POLL_MS = 100; // the poll helpers' interval: the mock's asynchronous objects progress by its real clock

function makeClient() {
  // No retries: a scenario must see the mock's first answer, not a retried one.
  return new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, maxRetries: 0 });
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

// A schema with every kind the zod helpers turn into strict JSON Schema: the SDK parses the answer with it.
const CityReport = z.object({
  name: z.string(),
  population: z.number().int(),
  coastal: z.boolean(),
  climate: z.enum(['arid', 'temperate', 'tropical']),
  mayor: z.string().nullable(),
  landmarks: z.array(z.object({ name: z.string(), built: z.number().int() })),
});

function kinds(value) {
  if (Array.isArray(value)) return value.length ? [kinds(value[0])] : [];
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, kinds(item)]));
}

function cityReportSummary(parsed) {
  return {
    kinds: kinds(parsed),
    valid: CityReport.safeParse(parsed).success,
    integer: Number.isInteger(parsed.population),
    climate: parsed.climate,
    landmarks: parsed.landmarks.length,
  };
}

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

  async zod_chat(client) {
    const completion = await client.chat.completions.parse({
      model: CHAT_MODEL,
      messages: user('Report on a city.'),
      response_format: zodResponseFormat(CityReport, 'city_report'),
    });
    const { message, finish_reason } = completion.choices[0];
    return { finish_reason, refusal: message.refusal, ...cityReportSummary(message.parsed) };
  },

  async zod_responses(client) {
    const response = await client.responses.parse({
      model: RESPONSES_MODEL,
      input: 'Report on a city.',
      text: { format: zodTextFormat(CityReport, 'city_report') },
    });
    return {
      status: response.status,
      format: response.text.format.type,
      same_as_text: JSON.stringify(response.output_parsed) === JSON.stringify(JSON.parse(response.output_text)),
      ...cityReportSummary(response.output_parsed),
    };
  },

  async run_tools(client) {
    const calls = [];
    const runner = client.chat.completions.runTools({
      model: CHAT_MODEL,
      messages: user('What is the weather in Paris?'),
      tools: [
        {
          type: 'function',
          function: {
            ...weatherTool.function,
            function: (args) => {
              calls.push(args);
              return { city: args.city, forecast: 'Hail and 3 degrees' };
            },
            parse: JSON.parse,
          },
        },
      ],
    });
    const content = await runner.finalContent();
    const messages = runner.messages;
    return {
      calls,
      roles: messages.map((message) => message.role),
      tool_message: messages.find((message) => message.role === 'tool')?.content ?? null,
      final_content: content,
      function_result: await runner.finalFunctionToolCallResult(),
      // Both turns billed: the SDK adds up the usage of each completion it asked for.
      completions: runner.allChatCompletions().length,
      total_tokens: (await runner.totalUsage()).total_tokens,
    };
  },

  async assistants(client) {
    const assistant = await client.beta.assistants.create({
      model: CHAT_MODEL,
      name: 'Guide',
      instructions: 'Answer briefly.',
    });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'Tell me about lighthouses.' }],
      metadata: { source: 'node' },
    });
    const polled = await client.beta.threads.runs.createAndPoll(
      thread.id,
      { assistant_id: assistant.id },
      { pollIntervalMs: POLL_MS },
    );
    await client.beta.threads.messages.create(thread.id, { role: 'user', content: 'And about bridges?' });
    let streamed = '';
    let snapshot = '';
    const stream = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    stream.on('textDelta', (delta, text) => {
      streamed += delta.value;
      snapshot = text.value;
    });
    const streamedRun = await stream.finalRun();
    const [streamedMessage] = await stream.finalMessages();
    const messages = [];
    for await (const message of client.beta.threads.messages.list(thread.id, { order: 'asc', limit: 2 })) {
      messages.push(message);
    }
    return {
      thread_metadata: thread.metadata,
      statuses: [polled.status, streamedRun.status],
      assistants: [polled.assistant_id, streamedRun.assistant_id].map((id) => id === assistant.id),
      total_tokens: polled.usage?.total_tokens ?? null,
      roles: messages.map((message) => message.role),
      runs: messages.map(({ run_id }) => ({ [polled.id]: 'polled', [streamedRun.id]: 'streamed' })[run_id] ?? null),
      polled_text: messages[1].content[0].text.value,
      streamed,
      snapshot_is_whole: snapshot === streamed,
      stored_is_streamed: [messages[3], streamedMessage].every((message) => message.content[0].text.value === streamed),
    };
  },

  async assistants_stream(client) {
    const assistant = await client.beta.assistants.create({ model: CHAT_MODEL, tools: [weatherTool] });
    const thread = await client.beta.threads.create({
      messages: [{ role: 'user', content: 'What is the weather in Paris? Use get_weather.' }],
    });
    const events = [];
    const first = client.beta.threads.runs.stream(thread.id, { assistant_id: assistant.id });
    first.on('event', ({ event }) => events.push(event));
    const waiting = await first.finalRun();
    check(waiting.status === 'requires_action', `run ${waiting.status}, not requires_action`);
    const calls = waiting.required_action.submit_tool_outputs.tool_calls;
    const deltas = [];
    const resumed = client.beta.threads.runs.submitToolOutputsStream(waiting.id, {
      thread_id: thread.id,
      tool_outputs: calls.map((call) => ({ tool_call_id: call.id, output: 'Fog and 11 degrees' })),
    });
    resumed.on('textDelta', (delta, snapshot) => deltas.push({ delta: delta.value, snapshot: snapshot.value }));
    const run = await resumed.finalRun();
    const [message] = await resumed.finalMessages();
    const text = message.content[0].text.value;
    return {
      first_events: [events[0], events.at(-1)],
      tool: calls.map((call) => call.function.name),
      arguments: calls.map((call) => JSON.parse(call.function.arguments)),
      run_status: run.status,
      same_run: run.id === waiting.id,
      deltas: deltas.length,
      deltas_joined: deltas.map((item) => item.delta).join('') === text,
      last_snapshot: deltas.at(-1)?.snapshot === text,
      text,
      message_run: message.run_id === run.id,
    };
  },

  async responses_stream_tools(client) {
    const tools = [{ type: 'function', strict: true, ...weatherTool.function }];
    tools[0].parameters = { ...tools[0].parameters, additionalProperties: false };
    const first = client.responses.stream({ model: RESPONSES_MODEL, input: 'What is the weather in Paris?', tools });
    let argumentDeltas = '';
    first.on('response.function_call_arguments.delta', (event) => {
      argumentDeltas += event.delta;
    });
    const asked = await first.finalResponse();
    const call = asked.output.find((item) => item.type === 'function_call');
    check(call, `no function call: ${JSON.stringify(asked.output)}`);
    const second = client.responses.stream({
      model: RESPONSES_MODEL,
      previous_response_id: asked.id,
      input: [{ type: 'function_call_output', call_id: call.call_id, output: 'Snow and -2 degrees' }],
      tools,
    });
    let streamed = '';
    second.on('response.output_text.delta', (event) => {
      streamed += event.delta;
    });
    const answered = await second.finalResponse();
    return {
      first_status: asked.status,
      tool: call.name,
      arguments: JSON.parse(call.arguments),
      streamed_arguments: argumentDeltas === call.arguments,
      call_id: call.call_id,
      status: answered.status,
      previous_response_id: answered.previous_response_id === asked.id,
      output_text: answered.output_text,
      streamed_text: streamed === answered.output_text,
    };
  },

  async uploads(client) {
    const text = Array.from({ length: 40 }, (_, index) => `line ${index}: the quick brown fox\n`).join('');
    const bytes = Buffer.from(text);
    const chunkSize = 400;
    const upload = await client.uploads.create({
      bytes: bytes.length,
      filename: 'notes.txt',
      mime_type: 'text/plain',
      purpose: 'assistants',
    });
    const chunks = [];
    for (let start = 0; start < bytes.length; start += chunkSize) chunks.push(bytes.subarray(start, start + chunkSize));
    // Parts sent last chunk first: the file is put together in the order of part_ids, not of arrival.
    const parts = [];
    for (const chunk of [...chunks].reverse()) {
      parts.unshift(await client.uploads.parts.create(upload.id, { data: await toFile(chunk, 'chunk') }));
    }
    const partIds = parts.map((part) => part.id);
    const md5 = createHash('md5').update(bytes).digest('hex');
    const completed = await client.uploads.complete(upload.id, { part_ids: partIds, md5 });
    const content = Buffer.from(await (await client.files.content(completed.file.id)).arrayBuffer());
    return {
      status: [upload.status, completed.status],
      parts: parts.length,
      part_upload_ids: parts.every((part) => part.upload_id === upload.id),
      file_id: completed.file.id,
      filename: completed.file.filename,
      file_bytes: completed.file.bytes,
      purpose: completed.file.purpose,
      content_equal: content.equals(bytes),
    };
  },

  async fine_tuning(client) {
    const lines = ['Paris', 'Rome', 'Madrid'].map((city) =>
      JSON.stringify({
        messages: [
          { role: 'user', content: `Capital city: ${city}?` },
          { role: 'assistant', content: `${city} is a capital.` },
        ],
      }),
    );
    const training = await client.files.create({
      file: await toFile(Buffer.from(lines.join('\n') + '\n'), 'train.jsonl'),
      purpose: 'fine-tune',
    });
    const job = await client.fineTuning.jobs.create({
      model: CHAT_MODEL,
      training_file: training.id,
      suffix: 'node',
      metadata: { run: 'node' },
    });
    const events = [];
    for await (const event of client.fineTuning.jobs.listEvents(job.id, { limit: 1 })) events.push(event);
    const listed = [];
    for await (const item of client.fineTuning.jobs.list({ metadata: { run: 'node' } })) listed.push(item.id);
    return {
      id: job.id,
      model: job.model,
      status: job.status,
      training_file: job.training_file === training.id,
      events: events.length,
      event_ids_unique: new Set(events.map((event) => event.id)).size,
      event_objects: [...new Set(events.map((event) => event.object))],
      event_messages: events.map((event) => event.message),
      listed: listed.includes(job.id),
    };
  },

  async containers(client) {
    const source = Buffer.from('city,population\nParis,2100000\nRome,2800000\n');
    const stored = await client.files.create({ file: await toFile(source, 'cities.csv'), purpose: 'user_data' });
    const container = await client.containers.create({
      name: 'Node sandbox',
      file_ids: [stored.id],
      expires_after: { anchor: 'last_active_at', minutes: 20 },
    });
    const uploaded = await client.containers.files.create(container.id, {
      file: await toFile(Buffer.from('print("hello")\n'), 'hello.py'),
    });
    const paths = [];
    for await (const file of client.containers.files.list(container.id, { limit: 1, order: 'asc' })) {
      paths.push(file.path);
    }
    const content = await client.containers.files.content.retrieve(uploaded.id, { container_id: container.id });
    const containers = [];
    for await (const item of client.containers.list()) containers.push(item.id);
    return {
      id: container.id,
      object: container.object,
      status: container.status,
      name: container.name,
      expires_after: container.expires_after,
      file_container: uploaded.container_id === container.id,
      file_bytes: uploaded.bytes,
      paths,
      content: await content.text(),
      listed: containers.includes(container.id),
    };
  },

  async videos() {
    // A job renders by the mock's clock (docs/videos.md: 5 s queued, then 6 s per second of clip): the scenario
    // moves its own tenant's clock (a key of its own, so the other scenarios keep theirs) through the controls' HTTP
    // API, then reads the finished job and downloads its MP4 and thumbnail as binary answers.
    const apiKey = 'sk-node-judge-videos';
    const client = new OpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey, maxRetries: 0 });
    const job = await client.videos.create({ model: 'sora-2', prompt: 'A lighthouse at dusk', seconds: '4' });
    const root = new URL(process.env.OPENAI_BASE_URL);
    const moved = await fetch(new URL('/__mock/clock', root.origin), {
      method: 'POST',
      headers: { Authorization: `Bearer ${apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ advance_seconds: 60 }),
    });
    check(moved.ok, `the clock did not move: ${moved.status}`);
    const done = await client.videos.retrieve(job.id);
    const video = Buffer.from(await (await client.videos.downloadContent(job.id)).arrayBuffer());
    const thumbnail = Buffer.from(
      await (await client.videos.downloadContent(job.id, { variant: 'thumbnail' })).arrayBuffer(),
    );
    return {
      id: job.id,
      created_status: job.status,
      status: done.status,
      progress: done.progress,
      seconds: done.seconds,
      size: done.size,
      mp4_box: video.subarray(4, 8).toString('latin1'),
      mp4_bytes: video.length,
      thumbnail_riff: thumbnail.subarray(0, 4).toString('latin1') + thumbnail.subarray(8, 12).toString('latin1'),
    };
  },

  async vector_store_search(client) {
    const store = await client.vectorStores.create({ name: 'Policies' });
    const policies = [
      ['leave-hr.txt', 'Holidays: every employee has 25 days of paid leave.', { team: 'hr', year: 2025 }],
      ['leave-old.txt', 'Holidays: employees had 20 days of paid leave.', { team: 'hr', year: 2019 }],
      ['leave-sales.txt', 'Sales staff may carry over 5 days of paid leave.', { team: 'sales', year: 2025 }],
    ];
    for (const [name, text, attributes] of policies) {
      const file = await client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'assistants' });
      const body = { file_id: file.id, attributes };
      await client.vectorStores.files.createAndPoll(store.id, body, { pollIntervalMs: POLL_MS });
    }
    const hits = [];
    const search = client.vectorStores.search(store.id, {
      query: 'how many days of paid leave',
      filters: {
        type: 'and',
        filters: [
          { type: 'eq', key: 'team', value: 'hr' },
          { type: 'gte', key: 'year', value: 2020 },
        ],
      },
      max_num_results: 5,
    });
    for await (const hit of search) hits.push(hit);
    const everything = [];
    for await (const hit of client.vectorStores.search(store.id, { query: 'paid leave', max_num_results: 2 })) {
      everything.push(hit.filename);
    }
    return {
      filenames: hits.map((hit) => hit.filename),
      attributes: hits.map((hit) => hit.attributes),
      scores: hits.map((hit) => hit.score > 0 && hit.score <= 1),
      text: hits[0]?.content?.[0]?.text ?? null,
      unfiltered: everything.length,
    };
  },
};

await runScenario(scenarios, makeClient, (error) => error?.error && JSON.stringify(error.error));
