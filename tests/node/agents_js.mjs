// The OpenAI Agents SDK for JavaScript (`@openai/agents`, over the official `openai` client) as a judge of the mock:
// each scenario runs agents against OPENAI_BASE_URL and returns a small summary of what the run produced, or throws.
// `node tests/node/agents_js.mjs <scenario>` prints the summary as JSON (exit 0) or the error (exit 1), `--list` the
// scenarios' names; tests/functions/test_agents_js.py runs each against a live mock and checks its summary.

import {
  Agent,
  InputGuardrailTripwireTriggered,
  MemorySession,
  OpenAIConversationsSession,
  run,
  setDefaultOpenAIClient,
  setOpenAIAPI,
  setTracingDisabled,
  tool,
} from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import { check, paths, recordingFetch, runScenario } from './runner.mjs';

const CHAT_MODEL = 'gpt-4o-mini';
const RESPONSES_MODEL = 'gpt-4.1';
const FORECAST = 'Hail and 3 degrees';

// The SDK's client, with a fetch that notes each request's method, path and body: the summaries say which API was
// called and what the runner sent. No retries: a scenario must see the mock's first answer.
function makeClient() {
  const { fetch, requests } = recordingFetch();
  const client = new OpenAI({
    baseURL: process.env.OPENAI_BASE_URL,
    apiKey: process.env.OPENAI_API_KEY,
    maxRetries: 0,
    fetch,
  });
  return { client, requests };
}

// Every scenario runs with tracing off (traces would be exported to OpenAI's platform) and this client as the SDK's.
function prepare() {
  setTracingDisabled(true);
  const { client, requests } = makeClient();
  setDefaultOpenAIClient(client);
  return { client, requests };
}

function usageSummary(usage) {
  return {
    requests: usage.requests,
    input: usage.inputTokens,
    output: usage.outputTokens,
    total: usage.totalTokens,
  };
}

// What every run's summary carries: its answer, the agent that gave it, the items it made, the requests it sent.
function runSummary(result, requests) {
  return {
    final_output: result.finalOutput,
    last_agent: result.lastAgent?.name,
    item_types: result.newItems.map((item) => item.type),
    response_ids: result.rawResponses.map((response) => response.responseId),
    usage: usageSummary(result.state.usage),
    paths: paths(requests),
  };
}

function greeter(model) {
  return new Agent({ name: 'Greeter', instructions: 'Greet people by their name.', model });
}

const weatherTool = (calls) =>
  tool({
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push({ city });
      return { city, forecast: FORECAST };
    },
  });

async function toolRun(model, requests) {
  const calls = [];
  const agent = new Agent({
    name: 'Weather agent',
    instructions: 'Answer weather questions with the tool.',
    tools: [weatherTool(calls)],
    model,
  });
  const result = await run(agent, 'What is the weather in Paris?', { maxTurns: 3 });
  const call = result.newItems.find((item) => item.type === 'tool_call_item')?.rawItem;
  check(call, `no tool call: ${JSON.stringify(result.newItems)}`);
  const output = result.newItems.find((item) => item.type === 'tool_call_output_item');
  return {
    ...runSummary(result, requests),
    tool: call.name,
    arguments: JSON.parse(call.arguments),
    call_id: call.callId,
    calls,
    tool_output: output?.output,
    sent_tools: toolNames(requests[0].body),
    sent_back: sentBack(requests[1]),
  };
}

// A Responses input item as `message:<role>` or its type (`function_call`, `function_call_output`).
function itemKind(item) {
  return item.role ? `message:${item.role}` : item.type;
}

function toolNames(body) {
  return (body.tools ?? []).map((item) => item.name ?? item.function?.name);
}

// What the second request carried back: the call and its result, in the API's own shapes.
function sentBack(request) {
  if (!request) return null;
  const { body } = request;
  if (body.messages) {
    const toolMessage = body.messages.find((message) => message.role === 'tool');
    const assistant = body.messages.find((message) => message.role === 'assistant');
    return {
      roles: body.messages.map((message) => message.role),
      tool_call_id: toolMessage?.tool_call_id,
      assistant_call_id: assistant?.tool_calls?.[0]?.id,
      content: toolMessage && JSON.parse(toolMessage.content),
    };
  }
  const output = body.input.find((item) => item.type === 'function_call_output');
  return {
    types: body.input.map(itemKind),
    call_id: output?.call_id,
    content: output && JSON.parse(output.output),
  };
}

