/* Talking to the service's API: requests that carry the token, and its errors in words. */

import { currentToken } from "./token.js";

/* fetch() with the saved token, if there is one. */
export function fetchWithToken(url, init) {
  const headers = new Headers(init.headers || {});
  const token = currentToken();
  if (token) headers.set("Authorization", "Bearer " + token);
  return fetch(url, { ...init, headers });
}

/* An API answer's error in words, whatever the server sent back. */
export async function errorMessage(response) {
  try {
    const body = await response.json();
    if (body && body.error && body.error.message) return body.error.message;
  } catch (ignored) {
    /* not JSON: a proxy's page, say */
  }
  return "The server answered " + response.status + " " + response.statusText + ". Try again in a moment.";
}

/* A random key for Idempotency-Key; randomUUID needs a secure context, getRandomValues does not. */
export function randomKey() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID();
  return Array.from(window.crypto.getRandomValues(new Uint8Array(16)),
    (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/* The API address of one job. */
export function jobApiUrl(id) {
  return "/api/jobs/" + encodeURIComponent(id);
}
