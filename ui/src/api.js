// Every call the UI makes goes through here: the key (sessionStorage only) as
// `Authorization: Bearer`, errors turned into sentences from each family's envelope, and a
// 401 anywhere sends the person back to sign-in with the reason.
const KEY = "accord.apiKey";

export const session = {
  key: () => sessionStorage.getItem(KEY),
  save: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

let onUnauthorized = () => {};
export const whenUnauthorized = (fn) => { onUnauthorized = fn; };

// The message of an error body, whichever family answered: registry {detail, error: {code,
// message}}, configuration {message, error: CODE}, reports/platform {error: "..."}.
export function errorMessage(status, body) {
  if (body && typeof body === "object") {
    if (body.error && typeof body.error === "object" && body.error.message) return [body.error.message, body.error.code];
    if (typeof body.message === "string" && body.message) return [body.message, typeof body.error === "string" ? body.error : undefined];
    if (typeof body.error === "string" && body.error) return [body.error, undefined];
    if (typeof body.detail === "string") return [body.detail, undefined];
  }
  const generic = { 401: "The API key was not accepted.", 403: "This API key may not do that.",
    404: "Not found.", 409: "That conflicts with the current state; reload and try again.",
    429: "Too many requests; wait a moment and try again." };
  return [generic[status] || `The server answered ${status}; try again.`, undefined];
}

export async function request(method, path, { body, key, query } = {}) {
  const token = key ?? session.key();
  const url = query ? `${path}?${new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ""))}` : path;
  const headers = { Accept: "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, "Accord could not be reached. Check your connection and try again.");
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const [message, code] = errorMessage(response.status, data);
    const err = new ApiError(response.status, message, code);
    if (response.status === 401 && key === undefined) onUnauthorized(err);
    throw err;
  }
  return { data, headers: response.headers };
}

export const get = async (path, query) => (await request("GET", path, { query })).data;
export const post = async (path, body) => (await request("POST", path, { body })).data;
