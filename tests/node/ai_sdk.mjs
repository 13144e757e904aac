// The Vercel AI SDK (`ai` with its OpenAI provider `@ai-sdk/openai`) as a judge of the mock: each scenario drives
// the SDK against OPENAI_BASE_URL and returns a small summary of what it parsed, or throws.
// `node tests/node/ai_sdk.mjs <scenario>` prints the summary as JSON (exit 0) or the error (exit 1), `--list` the
// scenarios' names; tests/functions/test_ai_sdk.py runs each against a live mock and checks its summary.

import { createOpenAI } from '@ai-sdk/openai';
import {
  APICallError,
  Output,
  cosineSimilarity,
  embed,
  embedMany,
  generateObject,
  generateText,
  isStepCount,
  streamText,
  tool,
} from 'ai';
import { z } from 'zod';
import { check, paths, recordingFetch, runScenario } from './runner.mjs';

const CHAT_MODEL = 'gpt-4o-mini';
const RESPONSES_MODEL = 'gpt-4.1';
const EMBEDDING_MODEL = 'text-embedding-3-small';
// No retries: a scenario must see the mock's first answer, not a retried one (and an error is not wrapped in a
// RetryError).
const CALL = { maxRetries: 0 };

// The provider with a fetch that notes each request's method, path and body: the summaries say which API was called
// and what the SDK sent back to it.
function makeProvider() {
  const { fetch, requests } = recordingFetch();
  const provider = createOpenAI({ baseURL: process.env.OPENAI_BASE_URL, apiKey: process.env.OPENAI_API_KEY, fetch });
  return { provider, requests };
}

function usageSummary(usage) {
  return { input: usage.inputTokens, output: usage.outputTokens, total: usage.totalTokens };
}

async function generated(model, requests) {
  const result = await generateText({ model, prompt: 'Say hello to Ada.', maxOutputTokens: 64, ...CALL });
  return {
    text: result.text,
    finish_reason: result.finishReason,
    usage: usageSummary(result.usage),
    response_id: result.response.id,
    model: result.response.modelId,
    paths: paths(requests),
  };
}

async function streamed(model, requests) {
  let error = null;
  const result = streamText({
    model,
    prompt: 'Tell me about rivers.',
    onError: ({ error: streamError }) => {
      error = streamError;
    },
    ...CALL,
  });
  const deltas = [];
  for await (const delta of result.textStream) deltas.push(delta);
  if (error) throw error;
  const response = await result.response;
  return {
    deltas: deltas.length,
    streamed: deltas.join(''),
    text: await result.text,
    finish_reason: await result.finishReason,
    usage: usageSummary(await result.usage),
    response_id: response.id,
    model: response.modelId,
    stream_flag: requests[0].body.stream,
    paths: paths(requests),
  };
}

const weatherTool = (calls) =>
  tool({
    description: 'Get the current weather for a city',
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => {
      calls.push({ city });
      return { city, forecast: 'Hail and 3 degrees' };
    },
  });

async function toolRun(model, requests) {
  const calls = [];
  const result = await generateText({
    model,
    prompt: 'What is the weather in Paris?',
    tools: { get_weather: weatherTool(calls) },
    stopWhen: isStepCount(3),
    ...CALL,
  });
  const [first] = result.steps;
  const call = first.toolCalls[0];
  check(call, `no tool call in the first step: ${JSON.stringify(first.content)}`);
  return {
    steps: result.steps.length,
    step_finish_reasons: result.steps.map((step) => step.finishReason),
    first_step_parts: first.content.map((part) => part.type),
    tool: call.toolName,
    input: call.input,
    call_id: call.toolCallId,
    calls,
    tool_output: first.toolResults[0]?.output,
    text: result.text,
    total_tokens: result.totalUsage.totalTokens,
    paths: paths(requests),
    // What the second request carried back: the call and its result, in the API's own shapes.
    sent_back: sentBack(requests[1]),
  };
}

// streamText with a tool, as a chat front end runs it: the tool-call parts of the stream carry the call, the SDK
// runs the tool, and the second step's text deltas are the answer.
async function streamedToolRun(model, requests) {
  const calls = [];
  let error = null;
  const result = streamText({
    model,
    prompt: 'What is the weather in Paris?',
    tools: { get_weather: weatherTool(calls) },
    stopWhen: isStepCount(3),
    onError: ({ error: streamError }) => {
      error = streamError;
    },
    ...CALL,
  });
  const parts = [];
  let inputDeltas = '';
  let textDeltas = '';
  for await (const part of result.stream) {
    parts.push(part.type);
    if (part.type === 'tool-input-delta') inputDeltas += part.delta;
    if (part.type === 'text-delta') textDeltas += part.text;
  }
  if (error) throw error;
  const steps = await result.steps;
  const call = steps[0].toolCalls[0];
  check(call, `no tool call in the first step: ${JSON.stringify(steps[0].content)}`);
  return {
    steps: steps.length,
    step_finish_reasons: steps.map((step) => step.finishReason),
    first_step_parts: steps[0].content.map((part) => part.type),
    part_types: [...new Set(parts)],
    tool: call.toolName,
    input: call.input,
    input_deltas: inputDeltas,
    calls,
    text: await result.text,
    text_deltas: textDeltas,
    paths: paths(requests),
    sent_back: sentBack(requests[1]),
  };
}

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
    types: body.input.map((item) => item.type ?? `message:${item.role}`),
    call_id: output?.call_id,
    content: output && JSON.parse(output.output),
  };
}