// A streamed run with a tool: the run's item events announce the call and its output, the text deltas are the
// second turn's answer.
async function streamedToolRun(model, requests) {
  const calls = [];
  const agent = new Agent({
    name: 'Weather agent',
    instructions: 'Answer weather questions with the tool.',
    tools: [weatherTool(calls)],
    model,
  });
  const result = await run(agent, 'What is the weather in Paris?', { stream: true, maxTurns: 3 });
  const itemEvents = [];
  let text = '';
  for await (const event of result) {
    if (event.type === 'run_item_stream_event') itemEvents.push(event.name);
    if (event.type === 'raw_model_stream_event' && event.data.type === 'output_text_delta') text += event.data.delta;
  }
  await result.completed;
  if (result.error) throw result.error;
  return {
    ...runSummary(result, requests),
    item_events: itemEvents,
    text_deltas: text,
    call_id: result.newItems.find((item) => item.type === 'tool_call_item')?.rawItem.callId,
    calls,
    stream_flags: requests.map((request) => request.body.stream),
    sent_back: sentBack(requests[1]),
  };
}

async function streamedRun(model, requests) {
  const result = await run(greeter(model), 'Tell me about rivers.', { stream: true });
  const deltas = [];
  for await (const delta of result.toTextStream()) deltas.push(delta);
  await result.completed;
  if (result.error) throw result.error;
  return {
    ...runSummary(result, requests),
    deltas: deltas.length,
    streamed: deltas.join(''),
    stream_flag: requests[0].body.stream,
  };
}

// Every kind zod turns into strict JSON Schema, as in judge.mjs: the runner parses the answer with it.
const CityReport = z.object({
  name: z.string(),
  population: z.number().int(),
  coastal: z.boolean(),
  climate: z.enum(['arid', 'temperate', 'tropical']),
  mayor: z.string().nullable(),
  landmarks: z.array(z.object({ name: z.string(), built: z.number().int() })),
});

async function structuredRun(model, requests) {
  const agent = new Agent({
    name: 'City reporter',
    instructions: 'Describe a city.',
    outputType: CityReport,
    model,
  });
  const result = await run(agent, 'Describe a city.');
  const report = result.finalOutput;
  const { body } = requests[0];
  const format = body.text?.format ?? body.response_format;
  return {
    ...runSummary(result, requests),
    output_kind: typeof report,
    keys: Object.keys(report).sort(),
    valid: CityReport.safeParse(report).success,
    integer: Number.isInteger(report.population),
    format: format?.type,
    strict: format?.strict ?? format?.json_schema?.strict,
  };
}

