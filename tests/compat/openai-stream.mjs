// Real-client compatibility check: the official OpenAI SDK (6.x) talks to the gateway.
//   node openai-stream.mjs http://127.0.0.1:8080 [api-key]
// Runs three calls, prints one JSON summary on stdout, exits non-zero on any error.
import OpenAI from 'openai';
import { VERSION } from 'openai/version';

const base = process.argv[2];
if (!base) {
  console.error('usage: node openai-stream.mjs <gateway base URL> [api key]');
  process.exit(2);
}

const client = new OpenAI({
  baseURL: base.replace(/\/+$/, '') + '/v1',
  apiKey: process.argv[3] ?? process.env.AOTPIPE_API_KEY ?? 'compat-test',
  maxRetries: 0,
  timeout: 60_000,
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Current weather for a place.',
    parameters: {
      type: 'object',
      properties: { location: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } },
      required: ['location'],
    },
  },
};

// Reasoning is not part of the SDK's typed delta: it arrives as delta.reasoning_content, read from the raw chunk.
async function streamReasoning() {
  const stream = await client.chat.completions.create({
    model: 'mock/stream-reasoning-summary',
    stream: true,
    stream_options: { include_usage: true },
    reasoning_effort: 'medium',
    messages: [{ role: 'user', content: 'Is 2147483647 prime?' }],
  });
  let content = '';
  let reasoning = '';
  let finishReason = null;
  let usage = null;
  let chunks = 0;
  const ids = new Set();
  for await (const chunk of stream) {
    chunks++;
    ids.add(chunk.id);
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      const delta = choice.delta ?? {};
      if (typeof delta.content === 'string') content += delta.content;
      if (typeof delta.reasoning_content === 'string') reasoning += delta.reasoning_content;
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }
  if (ids.size !== 1) throw new Error(`expected one chunk id, saw ${ids.size}`);
  return { chunks, id: [...ids][0], content, reasoning, finish_reason: finishReason, usage };
}

// The SDK's stream helper accumulates tool-call fragments itself and validates the chunk sequence while doing so.
async function streamToolCall() {
  const stream = client.chat.completions.stream({
    model: 'mock/stream-function-call',
    messages: [{ role: 'user', content: 'What is the weather in Lisbon?' }],
    tools: [weatherTool],
  });
  const doneEvents = [];
  stream.on('tool_calls.function.arguments.done', (event) => doneEvents.push({ name: event.name, arguments: event.arguments }));
  const final = await stream.finalChatCompletion();
  const choice = final.choices[0];
  const call = choice.message.tool_calls?.[0];
  if (!call) throw new Error('no tool call accumulated');
  if (call.function.name !== 'get_weather') throw new Error(`tool call name ${call.function.name}`);
  const args = JSON.parse(call.function.arguments);
  if (typeof args.location !== 'string' || args.location.length === 0) throw new Error('tool call arguments lack location');
  if (doneEvents.length !== 1) throw new Error(`expected one arguments.done event, saw ${doneEvents.length}`);
  return {
    finish_reason: choice.finish_reason,
    tool_calls: choice.message.tool_calls.map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
    arguments_done_events: doneEvents,
  };
}

async function nonStream() {
  const completion = await client.chat.completions.create({
    model: 'openai/gpt-5.2',
    messages: [{ role: 'user', content: 'Lists or tuples?' }],
  });
  const choice = completion.choices[0];
  if (completion.object !== 'chat.completion') throw new Error(`object ${completion.object}`);
  return {
    id: completion.id,
    content: choice.message.content,
    reasoning: choice.message.reasoning_content ?? null,
    finish_reason: choice.finish_reason,
    usage: completion.usage ?? null,
  };
}

try {
  const summary = {
    sdk: 'openai',
    sdk_version: VERSION,
    reasoning_stream: await streamReasoning(),
    tool_call_stream: await streamToolCall(),
    non_stream: await nonStream(),
  };
  process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
} catch (error) {
  console.error(`compat check failed: ${error?.stack ?? error}`);
  process.exit(1);
}