// Every kind zod turns into strict JSON Schema, as in judge.mjs: the SDK validates the answer with it.
const CityReport = z.object({
  name: z.string(),
  population: z.number().int(),
  coastal: z.boolean(),
  climate: z.enum(['arid', 'temperate', 'tropical']),
  mayor: z.string().nullable(),
  landmarks: z.array(z.object({ name: z.string(), built: z.number().int() })),
});

function objectSummary(object, requests) {
  return {
    keys: Object.keys(object).sort(),
    valid: CityReport.safeParse(object).success,
    integer: Number.isInteger(object.population),
    climate: object.climate,
    paths: paths(requests),
  };
}

const scenarios = {
  async generate_text_responses({ provider, requests }) {
    return generated(provider(RESPONSES_MODEL), requests);
  },

  async generate_text_chat({ provider, requests }) {
    return generated(provider.chat(CHAT_MODEL), requests);
  },

  async stream_text_responses({ provider, requests }) {
    return streamed(provider(RESPONSES_MODEL), requests);
  },

  async stream_text_chat({ provider, requests }) {
    return streamed(provider.chat(CHAT_MODEL), requests);
  },

  async tools_responses({ provider, requests }) {
    return toolRun(provider(RESPONSES_MODEL), requests);
  },

  async tools_chat({ provider, requests }) {
    return toolRun(provider.chat(CHAT_MODEL), requests);
  },

  async stream_tools_responses({ provider, requests }) {
    return streamedToolRun(provider(RESPONSES_MODEL), requests);
  },

  async stream_tools_chat({ provider, requests }) {
    return streamedToolRun(provider.chat(CHAT_MODEL), requests);
  },

  async output_object_responses({ provider, requests }) {
    const result = await generateText({
      model: provider(RESPONSES_MODEL),
      prompt: 'Describe a city.',
      output: Output.object({ schema: CityReport, name: 'city_report' }),
      ...CALL,
    });
    const format = requests[0].body.text?.format;
    return { ...objectSummary(result.output, requests), format: format?.type, strict: format?.strict };
  },

  async generate_object_chat({ provider, requests }) {
    const result = await generateObject({
      model: provider.chat(CHAT_MODEL),
      schema: CityReport,
      schemaName: 'city_report',
      prompt: 'Describe a city.',
      ...CALL,
    });
    const format = requests[0].body.response_format;
    return {
      ...objectSummary(result.object, requests),
      format: format?.type,
      schema_name: format?.json_schema?.name,
      finish_reason: result.finishReason,
    };
  },

  async embed({ provider, requests }) {
    const model = provider.embeddingModel(EMBEDDING_MODEL);
    const { embedding, usage } = await embed({ model, value: 'sunny day at the beach', ...CALL });
    const again = await embed({ model, value: 'sunny day at the beach', ...CALL });
    const norm = Math.sqrt(embedding.reduce((sum, value) => sum + value * value, 0));
    return {
      dimensions: embedding.length,
      numbers: embedding.every((value) => typeof value === 'number' && Number.isFinite(value)),
      norm,
      same: JSON.stringify(again.embedding) === JSON.stringify(embedding),
      tokens: usage.tokens,
      encoding_format: requests[0].body.encoding_format,
      paths: paths(requests),
    };
  },

  async embed_many({ provider, requests }) {
    const values = ['sunny day at the beach', 'rainy night in the city', 'sunny day at the beach'];
    const { embeddings, usage } = await embedMany({
      model: provider.embeddingModel(EMBEDDING_MODEL),
      values,
      providerOptions: { openai: { dimensions: 256 } },
      ...CALL,
    });
    return {
      count: embeddings.length,
      dimensions: embeddings.map((embedding) => embedding.length),
      same_text_similarity: cosineSimilarity(embeddings[0], embeddings[2]),
      other_text_similarity: cosineSimilarity(embeddings[0], embeddings[1]),
      tokens: usage.tokens,
      inputs_sent: requests[0].body.input.length,
      paths: paths(requests),
    };
  },

  async unknown_model({ provider, requests }) {
    try {
      await generateText({ model: provider('gpt-does-not-exist'), prompt: 'Hello?', ...CALL });
    } catch (error) {
      check(APICallError.isInstance(error), `not an APICallError: ${error?.stack ?? error}`);
      const body = JSON.parse(error.responseBody);
      return {
        class: error.name,
        status: error.statusCode,
        message: error.message,
        retryable: error.isRetryable,
        url_path: new URL(error.url).pathname,
        error: body.error,
        data_message: error.data?.error?.message,
        paths: paths(requests),
      };
    }
    throw new Error('an unknown model answered');
  },
};

await runScenario(scenarios, makeProvider, (error) => error?.responseBody);
