/* The API token: kept in this browser, sent only with POST and DELETE (when the service sets
   API_TOKENS), and asked for by the prompt of templates/_token.html when the service answers 401. */

const TOKEN_KEY = "html2pdf.token";
let sessionToken = savedToken();  // also when storage is disabled
let afterToken = null;            // what to do again once the user has given a token

function savedToken() {
  try {
    return localStorage.getItem(TOKEN_KEY) || "";
  } catch (ignored) {
    return "";
  }
}

function storeToken(token) {
  try {
    if (token) localStorage.setItem(TOKEN_KEY, token);
    else localStorage.removeItem(TOKEN_KEY);
  } catch (ignored) {
    /* storage disabled: the token lasts as long as this page */
  }
  sessionToken = token;
  showSavedToken();
}

/* The token to send, or "" when there is none. */
export function currentToken() {
  return sessionToken;
}

/* The service answered 401: ask for a token, then call `retry`. A refused token is forgotten. */
export function askForToken(why, retry) {
  const refused = Boolean(sessionToken);
  if (refused) storeToken("");
  afterToken = retry;
  document.getElementById("token-why").textContent = refused
    ? "The saved API token was not accepted. Paste a valid one to " + why + "."
    : "This service needs an API token to " + why + ". Paste the one you were given.";
  document.getElementById("token").hidden = false;
  tokenError("");
  const input = document.getElementById("token-input");
  input.value = "";
  input.focus();
}

/* Take the prompt away (what it was for no longer applies). */
export function dismissTokenPrompt() {
  afterToken = null;
  const box = document.getElementById("token");
  if (box) box.hidden = true;
}

export function tokenPromptOpen() {
  const box = document.getElementById("token");
  return Boolean(box && !box.hidden);
}

function tokenError(message) {
  const error = document.getElementById("token-error");
  const input = document.getElementById("token-input");
  error.textContent = message;
  error.hidden = !message;
  if (message) input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
}

function showSavedToken() {
  const line = document.getElementById("token-saved");
  if (!line) return;
  line.hidden = !sessionToken;
  if (sessionToken) document.getElementById("token-forgotten").hidden = true;
}

/* Wire the prompt and the "saved token" line, on a page that includes them. */
export function setUpTokenPrompt() {
  const form = document.getElementById("token-form");
  if (!form || !document.getElementById("token")) return;
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const token = document.getElementById("token-input").value.trim();
    if (!token) {
      tokenError("Enter the token first.");
      document.getElementById("token-input").focus();
      return;
    }
    storeToken(token);
    const retry = afterToken;
    dismissTokenPrompt();
    if (retry) retry();
  });
  document.getElementById("token-input").addEventListener("input", () => tokenError(""));
  document.getElementById("token-forget").addEventListener("click", () => {
    storeToken("");
    const done = document.getElementById("token-forgotten");
    done.hidden = false;
    // The button went away with the line: keep the keyboard focus on the news.
    done.focus();
  });
  // Saved or forgotten in another tab.
  window.addEventListener("storage", (event) => {
    if (event.key !== TOKEN_KEY && event.key !== null) return;
    sessionToken = savedToken();
    showSavedToken();
  });
  showSavedToken();
}
