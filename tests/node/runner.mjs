// What the Node judges (judge.mjs, ai_sdk.mjs, agents_js.mjs) share: the command line that runs one scenario and
// prints its summary, a check that throws, and a fetch that notes each request (its method, path and JSON body).

export function check(condition, message) {
  if (!condition) throw new Error(message);
}

// A fetch for a client's options, and the list of requests it sent, oldest first.
export function recordingFetch() {
  const requests = [];
  const fetchAndNote = async (url, init) => {
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : null;
    requests.push({ method: init?.method ?? 'GET', path: new URL(url).pathname, body });
    return fetch(url, init);
  };
  return { fetch: fetchAndNote, requests };
}

export function paths(requests) {
  return requests.map((request) => `${request.method} ${request.path}`);
}

// `node <judge> <scenario>` prints the scenario's summary as JSON (exit 0) or its error (exit 1); `--list` the names.
// `prepare()` makes what a scenario receives; `detail(error)` is the error's body worth printing, if any.
export async function runScenario(scenarios, prepare, detail) {
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
    console.log(JSON.stringify(await scenario(prepare())));
    process.exit(0);
  } catch (error) {
    console.error(error?.stack ?? String(error));
    const body = detail(error);
    if (body) console.error(body);
    process.exit(1);
  }
}