const scenarios = {
  async run_responses({ requests }) {
    const result = await run(greeter(RESPONSES_MODEL), 'Say hello to Ada.');
    return { ...runSummary(result, requests), instructions: requests[0].body.instructions };
  },

  async run_chat({ requests }) {
    setOpenAIAPI('chat_completions');
    const result = await run(greeter(CHAT_MODEL), 'Say hello to Ada.');
    return { ...runSummary(result, requests), system: requests[0].body.messages[0] };
  },

  async tools_responses({ requests }) {
    return toolRun(RESPONSES_MODEL, requests);
  },

  async tools_chat({ requests }) {
    setOpenAIAPI('chat_completions');
    return toolRun(CHAT_MODEL, requests);
  },

  async stream_responses({ requests }) {
    return streamedRun(RESPONSES_MODEL, requests);
  },

  async stream_chat({ requests }) {
    setOpenAIAPI('chat_completions');
    return streamedRun(CHAT_MODEL, requests);
  },

  async stream_tools_responses({ requests }) {
    return streamedToolRun(RESPONSES_MODEL, requests);
  },

  async stream_tools_chat({ requests }) {
    setOpenAIAPI('chat_completions');
    return streamedToolRun(CHAT_MODEL, requests);
  },

  async output_type_responses({ requests }) {
    return structuredRun(RESPONSES_MODEL, requests);
  },

  async output_type_chat({ requests }) {
    setOpenAIAPI('chat_completions');
    return structuredRun(CHAT_MODEL, requests);
  },

  async handoff({ requests }) {
    const spanish = new Agent({
      name: 'Spanish agent',
      instructions: 'You only speak Spanish.',
      handoffDescription: 'Spanish',
      model: RESPONSES_MODEL,
    });
    const triage = Agent.create({
      name: 'Triage agent',
      instructions: 'Hand off to the Spanish agent when the user writes in Spanish.',
      handoffs: [spanish],
      model: RESPONSES_MODEL,
    });
    const result = await run(triage, 'Hola, transfer me to the Spanish agent please: ¿cómo estás?');
    const call = result.newItems.find((item) => item.type === 'handoff_call_item')?.rawItem;
    return {
      ...runSummary(result, requests),
      handoff_tool: call?.name,
      sent_tools: toolNames(requests[0].body),
      // The second agent's request: its own instructions, the conversation with the handoff's call and output.
      handoff_input: requests[1]?.body.input.map(itemKind),
      instructions: requests.map((request) => request.body.instructions),
    };
  },

  async previous_response_id({ requests }) {
    const agent = greeter(RESPONSES_MODEL);
    const first = await run(agent, 'My name is Ada.');
    const second = await run(agent, 'What is my name?', { previousResponseId: first.lastResponseId });
    return {
      first_id: first.lastResponseId,
      second_id: second.lastResponseId,
      sent_previous: requests[1].body.previous_response_id,
      sent_input: requests[1].body.input,
      final_output: second.finalOutput,
      input_tokens: [first.state.usage.inputTokens, second.state.usage.inputTokens],
      paths: paths(requests),
    };
  },

  // A conversation the server keeps: each run sends only its new input with `conversation`.
  async conversation_id({ client, requests }) {
    const agent = greeter(RESPONSES_MODEL);
    const conversation = await client.conversations.create({});
    await run(agent, 'My name is Ada.', { conversationId: conversation.id });
    const second = await run(agent, 'What is my name?', { conversationId: conversation.id });
    const items = [];
    for await (const item of client.conversations.items.list(conversation.id, { order: 'asc' })) items.push(item);
    const responseBodies = requests.filter((request) => request.path.endsWith('/responses'));
    return {
      conversation_id: conversation.id,
      final_output: second.finalOutput,
      sent_conversation: responseBodies.map((request) => request.body.conversation),
      sent_inputs: responseBodies.map((request) => request.body.input.map(itemKind)),
      stored: items.map(itemKind),
      paths: paths(requests),
    };
  },

  async memory_session({ requests }) {
    const agent = greeter(RESPONSES_MODEL);
    const session = new MemorySession();
    await run(agent, 'My name is Ada.', { session });
    const second = await run(agent, 'What is my name?', { session });
    const history = await session.getItems();
    return {
      final_output: second.finalOutput,
      sent_input: requests[1].body.input.map(itemKind),
      history: history.map(itemKind),
      paths: paths(requests),
    };
  },

  async conversations_session({ client, requests }) {
    const agent = greeter(RESPONSES_MODEL);
    const session = new OpenAIConversationsSession({ client });
    await run(agent, 'My name is Ada.', { session });
    const second = await run(agent, 'What is my name?', { session });
    const conversationId = await session.getSessionId();
    const history = await session.getItems();
    const responseBodies = requests.filter((request) => request.path.endsWith('/responses'));
    return {
      final_output: second.finalOutput,
      conversation_id: conversationId,
      history: history.map(itemKind),
      // The session, not the server, keeps the history: each request carries it all, with no `conversation`.
      sent_conversation: responseBodies.map((request) => request.body.conversation ?? null),
      sent_inputs: responseBodies.map((request) => request.body.input.map(itemKind)),
      paths: paths(requests),
    };
  },

  async input_guardrail({ requests }) {
    const checked = [];
    const agent = new Agent({
      name: 'Tutor',
      instructions: 'Help with history questions.',
      model: RESPONSES_MODEL,
      inputGuardrails: [
        {
          name: 'no homework',
          runInParallel: false, // blocks the model call: a tripped run never reaches the mock
          execute: async ({ input }) => {
            const text = typeof input === 'string' ? input : JSON.stringify(input);
            const homework = /homework/i.test(text);
            checked.push(homework);
            return { outputInfo: { homework }, tripwireTriggered: homework };
          },
        },
      ],
    });
    const allowed = await run(agent, 'Who was Ada Lovelace?');
    const allowedPaths = paths(requests);
    try {
      await run(agent, 'Do my math homework: 2 + 2.');
    } catch (error) {
      check(error instanceof InputGuardrailTripwireTriggered, `not a tripwire: ${error?.stack ?? error}`);
      return {
        allowed_output: allowed.finalOutput,
        allowed_paths: allowedPaths,
        checked,
        class: error.constructor.name,
        guardrail: error.result?.guardrail?.name,
        output_info: error.result?.output?.outputInfo,
        paths: paths(requests),
      };
    }
    throw new Error('the homework input passed the guardrail');
  },
};

await runScenario(scenarios, prepare, (error) => error?.error && JSON.stringify(error.error));
